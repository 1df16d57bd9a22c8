"""Campaigns: create and edit drafts, choose targets, open → close → finalise, public
links and invitation codes.

Every write expects the caller to have locked the campaign with `lock_campaign` (or, for a
new campaign, to have called `begin_write`): two administrators' changes, or two status
changes of one campaign, then never interleave. Parameters, categories and targets change
only while a campaign is a draft; the views hide the controls and these functions refuse
as well. Each change is recorded in the audit log with the user who made it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..db import begin_write
from ..models import (
    AGGREGATES,
    CATEGORIES,
    DEFAULT_CATEGORY_PARAMS,
    Cadre,
    Campaign,
    CampaignCategory,
    CampaignIndicator,
    CampaignTarget,
    Link,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ScoringRun,
    ServicePoint,
    Unit,
    User,
    VersionIndicator,
    utcnow,
)
from ..models.campaigns import QUOTA_ROUNDINGS
from ..models.org import CODE_LENGTH, NAME_LENGTH
from ..templating import CAMPAIGN_STATUS_LABELS
from .audit import record
from .codes import new_invitation_code, new_link_token
from .integrity import run_problems
from .scoring_input import scoring_data
from .scoring_runs import latest_run

#: Each status and the one that may follow it.
NEXT_STATUS = {"draft": "open", "open": "closed", "closed": "finalised"}
#: The timestamp each status sets.
STATUS_TIMESTAMPS = {"open": "opened_at", "closed": "closed_at", "finalised": "finalised_at"}
#: The audit action of the change to each status.
STATUS_ACTIONS = {
    "open": "campaign.open",
    "closed": "campaign.close",
    "finalised": "campaign.finalise",
}
#: Categories that answer with one-time invitation codes (residents use open links).
INVITATION_CATEGORIES = ("grassroots", "service_targets")
#: Statuses in which links may still be made (a closed campaign takes no responses).
LINKABLE_STATUSES = ("draft", "open")
MAX_INVITATIONS_PER_TARGET = 500
MAX_INVITATIONS_PER_BATCH = 20_000
MAX_INTEGER = 2**31 - 1

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

TEXT_FIELDS = ("name_zh", "name_en")
DATE_FIELDS = ("starts_on", "ends_on")
CHOICE_FIELDS = {
    "aggregate": AGGREGATES,
    "funnel_category": CATEGORIES,
    "quota_rounding": QUOTA_ROUNDINGS,
}
#: The scoring parameters of SCORING.md §2, in the order the forms show them.
SCORING_FIELDS = (
    "aggregate",
    "trim_fraction",
    "prior_strength",
    "min_weight_share",
    "satisfied_threshold",
    "confidence",
    "fail_below",
    "basic_below",
    "excellent_min",
    "excellent_quota",
    "quota_rounding",
    "bonus_excellent",
    "bonus_competent",
    "bonus_basic",
    "bonus_incompetent",
    "bonus_pool",
    "funnel_category",
)
#: Fields that may be empty (None).
OPTIONAL_FIELDS = ("bonus_pool",)
EDITABLE_FIELDS = TEXT_FIELDS + DATE_FIELDS + SCORING_FIELDS


@dataclass(frozen=True)
class Bound:
    """An interval of admitted numbers, each end included unless marked open."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def admits(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return self.high is None or (
            value < self.high or (not self.high_open and value == self.high)
        )


UNIT_INTERVAL = (Bound(0, 1), _l("A number from 0 to 1."))
NOT_NEGATIVE = (Bound(0), _l("A number, 0 or more."))
GRADE_RULE = (Bound(), _l("Incompetent below ≤ basic below ≤ excellent from."))

