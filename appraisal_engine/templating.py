"""Template helpers: bilingual fields and labels for stored codes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import get_locale

from .labels import (
    CAMPAIGN_STATUS_LABELS,
    GRADE_LABELS,
    QUESTION_TYPE_LABELS,
    QUOTA_ROUNDING_WORDS,
)
from .registry import category_labels


def question_type_label(question_type: str) -> str:
    return str(QUESTION_TYPE_LABELS.get(question_type, question_type))


def current_language() -> str:
    """ "zh" or "en": the language of the current request."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"


def localized(obj: object, field: str) -> str:
    """`obj.<field>_en` in English when it is filled in, else `obj.<field>_zh`."""
    chinese = getattr(obj, f"{field}_zh")
    if current_language() == "en":
        return getattr(obj, f"{field}_en", "") or chinese
    return chinese


def text_in_language(text: dict[str, str] | None) -> str:
    """A bilingual text of a questionnaire definition ({"zh": …, "en": …}) in the
    request's language, falling back to Chinese."""
    if not text:
        return ""
    return (text.get("en") if current_language() == "en" else None) or text.get("zh", "")


def campaign_status_label(status: str) -> str:
    return str(CAMPAIGN_STATUS_LABELS.get(status, status))


def grade_label(grade: str | None) -> str:
    return str(GRADE_LABELS.get(grade, grade or ""))


def category_label(category: str) -> str:
    return str(category_labels().get(category, category))


def ordinal(n: int) -> str:
    """A rank as words say it: "第5名" in Chinese, "5th" in English."""
    if current_language() == "zh":
        return f"第{n}名"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def score(value: float | None, digits: int = 1) -> str:
    """A score as pages show it (the stored figure keeps every digit)."""
    return "—" if value is None else f"{value:.{digits}f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def local_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) moment in the bureau's time zone, as pages show it."""
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(pattern)


def local_date(moment: datetime | None) -> str:
    return local_time(moment, "%Y-%m-%d")


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        tr=localized,
        tx=text_in_language,
        campaign_status_label=campaign_status_label,
        question_type_label=question_type_label,
        grade_label=grade_label,
        category_label=category_label,
        ordinal=ordinal,
        quota_rounding_words=lambda rounding: str(
            QUOTA_ROUNDING_WORDS.get(rounding or "floor", rounding)
        ),
    )
    app.jinja_env.filters.update(
        score=score, percent=percent, local_time=local_time, local_date=local_date
    )
    app.context_processor(lambda: {"lang": current_language()})
