"""The scoring input (`appraisal-scoring-input/1`, SCORING.md §2): validation and the
validated form the computation works on.

Everything malformed is refused with a `ScoringInputError` whose `path` names the item,
e.g. ``responses[3].points.q9: unknown question "q9"``. The first fault found is reported.
Beyond what SCORING.md spells out, these are refused because they are either meaningless or
a typo that would otherwise silently change a result:

- keys that the format does not define (anywhere except inside `campaign`, which is free
  metadata), e.g. ``"vetoed": true`` would otherwise leave a target un-vetoed;
- weights that are not > 0 (a zero weight makes a weighted mean 0/0);
- `trim` outside [0, 0.5), `confidence` outside (0, 1), shares and quotas outside [0, 1],
  thresholds and points outside [0, 100], grade limits with fail_below > basic_below or
  basic_below > excellent_min, negative coefficients, pools or prior strengths;
- a `funnel_category` (default ``"residents"``) that is not a declared category;
- a `revision` other than 1 or 2 (absent: 1), and `grades.quota_rounding` other than
  "floor", "half_up", "ceil" or in a revision-1 document (whose quota always floors);
- booleans where numbers are expected, non-integers where counts are expected, NaN and
  infinities anywhere.

Defaults (SCORING.md §2) fill in what `params` leaves out, key by key (also inside
`grades`, `bonus` and `bonus.coefficients`). A category declared under one of the three
default names takes that default's `weight` / `min_responses` when it leaves one out; any
other category must state both.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from . import parameters, registry
from .canonical import input_sha256
from .errors import ScoringInputError, Term
from .messages import N_

if TYPE_CHECKING:
    import numpy as np

INPUT_FORMAT = "appraisal-scoring-input/1"
AGGREGATES = parameters.parameter("aggregate").choice_values
#: The rules a document may be scored by (SCORING.md §3a); absent means 1.
REVISIONS = parameters.parameter("scoring_revision").choice_values
#: How revision 2 rounds the number of excellent places, r(q·N): ⌊x⌋, ⌊x + ½⌋, ⌈x⌉.
QUOTA_ROUNDINGS = parameters.parameter("quota_rounding").choice_values
#: Grades from best to worst.
GRADES = ("excellent", "competent", "basic", "incompetent")
DEFAULT_GROUP = "all"

DEFAULT_CATEGORIES: dict[str, dict[str, Any]] = {
    c.key: {"weight": c.weight, "min_responses": c.min_responses} for c in registry.CATEGORIES
}
# The defaults of `scoring.parameters`, section by section (the revision: `_revision`).
DEFAULT_GRADES: dict[str, float] = parameters.section_defaults(("grades",))
DEFAULT_COEFFICIENTS: dict[str, float] = parameters.section_defaults(("bonus", "coefficients"))
DEFAULT_PARAMS: dict[str, Any] = parameters.section_defaults(())
PARAM_KEYS = ("categories", *DEFAULT_PARAMS, "grades", "bonus", "revision")
#: The grade thresholds (keys of `grades`), lowest first.
GRADE_THRESHOLDS = tuple(
    parameters.parameter(name).key for name in parameters.rule("grade_thresholds").parameters
)
#: Keys of `grades` beyond the numbers of DEFAULT_GRADES (revision 2 only).
GRADE_KEYS = (*DEFAULT_GRADES, "quota_rounding")
assert tuple(DEFAULT_COEFFICIENTS) == GRADES


@dataclass(frozen=True)
class Category:
    id: str
    weight: float
    min_responses: int


@dataclass(frozen=True)
class Params:
    """`params` with every default filled in."""

    categories: tuple[Category, ...]
    min_weight_share: float
    aggregate: str
    trim: float
    prior_strength: float
    satisfied_threshold: float
    confidence: float
    fail_below: float
    basic_below: float
    excellent_min: float
    excellent_quota: float
    #: Bonus coefficient per grade, in the order of GRADES.
    coefficients: tuple[float, float, float, float]
    pool: float | None
    funnel_category: str
    #: 1 or 2 (SCORING.md §3a): which rules decide statuses, grades, ranks and intervals.
    revision: int = 1
    #: One of QUOTA_ROUNDINGS; only revision 2 states it (revision 1 always floors).
    quota_rounding: str = "floor"

    def coefficient(self, grade: str) -> float:
        return self.coefficients[GRADES.index(grade)]


@dataclass(frozen=True)
class Indicator:
    id: str
    weight: float


@dataclass(frozen=True)
class Question:
    id: str
    indicator: str
    weight: float


@dataclass(frozen=True)
class Target:
    id: str
    name: str
    group: str
    veto: bool


@dataclass(frozen=True, eq=False)
class ScoringInput:
    """A validated scoring input: the small declarations as tuples, the responses as arrays.

    Row r of the arrays is response r: `response_target_index[r]` indexes `targets`,
    `response_category_index[r]` indexes `params.categories`, and `points[r, j]` holds the
    points for `questions[j]` (NaN where null or absent).
    """

    params: Params
    indicators: tuple[Indicator, ...]
    questions: tuple[Question, ...]
    targets: tuple[Target, ...]
    response_target_index: np.ndarray
    response_category_index: np.ndarray
    points: np.ndarray
    #: Response ids, when the input came as a document (None from `score_arrays`).
    response_ids: tuple[str, ...] | None = None
    #: SHA-256 of the document's canonical JSON (None when not given to `score_arrays`).
    input_sha256: str | None = None


# -- small checks -------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def key_path(path: str, key: str) -> str:
    """`path` extended by an object key: ``a.b`` for plain keys, ``a["x y"]`` otherwise."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return Term(N_("a boolean"))
    if isinstance(value, (int, float)):
        return Term(N_("a number"))
    if isinstance(value, str):
        return Term(N_("a string"))
    if isinstance(value, Mapping):
        return Term(N_("an object"))
    if isinstance(value, (list, tuple)):
        return Term(N_("a list"))
    return type(value).__name__