#: The rules of the campaigns table's CHECK constraints, with the text shown beside each
#: field (and as the error when a value breaks the rule).
NUMBER_RULES: dict[str, tuple[Bound, Any]] = {
    "min_weight_share": UNIT_INTERVAL,
    "trim_fraction": (Bound(0, 0.5, high_open=True), _l("A number from 0 to less than 0.5.")),
    "prior_strength": NOT_NEGATIVE,
    "satisfied_threshold": (Bound(0, 100), _l("A number from 0 to 100.")),
    "confidence": (
        Bound(0, 1, low_open=True, high_open=True),
        _l("A number above 0 and below 1, such as 0.95."),
    ),
    "fail_below": GRADE_RULE,
    "basic_below": GRADE_RULE,
    "excellent_min": GRADE_RULE,
    "excellent_quota": UNIT_INTERVAL,
    "bonus_excellent": NOT_NEGATIVE,
    "bonus_competent": NOT_NEGATIVE,
    "bonus_basic": NOT_NEGATIVE,
    "bonus_incompetent": NOT_NEGATIVE,
    "bonus_pool": (Bound(0), _l("Empty (coefficients only) or a number, 0 or more.")),
}
CATEGORY_WEIGHT_RULE = _l(
    "A number from 0 to 1,000,000. Weights are relative; 0 collects answers without counting them."
)
#: Beyond this, weight × score could overflow; weights are relative, so nothing is lost.
MAX_CATEGORY_WEIGHT = 1_000_000
MIN_RESPONSES_RULE = _l("A whole number, 0 or more.")
CHOICE_RULE = _l("Choose one of the listed values.")
VERSION_RULE = _l("Choose a published questionnaire version, or none.")
NAME_RULE = _l("Required, at most %(length)s characters.", length=NAME_LENGTH)
OPTIONAL_NAME_RULE = _l("At most %(length)s characters.", length=NAME_LENGTH)
DATE_RULE = _l("A date, such as 2026-01-31.")
PERIOD_RULE = _l("The end cannot be before the start.")
CODE_RULE = _l(
    "Letters, digits, '.', '_' and '-', at most %(length)s characters; it cannot be changed later.",
    length=CODE_LENGTH,
)
CODE_TAKEN = _l("A campaign with this code exists already.")
NOT_DRAFT = _l("The campaign is no longer a draft: its parameters and targets are read-only.")
LINKS_CLOSED = _l("The campaign is closed: no more links can be made.")


class CampaignError(Exception):
    """A change that the campaign's state does not allow (the views answer 409)."""

    def __init__(self, *messages: Any) -> None:
        super().__init__(*messages)
        self.messages = list(messages)

    def __str__(self) -> str:  # translated only when shown: it needs a request's language
        return " ".join(str(message) for message in self.messages)


class NotDraft(CampaignError):
    def __init__(self) -> None:
        super().__init__(NOT_DRAFT)


class InvalidInput(Exception):
    """Input that breaks a rule; `errors` maps each form field to its message (400)."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__(errors)
        self.errors = dict(errors)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {message}" for name, message in self.errors.items())


# Settings: parsing and checking -------------------------------------------------------


def category_field(category: str, name: str) -> str:
    """The form field of a category's setting ("category-residents-weight")."""
    return f"category-{category}-{name}"


def default_settings() -> dict[str, Any]:
    """A new campaign's settings: the model's defaults (SCORING.md §2), no questionnaire
    for any category yet, and DEFAULT_CATEGORY_PARAMS' weight and minimum for each."""
    columns = Campaign.__table__.c
    values: dict[str, Any] = {name: "" for name in TEXT_FIELDS}
    values.update(dict.fromkeys(DATE_FIELDS))
    for name in SCORING_FIELDS:
        default = columns[name].default
        values[name] = default.arg if default is not None else None
    values["categories"] = {
        category: {"version_id": None, "weight": weight, "min_responses": minimum}
        for category, (weight, minimum) in DEFAULT_CATEGORY_PARAMS.items()
    }
    return values


def settings_of(campaign: Campaign) -> dict[str, Any]:
    """The campaign's current settings, in the shape `parse_settings` returns."""
    values = {name: getattr(campaign, name) for name in EDITABLE_FIELDS}
    categories = default_settings()["categories"]
    for row in campaign.categories:
        categories[row.category] = {
            "version_id": row.questionnaire_version_id,
            "weight": row.weight,
            "min_responses": row.min_responses,
        }
    values["categories"] = categories
    return values


