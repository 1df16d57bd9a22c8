"""The questionnaires list, a new questionnaire and an imported one."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import flash, redirect, render_template, request
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from forms.interchange import read_questionnaire_file
from forms.problems import Note
from forms.schema import QuestionnaireError, validate

from ....db import begin_write, get_session
from ....models import Questionnaire
from ....models import Response as SurveyResponse
from ....services.audit import record
from ....services.questionnaires import import_questionnaire, store_version
from ...access import role_required
from ..blueprint import bp
from .common import ASSUMED_KEY, _errors_by_path, _text_pair, _version_url


@bp.get("/questionnaires/")
@role_required("admin")
def questionnaires():
    session = get_session()
    listing = session.scalars(select(Questionnaire).order_by(Questionnaire.code)).all()
    counts = dict(
        session.execute(
            select(SurveyResponse.questionnaire_version_id, func.count()).group_by(
                SurveyResponse.questionnaire_version_id
            )
        ).all()
    )
    return render_template(
        "admin/questionnaires/index.html", questionnaires=listing, counts=counts, errors={}
    )


@bp.post("/questionnaires/new")
@role_required("admin")
def questionnaire_new():
    code = request.form.get("code", "").strip()
    title = _text_pair("title")
    definition = {
        "format": "appraisal-questionnaire/1",
        "code": code,
        "title": title,
        "indicators": [
            {
                "id": "overall",
                "name": {"zh": "总体满意度", "en": "Overall satisfaction"},
                "weight": 1.0,
            }
        ],
        "questions": [
            {
                "id": "overall",
                "type": "satisfaction5",
                "indicator": "overall",
                "required": True,
                "text": {
                    "zh": "您对本次服务的总体满意度",
                    "en": "Overall, how satisfied are you with the service?",
                },
            }
        ],
    }
    session = get_session()
    begin_write(session)
    problems = validate(definition)
    if not problems and session.scalar(select(Questionnaire.id).where(Questionnaire.code == code)):
        abort_problems = {"code": _("A questionnaire with this code exists already.")}
    else:
        abort_problems = _errors_by_path(problems)
    if abort_problems:
        listing = session.scalars(select(Questionnaire).order_by(Questionnaire.code)).all()
        return render_template(
            "admin/questionnaires/index.html",
            questionnaires=listing,
            counts={},
            errors=abort_problems,
            form=request.form,
        ), 400
    version = store_version(session, definition)
    record(
        session,
        "questionnaire.create",
        user=current_user,
        object_type="questionnaire",
        object_id=version.questionnaire_id,
        details={"code": code},
    )
    session.commit()
    return redirect(_version_url(version))


def _read_upload(upload: FileStorage, assumed: list[Note]) -> dict[str, Any]:
    """The definition in an uploaded file, read as `appraisal import-questionnaire` reads it;
    the defaults an XLSForm left open go to `assumed`."""
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in (".json", ".xlsx"):
        raise QuestionnaireError.single("", _("Choose a .json or an XLSForm .xlsx file."))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"upload{suffix}"
        upload.save(path)
        return read_questionnaire_file(path, name=upload.filename, assumed=assumed)


@bp.post("/questionnaires/import")
@role_required("admin")
def questionnaire_import():
    upload = request.files.get("file")
    session = get_session()
    try:
        if upload is None or not upload.filename:
            raise QuestionnaireError.single("", _("Choose a file to import."))
        assumed: list[Note] = []
        definition = _read_upload(upload, assumed)
        begin_write(session)
        version = import_questionnaire(
            session,
            definition,
            publish=bool(request.form.get("publish")),
            file_name=upload.filename,
            by=current_user,
        )
    except QuestionnaireError as error:
        session.rollback()
        messages = [problem.described(_) for problem in error.problems]
        listing = session.scalars(select(Questionnaire).order_by(Questionnaire.code)).all()
        return render_template(
            "admin/questionnaires/index.html",
            questionnaires=listing,
            counts={},
            errors={},
            import_problems=messages,
        ), 400
    session.commit()
    flash(_("Imported as version %(number)s.", number=version.number))
    if assumed:
        flask_session[ASSUMED_KEY] = [note.localized(_) for note in assumed]
    return redirect(_version_url(version))
