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


def campaign_status_label(status: str) -> str:
    return str(CAMPAIGN_STATUS_LABELS.get(status, status))


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(tr=localized, campaign_status_label=campaign_status_label)
    app.context_processor(lambda: {"lang": current_language()})