def _number(text: str) -> float | str | None:
    """A finite number; None when empty; the text itself when it is not a number."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _whole_number(text: str) -> int | str | None:
    value = _number(text)
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_INTEGER:
        return int(value)
    return value


def _version_id(text: str) -> int | str | None:
    text = text.strip()
    if not text:
        return None
    return int(text) if (text.isascii() and text.isdigit()) and int(text) <= MAX_INTEGER else text


def _date(text: str) -> date | str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def parse_settings(form: Mapping[str, str], base: Mapping[str, Any]) -> dict[str, Any]:
    """Settings from form fields (strings) over `base`: a field that is not in the form
    keeps its value from `base`. Values that cannot be read stay as text, for
    `check_settings` to report."""
    values = {name: value for name, value in base.items() if name != "categories"}
    for name in TEXT_FIELDS:
        if name in form:
            values[name] = form[name].strip()
    for name in DATE_FIELDS:
        if name in form:
            values[name] = _date(form[name])
    for name in NUMBER_RULES:
        if name in form:
            values[name] = _number(form[name])
    for name in CHOICE_FIELDS:
        if name in form:
            values[name] = form[name].strip()
    values["categories"] = {}
    for category in CATEGORIES:
        setting = dict(base["categories"][category])
        for name, read in (
            ("version_id", _version_id),
            ("weight", _number),
            ("min_responses", _whole_number),
        ):
            key = category_field(category, name)
            if key in form:
                setting[name] = read(form[key])
        values["categories"][category] = setting
    return values


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text_error(value: Any, required: bool) -> Any:
    if not isinstance(value, str) or len(value) > NAME_LENGTH or CONTROL_CHARACTERS.search(value):
        return NAME_RULE if required else OPTIONAL_NAME_RULE
    if required and not value:
        return NAME_RULE
    return None


def _category_errors(category: str, setting: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    version_id = setting.get("version_id")
    if version_id is not None and not isinstance(version_id, int):
        errors[category_field(category, "version_id")] = VERSION_RULE
    if version_id is None:
        return errors  # the category is not used: its weight and minimum are not kept
    weight = setting.get("weight")
    if not _is_number(weight) or not 0 <= weight <= MAX_CATEGORY_WEIGHT:
        errors[category_field(category, "weight")] = CATEGORY_WEIGHT_RULE
    minimum = setting.get("min_responses")
    if not isinstance(minimum, int) or isinstance(minimum, bool) or not 0 <= minimum <= MAX_INTEGER:
        errors[category_field(category, "min_responses")] = MIN_RESPONSES_RULE
    return errors


def check_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every rule of the campaigns tables' CHECK constraints (and of the columns' types),
    as {form field: message}; empty when the settings are valid."""
    errors: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        message = _text_error(values.get(name), required=name == "name_zh")
        if message:
            errors[name] = message
    for name in DATE_FIELDS:
        if not isinstance(values.get(name), date):
            errors[name] = DATE_RULE
    if not errors.keys() & set(DATE_FIELDS) and values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = PERIOD_RULE
    for name, (bound, rule) in NUMBER_RULES.items():
        value = values.get(name)
        if value is None and name in OPTIONAL_FIELDS:
            continue
        if not _is_number(value) or not bound.admits(value):
            errors[name] = rule
    grades = [values.get(name) for name in ("fail_below", "basic_below", "excellent_min")]
    if all(_is_number(value) for value in grades) and not grades[0] <= grades[1] <= grades[2]:
        errors["basic_below"] = GRADE_RULE[1]
    for name, choices in CHOICE_FIELDS.items():
        if values.get(name) not in choices:
            errors[name] = CHOICE_RULE
    categories = values.get("categories") or {}
    for category in CATEGORIES:
        errors.update(_category_errors(category, categories.get(category) or {}))
    return errors


def published_versions() -> Select[tuple[QuestionnaireVersion]]:
    """Versions a campaign may use, by questionnaire code, newest version first."""
    return (
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .where(QuestionnaireVersion.status == "published")
        .order_by(Questionnaire.code, QuestionnaireVersion.number.desc())
        .options(selectinload(QuestionnaireVersion.questionnaire))
    )


def _version_errors(session: Session, values: Mapping[str, Any]) -> dict[str, Any]:
    chosen = {
        category: setting["version_id"]
        for category, setting in values["categories"].items()
        if isinstance(setting.get("version_id"), int)
    }
    if not chosen:
        return {}
    published = set(
        session.scalars(
            select(QuestionnaireVersion.id).where(
                QuestionnaireVersion.id.in_(set(chosen.values())),
                QuestionnaireVersion.status == "published",
            )
        )
    )
    return {
        category_field(category, "version_id"): VERSION_RULE
        for category, version_id in chosen.items()
        if version_id not in published
    }


def _validated(session: Session, values: Mapping[str, Any]) -> None:
    errors = check_settings(values)
    if not errors:
        errors = _version_errors(session, values)
    if errors:
        raise InvalidInput(errors)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """{name: [old, new]} of the settings that differ, for the audit log."""
    changed = {
        name: [_jsonable(before[name]), _jsonable(after[name])]
        for name in EDITABLE_FIELDS
        if before[name] != after[name]
    }
    for category in CATEGORIES:
        old, new = before["categories"][category], after["categories"][category]
        if old["version_id"] is None and new["version_id"] is None:
            continue
        if old != new:
            changed[f"categories.{category}"] = [old, new]
    return changed


