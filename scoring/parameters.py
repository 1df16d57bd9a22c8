"""The scoring parameters of SCORING.md §2, each declared once (pure data).

Adding a parameter is one `Parameter` entry in `PARAMETERS` plus an Alembic migration
that adds its column to ``campaigns`` (with the CHECK `Parameter.check_sql` gives).

Who derives what from this table:
- `scoring.inputs`: the defaults it fills in and the bounds it checks (`section_defaults`,
  `Parameter.bounds`); the cross-parameter rules of `RULES`;
- the app's model (`appraisal_engine.models.campaigns`): a column per parameter named
  `Parameter.name`, its default `Parameter.column_default`, its CHECK
  (`check_constraints()`: (constraint name, SQL) in table order; the rules' CHECKs too);
- the campaign settings service and admin form: the editable parameters and their form
  layout (`groups()`), the label (`label` msgid), the text beside a field and error when a
  value breaks its bounds (`help` msgid), the choices (`Choice.value`, `Choice.label`);
- the scoring input the app builds from a campaign (`input_params`);
- the report's parameter sheet and method notes (`label` / `report_label`, `unit`).

Labels and help texts are English msgids marked with ``N_`` (extracted by pybabel through
babel.cfg's ``[python: scoring/**.py]``), translated where they are shown.

API: `PARAMETERS`, `parameter(name)`, `by_key(*path)`, `rule(name)`, `editable()`, `groups()`,
`section_defaults(section)`, `input_params(values, categories)`, `check_constraints()`,
`RULES` (each an `Order`), `Parameter`, `Bounds`, `Choice`, the kinds `NUMBER`, `WHOLE`,
`CHOICE`, `CATEGORY` and the units `SHARE`, `POINTS`, `RESPONSES`, `COEFFICIENT`, `MONEY`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from .messages import N_

# -- kinds and units -------------------------------------------------------------------

#: A finite number within `bounds` (a campaign column of type DOUBLE).
NUMBER = "number"
#: A whole number (INTEGER); with `choices`, one of them.
WHOLE = "whole"
#: One of `choices` (a short string).
CHOICE = "choice"
#: The id of one of the respondent categories (`scoring.registry`'s; in the scoring input,
#: one of the categories the input declares).
CATEGORY = "category"

#: A share from 0 to 1 (shown as a percentage in the reports).
SHARE = "share"
#: A score on the 0–100 scale of points.
POINTS = "points"
#: A count of responses (the prior strength k is one: it weighs as k responses).
RESPONSES = "responses"
#: A multiplier of a grade's bonus.
COEFFICIENT = "coefficient"
#: An amount of money.
MONEY = "money"


@dataclass(frozen=True)
class Bounds:
    """An interval of admitted numbers, each end included unless marked open; None: no
    limit on that side. The ends are written as SCORING.md writes them (0, not 0.0): the
    messages and CHECKs show them as given."""

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

    def sql(self, column: str) -> str:
        """The SQL condition ("trim_fraction >= 0 AND trim_fraction < 0.5")."""
        parts = []
        if self.low is not None:
            parts.append(f"{column} {'>' if self.low_open else '>='} {self.low}")
        if self.high is not None:
            parts.append(f"{column} {'<' if self.high_open else '<='} {self.high}")
        return " AND ".join(parts)


@dataclass(frozen=True)
class Choice:
    """One admitted value of a choice; `label` its msgid ("" where none is shown)."""

    value: str | int
    label: str = ""


_SAME = object()


@dataclass(frozen=True)
class Parameter:
    """One scoring parameter: a column of ``campaigns`` and a key of the input's params."""

    #: The campaign column ("trim_fraction"), also the settings form's field name.
    name: str
    #: Where the scoring input's `params` has it: ("trim",), ("grades", "fail_below").
    path: tuple[str, ...]
    #: NUMBER, WHOLE, CHOICE or CATEGORY.
    kind: str
    #: SCORING.md §2's default: what a scoring input means when it leaves the key out.
    default: Any
    #: msgid of its name on the settings form.
    label: str
    #: msgid of the text beside its field, also the error when a value breaks `bounds`.
    help: str = ""
    bounds: Bounds | None = None
    choices: tuple[Choice, ...] = ()
    #: SHARE, POINTS, RESPONSES, COEFFICIENT, MONEY, or "" (a choice, a category).
    unit: str = ""
    #: msgid of the settings form's fieldset; None: not on the form (not editable).
    group: str | None = None
    #: May be empty (None): bonus_pool, "coefficients only".
    optional: bool = False
    #: The first revision of the rules (SCORING.md §3a) whose input has the key; an input
    #: of an earlier revision leaves it out.
    since_revision: int = 1
    #: Whether the campaigns table and the settings form check `bounds` today. False for
    #: the grade thresholds, which only the order rule checks there (scoring refuses a
    #: threshold outside [0, 100]); making it True tightens the CHECK (a migration).
    checked: bool = True
    #: The name of its CHECK constraint (parameters sharing one are joined by AND).
    check: str | None = None
    #: msgid of its row in the report's parameter sheet, where it differs from `label`.
    report_label: str | None = None
    #: A new campaign's value where it differs from `default` (see `column_default`).
    new_campaign: Any = _SAME

    @property
    def key(self) -> str:
        """Its key within its section of `params` ("trim", "fail_below")."""
        return self.path[-1]

    @property
    def input_name(self) -> str:
        """Its place in the input, dotted ("trim", "grades.fail_below")."""
        return ".".join(self.path)

    @property
    def section(self) -> tuple[str, ...]:
        return self.path[:-1]

    @property
    def column_default(self) -> Any:
        """A new campaign's value: `new_campaign` where given (the revision: new campaigns
        are scored by revision 2), else `default`, a float for a NUMBER column (10.0)."""
        if self.new_campaign is not _SAME:
            return self.new_campaign
        if self.kind == NUMBER and self.default is not None:
            return float(self.default)
        return self.default

    @property
    def choice_values(self) -> tuple[str | int, ...]:
        return tuple(choice.value for choice in self.choices)

    @property
    def constraint(self) -> str:
        """The name of its CHECK constraint."""
        return self.check or self.name

    def check_sql(self, categories: tuple[str, ...] = ()) -> str | None:
        """Its CHECK condition as the campaigns table states it; None when it has none.
        A CATEGORY parameter needs the category ids (`categories`)."""
        if self.kind == CATEGORY:
            values: tuple[Any, ...] = categories
        elif self.choices:
            values = self.choice_values
        else:
            if self.bounds is None or not self.checked:
                return None
            condition = self.bounds.sql(self.name)
            return f"{self.name} IS NULL OR {condition}" if self.optional else condition
        return f"{self.name} IN ({', '.join(repr(value) for value in values)})"


