"""A campaign's settings: names, dates, scoring parameters and categories, read from a
form, checked, and applied to a new or a draft campaign."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ...models import (
    AGGREGATES,
    CATEGORIES,
    DEFAULT_CATEGORY_PARAMS,
    Campaign,
    CampaignCategory,
    CampaignIndicator,
    Questionnaire,
    QuestionnaireVersion,
    User,
    VersionIndicator,
)
from ...models.campaigns import QUOTA_ROUNDINGS
from ...models.org import CODE_LENGTH, NAME_LENGTH
from ..audit import record
from .common import CONTROL_CHARACTERS, MAX_INTEGER, InvalidInput, NotDraft

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


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