def _apply_categories(campaign: Campaign, categories: Mapping[str, Mapping[str, Any]]) -> None:
    rows = {row.category: row for row in campaign.categories}
    for category in CATEGORIES:
        setting, row = categories.get(category) or {}, rows.get(category)
        if setting.get("version_id") is None:
            if row is not None:
                campaign.categories.remove(row)
            continue
        if row is None:
            row = CampaignCategory(category=category)
            campaign.categories.append(row)
        row.questionnaire_version_id = setting["version_id"]
        row.weight = float(setting["weight"])
        row.min_responses = int(setting["min_responses"])


def sync_indicator_weights(session: Session, campaign: Campaign) -> None:
    """The campaign's indicators are those of its questionnaire versions. An indicator new
    to the campaign takes its weight from the first version (in category order) that has
    it; one that stays keeps its weight; one no version uses any more is dropped."""
    session.flush()
    rows = sorted(campaign.categories, key=lambda row: CATEGORIES.index(row.category))
    defaults: dict[int, float] = {}
    for row in rows:
        weights = session.scalars(
            select(VersionIndicator)
            .where(VersionIndicator.version_id == row.questionnaire_version_id)
            .order_by(VersionIndicator.position)
        )
        for weight in weights:
            defaults.setdefault(weight.indicator_id, weight.weight)
    current = {row.indicator_id: row for row in campaign.indicator_weights}
    for indicator_id, row in current.items():
        if indicator_id not in defaults:
            campaign.indicator_weights.remove(row)
    for indicator_id, weight in defaults.items():
        if indicator_id not in current:
            campaign.indicator_weights.append(
                CampaignIndicator(indicator_id=indicator_id, weight=weight)
            )


# Writes ------------------------------------------------------------------------------


def lock_campaign(session: Session, code: str) -> Campaign | None:
    """Begin a write and return the campaign locked (SELECT … FOR UPDATE), so that what
    is checked on it stays true until the commit; None when there is no such campaign."""
    begin_write(session)
    return session.scalar(select(Campaign).where(Campaign.code == code).with_for_update())


def code_error(session: Session, code: str) -> Any:
    if len(code) > CODE_LENGTH or not CODE_PATTERN.match(code):
        return CODE_RULE
    if session.scalar(select(Campaign.id).where(Campaign.code == code)) is not None:
        return CODE_TAKEN
    return None


def create_campaign(session: Session, code: str, values: Mapping[str, Any], user: User) -> Campaign:
    """A new draft campaign (after `begin_write`); InvalidInput names each bad field."""
    errors = check_settings(values)
    message = code_error(session, code)
    if message:
        errors["code"] = message
    if not errors:
        errors = _version_errors(session, values)
    if errors:
        raise InvalidInput(errors)
    campaign = Campaign(
        code=code, status="draft", **{name: values[name] for name in EDITABLE_FIELDS}
    )
    _apply_categories(campaign, values["categories"])
    session.add(campaign)
    try:
        session.flush()
    except IntegrityError:  # another administrator took the code a moment ago
        session.rollback()
        raise InvalidInput({"code": CODE_TAKEN}) from None
    sync_indicator_weights(session, campaign)
    record(
        session,
        "campaign.create",
        user=user,
        object_type="campaign",
        object_id=campaign.id,
        details={"code": code, **{n: _jsonable(values[n]) for n in EDITABLE_FIELDS}},
    )
    return campaign


def update_campaign(
    session: Session, campaign: Campaign, values: Mapping[str, Any], user: User
) -> dict[str, Any]:
    """Change a draft's names, dates, scoring parameters and categories (all or
    nothing); returns what changed. NotDraft once it is open; InvalidInput on bad values."""
    if campaign.status != "draft":
        raise NotDraft()
    _validated(session, values)
    before = settings_of(campaign)
    for name in EDITABLE_FIELDS:
        setattr(campaign, name, values[name])
    _apply_categories(campaign, values["categories"])
    sync_indicator_weights(session, campaign)
    changes = _changes(before, settings_of(campaign))
    record(
        session,
        "campaign.edit",
        user=user,
        object_type="campaign",
        object_id=campaign.id,
        details={"code": campaign.code, "changes": changes},
    )
    return changes


# Targets -----------------------------------------------------------------------------

#: Short form-field prefixes of target kinds ("u12": unit 12), to keep big forms small.
TARGET_PREFIXES = {"u": "unit", "p": "service_point", "c": "cadre"}
TARGET_KEYS = {kind: prefix for prefix, kind in TARGET_PREFIXES.items()}
TARGET_MODELS: dict[str, type[Unit] | type[ServicePoint] | type[Cadre]] = {
    "unit": Unit,
    "service_point": ServicePoint,
    "cadre": Cadre,
}

