"""Campaign administration: list, create, edit drafts (names, dates, scoring parameters,
categories), choose targets, open → close → finalise, public links, invitation codes and
their printing, kiosks, vetoes, weights by pairwise comparison. The views read the form and
show the result; services.campaigns makes the changes, refuses what the campaign's state
does not allow and writes the audit log. One module per group of pages."""

from . import ahp, links, settings, status, targets, veto
from .common import CHOICE_LABELS, FIELD_LABELS, TARGET_KIND_LABELS

__all__ = [
    "CHOICE_LABELS",
    "FIELD_LABELS",
    "TARGET_KIND_LABELS",
    "ahp",
    "links",
    "settings",
    "status",
    "targets",
    "veto",
]
