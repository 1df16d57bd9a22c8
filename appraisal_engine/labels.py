"""The display labels of stored codes (statuses, grades, categories, question types), as
lazy strings: shown by templates and named in the messages of services alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .registry import category_labels

CAMPAIGN_STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "finalised": _l("Finalised"),
}

CATEGORY_LABELS = category_labels()
#: How the number of excellent places (quota × rated targets) is rounded; a document
#: that does not say (revision 1) rounds down.
QUOTA_ROUNDING_WORDS = {
    "floor": _l("rounded down"),
    "half_up": _l("rounded to the nearest, a half up"),
    "ceil": _l("rounded up"),
}
GRADE_LABELS = {
    "excellent": _l("Excellent"),
    "competent": _l("Competent"),
    "basic": _l("Basic"),
    "incompetent": _l("Incompetent"),
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