KIND_ORDER = {"unit": 0, "service_point": 1, "cadre": 2}

TargetKey = tuple[str, int]


def target_key(kind: str, subject_id: int) -> str:
    return f"{TARGET_KEYS[kind]}{subject_id}"


def key_of(target: CampaignTarget) -> TargetKey:
    subject_id = getattr(target, f"{target.kind}_id")
    assert subject_id is not None
    return target.kind, subject_id


def parse_target_keys(keys: Iterable[str]) -> set[TargetKey]:
    """("unit", 12) from "u12" and so on; InvalidInput on anything else."""
    parsed: set[TargetKey] = set()
    for key in keys:
        kind, number = TARGET_PREFIXES.get(key[:1]), key[1:]
        if kind is None or not (number.isascii() and number.isdigit()) or int(number) > MAX_INTEGER:
            raise InvalidInput({"targets": _l("The form was not understood.")})
        parsed.add((kind, int(number)))
    return parsed


@dataclass
class UnitGroup:
    """A unit with its service points and cadres, as the targets page lists them."""

    unit: Unit
    depth: int
    service_points: list[ServicePoint] = field(default_factory=list)
    cadres: list[Cadre] = field(default_factory=list)

    def keys(self) -> list[TargetKey]:
        return (
            [("unit", self.unit.id)]
            + [("service_point", p.id) for p in self.service_points]
            + [("cadre", c.id) for c in self.cadres]
        )


def _order(subject: Unit | ServicePoint | Cadre) -> tuple[int, str]:
    return subject.sort_order, subject.code


def unit_groups(session: Session, campaign: Campaign) -> list[UnitGroup]:
    """Every unit in tree order (depth first), with its service points and its active
    cadres (plus inactive ones the campaign already appraises)."""
    units = session.scalars(select(Unit)).all()
    targeted_cadres = {t.cadre_id for t in campaign.targets if t.cadre_id is not None}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    groups: dict[int, UnitGroup] = {}

    def visit(parent_id: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent_id, []), key=_order):
            groups[unit.id] = UnitGroup(unit, depth)
            visit(unit.id, depth + 1)

    visit(None, 0)
    for point in sorted(session.scalars(select(ServicePoint)), key=_order):
        groups[point.unit_id].service_points.append(point)
    for cadre in sorted(session.scalars(select(Cadre)), key=_order):
        if cadre.active or cadre.id in targeted_cadres:
            groups[cadre.unit_id].cadres.append(cadre)
    return list(groups.values())


#: Ids per IN list: PostgreSQL takes at most 65,535 parameters in one statement.
ID_CHUNK = 10_000


def _unknown_subjects(session: Session, wanted: set[TargetKey]) -> bool:
    for kind, model in TARGET_MODELS.items():
        ids = sorted(subject_id for wanted_kind, subject_id in wanted if wanted_kind == kind)
        found = 0
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            found += session.scalar(
                select(func.count()).select_from(model).where(model.id.in_(chunk))
            )
        if found != len(ids):
            return True
    return False


def set_targets(
    session: Session, campaign: Campaign, wanted: set[TargetKey], user: User
) -> tuple[int, int]:
    """Make the draft's targets exactly `wanted`; returns (added, removed)."""
    if campaign.status != "draft":
        raise NotDraft()
    if _unknown_subjects(session, wanted):
        raise InvalidInput({"targets": _l("Some of the chosen targets do not exist any more.")})
    current = {key_of(target): target for target in campaign.targets}
    removed = [target for key, target in current.items() if key not in wanted]
    removed_ids = [t.id for t in removed]
    answered = any(
        session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.campaign_target_id.in_(removed_ids[start : start + ID_CHUNK]))
        )
        for start in range(0, len(removed_ids), ID_CHUNK)
    )
    if answered:
        raise CampaignError(_l("Targets that already have responses cannot be removed."))
    for target in removed:
        campaign.targets.remove(target)
    added = sorted(wanted - current.keys())
    for kind, subject_id in added:
        campaign.targets.append(CampaignTarget(kind=kind, **{f"{kind}_id": subject_id}))
    record(
        session,
        "campaign.targets",
        user=user,
        object_type="campaign",
        object_id=campaign.id,
        details={
            "code": campaign.code,
            "added": [target_key(*key) for key in added],
            "removed": [target_key(*key_of(target)) for target in removed],
            "total": len(wanted),
        },
    )
    return len(added), len(removed)


