"""The ranked assessment report's data: its input, its rows, and the words around them.

Pure: plain data in (the scoring result of SCORING.md §4 and what the app knows about the
campaign and its targets), rows and text out. The renderers build on this module:
`reports.spreadsheets` (CSV, XLSX), `reports.pdf` (PDF) and `reports.charts` (PNG);
`reports.assessment` gathers the public API of all of them.

Every user-visible word goes through ``report.translations.gettext`` with an English
msgid written as a literal ``_("...")`` so that ``pybabel extract`` finds it.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import NormalDist
from typing import Any, Protocol

from scoring import parameters, registry
from scoring.inputs import GRADES, Params, parse_params

#: The levels a campaign appraises, in the order the reports show them.
LEVELS = registry.target_kind_keys()
#: Other spellings of a level: "point" is accepted for "service_point" (the app's name).
GROUP_ALIASES = {"point": "service_point"}
#: What a missing number is shown as.
MISSING = "—"
#: The category whose score breaks ties between equal composites (SCORING.md §3).
RESIDENTS = registry.RESIDENTS
#: What a report is: "final" when read from the frozen run of a finalised campaign, else
#: "provisional" (the campaign may still change; promotions and bonuses follow the final).
REPORT_STATUSES = ("provisional", "final")
#: Light tints marking a grade in the tables of the PDF and the XLSX (RGB hex).
GRADE_TINTS = {
    "excellent": "C6EFCE",
    "competent": "DDEBF7",
    "basic": "FFEB9C",
    "incompetent": "FFC7CE",
}


class Translations(Protocol):
    def gettext(self, message: str, /) -> str: ...


@dataclass(frozen=True)
class TargetInfo:
    """A target as the organisation knows it."""

    #: Display name (the result's name is used when a target has no TargetInfo).
    name: str
    #: "unit", "service_point" (or "point") or "cadre".
    group: str
    #: The unit a service point or cadre belongs to; for a unit, the unit itself. Any id
    #: or code will do, as long as a unit and its members carry the same one (the PDF's
    #: section per unit matches on it; see `unit_sections`).
    unit_id: str | None = None
    unit_name: str | None = None


@dataclass
class ReportInput:
    """Everything a ranked assessment report shows (see the module's docstring)."""

    result: Mapping[str, Any]
    campaign_code: str
    campaign_name: str
    period_start: date
    period_end: date
    generated_at: datetime
    #: When the run was computed, in the bureau's time zone (shown as it is given).
    computed_at: datetime
    run_id: int | str
    input_sha256: str
    result_sha256: str
    params: Mapping[str, Any]
    indicator_names: Mapping[str, str] = field(default_factory=dict)
    category_names: Mapping[str, str] = field(default_factory=dict)
    targets: Mapping[str, TargetInfo] = field(default_factory=dict)
    previous: Mapping[str, float | None] = field(default_factory=dict)
    translations: Translations = field(default_factory=_gettext.NullTranslations)
    #: One of REPORT_STATUSES; provisional unless the app knows the run is final.
    status: str = "provisional"

    def __post_init__(self) -> None:
        if self.status not in REPORT_STATUSES:
            raise ValueError(f"status must be one of {REPORT_STATUSES}, not {self.status!r}")

    @property
    def gettext(self):
        return self.translations.gettext

    @property
    def final(self) -> bool:
        return self.status == "final"


@dataclass(frozen=True)
class Row:
    """One target of a level, as every format of the report shows it."""

    group: str
    id: str
    name: str
    unit_id: str | None
    unit_name: str | None
    #: "rated" or "insufficient".
    status: str
    rank: int | None
    rank_interval: tuple[int, int] | None
    composite: float | None
    se: float | None
    ci: tuple[float, float] | None
    grade: str | None
    bonus_coefficient: float | None
    bonus_amount: float | None
    #: The category of `satisfaction_rate` (see `satisfaction_category`).
    satisfaction_category: str
    satisfaction_rate: float | None
    satisfaction_ci: tuple[float, float] | None
    #: Σ n over the categories.
    n_total: int
    #: Per category, in the order of params["categories"].
    n: dict[str, int]
    category_scores: dict[str, float | None]
    category_sufficient: dict[str, bool]
    #: The composite's indicator scores (SCORING.md §4), in the declared order.
    indicators: dict[str, float]
    #: The previous campaign's composite, when known.
    previous: float | None
    #: composite − previous, when both are known.
    change: float | None

    @property
    def rated(self) -> bool:
        return self.status == "rated"


# -- levels and rows ------------------------------------------------------------------


def level_of(group: str) -> str:
    """The level a result's group (or an alias) stands for."""
    return GROUP_ALIASES.get(group, group)


def levels(report: ReportInput) -> list[str]:
    """The levels present in the result: LEVELS first, in that order, then others."""
    seen: list[str] = []
    for target in report.result["targets"]:
        level = level_of(target.get("group", "all"))
        if level not in seen:
            seen.append(level)
    return [level for level in LEVELS if level in seen] + [
        level for level in seen if level not in LEVELS
    ]


def scoring_params(report: ReportInput) -> Params:
    """The campaign's params with SCORING.md's defaults filled in (as scoring read them)."""
    return parse_params(dict(report.params))


def category_ids(report: ReportInput) -> list[str]:
    """The respondent categories in the order of params["categories"]."""
    return [category.id for category in scoring_params(report).categories]


def satisfaction_category(report: ReportInput) -> str:
    """The category whose satisfaction rate the reports show beside the composite.

    Rule: the funnel plot's category (params["funnel_category"], "residents" by default),
    so that the column and the funnel plot speak of the same rate; if the result carries no
    such category, "residents" when present, else the first category of params.
    """
    ids = category_ids(report)
    wanted = scoring_params(report).funnel_category
    if wanted in ids:
        return wanted
    return RESIDENTS if RESIDENTS in ids else ids[0]


def indicator_ids(report: ReportInput) -> list[str]:
    """Indicators in the result, in the order they first appear (the declared order)."""
    seen: dict[str, None] = {}
    for target in report.result["targets"]:
        seen.update(dict.fromkeys(target.get("indicators") or {}))
        for category in (target.get("categories") or {}).values():
            seen.update(dict.fromkeys(category.get("indicators") or {}))
    return list(seen)


def _pair(value: Any) -> tuple[Any, Any] | None:
    return None if value is None else (value[0], value[1])


def ranked_rows(report: ReportInput, group: str) -> list[Row]:
    """The rows of one level in the result's order (rank order, then the unrated by id);
    every figure copied from the result."""
    level = level_of(group)
    categories = category_ids(report)
    satisfaction = satisfaction_category(report)
    rows = []
    for target in report.result["targets"]:
        if level_of(target.get("group", "all")) != level:
            continue
        identifier = target["id"]
        info = report.targets.get(identifier)
        per_category = target.get("categories") or {}
        n = {c: int(per_category[c]["n"]) if c in per_category else 0 for c in categories}
        previous = report.previous.get(identifier)
        composite = target.get("composite")
        rows.append(
            Row(
                group=target.get("group", "all"),
                id=identifier,
                name=info.name if info is not None and info.name else target.get("name", ""),
                unit_id=info.unit_id if info is not None else None,
                unit_name=info.unit_name if info is not None else None,
                status=target["status"],
                rank=target.get("rank"),
                rank_interval=_pair(target.get("rank_interval")),
                composite=composite,
                se=target.get("se"),
                ci=_pair(target.get("ci")),
                grade=target.get("grade"),
                bonus_coefficient=target.get("bonus_coefficient"),
                bonus_amount=target.get("bonus_amount"),
                satisfaction_category=satisfaction,
                satisfaction_rate=per_category.get(satisfaction, {}).get("satisfaction_rate"),
                satisfaction_ci=_pair(per_category.get(satisfaction, {}).get("satisfaction_ci")),
                n_total=sum(n.values()),
                n=n,
                category_scores={c: per_category.get(c, {}).get("score") for c in categories},
                category_sufficient={
                    c: bool(per_category.get(c, {}).get("sufficient")) for c in categories
                },
                indicators=dict(target.get("indicators") or {}),
                previous=previous,
                change=(
                    composite - previous if composite is not None and previous is not None else None
                ),
            )
        )
    return rows


@dataclass(frozen=True)
class UnitSection:
    """A unit with its service points and cadres (the PDF's section per unit)."""

    #: The unit's target id (the id shown), or its unit id when it is not a target;
    #: None for the targets without a unit.
    id: str | None
    name: str
    #: The unit's own row, when the unit is itself appraised.
    row: Row | None
    service_points: list[Row]
    cadres: list[Row]


def unit_sections(report: ReportInput) -> list[UnitSection]:
    """Units in the result's order (rank order, then the unrated), each with its service
    points and cadres in their levels' order; then units that are not targets themselves
    but have members (by unit id); then members without a unit.

    A member belongs to the unit whose `TargetInfo.unit_id` is the same as its own, so the
    unit's own TargetInfo must carry its unit id (the target id, or any code the app uses
    for units, as long as it is the same for the unit and its members)."""
    members: dict[str | None, dict[str, list[Row]]] = {}
    for level in ("service_point", "cadre"):
        for row in ranked_rows(report, level):
            members.setdefault(row.unit_id, {}).setdefault(level, []).append(row)

    def section(identifier: str | None, name: str, row: Row | None, key: str | None):
        found = members.pop(key, {})
        return UnitSection(
            identifier, name, row, found.get("service_point", []), found.get("cadre", [])
        )

    sections = [
        section(row.id, row.name, row, row.unit_id if row.unit_id is not None else row.id)
        for row in ranked_rows(report, "unit")
    ]
    for key in sorted(key for key in members if key is not None):
        sample = next(iter(members[key].values()))[0]
        sections.append(section(key, sample.unit_name or key, None, key))
    if None in members:
        sections.append(section(None, "", None, None))
    return sections


# -- words ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """Translated names of the report's codes."""

    groups: dict[str, str]
    grades: dict[str, str]
    statuses: dict[str, str]
    categories: dict[str, str]
    aggregates: dict[str, str]
    indicators: dict[str, str]

    def group(self, group: str) -> str:
        return self.groups.get(level_of(group), group)

    def category(self, category: str) -> str:
        return self.categories.get(category, category)

    def indicator(self, indicator: str) -> str:
        return self.indicators.get(indicator, indicator)

    def grade_or_status(self, row: Row) -> str:
        """The grade of a rated row, else its status ("insufficient")."""
        if row.grade is not None:
            return self.grades.get(row.grade, row.grade)
        return self.statuses.get(row.status, row.status)


def labels(report: ReportInput) -> Labels:
    _ = report.gettext
    categories = {category.key: _(category.label) for category in registry.CATEGORIES}
    categories.update(report.category_names)
    return Labels(
        groups={kind.key: _(kind.report_plural) for kind in registry.TARGET_KINDS},
        grades={
            "excellent": _("Excellent"),
            "competent": _("Competent"),
            "basic": _("Basic"),
            "incompetent": _("Incompetent"),
        },
        statuses={"rated": _("Rated"), "insufficient": _("Insufficient")},
        categories=categories,
        aggregates={
            "mean": _("Mean"),
            "trimmed_mean": _("Trimmed mean"),
            "shrunk_mean": _("Mean shrunk towards the category's mean"),
        },
        indicators=dict(report.indicator_names),
    )


# -- numbers as shown -----------------------------------------------------------------


def format_score(value: float | None) -> str:
    """A score on the 0–100 scale with two decimals ("87.50")."""
    return MISSING if value is None else f"{value:.2f}"


def format_rate(value: float | None) -> str:
    """A share as a percentage with one decimal ("90.0%")."""
    return MISSING if value is None else f"{100 * value:.1f}%"


def format_ci(value: tuple[float, float] | None) -> str:
    """A confidence interval of scores ("85.10–89.90")."""
    return MISSING if value is None else f"{value[0]:.2f}–{value[1]:.2f}"


def format_interval(value: tuple[int, int] | None) -> str:
    """A rank interval ("1–3"; a single rank when both ends agree)."""
    if value is None:
        return MISSING
    return str(value[0]) if value[0] == value[1] else f"{value[0]}–{value[1]}"


def format_amount(value: float | None) -> str:
    """A bonus amount with thousands separators and two decimals ("20,000.00")."""
    return MISSING if value is None else f"{value:,.2f}"


def format_coefficient(value: float | None) -> str:
    """A bonus coefficient with two decimals ("1.20")."""
    return MISSING if value is None else f"{value:.2f}"


def format_change(value: float | None) -> str:
    """A change of score with its sign ("+1.25", "-0.40")."""
    return MISSING if value is None else f"{value:+.2f}"


def format_count(value: int | None) -> str:
    return MISSING if value is None else str(value)


def format_number(value: Any) -> str:
    """A parameter as written in the input: 30, 0.5, 100,000 (whole amounts grouped)."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) >= 10_000:
        return f"{value:,.0f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def format_share(value: float) -> str:
    """A parameter that is a share, as a percentage without needless decimals ("20%")."""
    return f"{100 * value:.10g}%"


def format_datetime(value: datetime) -> str:
    """ "2026-12-31 18:05 +08:00" (the zone as given)."""
    text = value.strftime("%Y-%m-%d %H:%M")
    offset = value.strftime("%z")
    return f"{text} {offset[:3]}:{offset[3:]}" if offset else text


def format_period(report: ReportInput) -> str:
    return f"{report.period_start.isoformat()} – {report.period_end.isoformat()}"


def z_value(confidence: float) -> float:
    """z = Φ⁻¹((1 + confidence)/2), as SCORING.md uses for composite intervals."""
    return NormalDist().inv_cdf((1 + confidence) / 2)


# -- the marks every file carries -----------------------------------------------------


def status_label(report: ReportInput) -> str:
    """ "Provisional" or "Final", translated."""
    _ = report.gettext
    return _("Final") if report.final else _("Provisional")


def status_note(report: ReportInput) -> str:
    """What the status means, in a sentence (the PDF's cover)."""
    _ = report.gettext
    if report.final:
        return _("Final: the frozen scoring run of the finalised campaign.")
    return _(
        "Provisional: the campaign is not finalised, and these results may still change. "
        "Do not base promotions or bonuses on them."
    )


def report_marks(report: ReportInput) -> list[tuple[str, str]]:
    """(label, value): what every file of the report shows of its standing — on the PDF's
    cover and page footers, in the XLSX's top rows and printed headers, in the CSV's first
    lines: the status, the run, the input SHA-256 and when the run was computed."""
    _ = report.gettext
    return [
        (_("Report status"), status_label(report)),
        (_("Scoring run"), str(report.run_id)),
        (_("Input SHA-256"), report.input_sha256),
        (_("Computed at"), format_datetime(report.computed_at)),
    ]


def marks_line(report: ReportInput) -> str:
    """`report_marks` on one line ("Report status: Provisional · Scoring run: 7 · …")."""
    _ = report.gettext
    return " · ".join(
        _("%(label)s: %(value)s") % {"label": label, "value": value}
        for label, value in report_marks(report)
    )


# -- parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterSheet:
    """The campaign, the run and the scoring parameters as labelled values (numbers stay
    numbers; the PDF formats them with `format_number`)."""

    #: (label, value): campaign, period, `report_marks`, result SHA-256, generated.
    general: list[tuple[str, Any]]
    #: (category name, weight, min_responses) in the order of params["categories"].
    categories: list[tuple[str, float, int]]
    #: (label, value): aggregate, sufficiency, thresholds, grades, quota, bonus.
    scoring: list[tuple[str, Any]]


def quota_rounding_words(report: ReportInput, params: Params) -> str:
    """How the number of excellent places, quota × rated targets, is rounded (revision 1
    always rounds down)."""
    _ = report.gettext
    words = {
        "floor": _("rounded down"),
        "half_up": _("rounded to the nearest, a half up"),
        "ceil": _("rounded up"),
    }
    return words[params.quota_rounding]


#: Parameters the sheet shows only when the category score is that aggregate.
SHOWN_WITH_AGGREGATE = {"trim_fraction": "trimmed_mean", "prior_strength": "shrunk_mean"}


def sheet_parameters() -> list[parameters.Parameter]:
    """The parameter sheet's rows: the scoring rules' revision, then every parameter of
    `scoring.parameters` in its order."""
    revision = parameters.by_key("revision")
    return [revision, *(p for p in parameters.PARAMETERS if p is not revision)]


def parameter_value(params: Params, parameter: parameters.Parameter) -> Any:
    """The value of a parameter in the validated params."""
    if parameter.section == ("bonus", "coefficients"):
        return params.coefficients[GRADES.index(parameter.key)]
    return getattr(params, parameter.key)


def parameter_sheet(report: ReportInput) -> ParameterSheet:
    _ = report.gettext
    names = labels(report)
    params = scoring_params(report)
    general = [
        (_("Campaign"), report.campaign_name),
        (_("Campaign code"), report.campaign_code),
        (_("Period"), format_period(report)),
        *report_marks(report),
        (_("Result SHA-256"), report.result_sha256),
        (_("Generated at"), format_datetime(report.generated_at)),
    ]
    categories = [
        (names.category(category.id), category.weight, category.min_responses)
        for category in params.categories
    ]
    shown = {
        "aggregate": lambda value: names.aggregates.get(value, value),
        "quota_rounding": lambda value: quota_rounding_words(report, params),
        "bonus_pool": lambda value: value if value is not None else _("none (coefficients only)"),
        "funnel_category": names.category,
    }
    scoring: list[tuple[str, Any]] = []
    for parameter in sheet_parameters():
        if SHOWN_WITH_AGGREGATE.get(parameter.name, params.aggregate) != params.aggregate:
            continue
        value = parameter_value(params, parameter)
        show = shown.get(parameter.name)
        scoring.append(
            (_(parameter.report_label or parameter.label), show(value) if show else value)
        )
    return ParameterSheet(general=general, categories=categories, scoring=scoring)


# -- the method, in plain words -------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A section of the method appendix."""

    heading: str
    paragraphs: list[str]


#: The composite chart names each target of a level with at most this many rated targets.
LABELLED_UP_TO = 40
#: The heat map shows every target of a level up to this many, else the best and worst.
HEATMAP_ALL_UP_TO = 40
HEATMAP_EACH_END = 20


def method_notes(report: ReportInput) -> list[Note]:
    """The method appendix (PDF) and method sheet (XLSX), written from SCORING.md with
    this campaign's parameters."""
    _ = report.gettext
    names = labels(report)
    params = scoring_params(report)
    confidence = format_share(params.confidence)
    z = f"{z_value(params.confidence):.3f}"
    # TRANSLATORS: the separator between the items of a list ("residents 0.5, grassroots 0.3").
    joiner = _(", ")
    weights = joiner.join(
        _("%(category)s %(weight)s") % {"category": names.category(c.id), "weight": c.weight}
        for c in params.categories
    )
    minimums = joiner.join(
        _("%(category)s %(minimum)s")
        % {"category": names.category(c.id), "minimum": max(2, c.min_responses)}
        for c in params.categories
    )
    if params.aggregate == "trimmed_mean":
        category_score = _(
            "A target's score in a respondent category is the trimmed mean of its response "
            "scores: the lowest and the highest %(trim)s of the scores (rounded down to whole "
            "responses, g at each end) are set aside and the rest are averaged. Its standard "
            "error comes from the standard deviation of the winsorised scores, and its "
            "%(confidence)s confidence interval uses Student's t with n − 2g − 1 degrees of "
            "freedom."
        ) % {"trim": format_share(params.trim), "confidence": confidence}
    elif params.aggregate == "shrunk_mean":
        category_score = _(
            "A target's score in a respondent category is its mean response score shrunk "
            "towards the category's mean: (n × mean + k × μ) ÷ (n + k), where μ is the mean "
            "of all response scores of that category among the targets of the same level and "
            "k = %(prior)s is the prior strength. A target with few responses is thus pulled "
            "towards the average. Its standard error is s × √n ÷ (n + k), and its "
            "%(confidence)s confidence interval is the score ± z × SE with z = %(z)s."
        ) % {"prior": format_number(params.prior_strength), "confidence": confidence, "z": z}
    else:
        category_score = _(
            "A target's score in a respondent category is the mean of its response scores. "
            "Its standard error is the sample standard deviation divided by √n, and its "
            "%(confidence)s confidence interval uses Student's t with n − 1 degrees of "
            "freedom."
        ) % {"confidence": confidence}
    coefficients = dict(
        zip(("excellent", "competent", "basic", "incompetent"), params.coefficients, strict=True)
    )
    bonus = [
        _(
            "Each grade carries a bonus coefficient: excellent %(excellent)s, competent "
            "%(competent)s, basic %(basic)s, incompetent %(incompetent)s."
        )
        % {grade: format_number(value) for grade, value in coefficients.items()}
    ]
    if params.pool is None:
        bonus.append(_("No bonus pool is set: the report gives the coefficients only."))
    else:
        bonus.append(
            _(
                "Each level shares a bonus pool of %(pool)s in proportion to the "
                "coefficients: amount = pool × coefficient ÷ the sum of the coefficients of "
                "the level's rated targets (0 when that sum is 0)."
            )
            % {"pool": format_number(params.pool)}
        )
    return [
        Note(
            _("Where the figures come from"),
            [
                _(
                    "Every figure in this report is copied from the scoring result of run "
                    "%(run)s (SHA-256 %(result)s), computed from the scoring input with "
                    "SHA-256 %(input)s. Anyone who holds the input can recompute the result "
                    "with the command python -m scoring run INPUT.json and compare it byte "
                    "for byte."
                )
                % {
                    "run": report.run_id,
                    "result": report.result_sha256,
                    "input": report.input_sha256,
                },
                _(
                    "The PDF shows scores with two decimals and rates as percentages with one "
                    "decimal; the spreadsheet and CSV versions carry every number at full "
                    "precision. Only two figures are made by the report itself: the total "
                    "number of responses (the sum over the categories) and the change against "
                    "the previous campaign (this composite minus the previous one)."
                ),
            ],
        ),
        Note(
            _("Response score"),
            [
                _(
                    "Each answer carries points from 0 to 100: option i of a scale of k "
                    "options, worst first, gets 100 × (i − 1) ÷ (k − 1); a 0–10 scale gives 10 "
                    'points per step. "Not applicable", unanswered, text and multiple-choice '
                    "questions carry no points and do not count."
                ),
                _(
                    "Within each indicator a response's points are averaged with the "
                    "questions' weights; the response score is the average of its indicator "
                    "scores with the indicator weights, over the indicators it answered. A "
                    "response without any points has no score and is not counted."
                ),
            ],
        ),
        Note(
            _("Score in a respondent category"),
            [
                category_score,
                _(
                    "A category's indicator scores are the means of the responses' indicator "
                    "scores."
                ),
            ],
        ),
        Note(
            _("Sufficient responses"),
            [
                _(
                    "A respondent category counts for a target only when it has at least as "
                    "many scored responses as its minimum (never fewer than 2). Minimums in "
                    "this campaign: %(minimums)s."
                )
                % {"minimums": minimums}
            ],
        ),
        Note(
            _("Composite score"),
            [
                _(
                    "The composite score is the average of the sufficient categories' scores "
                    "with the category weights (%(weights)s), renormalised over the "
                    "sufficient categories. Its standard error combines the categories' "
                    "standard errors with the same weights, and its confidence interval is "
                    "the composite ± z × SE with z = %(z)s (%(confidence)s confidence). The "
                    "composite's indicator scores combine the categories' indicator scores in "
                    "the same way."
                )
                % {"weights": weights, "z": z, "confidence": confidence}
            ],
        ),
        Note(
            _("Rated and insufficient"),
            [
                _(
                    "A target is rated when the weights of its sufficient categories add up "
                    "to at least %(share)s of all category weights. Otherwise it is "
                    "insufficient: its composite is still shown when at least one category is "
                    "sufficient, but it gets no rank, no grade and no bonus."
                )
                % {"share": format_share(params.min_weight_share)}
            ],
        ),
        Note(
            _("Rank"),
            [
                _(
                    "Rated targets are ranked within their level: units against units, "
                    "service points against service points, cadres against cadres. The order "
                    "is the composite score, higher first; equal composites are ordered by "
                    "the residents' category score where that category is sufficient (higher "
                    "first, none last), then by the total number of responses (more first), "
                    "then by id (ascending)."
                )
            ],
        ),
        Note(
            _("Rank interval"),
            [
                _(
                    "The rank interval shows how sure a rank is. Its best end is 1 plus the "
                    "number of targets whose composite is higher by more than z = %(z)s "
                    "combined standard errors; its worst end is the number of rated targets "
                    "minus the number that are lower by that much. A wide interval means the "
                    "neighbouring scores cannot be told apart with %(confidence)s confidence."
                )
                % {"z": z, "confidence": confidence}
            ],
        ),
        Note(
            _("Grades"),
            [
                _(
                    "Grades are given in rank order. A vetoed target is incompetent; a "
                    "composite below %(fail)s is incompetent; below %(basic)s it is basic; "
                    "from %(excellent)s it is excellent as long as fewer targets are excellent "
                    "so far than %(quota)s of the level's rated targets (%(rounding)s); "
                    "otherwise it is competent. A target above the excellent mark but outside "
                    "the quota is therefore competent."
                )
                % {
                    "fail": format_number(params.fail_below),
                    "basic": format_number(params.basic_below),
                    "excellent": format_number(params.excellent_min),
                    "quota": format_share(params.excellent_quota),
                    "rounding": quota_rounding_words(report, params),
                }
            ],
        ),
        Note(_("Bonus"), bonus),
        Note(
            _("Satisfaction rate and funnel plot"),
            [
                _(
                    "A response is satisfied when its score is at least %(threshold)s. A "
                    "satisfaction rate is the share of satisfied responses, with a Wilson "
                    "score interval. The satisfaction rate the tables show is that of "
                    "%(category)s, the category of the funnel plot."
                )
                % {
                    "threshold": format_number(params.satisfied_threshold),
                    "category": names.category(satisfaction_category(report)),
                },
                _(
                    "The funnel plot sets each target's satisfaction rate against its number "
                    "of responses, around the level's average rate P (all satisfied responses "
                    "divided by all responses), with limits P ± z × √(P × (1 − P) ÷ n) at "
                    "%(p95)s (z = 1.96) and %(p998)s (z = 3.09). A target outside the "
                    "%(p998)s limits is a signal, high or low: its rate differs from the "
                    "average by more than chance explains. Differences within the limits are "
                    "likely to be chance."
                )
                % {"p95": "95%", "p998": "99.8%"},
            ],
        ),
        Note(
            _("Charts"),
            [
                _(
                    "The composite chart shows each rated target's composite score with its "
                    "confidence interval, in rank order, with the grade marks as lines; "
                    "targets are named when a level has at most %(limit)s of them."
                )
                % {"limit": LABELLED_UP_TO},
                _(
                    "The indicator heat map shows every target of a level when there are at "
                    "most %(all)s; otherwise the %(each)s best and the %(each)s worst rated "
                    "targets by rank."
                )
                % {"all": HEATMAP_ALL_UP_TO, "each": HEATMAP_EACH_END},
                _(
                    "The change chart sets each target's composite against its composite in "
                    "the previous campaign; points above the diagonal improved."
                ),
            ],
        ),
        Note(
            _("Spreadsheets"),
            [
                _(
                    "In the CSV version a text cell that begins with =, +, -, @, a tab or a "
                    "line break starts with an apostrophe ('), so that no spreadsheet program "
                    "runs it as a formula; the spreadsheet version stores every text cell as "
                    "text, which no program runs. Numbers are never changed."
                ),
                _(
                    "The CSV version begins with a few lines of two cells each (the report's "
                    "status, the scoring run, the input SHA-256 and when the run was "
                    "computed), then an empty line, then the table with its header."
                ),
            ],
        ),
    ]
