"""Editing a draft version (general, indicators, questions), publishing it, deleting it,
and making a new version."""

from __future__ import annotations

import itertools
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.registry import SCORED_TYPES

from ....db import begin_write, get_session
from ....models import Questionnaire
from ....services.audit import record
from ....services.questionnaires import definition_of, delete_draft, new_draft, publish_version
from ...access import role_required
from ..blueprint import bp
from .common import (
    ASSUMED_KEY,
    _edit_draft,
    _locked_draft,
    _number,
    _render_version,
    _row_count,
    _text_pair,
    _version_or_404,
    _version_url,
)


@bp.get("/questionnaires/<code>/v<int:number>")
@role_required("admin")
def questionnaire_version(code: str, number: int):
    return _render_version(
        _version_or_404(code, number), assumed=flask_session.pop(ASSUMED_KEY, None)
    )


@bp.post("/questionnaires/<code>/v<int:number>/general")
@role_required("admin")
def questionnaire_general(code: str, number: int):
    def change(definition: dict[str, Any]) -> None:
        definition["title"] = _text_pair("title")
        definition["intro"] = _text_pair("intro")

    return _edit_draft(code, number, change, "questionnaire.edit")


@bp.post("/questionnaires/<code>/v<int:number>/indicators")
@role_required("admin")
def questionnaire_indicators(code: str, number: int):
    form = request.form
    rows = _row_count("rows")

    def change(definition: dict[str, Any]) -> None:
        """The rows as the indicators; a row whose code changed renames its indicator, so
        its questions follow."""
        indicators = []
        renamed: dict[str, str] = {}
        for index in range(rows):
            identifier = form.get(f"indicator-{index}-id", "").strip()
            was = form.get(f"indicator-{index}-was", "").strip()
            if not identifier:
                continue
            if was and was != identifier:
                renamed[was] = identifier
            indicators.append(
                {
                    "id": identifier,
                    "name": _text_pair(f"indicator-{index}-name"),
                    "weight": _number(form.get(f"indicator-{index}-weight", "")),
                }
            )
        definition["indicators"] = indicators
        for question in definition["questions"]:
            if question.get("indicator") in renamed:
                question["indicator"] = renamed[question["indicator"]]

    return _edit_draft(code, number, change, "questionnaire.edit")


def _question_index(definition: dict[str, Any], question_id: str) -> int:
    for index, question in enumerate(definition["questions"]):
        if question["id"] == question_id:
            return index
    abort(404)


@bp.post("/questionnaires/<code>/v<int:number>/questions/add")
@role_required("admin")
def questionnaire_question_add(code: str, number: int):
    question_type = request.form.get("type", "")
    added: list[str] = []

    def change(definition: dict[str, Any]) -> None:
        existing = {q["id"] for q in definition["questions"]}
        identifier = next(f"q{n}" for n in itertools.count(1) if f"q{n}" not in existing)
        added.append(identifier)
        indicators = definition["indicators"]
        question: dict[str, Any] = {
            "id": identifier,
            "type": question_type,
            "text": {"zh": "新问题", "en": "New question"},
        }
        if question_type in SCORED_TYPES and indicators:
            question["indicator"] = indicators[0]["id"]
        if question_type == "rating":
            question["scale"] = 5
        if question_type in ("single_choice", "multiple_choice"):
            question["options"] = [
                {"id": "a", "label": {"zh": "选项一", "en": "Option 1"}},
                {"id": "b", "label": {"zh": "选项二", "en": "Option 2"}},
            ]
        definition["questions"].append(question)

    result = _edit_draft(code, number, change, "questionnaire.edit")
    # Saved (a redirect, not the page shown again with its problems): edit the new question.
    if getattr(result, "status_code", None) == 302:
        return redirect(
            url_for("admin.questionnaire_question", code=code, number=number, question_id=added[0])
        )
    return result