@dataclass(frozen=True)
class Order:
    """A cross-parameter rule: `parameters` (campaign columns) must not decrease."""

    #: The name of its CHECK constraint.
    name: str
    parameters: tuple[str, ...]
    #: msgid of the rule, shown when it is broken.
    message: str
    #: The settings form's field that shows the message.
    field: str

    def holds(self, values: Mapping[str, float]) -> bool:
        numbers = [values[name] for name in self.parameters]
        return all(a <= b for a, b in pairwise(numbers))

    def sql(self) -> str:
        """ "fail_below <= basic_below AND basic_below <= excellent_min"."""
        pairs = pairwise(self.parameters)
        return " AND ".join(f"{a} <= {b}" for a, b in pairs)


# -- the messages ----------------------------------------------------------------------

UNIT_INTERVAL = N_("A number from 0 to 1.")
NOT_NEGATIVE = N_("A number, 0 or more.")
GRADE_ORDER = N_("Incompetent below ≤ basic below ≤ excellent from.")

SCORES = N_("Scores")
RATING = N_("Rating")
GRADES = N_("Grades")
BONUS = N_("Bonus")
FUNNEL = N_("Funnel plot")
#: The settings form's fieldsets, in order.
GROUPS = (SCORES, RATING, GRADES, BONUS, FUNNEL)

_THRESHOLD = Bounds(0, 100)
_COEFFICIENT = Bounds(0)

# -- the table -------------------------------------------------------------------------

