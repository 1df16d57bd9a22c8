"""The respondent categories and the kinds of target, each declared once (pure data).

Everything that lists categories or target kinds iterates over `CATEGORIES` and
`TARGET_KINDS`, in their order: the database's CHECK constraints, a new campaign's
settings and the admin form, the scoring input's defaults (SCORING.md §2), the links and
invitation codes, the organisation import and the reports. The app's side of a target
kind (its model, its column on campaign_targets) is in `appraisal_engine.registry`.

Adding a respondent category is one `RespondentCategory` here plus an Alembic migration
that rewrites the CHECK constraints naming the categories (campaign_categories.category,
links.category, campaigns.funnel_category): the models generate them from this list, and
the migration test compares the migrated schema with the models'.

Labels are English msgids, translated where they are shown (the app's catalogue; the
reports' `gettext`); `N_` only marks them for `pybabel extract`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .messages import N_


@dataclass(frozen=True)
class RespondentCategory:
    """A kind of respondent: who answers which questionnaire, with what weight."""

    #: The stored and exchanged name ("residents"); also SCORING.md's category id.
    key: str
    #: msgid of its name ("Residents").
    label: str
    #: SCORING.md §2's default weight w_c and minimum number of responses n_min.
    weight: float
    min_responses: int
    #: True: answers with one-time invitation codes; False: through the target's open
    #: link (the printed QR code).
    invited: bool


@dataclass(frozen=True)
class TargetKind:
    """A kind of target a campaign appraises (the scoring input's and reports' group)."""

    #: The stored name ("service_point"), also the group of the scoring input.
    key: str
    #: The short form-field prefix of its targets ("p12": service point 12).
    prefix: str
    #: msgid of one ("Service window") and of several ("Service windows") in the app.
    label: str
    plural: str
    #: msgid of the reports' heading for the level ("Service points").
    report_plural: str
    #: Other spellings the organisation import accepts in its "kind" column.
    aliases: tuple[str, ...] = ()


#: The respondent categories, in the order every page, form and report lists them.
CATEGORIES: tuple[RespondentCategory, ...] = (
    RespondentCategory("residents", N_("Residents"), 0.5, 30, invited=False),
    RespondentCategory("grassroots", N_("Grassroots units"), 0.3, 5, invited=True),
    RespondentCategory("service_targets", N_("Service targets"), 0.2, 5, invited=True),
)
#: The category answering through open links; its score breaks ties between equal
#: composites (SCORING.md §3) and it is the funnel plot's category by default.
RESIDENTS = "residents"

#: The kinds of target, in the order targets are listed (units, service points, cadres).
TARGET_KINDS: tuple[TargetKind, ...] = (
    TargetKind("unit", "u", N_("Unit"), N_("Units"), N_("Units"), ("单位",)),
    TargetKind(
        "service_point",
        "p",
        N_("Service window"),
        N_("Service windows"),
        N_("Service points"),
        ("window", "窗口"),
    ),
    TargetKind("cadre", "c", N_("Cadre"), N_("Cadres"), N_("Cadres"), ("干部",)),
)


def category_keys() -> tuple[str, ...]:
    return tuple(category.key for category in CATEGORIES)


def category(key: str) -> RespondentCategory | None:
    return next((c for c in CATEGORIES if c.key == key), None)


def invited_category_keys() -> tuple[str, ...]:
    """Categories that answer with one-time invitation codes."""
    return tuple(category.key for category in CATEGORIES if category.invited)


def target_kind_keys() -> tuple[str, ...]:
    return tuple(kind.key for kind in TARGET_KINDS)


def target_kind(key: str) -> TargetKind | None:
    return next((k for k in TARGET_KINDS if k.key == key), None)
