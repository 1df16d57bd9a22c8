"""Template helpers: bilingual fields and labels for stored codes."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

CAMPAIGN_STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "finalised": _l("Finalised"),
}


QUESTION_TYPE_LABELS = {
    "satisfaction5": _l("Five-level satisfaction"),
    "rating": _l("Rating 1 to k"),
    "scale_0_10": _l("Scale 0 to 10"),
    "yes_no": _l("Yes or no"),
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "short_text": _l("Short text"),
    "comment": _l("Comment"),
    "contact_phone": _l("Contact phone (optional)"),
}


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


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        tr=localized,
        tx=text_in_language,
        campaign_status_label=campaign_status_label,
        question_type_label=question_type_label,
    )
    app.context_processor(lambda: {"lang": current_language()})
