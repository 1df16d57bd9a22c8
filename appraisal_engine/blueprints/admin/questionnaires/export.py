"""Exporting a version (JSON, XLSForm) and previewing it as a respondent sees it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Response, render_template, request

from forms.builder import build_form_class, condition_text, validate_submission
from forms.interchange import to_json, to_xlsform
from forms.schema import load

from ....services.questionnaires import definition_of
from ...access import role_required
from ...downloads import audited_download
from ..blueprint import bp
from .common import _version_or_404


@bp.get("/questionnaires/<code>/v<int:number>/export.<any(json, xlsx):kind>")
@role_required("admin")
def questionnaire_export(code: str, number: int, kind: str) -> Response:
    version = _version_or_404(code, number)
    definition = definition_of(version)
    filename = f"{code}-v{number}.{kind}"
    if kind == "json":
        body, mimetype = to_json(definition), "application/json"
    else:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / filename
            to_xlsform(definition, path)
            body = path.read_bytes()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return audited_download(
        body,
        mimetype,
        filename,
        object_type="questionnaire_version",
        object_id=version.id,
        code=code,
        version=number,
        format=kind,
        file=filename,
    )


@bp.get("/questionnaires/<code>/v<int:number>/preview")
@role_required("admin")
def questionnaire_preview(code: str, number: int):
    version = _version_or_404(code, number)
    return render_template("admin/questionnaires/preview.html", version=version)


@bp.route("/questionnaires/<code>/v<int:number>/preview/frame", methods=["GET", "POST"])
@role_required("admin")
def questionnaire_preview_frame(code: str, number: int):
    """The form exactly as a resident sees it; submitting checks the answers (server-side
    rules included) and shows what would be recorded, without recording anything."""
    version = _version_or_404(code, number)
    language = "en" if request.args.get("form_lang") == "en" else "zh"
    questionnaire = load(definition_of(version))
    if request.method == "POST":
        form, answers = validate_submission(request.form, questionnaire, language)
    else:
        form, answers = build_form_class(questionnaire, language)(), None
    conditions = {
        question.id: condition_text(question, questionnaire, language)
        for question in questionnaire.questions
        if question.condition is not None
    }
    status = 400 if request.method == "POST" and answers is None else 200
    return render_template(
        "admin/questionnaires/preview_frame.html",
        version=version,
        questionnaire=questionnaire,
        form=form,
        language=language,
        conditions=conditions,
        answers=answers,
    ), status