#: Every parameter, in the campaign's order (its settings, the audit log's details, the
#: report's parameter sheet); the settings form shows each group's in this order.
PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "aggregate",
        ("aggregate",),
        CHOICE,
        "mean",
        N_("Category score"),
        choices=(
            Choice("mean", N_("Mean")),
            Choice("trimmed_mean", N_("Trimmed mean")),
            Choice("shrunk_mean", N_("Mean shrunk towards the category's mean")),
        ),
        group=SCORES,
    ),
    Parameter(
        "trim_fraction",
        ("trim",),
        NUMBER,
        0.1,
        N_("Share trimmed from each end (trimmed mean)"),
        N_("A number from 0 to less than 0.5."),
        Bounds(0, 0.5, high_open=True),
        unit=SHARE,
        group=SCORES,
    ),
    Parameter(
        "prior_strength",
        ("prior_strength",),
        NUMBER,
        10,
        N_("Prior strength (shrunk mean)"),
        NOT_NEGATIVE,
        Bounds(0),
        unit=RESPONSES,
        group=SCORES,
    ),
    Parameter(
        "min_weight_share",
        ("min_weight_share",),
        NUMBER,
        0.5,
        N_("Minimum share of the category weights for a rating"),
        UNIT_INTERVAL,
        Bounds(0, 1),
        unit=SHARE,
        group=RATING,
    ),
    Parameter(
        "satisfied_threshold",
        ("satisfied_threshold",),
        NUMBER,
        60,
        N_("A response counts as satisfied from this score"),
        N_("A number from 0 to 100."),
        Bounds(0, 100),
        unit=POINTS,
        group=SCORES,
    ),
    Parameter(
        "confidence",
        ("confidence",),
        NUMBER,
        0.95,
        N_("Confidence level"),
        N_("A number above 0 and below 1, such as 0.95."),
        Bounds(0, 1, low_open=True, high_open=True),
        unit=SHARE,
        group=SCORES,
    ),
    Parameter(
        "fail_below",
        ("grades", "fail_below"),
        NUMBER,
        60,
        N_("Incompetent below"),
        GRADE_ORDER,
        _THRESHOLD,
        unit=POINTS,
        group=GRADES,
        checked=False,
    ),
    Parameter(
        "basic_below",
        ("grades", "basic_below"),
        NUMBER,
        70,
        N_("Basic below"),
        GRADE_ORDER,
        _THRESHOLD,
        unit=POINTS,
        group=GRADES,
        checked=False,
    ),
    Parameter(
        "excellent_min",
        ("grades", "excellent_min"),
        NUMBER,
        85,
        N_("Excellent from"),
        GRADE_ORDER,
        _THRESHOLD,
        unit=POINTS,
        group=GRADES,
        checked=False,
    ),
    Parameter(
        "excellent_quota",
        ("grades", "excellent_quota"),
        NUMBER,
        0.2,
        N_("Excellent quota (share of the rated targets)"),
        UNIT_INTERVAL,
        Bounds(0, 1),
        unit=SHARE,
        group=GRADES,
    ),
    Parameter(
        "quota_rounding",
        ("grades", "quota_rounding"),
        CHOICE,
        "floor",
        N_("Rounding of the excellent places (quota × rated targets)"),
        choices=(
            Choice("floor", N_("Round down")),
            Choice("half_up", N_("Round to the nearest, a half up")),
            Choice("ceil", N_("Round up")),
        ),
        group=GRADES,
        since_revision=2,
        report_label=N_("Number of excellent places"),
    ),
    Parameter(
        "bonus_excellent",
        ("bonus", "coefficients", "excellent"),
        NUMBER,
        1.2,
        N_("Bonus coefficient: excellent"),
        NOT_NEGATIVE,
        _COEFFICIENT,
        unit=COEFFICIENT,
        group=BONUS,
        check="bonus_coefficients",
    ),
    Parameter(
        "bonus_competent",
        ("bonus", "coefficients", "competent"),
        NUMBER,
        1.0,
        N_("Bonus coefficient: competent"),
        NOT_NEGATIVE,
        _COEFFICIENT,
        unit=COEFFICIENT,
        group=BONUS,
        check="bonus_coefficients",
    ),
    Parameter(
        "bonus_basic",
        ("bonus", "coefficients", "basic"),
        NUMBER,
        0.8,
        N_("Bonus coefficient: basic"),
        NOT_NEGATIVE,
        _COEFFICIENT,
        unit=COEFFICIENT,
        group=BONUS,
        check="bonus_coefficients",
    ),
    Parameter(
        "bonus_incompetent",
        ("bonus", "coefficients", "incompetent"),
        NUMBER,
        0.0,
        N_("Bonus coefficient: incompetent"),
        NOT_NEGATIVE,
        _COEFFICIENT,
        unit=COEFFICIENT,
        group=BONUS,
        check="bonus_coefficients",
    ),
    Parameter(
        "bonus_pool",
        ("bonus", "pool"),
        NUMBER,
        None,
        N_("Bonus pool"),
        N_("Empty (coefficients only) or a number, 0 or more."),
        Bounds(0),
        unit=MONEY,
        group=BONUS,
        optional=True,
        report_label=N_("Bonus pool (per level)"),
    ),
    Parameter(
        "funnel_category",
        ("funnel_category",),
        CATEGORY,
        "residents",
        N_("Category of the funnel plot"),
        group=FUNNEL,
    ),
    Parameter(
        "scoring_revision",
        ("revision",),
        WHOLE,
        1,
        N_("Scoring rules (revision)"),
        choices=(Choice(1), Choice(2)),
        since_revision=2,
        new_campaign=2,
    ),
)