@bp.route("/questionnaires/<code>/v<int:number>/questions/<question_id>", methods=["GET", "POST"])
@role_required("admin")
def questionnaire_question(code: str, number: int, question_id: str):
    version = _version_or_404(code, number)
    definition = definition_of(version)
    index = _question_index(definition, question_id)
    template = "admin/questionnaires/question.html"
    if request.method == "GET":
        return _render_version(version, definition, template=template, index=index)
    form = request.form
    option_rows = _row_count("option_rows")

    def change(candidate: dict[str, Any]) -> None:
        position = _question_index(candidate, question_id)
        question: dict[str, Any] = {
            "id": form.get("id", "").strip(),
            "type": form.get("type", ""),
            "text": _text_pair("text"),
            "help": _text_pair("help"),
            "required": bool(form.get("required")),
            "weight": _number(form.get("weight", "")),
        }
        if question["weight"] is None:
            question["weight"] = 1.0
        if form.get("indicator"):
            question["indicator"] = form["indicator"]
        if question["type"] == "rating":
            scale = _number(form.get("scale", ""))
            question["scale"] = (
                int(scale) if isinstance(scale, float) and scale.is_integer() else scale
            )
        options = []
        for row in range(option_rows):
            option_id = form.get(f"option-{row}-id", "").strip()
            if not option_id:
                continue
            not_applicable = bool(form.get(f"option-{row}-not_applicable"))
            options.append(
                {
                    "id": option_id,
                    "label": _text_pair(f"option-{row}-label"),
                    "points": None
                    if not_applicable
                    else _number(form.get(f"option-{row}-points", "")),
                    "not_applicable": not_applicable,
                }
            )
        if options:
            question["options"] = options
        condition_question = form.get("condition_question", "").strip()
        if condition_question:
            question["condition"] = {
                "question": condition_question,
                "one_of": [v for v in form.getlist("condition_one_of") if v.strip()],
            }
        candidate["questions"][position] = question

    new_id = form.get("id", "").strip() or question_id
    redirect_to = url_for(
        "admin.questionnaire_question", code=code, number=number, question_id=new_id
    )
    return _edit_draft(
        code,
        number,
        change,
        "questionnaire.edit",
        template=template,
        redirect_to=redirect_to,
        index=index,
    )


@bp.post("/questionnaires/<code>/v<int:number>/questions/<question_id>/move")
@role_required("admin")
def questionnaire_question_move(code: str, number: int, question_id: str):
    step = -1 if request.form.get("direction") == "up" else 1

    def change(definition: dict[str, Any]) -> None:
        index = _question_index(definition, question_id)
        questions = definition["questions"]
        other = index + step
        if 0 <= other < len(questions):
            questions[index], questions[other] = questions[other], questions[index]

    return _edit_draft(code, number, change, "questionnaire.edit")


@bp.post("/questionnaires/<code>/v<int:number>/questions/<question_id>/delete")
@role_required("admin")
def questionnaire_question_delete(code: str, number: int, question_id: str):
    def change(definition: dict[str, Any]) -> None:
        del definition["questions"][_question_index(definition, question_id)]

    return _edit_draft(code, number, change, "questionnaire.edit")


@bp.post("/questionnaires/<code>/v<int:number>/publish")
@role_required("admin")
def questionnaire_publish(code: str, number: int):
    version = _locked_draft(code, number)
    session = get_session()
    publish_version(session, version)
    record(
        session,
        "questionnaire.publish",
        user=current_user,
        object_type="questionnaire_version",
        object_id=version.id,
        details={"code": code, "version": number, "content_hash": version.content_hash},
    )
    session.commit()
    flash(_("Version %(number)s is published. It can no longer be changed.", number=number))
    return redirect(_version_url(version))


@bp.post("/questionnaires/<code>/v<int:number>/delete")
@role_required("admin")
def questionnaire_delete_draft(code: str, number: int):
    version = _locked_draft(code, number)
    session = get_session()
    whole = delete_draft(session, version, current_user)
    session.commit()
    flash(_("The questionnaire was deleted.") if whole else _("The draft was deleted."))
    return redirect(url_for("admin.questionnaires"))


@bp.post("/questionnaires/<code>/new-version")
@role_required("admin")
def questionnaire_new_version(code: str):
    session = get_session()
    begin_write(session)
    questionnaire = session.scalar(
        select(Questionnaire).where(Questionnaire.code == code).with_for_update()
    )
    if questionnaire is None:
        abort(404)
    version = new_draft(session, questionnaire)
    record(
        session,
        "questionnaire.new_version",
        user=current_user,
        object_type="questionnaire_version",
        object_id=version.id,
        details={"code": code, "version": version.number},
    )
    session.commit()
    return redirect(_version_url(version))