# Status ------------------------------------------------------------------------------


def opening_problems(campaign: Campaign) -> list[Any]:
    """Why the campaign cannot open yet; empty when it can."""
    problems: list[Any] = []
    if not campaign.targets:
        problems.append(_l("Choose at least one target."))
    if not any(row.weight > 0 for row in campaign.categories):
        problems.append(
            _l(
                "Give at least one respondent category a published questionnaire version"
                " and a weight above 0."
            )
        )
    return problems


def change_status(session: Session, campaign: Campaign, status: str, user: User) -> int:
    """Move the (locked) campaign to `status`, the one after its current status; set its
    timestamp and audit it. Opening makes the missing open links; returns how many links
    were made. CampaignError, naming the reasons, when the change is not allowed."""
    previous = campaign.status
    if NEXT_STATUS.get(previous) != status:
        raise CampaignError(
            _l(
                "A campaign that is %(current)s cannot be moved to %(wanted)s.",
                current=CAMPAIGN_STATUS_LABELS.get(previous, previous),
                wanted=CAMPAIGN_STATUS_LABELS.get(status, status),
            )
        )
    if status == "open":
        problems = opening_problems(campaign)
        if problems:
            raise CampaignError(*problems)
        sync_indicator_weights(session, campaign)
    frozen = _freeze_last_run(session, campaign) if status == "finalised" else None
    campaign.status = status
    setattr(campaign, STATUS_TIMESTAMPS[status], utcnow())
    made = ensure_open_links(session, campaign) if status == "open" else 0
    record(
        session,
        STATUS_ACTIONS[status],
        user=user,
        object_type="campaign",
        object_id=campaign.id,
        details={
            "code": campaign.code,
            "from": previous,
            "to": status,
            "links_made": made,
            **(
                {
                    "frozen_run": frozen.id,
                    "input_sha256": frozen.input_sha256,
                    "result_sha256": frozen.result_sha256,
                }
                if frozen
                else {}
            ),
        },
    )
    return made


def _freeze_last_run(session: Session, campaign: Campaign) -> ScoringRun:
    """The campaign's last scoring run, frozen: the results it is finalised at. Refused
    when there is none, or when the responses changed since (a review decision, say), so
    that what leadership checked is what is frozen."""
    run = latest_run(session, campaign)
    if run is None:
        raise CampaignError(_l("Run the scoring first: a campaign is finalised at a scoring run."))
    current = scoring_data(session, campaign).sha256()
    if current != run.input_sha256:
        raise CampaignError(
            _l(
                "The responses changed since the last scoring run. Run the scoring again"
                " and check it before finalising."
            )
        )
    if run_problems(session, run):
        raise CampaignError(
            _l(
                "The last scoring run failed its integrity check (see “appraisal verify”)."
                " Run the scoring again before finalising."
            )
        )
    run.frozen = True
    return run


# Links -------------------------------------------------------------------------------


def categories_of(campaign: Campaign) -> list[str]:
    """The campaign's configured categories, in CATEGORIES order."""
    configured = {row.category for row in campaign.categories}
    return [category for category in CATEGORIES if category in configured]


def _require_linkable(campaign: Campaign) -> None:
    if campaign.status not in LINKABLE_STATUSES:
        raise CampaignError(LINKS_CLOSED)


