"""The questionnaire builder: list, create, import, edit drafts, preview, publish,
new versions, export. Published versions are read-only here, in the service layer and
in the database."""

from __future__ import annotations

import copy
import itertools
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from forms.builder import build_form_class, condition_text, validate_submission
from forms.interchange import read_questionnaire_file, to_json, to_xlsform
from forms.problems import Note, Problem
from forms.registry import CHOICE_TYPES, QUESTION_TYPES, SCORED_TYPES
from forms.schema import QuestionnaireError, load, validate

from ...db import begin_write, get_session
from ...models import Questionnaire, QuestionnaireVersion
from ...models import Response as SurveyResponse
from ...services.audit import record
from ...services.questionnaires import (
    definition_of,
    delete_draft,
    new_draft,
    publish_version,
    save_draft,
    store_version,
)
from ..access import role_required
from ..downloads import audited_download
from .blueprint import bp

BLANK_ROWS = 3
PUBLISHED_MESSAGE = _l(
    "This version is published and can no longer be changed. Make a new version to edit it."
)


#: Where the notes of what an import assumed wait for the page it redirects to.
ASSUMED_KEY = "questionnaire_import_assumed"
#: The location of a problem of an imported workbook: sheet and row.
SHEET_ROW = re.compile(r"(survey|choices|settings|indicators) row (\d+)\Z")

MAX_VERSION_NUMBER = 2**31 - 1
MAX_ROWS = 200


def _version_or_404(code: str, number: int, *, lock: bool = False) -> QuestionnaireVersion:
    """The version, locked against concurrent writers when `lock` (after begin_write)."""
    if not 1 <= number <= MAX_VERSION_NUMBER:
        abort(404)
    query = (
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .where(Questionnaire.code == code, QuestionnaireVersion.number == number)
    )
    if lock:
        query = query.with_for_update(of=QuestionnaireVersion)
    version = get_session().scalar(query)
    if version is None:
        abort(404)
    return version


def _row_count(name: str) -> int:
    """A form's row count: a whole number from 0 to MAX_ROWS, else 400."""
    value = request.form.get(name, "0").strip() or "0"
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ROWS:
        abort(400)
    return int(value)


def _locked_draft(code: str, number: int) -> QuestionnaireVersion:
    """Begin a write, then the version locked; 409 when it is not a draft (any more)."""
    begin_write(get_session())
    version = _version_or_404(code, number, lock=True)
    if version.status != "draft":
        abort(409, PUBLISHED_MESSAGE)
    return version


def _version_url(version: QuestionnaireVersion, **anchor: Any) -> str:
    return url_for(
        "admin.questionnaire_version",
        code=version.questionnaire.code,
        number=version.number,
        **anchor,
    )


def _response_count(version: QuestionnaireVersion) -> int:
    return (
        get_session().scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.questionnaire_version_id == version.id)
        )
        or 0
    )


def _render_version(
    version: QuestionnaireVersion,
    definition: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    template: str = "admin/questionnaires/version.html",
    **extra: Any,
):
    definition = definition if definition is not None else definition_of(version)
    return render_template(
        template,
        version=version,
        definition=definition,
        errors=errors or {},
        question_types=QUESTION_TYPES,
        scored_types=SCORED_TYPES,
        choice_types=CHOICE_TYPES,
        blank_rows=BLANK_ROWS,
        responses=_response_count(version),
        **extra,
    ), status


def _errors_by_path(problems: list[Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.path, problem.message)
    return errors


def _edit_draft(
    code: str,
    number: int,
    change: Callable[[dict[str, Any]], None],
    action: str,
    *,
    template: str = "admin/questionnaires/version.html",
    redirect_to: str | None = None,
    **extra: Any,
):
    """Apply `change` to a copy of the draft's definition; save it if it is valid, else
    show the page again with each problem beside its field (400). The version is locked
    first, so two administrators' edits never overwrite each other unseen."""
    version = _locked_draft(code, number)
    session = get_session()
    candidate = copy.deepcopy(definition_of(version))
    change(candidate)
    problems = validate(candidate)
    if problems:
        session.rollback()
        return _render_version(
            version, candidate, _errors_by_path(problems), 400, template=template, **extra
        )
    save_draft(session, version, candidate)
    record(
        session,
        action,
        user=current_user,
        object_type="questionnaire_version",
        object_id=version.id,
        details={"questionnaire": version.questionnaire.code, "version": version.number},
    )
    session.commit()
    flash(_("Saved."))
    return redirect(redirect_to or _version_url(version))


def _text_pair(prefix: str) -> dict[str, str]:
    return {
        "zh": request.form.get(f"{prefix}_zh", "").strip(),
        "en": request.form.get(f"{prefix}_en", "").strip(),
    }


def _number(value: str) -> float | str | None:
    """A number from a form field; the raw text when it is not one (validation reports
    it beside the field), None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return value


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
        raise QuestionnaireError.single("file", _("Choose a .json or an XLSForm .xlsx file."))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"upload{suffix}"
        upload.save(path)
        return read_questionnaire_file(path, name=upload.filename, assumed=assumed)


def _problem_text(problem: Problem) -> str:
    """A problem of an imported file in the page's language, its sheet and row named."""
    message = problem.localized(_)
    where = SHEET_ROW.match(problem.path)
    if where:
        location = _("%(sheet)s row %(row)s", sheet=where.group(1), row=where.group(2))
    else:
        location = problem.path
    return f"{location}: {message}" if location else message


@bp.post("/questionnaires/import")
@role_required("admin")
def questionnaire_import():
    upload = request.files.get("file")
    session = get_session()
    try:
        if upload is None or not upload.filename:
            raise QuestionnaireError.single("file", _("Choose a file to import."))
        assumed: list[Note] = []
        definition = _read_upload(upload, assumed)
        begin_write(session)
        version = store_version(session, definition, publish=bool(request.form.get("publish")))
    except QuestionnaireError as error:
        session.rollback()
        messages = [_problem_text(problem) for problem in error.problems]
        listing = session.scalars(select(Questionnaire).order_by(Questionnaire.code)).all()
        return render_template(
            "admin/questionnaires/index.html",
            questionnaires=listing,
            counts={},
            errors={},
            import_problems=messages,
        ), 400
    record(
        session,
        "questionnaire.import",
        user=current_user,
        object_type="questionnaire_version",
        object_id=version.id,
        details={
            "code": version.questionnaire.code,
            "version": version.number,
            "file": upload.filename,
            "content_hash": version.content_hash,
        },
    )
    session.commit()
    flash(_("Imported as version %(number)s.", number=version.number))
    if assumed:
        flask_session[ASSUMED_KEY] = [note.localized(_) for note in assumed]
    return redirect(_version_url(version))


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
