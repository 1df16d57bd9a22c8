"""What the questionnaire builder's pages share: finding and locking a version, rendering
it, reading the editing forms."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from forms.registry import CHOICE_TYPES, QUESTION_TYPES, SCORED_TYPES
from forms.schema import validate

from ....db import begin_write, get_session
from ....models import Questionnaire, QuestionnaireVersion
from ....models import Response as SurveyResponse
from ....services.audit import record
from ....services.questionnaires import definition_of, save_draft

BLANK_ROWS = 3
PUBLISHED_MESSAGE = _l(
    "This version is published and can no longer be changed. Make a new version to edit it."
)


#: Where the notes of what an import assumed wait for the page it redirects to.
ASSUMED_KEY = "questionnaire_import_assumed"

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
        errors.setdefault(problem.path, problem.localized(_))
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