def _insert_links(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        now = utcnow()
        session.execute(
            insert(Link), [{"revoked": False, "created_at": now, **row} for row in rows]
        )


def ensure_open_links(session: Session, campaign: Campaign) -> int:
    """Give every target without one a residents' open link, when the campaign has a
    residents category; returns how many were made."""
    if "residents" not in categories_of(campaign):
        return 0
    _require_linkable(campaign)
    session.flush()
    linked = set(
        session.scalars(
            select(Link.campaign_target_id)
            .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
            .where(
                CampaignTarget.campaign_id == campaign.id,
                Link.kind == "open",
                Link.category == "residents",
                Link.revoked.is_(False),
            )
        )
    )
    rows = [
        {
            "token": new_link_token(),
            "campaign_target_id": target.id,
            "category": "residents",
            "kind": "open",
        }
        for target in campaign.targets
        if target.id not in linked
    ]
    _insert_links(session, rows)
    return len(rows)


def make_open_links(session: Session, campaign: Campaign, user: User) -> int:
    """`ensure_open_links` from the links page's button, audited."""
    if "residents" not in categories_of(campaign):
        raise CampaignError(_l("The campaign has no residents category: it has no open links."))
    made = ensure_open_links(session, campaign)
    record(
        session,
        "campaign.open_links",
        user=user,
        object_type="campaign",
        object_id=campaign.id,
        details={"code": campaign.code, "made": made},
    )
    return made


def issue_invitations(
    session: Session,
    campaign: Campaign,
    category: str,
    target_ids: set[int] | None,
    per_target: int,
    user: User,
) -> int:
    """`per_target` one-time invitation codes of `category` for each chosen target
    (`None`: every target); returns how many were made."""
    _require_linkable(campaign)
    errors: dict[str, Any] = {}
    if category not in INVITATION_CATEGORIES or category not in categories_of(campaign):
        errors["category"] = _l("Choose a category of the campaign that answers by invitation.")
    if not 1 <= per_target <= MAX_INVITATIONS_PER_TARGET:
        errors["per_target"] = _l(
            "A whole number from 1 to %(max)s.", max=MAX_INVITATIONS_PER_TARGET
        )
    targets = [t for t in campaign.targets if target_ids is None or t.id in target_ids]
    if target_ids is not None and len(targets) != len(target_ids):
        errors["targets"] = _l("Some of the chosen targets are not targets of this campaign.")
    elif not targets:
        errors["targets"] = _l("Choose at least one target.")
    elif len(targets) * per_target > MAX_INVITATIONS_PER_BATCH:
        errors["per_target"] = _l(
            "At most %(max)s codes in one batch: choose fewer targets or fewer codes.",
            max=MAX_INVITATIONS_PER_BATCH,
        )
    if errors:
        raise InvalidInput(errors)
    rows = [
        {
            "token": new_invitation_code(),
            "campaign_target_id": target.id,
            "category": category,
            "kind": "invitation",
        }
        for target in targets
        for _ in range(per_target)
    ]
    _insert_links(session, rows)
    record(
        session,
        "campaign.invitations",
        user=user,
        object_type="campaign",
        object_id=campaign.id,
        details={
            "code": campaign.code,
            "category": category,
            "targets": len(targets),
            "per_target": per_target,
            "made": len(rows),
        },
    )
    return len(rows)


def lock_link(session: Session, campaign: Campaign, link_id: int) -> Link | None:
    """The campaign's link, locked (call after `lock_campaign`); None if it has no such link."""
    return session.scalar(
        select(Link)
        .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
        .where(Link.id == link_id, CampaignTarget.campaign_id == campaign.id)
        .with_for_update(of=Link)
    )


def revoke_link(session: Session, link: Link, user: User) -> bool:
    """Revoke the (locked) link: its code stops working. False if it was revoked already."""
    if link.revoked:
        return False
    link.revoked = True
    record(
        session,
        "link.revoke",
        user=user,
        object_type="link",
        object_id=link.id,
        details={
            "campaign_target": link.campaign_target_id,
            "category": link.category,
            "kind": link.kind,
            "used": link.used_at is not None,
        },
    )
    return True


# Reading -----------------------------------------------------------------------------


@dataclass
class InvitationCount:
    issued: int = 0
    used: int = 0

    @property
    def unused(self) -> int:
        return self.issued - self.used


@dataclass
class TargetLinks:
    """A target's row on the links page."""

    target: CampaignTarget
    open_link: Link | None
    invitations: dict[str, InvitationCount]


def campaign_targets(campaign: Campaign) -> Select[tuple[CampaignTarget]]:
    """The campaign's targets with their subjects: units, then service points, then cadres."""
    return (
        select(CampaignTarget)
        .where(CampaignTarget.campaign_id == campaign.id)
        .order_by(case(KIND_ORDER, value=CampaignTarget.kind), CampaignTarget.id)
        .options(
            selectinload(CampaignTarget.unit),
            selectinload(CampaignTarget.service_point).selectinload(ServicePoint.unit),
            selectinload(CampaignTarget.cadre).selectinload(Cadre.unit),
        )
    )


def invitation_counts(
    session: Session, campaign: Campaign
) -> dict[tuple[int, str], InvitationCount]:
    """(target id, category) → invitation codes issued and used (revoked ones left out),
    counted by the database."""
    rows = session.execute(
        select(Link.campaign_target_id, Link.category, func.count(), func.count(Link.used_at))
        .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
        .where(
            CampaignTarget.campaign_id == campaign.id,
            Link.kind == "invitation",
            Link.revoked.is_(False),
        )
        .group_by(Link.campaign_target_id, Link.category)
    )
    return {
        (target, category): InvitationCount(issued, used) for target, category, issued, used in rows
    }


def links_overview(session: Session, campaign: Campaign) -> list[TargetLinks]:
    """Each target with its open residents' link and its invitation counts per category."""
    open_links: dict[int, Link] = {}
    for link in session.scalars(
        select(Link)
        .join(CampaignTarget, Link.campaign_target_id == CampaignTarget.id)
        .where(
            CampaignTarget.campaign_id == campaign.id,
            Link.kind == "open",
            Link.revoked.is_(False),
        )
        .order_by(Link.id)
    ):
        open_links.setdefault(link.campaign_target_id, link)
    counts = invitation_counts(session, campaign)
    categories = [c for c in categories_of(campaign) if c in INVITATION_CATEGORIES]
    return [
        TargetLinks(
            target,
            open_links.get(target.id),
            {c: counts.get((target.id, c), InvitationCount()) for c in categories},
        )
        for target in session.scalars(campaign_targets(campaign))
    ]


def target_links(campaign_target: CampaignTarget) -> Select[tuple[Link]]:
    """Every link of one target, revoked ones too: open links first, then by category."""
    return (
        select(Link)
        .where(Link.campaign_target_id == campaign_target.id)
        .order_by(Link.kind.desc(), Link.category, Link.id)
    )


# Veto --------------------------------------------------------------------------------


VETO_REASON_LENGTH = 2000


def set_veto(
    session: Session, campaign: Campaign, target: CampaignTarget, reason: str | None, user: User
) -> None:
    """Veto the (locked) campaign's target with `reason` (a disciplinary finding, say: the
    grade is then incompetent whatever the score), or lift the veto when `reason` is None.
    Refused once the campaign is finalised; audited."""
    if campaign.status == "finalised":
        raise CampaignError(_l("The campaign is finalised: its results are frozen."))
    if reason is not None:
        reason = reason.strip().replace("\r\n", "\n")
        written = reason.replace("\n", "")
        if not reason or len(reason) > VETO_REASON_LENGTH or CONTROL_CHARACTERS.search(written):
            raise InvalidInput({"veto_reason": _l("Give the reason for the veto.")})
    previous = (target.veto, target.veto_reason)
    target.veto = reason is not None
    target.veto_reason = reason
    record(
        session,
        "campaign.veto" if reason is not None else "campaign.veto_lifted",
        user=user,
        object_type="campaign_target",
        object_id=target.id,
        details={
            "campaign": campaign.code,
            "target": target_key(*key_of(target)),
            "reason": reason,
            "previous": {"veto": previous[0], "reason": previous[1]},
        },
    )


# Weights by pairwise comparison --------------------------------------------------------

#: Saaty's scale as the form offers it: how much more important the row is than the column.
SAATY_VALUES = ("9", "7", "5", "3", "1", "1/3", "1/5", "1/7", "1/9")


def saaty_value(text: str) -> float | None:
    """The number a Saaty scale choice stands for ("3" → 3, "1/5" → 0.2); None otherwise."""
    if text not in SAATY_VALUES:
        return None
    if text.startswith("1/"):
        return 1 / int(text[2:])
    return float(text)


def comparison_matrix(
    names: list[str], choices: Mapping[tuple[int, int], float]
) -> list[list[float]]:
    """The reciprocal matrix from the judgements above the diagonal ((i, j), i < j)."""
    size = len(names)
    matrix = [[1.0] * size for _ in range(size)]
    for (i, j), value in choices.items():
        matrix[i][j] = value
        matrix[j][i] = 1 / value
    return matrix


def set_weights(
    session: Session,
    campaign: Campaign,
    kind: str,
    weights: Mapping[str, float],
    user: User,
    *,
    cr: float,
) -> None:
    """Set the draft's category weights (kind "categories") or indicator weights (kind
    "indicators") from a pairwise comparison; audited with the consistency ratio."""
    if campaign.status != "draft":
        raise NotDraft()
    if kind == "categories":
        rows = {row.category: row for row in campaign.categories}
    else:
        rows = {row.indicator.code: row for row in campaign.indicator_weights}
    if set(weights) != set(rows):
        raise CampaignError(_l("The comparison does not match the campaign's current list."))
    previous = {name: row.weight for name, row in rows.items()}
    for name, weight in weights.items():
        rows[name].weight = weight
    record(
        session,
        "campaign.weights_ahp",
        user=user,
        object_type="campaign",
        object_id=campaign.id,
        details={
            "code": campaign.code,
            "kind": kind,
            "weights": dict(weights),
            "previous": previous,
            "cr": cr,
        },
    )