def _object(value: Any, path: str, allowed: Sequence[str] | None = None) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScoringInputError(
            path, N_("must be an object, not %(type)s"), {"type": _type_name(value)}
        )
    for key in value:
        if not isinstance(key, str):
            raise ScoringInputError(path, N_("key %(key)s is not a string"), {"key": _show(key)})
        if allowed is not None and key not in allowed:
            raise ScoringInputError(key_path(path, key), N_('unknown key "%(key)s"'), {"key": key})
    return value


def _list(value: Any, path: str) -> Sequence[Any]:
    if not isinstance(value, (list, tuple)):
        raise ScoringInputError(
            path, N_("must be a list, not %(type)s"), {"type": _type_name(value)}
        )
    return value


def _identifier(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScoringInputError(
            path, N_("must be a non-empty string, not %(value)s"), {"value": _show(value)}
        )
    return value


def _number(
    value: Any,
    path: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScoringInputError(
            path, N_("must be a number, not %(value)s"), {"value": _show(value)}
        )
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond the range of a float
        finite = False
    if not finite:
        raise ScoringInputError(
            path, N_("must be a finite number, not %(value)s"), {"value": _show(value)}
        )
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else _show(low)
        hi = "inf" if high is None else _show(high)
        raise ScoringInputError(
            path,
            N_("%(value)s is not in %(interval)s"),
            {"value": _show(value), "interval": f"{left}{lo}, {hi}{right}"},
        )
    return float(value)


def _count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScoringInputError(
            path, N_("must be a whole number, not %(value)s"), {"value": _show(value)}
        )
    if value < 0:
        raise ScoringInputError(path, N_("must not be negative, not %(value)s"), {"value": value})
    return value


def _unique_id(value: Any, path: str, seen: dict[str, str]) -> str:
    identifier = _identifier(value, path)
    if identifier in seen:
        raise ScoringInputError(
            path,
            N_('duplicate id "%(id)s" (also %(other)s)'),
            {"id": identifier, "other": seen[identifier]},
        )
    seen[identifier] = path
    return identifier


# -- the parts ----------------------------------------------------------------------------


def _parameter_path(path: str, parameter: parameters.Parameter) -> str:
    """Where `parameter` is within `path` (params): ``params.grades.fail_below``."""
    for key in parameter.path:
        path = key_path(path, key)
    return path


def _bounded(value: Any, params_path: str, *key: str) -> float:
    """`value` of the parameter at `key` (its place in params), within its bounds."""
    parameter = parameters.by_key(*key)
    bounds = parameter.bounds
    assert bounds is not None
    return _number(
        value,
        _parameter_path(params_path, parameter),
        low=bounds.low,
        high=bounds.high,
        low_open=bounds.low_open,
        high_open=bounds.high_open,
    )


def _check_rules(path: str, stated: Mapping[str, Any], parsed: Mapping[str, float]) -> None:
    """The cross-parameter rules of `scoring.parameters.RULES` between the grade
    thresholds: `stated` and `parsed` map each key of `grades` to its value as given and
    as checked."""
    for rule in parameters.RULES:
        ordered = [parameters.parameter(name) for name in rule.parameters]
        for lower, higher in pairwise(ordered):
            if parsed[higher.key] < parsed[lower.key]:
                raise ScoringInputError(
                    _parameter_path(path, higher),
                    N_("%(value)s is below %(lower)s (%(limit)s)"),
                    {
                        "value": _show(stated[higher.key]),
                        "lower": lower.key,
                        "limit": _show(stated[lower.key]),
                    },
                )


def parse_params(raw: Any, path: str = "params") -> Params:
    """`params` validated, with SCORING.md's defaults for what it leaves out."""
    raw = _object({} if raw is None else raw, path, PARAM_KEYS)
    merged = {**DEFAULT_PARAMS, **{k: v for k, v in raw.items() if k in DEFAULT_PARAMS}}

    categories = _parse_categories(raw.get("categories", DEFAULT_CATEGORIES), path)
    aggregate = merged["aggregate"]
    if aggregate not in AGGREGATES:
        options = ", ".join(f'"{name}"' for name in AGGREGATES)
        raise ScoringInputError(
            key_path(path, "aggregate"),
            N_("must be one of %(options)s, not %(value)s"),
            {"options": options, "value": _show(aggregate)},
        )
    funnel_category = merged["funnel_category"]
    funnel_path = key_path(path, "funnel_category")
    _identifier(funnel_category, funnel_path)
    if funnel_category not in {category.id for category in categories}:
        if "funnel_category" in raw:
            message = N_('unknown category "%(category)s"')
        else:
            message = N_('unknown category "%(category)s" (the default: set funnel_category)')
        raise ScoringInputError(funnel_path, message, {"category": funnel_category})

    grades_path = key_path(path, "grades")
    revision = _revision(raw, path)
    stated_grades = _object(raw.get("grades", {}), grades_path, GRADE_KEYS)
    grades = {**DEFAULT_GRADES, **stated_grades}
    quota_rounding = _quota_rounding(stated_grades, grades_path, revision)
    parsed = {key: _bounded(grades[key], path, "grades", key) for key in GRADE_THRESHOLDS}
    _check_rules(path, grades, parsed)

    bonus_path = key_path(path, "bonus")
    bonus = _object(raw.get("bonus", {}), bonus_path, ("coefficients", "pool"))
    coefficients_path = key_path(bonus_path, "coefficients")
    coefficients = {
        **DEFAULT_COEFFICIENTS,
        **_object(bonus.get("coefficients", {}), coefficients_path, GRADES),
    }
    pool = bonus.get("pool")

    return Params(
        categories=categories,
        min_weight_share=_bounded(merged["min_weight_share"], path, "min_weight_share"),
        aggregate=aggregate,
        trim=_bounded(merged["trim"], path, "trim"),
        prior_strength=_bounded(merged["prior_strength"], path, "prior_strength"),
        satisfied_threshold=_bounded(merged["satisfied_threshold"], path, "satisfied_threshold"),
        confidence=_bounded(merged["confidence"], path, "confidence"),
        fail_below=parsed["fail_below"],
        basic_below=parsed["basic_below"],
        excellent_min=parsed["excellent_min"],
        excellent_quota=_bounded(grades["excellent_quota"], path, "grades", "excellent_quota"),
        coefficients=tuple(  # type: ignore[arg-type]
            _bounded(coefficients[grade], path, "bonus", "coefficients", grade) for grade in GRADES
        ),
        pool=None if pool is None else _bounded(pool, path, "bonus", "pool"),
        funnel_category=funnel_category,
        revision=revision,
        quota_rounding=quota_rounding,
    )


def _revision(raw: Mapping[str, Any], path: str) -> int:
    """`params.revision`: 1 when absent."""
    value = raw.get("revision", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value not in REVISIONS:
        options = " or ".join(str(revision) for revision in REVISIONS)
        raise ScoringInputError(
            key_path(path, "revision"),
            N_("must be %(options)s, not %(value)s"),
            {"options": options, "value": _show(value)},
        )
    return value


def _quota_rounding(grades: Mapping[str, Any], grades_path: str, revision: int) -> str:
    """`grades.quota_rounding`: "floor" when absent. Refused in revision 1, whose quota always
    floors, so that a document does not seem to say what it is not scored by."""
    if "quota_rounding" not in grades:
        return "floor"
    path = key_path(grades_path, "quota_rounding")
    value = grades["quota_rounding"]
    if revision < 2:
        raise ScoringInputError(path, N_("needs revision 2 (set params.revision to 2)"))
    if value not in QUOTA_ROUNDINGS:
        options = ", ".join(f'"{name}"' for name in QUOTA_ROUNDINGS)
        raise ScoringInputError(
            path,
            N_("must be one of %(options)s, not %(value)s"),
            {"options": options, "value": _show(value)},
        )
    return value


def _parse_categories(raw: Any, params_path: str) -> tuple[Category, ...]:
    path = key_path(params_path, "categories")
    raw = _object(raw, path)
    if not raw:
        raise ScoringInputError(path, N_("declares no category"))
    categories = []
    for name, spec in raw.items():
        item_path = key_path(path, name)
        _identifier(name, item_path)
        spec = {
            **DEFAULT_CATEGORIES.get(name, {}),
            **_object(spec, item_path, ("weight", "min_responses")),
        }
        for key in ("weight", "min_responses"):
            if key not in spec:
                raise ScoringInputError(key_path(item_path, key), N_("is missing"))
        categories.append(
            Category(
                id=name,
                weight=_number(spec["weight"], key_path(item_path, "weight"), low=0, low_open=True),
                min_responses=_count(spec["min_responses"], key_path(item_path, "min_responses")),
            )
        )
    return tuple(categories)


def parse_indicators(raw: Any, path: str = "indicators") -> tuple[Indicator, ...]:
    items = _list(raw, path)
    if not items:
        raise ScoringInputError(path, N_("declares no indicator"))
    seen: dict[str, str] = {}
    indicators = []
    for position, item in enumerate(items):
        item_path = f"{path}[{position}]"
        item = _object(item, item_path, ("id", "weight"))
        for key in ("id", "weight"):
            if key not in item:
                raise ScoringInputError(key_path(item_path, key), N_("is missing"))
        indicators.append(
            Indicator(
                id=_unique_id(item["id"], key_path(item_path, "id"), seen),
                weight=_number(item["weight"], key_path(item_path, "weight"), low=0, low_open=True),
            )
        )
    return tuple(indicators)


def parse_questions(
    raw: Any, indicators: Sequence[Indicator], path: str = "questions"
) -> tuple[Question, ...]:
    items = _list(raw, path)
    if not items:
        raise ScoringInputError(path, N_("declares no question"))
    declared = {indicator.id for indicator in indicators}
    seen: dict[str, str] = {}
    questions = []
    for position, item in enumerate(items):
        item_path = f"{path}[{position}]"
        item = _object(item, item_path, ("id", "indicator", "weight"))
        for key in ("id", "indicator", "weight"):
            if key not in item:
                raise ScoringInputError(key_path(item_path, key), N_("is missing"))
        identifier = _unique_id(item["id"], key_path(item_path, "id"), seen)
        indicator = _identifier(item["indicator"], key_path(item_path, "indicator"))
        if indicator not in declared:
            raise ScoringInputError(
                key_path(item_path, "indicator"),
                N_('unknown indicator "%(indicator)s"'),
                {"indicator": indicator},
            )
        weight = _number(item["weight"], key_path(item_path, "weight"), low=0, low_open=True)
        questions.append(Question(id=identifier, indicator=indicator, weight=weight))
    return tuple(questions)


def parse_targets(raw: Any, path: str = "targets") -> tuple[Target, ...]:
    items = _list(raw, path)
    seen: dict[str, str] = {}
    targets = []
    for position, item in enumerate(items):
        item_path = f"{path}[{position}]"
        item = _object(item, item_path, ("id", "name", "group", "veto"))
        for key in ("id", "name"):
            if key not in item:
                raise ScoringInputError(key_path(item_path, key), N_("is missing"))
        name = item["name"]
        if not isinstance(name, str):
            raise ScoringInputError(
                key_path(item_path, "name"),
                N_("must be a string, not %(value)s"),
                {"value": _show(name)},
            )
        veto = item.get("veto", False)
        if not isinstance(veto, bool):
            raise ScoringInputError(
                key_path(item_path, "veto"),
                N_("must be true or false, not %(value)s"),
                {"value": _show(veto)},
            )
        targets.append(
            Target(
                id=_unique_id(item["id"], key_path(item_path, "id"), seen),
                name=name,
                group=_identifier(item.get("group", DEFAULT_GROUP), key_path(item_path, "group")),
                veto=veto,
            )
        )
    return tuple(targets)


def _parse_responses(
    raw: Any, params: Params, questions: Sequence[Question], targets: Sequence[Target]
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np  # here, not above, so that parse_params does not load numpy

    items = _list(raw, "responses")
    target_index = {target.id: position for position, target in enumerate(targets)}
    category_index = {category.id: position for position, category in enumerate(params.categories)}
    question_index = {question.id: position for position, question in enumerate(questions)}
    count = len(items)
    ids: list[str] = []
    targets_of = np.empty(count, dtype=np.int64)
    categories_of = np.empty(count, dtype=np.int64)
    points = np.full((count, len(questions)), np.nan)
    seen: dict[str, str] = {}
    for row, item in enumerate(items):
        item_path = f"responses[{row}]"
        item = _object(item, item_path, ("id", "target", "category", "points"))
        for key in ("id", "target", "category", "points"):
            if key not in item:
                raise ScoringInputError(key_path(item_path, key), N_("is missing"))
        ids.append(_unique_id(item["id"], key_path(item_path, "id"), seen))
        target = _identifier(item["target"], key_path(item_path, "target"))
        if target not in target_index:
            raise ScoringInputError(
                key_path(item_path, "target"), N_('unknown target "%(target)s"'), {"target": target}
            )
        targets_of[row] = target_index[target]
        category = _identifier(item["category"], key_path(item_path, "category"))
        if category not in category_index:
            raise ScoringInputError(
                key_path(item_path, "category"),
                N_('unknown category "%(category)s"'),
                {"category": category},
            )
        categories_of[row] = category_index[category]
        points_path = key_path(item_path, "points")
        for question, value in _object(item["points"], points_path).items():
            if question not in question_index:
                raise ScoringInputError(
                    key_path(points_path, question),
                    N_('unknown question "%(question)s"'),
                    {"question": question},
                )
            if value is not None:
                points[row, question_index[question]] = _number(
                    value, key_path(points_path, question), low=0, high=100
                )
    return tuple(ids), targets_of, categories_of, points


def validate(document: Any) -> ScoringInput:
    """Check a scoring input document (parsed JSON) and return it in validated form.

    Raises `ScoringInputError` naming the first offending item.
    """
    document = _object(
        document,
        "",
        ("format", "campaign", "params", "indicators", "questions", "targets", "responses"),
    )
    for key in ("format", "indicators", "questions", "targets", "responses"):
        if key not in document:
            raise ScoringInputError(key, N_("is missing"))
    if document["format"] != INPUT_FORMAT:
        raise ScoringInputError(
            "format",
            N_('must be "%(format)s", not %(value)s'),
            {"format": INPUT_FORMAT, "value": _show(document["format"])},
        )
    if "campaign" in document:
        _object(document["campaign"], "campaign")
    params = parse_params(document.get("params"))
    indicators = parse_indicators(document["indicators"])
    questions = parse_questions(document["questions"], indicators)
    targets = parse_targets(document["targets"])
    ids, targets_of, categories_of, points = _parse_responses(
        document["responses"], params, questions, targets
    )
    try:
        digest = input_sha256(document)
    except (TypeError, ValueError) as error:
        raise ScoringInputError(
            "", N_("the document is not plain JSON data: %(error)s"), {"error": str(error)}
        ) from None
    return ScoringInput(
        params=params,
        indicators=indicators,
        questions=questions,
        targets=targets,
        response_target_index=targets_of,
        response_category_index=categories_of,
        points=points,
        response_ids=ids,
        input_sha256=digest,
    )


def validate_arrays(
    params: Any,
    indicators: Any,
    questions: Any,
    targets: Any,
    response_target_index: Any,
    response_category_index: Any,
    points_matrix: Any,
    *,
    input_sha256: str | None = None,
) -> ScoringInput:
    """The array form of `validate` (see `scoring.score_arrays`). Array checks are
    vectorised; a fault is named as in a document, e.g. ``responses[7].points.q3``."""
    import numpy as np

    params = parse_params(params)
    indicators = parse_indicators(indicators)
    questions = parse_questions(questions, indicators)
    targets = parse_targets(targets)

    points = np.asarray(points_matrix)
    if points.ndim != 2 or points.shape[1] != len(questions):
        raise ScoringInputError(
            "points_matrix",
            N_("must have shape (n_responses, %(columns)s), not %(shape)s"),
            {"columns": len(questions), "shape": str(points.shape)},
        )
    if not (np.issubdtype(points.dtype, np.floating) or np.issubdtype(points.dtype, np.integer)):
        raise ScoringInputError(
            "points_matrix", N_("must hold numbers, not %(type)s"), {"type": str(points.dtype)}
        )
    points = np.ascontiguousarray(points, dtype=np.float64)
    count = points.shape[0]
    bad = ~(np.isnan(points) | ((points >= 0) & (points <= 100)))
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise ScoringInputError(
            f"responses[{row}].points.{questions[column].id}",
            N_("%(value)s is not in %(interval)s"),
            {"value": repr(float(points[row, column])), "interval": "[0, 100]"},
        )

    def index_array(values: Any, name: str, size: int, what: str) -> np.ndarray:
        array = np.asarray(values)
        if array.shape != (count,):
            raise ScoringInputError(
                name,
                N_("must have shape (%(rows)s,), not %(shape)s"),
                {"rows": count, "shape": str(array.shape)},
            )
        if count and not np.issubdtype(array.dtype, np.integer):
            raise ScoringInputError(
                name, N_("must hold integers, not %(type)s"), {"type": str(array.dtype)}
            )
        array = array.astype(np.int64)
        outside = (array < 0) | (array >= size)
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            raise ScoringInputError(
                f"{name}[{row}]",
                N_("%(value)s does not index a %(what)s (0..%(last)s)"),
                {"value": int(array[row]), "what": Term(what), "last": size - 1},
            )
        return array

    targets_of = index_array(
        response_target_index, "response_target_index", len(targets), N_("target")
    )
    categories_of = index_array(
        response_category_index,
        "response_category_index",
        len(params.categories),
        N_("category"),
    )
    return ScoringInput(
        params=params,
        indicators=indicators,
        questions=questions,
        targets=targets,
        response_target_index=targets_of,
        response_category_index=categories_of,
        points=points,
        input_sha256=input_sha256,
    )