#: Rules between parameters, checked by scoring, the settings form and the campaigns table.
RULES: tuple[Order, ...] = (
    Order(
        "grade_thresholds",
        ("fail_below", "basic_below", "excellent_min"),
        GRADE_ORDER,
        field="basic_below",
    ),
)

_BY_NAME = {p.name: p for p in PARAMETERS}
_BY_PATH = {p.path: p for p in PARAMETERS}
assert len(_BY_NAME) == len(PARAMETERS) == len(_BY_PATH), "a parameter is declared twice"
assert all(p.group in GROUPS for p in PARAMETERS if p.group is not None), "unknown group"


def parameter(name: str) -> Parameter:
    """The parameter of a campaign column ("trim_fraction"); KeyError when none."""
    return _BY_NAME[name]


def by_key(*path: str) -> Parameter:
    """The parameter at a place of the input's params (``by_key("grades", "fail_below")``)."""
    return _BY_PATH[path]


def rule(name: str) -> Order:
    """The rule of `RULES` named `name` ("grade_thresholds")."""
    return next(rule for rule in RULES if rule.name == name)


def editable() -> tuple[Parameter, ...]:
    """The parameters on the settings form, in its order."""
    return tuple(p for p in PARAMETERS if p.group is not None)


def groups() -> tuple[tuple[str, tuple[Parameter, ...]], ...]:
    """The settings form's fieldsets: (group msgid, its parameters), in order."""
    return tuple((group, tuple(p for p in PARAMETERS if p.group == group)) for group in GROUPS)


def section_defaults(section: tuple[str, ...] = (), revision: int = 1) -> dict[str, Any]:
    """{key: default} of the parameters directly in `section` of params (() for the top
    level, ("grades",), ("bonus", "coefficients")) that an input of `revision` has."""
    return {
        p.key: p.default
        for p in PARAMETERS
        if p.section == section and p.since_revision <= revision
    }


#: The order of the keys of `params` in SCORING.md §2, which the app's documents keep
#: (canonical JSON sorts them; the Python dict keeps this order). Others follow.
PARAMS_ORDER = (
    "categories",
    "min_weight_share",
    "aggregate",
    "trim",
    "prior_strength",
    "satisfied_threshold",
    "confidence",
    "grades",
    "bonus",
    "funnel_category",
    "revision",
)


def input_params(values: Mapping[str, Any], categories: Mapping[str, Any]) -> dict[str, Any]:
    """A scoring input's `params` from a campaign's values ({column: value}, every
    parameter) and its `categories` ({id: {"weight", "min_responses"}}). A key that came
    with a later revision than the campaign's is left out, so that an old campaign's
    input is the same document as before that revision existed (SCORING.md §3a)."""
    revision = values["scoring_revision"]
    params: dict[str, Any] = {"categories": categories}
    for p in PARAMETERS:
        if p.since_revision > revision:
            continue
        place = params
        for part in p.section:
            place = place.setdefault(part, {})
        place[p.key] = values[p.name]
    rank = {key: position for position, key in enumerate(PARAMS_ORDER)}
    return dict(sorted(params.items(), key=lambda item: rank.get(item[0], len(rank))))


def check_constraints(categories: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(name, SQL condition) of the campaigns table's CHECK constraints on the parameters,
    in table order, then those of `RULES`. Parameters sharing a constraint name are
    joined by AND in one ("bonus_coefficients")."""
    conditions: dict[str, list[str]] = {}
    for p in PARAMETERS:
        condition = p.check_sql(categories)
        if condition is not None:
            conditions.setdefault(p.constraint, []).append(condition)
    for name, parts in conditions.items():
        yield name, " AND ".join(parts)
    for rule in RULES:
        yield rule.name, rule.sql()
