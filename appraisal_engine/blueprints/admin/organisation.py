"""Importing the organisation (units, service windows, cadres) from a CSV or XLSX file,
as `appraisal import-org` does: all or nothing, every problem with its line and column."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...db import begin_write, get_session
from ...services.org_import import COLUMNS, REQUIRED_COLUMNS, import_org
from ...services.tabular import SUPPORTED_SUFFIXES, InputFileError, Problem
from ..access import role_required
from .blueprint import bp

ENCODINGS = {
    "utf-8": _l("UTF-8 (Excel: “CSV UTF-8”; any XLSX file)"),
    "gb18030": _l("GB18030 (Excel on a Chinese system: plain “CSV”)"),
}
KIND_LABELS = {"unit": _l("Units"), "service_point": _l("Service windows"), "cadre": _l("Cadres")}
#: Problems shown on the page; the rest are counted.
MAX_PROBLEMS_SHOWN = 200


def _page(status: int = 200, **context):
    return (
        render_template(
            "admin/organisation.html",
            encodings=ENCODINGS,
            columns=list(COLUMNS),
            required=REQUIRED_COLUMNS,
            kind_labels=KIND_LABELS,
            **context,
        ),
        status,
    )


@bp.get("/organisation")
@role_required("admin")
def organisation():
    return _page()


def _refused(problems: list[Problem], filename: str):
    rows = [
        (problem.line, problem.column_letter, problem.header, problem.localized(gettext))
        for problem in problems[:MAX_PROBLEMS_SHOWN]
    ]
    return _page(
        400, problems=rows, hidden=max(0, len(problems) - MAX_PROBLEMS_SHOWN), filename=filename
    )


@bp.post("/organisation")
@role_required("admin")
def organisation_import():
    upload = request.files.get("file")
    encoding = request.form.get("encoding", "utf-8")
    if encoding not in ENCODINGS:
        encoding = "utf-8"
    filename = Path(upload.filename or "").name if upload is not None else ""
    suffix = Path(filename).suffix.lower()
    if upload is None or suffix not in SUPPORTED_SUFFIXES:
        problem = Problem(filename or "?", "must be a .csv or .xlsx file")
        return _refused([problem], filename)
    session = get_session()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"organisation{suffix}"
        upload.save(path)
        begin_write(session)
        try:
            summary = import_org(
                session, path, encoding=encoding, file_name=filename, by=current_user
            )
        except InputFileError as error:
            session.rollback()
            return _refused(error.problems, filename)
    session.commit()
    return _page(summary=summary, filename=filename)
