"""The ranked assessment report: PDF (with charts), XLSX and CSV from a scoring result.

Pure (no Flask, no database): the app gathers a `ReportInput` and hands it over. The
work is split by concern — `reports.tables` (input, rows, words, number formats),
`reports.charts` (PNG charts), `reports.spreadsheets` (CSV, XLSX) and `reports.pdf` —
and this module gathers their public API.

Public API
----------
``ReportInput(result, campaign_code, campaign_name, period_start, period_end,
generated_at, computed_at, run_id, input_sha256, result_sha256, params,
indicator_names={}, category_names={}, targets={}, previous={},
translations=gettext.NullTranslations(), status="provisional")``
    Everything a report shows. `status` is "final" for the frozen run of a finalised
    campaign, else "provisional" (`REPORT_STATUSES`; anything else raises ValueError);
    `computed_at` is when the run was computed, in the bureau's time zone. `result` is the
    parsed scoring result exactly as `scoring.score` produces it (SCORING.md §4); `params`
    the scoring input's params (SCORING.md's defaults fill what it leaves out); `targets`
    maps a target id to a `TargetInfo`; `previous` maps a target id to the previous
    campaign's composite (may be empty); `translations` is anything with ``gettext(str) ->
    str`` — the app passes its Chinese catalogue, `NullTranslations()` gives English.

``TargetInfo(name, group, unit_id=None, unit_name=None)``
    `group` is "unit", "service_point" (the app's name; "point" is accepted too) or
    "cadre"; `unit_*` is the unit a service point or cadre belongs to (a unit's own).

``levels(report) -> list[str]``
    Levels present in the result: "unit", "service_point", "cadre", then any other group.

``ranked_rows(report, group) -> list[Row]``
    One level's rows in the result's order: rated targets by rank, then the insufficient
    ones by id. Every figure is copied from the result, never recomputed; the report makes
    only `n_total` (Σ n over the categories) and `change` (composite − previous).
    `Row.satisfaction_rate` is that of `satisfaction_category(report)`: the funnel plot's
    category (params["funnel_category"], by default "residents"), so the column and the
    funnel plot speak of the same rate.

``report_marks(report) -> list[tuple[str, str]]`` and ``marks_line(report) -> str``
    What every file shows of its standing, written once for the three formats: the
    status (provisional or final), the run, the input SHA-256 and when the run was
    computed; ``status_label`` and ``status_note`` give the status alone and explained.

``render_csv(report) -> bytes``
    The marks as ``label,value`` lines, an empty line, then one table, all levels, with
    a translated "Level" column first; UTF-8 with a BOM, CRLF line ends; numbers as the
    repr of the result's float (full precision), empty for null.

``render_xlsx(report) -> bytes``
    A sheet per level present (frozen header and name columns, widths, number formats,
    a fill per grade on the grade cell, an autofilter), a "Parameters" sheet and a
    "Method" sheet; every sheet has the marks on its first row and in its printed page
    header and footer. Cells hold the result's exact floats; only `number_format` rounds.

``render_pdf(report) -> bytes``
    Cover with the status in a banner, campaign, period, run, both SHA-256, when computed
    and parameters; the marks in every page's footer; per level the ranked
    table (header repeated on each page) and its charts; a section per unit (its own row,
    its service points, its cadres); an appendix on the method.

``unit_sections(report) -> list[UnitSection]``
    Each unit (result order) with its service points and cadres, matched on
    `TargetInfo.unit_id` (the same id or code for a unit and its members); then units that
    are not targets but have members; then members without a unit.

``level_charts(report, group) -> list[Chart]`` and ``composite_chart``,
``funnel_chart``, ``indicator_heatmap``, ``change_chart`` (each ``(report, group) ->
bytes | None``): PNG charts, also for the leadership dashboard (see `reports.charts`).

``neutralise(text) -> str``
    Spreadsheet formula injection: text beginning with ``=``, ``+``, ``-``, ``@``, a tab,
    a carriage return or a line feed gets a leading apostrophe ``'``. Applied to every
    text cell of the CSV (names, ids, units, labels); the XLSX stores text cells as
    strings, which no spreadsheet runs, so they keep their text. Numbers are written as
    numbers and never changed.

Importing this module loads none of matplotlib, fpdf2 or openpyxl (each takes a good part
of a second): they load when the first chart, PDF or workbook is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .charts import (
    Chart,
    change_chart,
    composite_chart,
    funnel_chart,
    heatmap_selection,
    indicator_heatmap,
    level_charts,
)
from .spreadsheets import csv_columns, neutralise, render_csv, render_xlsx
from .tables import (
    LEVELS,
    REPORT_STATUSES,
    Labels,
    Note,
    ParameterSheet,
    ReportInput,
    Row,
    TargetInfo,
    UnitSection,
    format_amount,
    format_change,
    format_ci,
    format_coefficient,
    format_interval,
    format_rate,
    format_score,
    labels,
    levels,
    marks_line,
    method_notes,
    parameter_sheet,
    ranked_rows,
    report_marks,
    satisfaction_category,
    status_label,
    status_note,
    unit_sections,
)


def render_pdf(
    report: ReportInput, *, charts: Mapping[str, Sequence[Chart]] | None = None
) -> bytes:
    """`reports.pdf.render_pdf`, imported on the first call: that module subclasses fpdf2's
    `FPDF`, so importing it loads fpdf2."""
    from .pdf import render_pdf as render

    return render(report, charts=charts)


__all__ = [
    "LEVELS",
    "REPORT_STATUSES",
    "Chart",
    "Labels",
    "Note",
    "ParameterSheet",
    "ReportInput",
    "Row",
    "TargetInfo",
    "UnitSection",
    "change_chart",
    "composite_chart",
    "csv_columns",
    "format_amount",
    "format_change",
    "format_ci",
    "format_coefficient",
    "format_interval",
    "format_rate",
    "format_score",
    "funnel_chart",
    "heatmap_selection",
    "indicator_heatmap",
    "labels",
    "level_charts",
    "levels",
    "marks_line",
    "method_notes",
    "neutralise",
    "parameter_sheet",
    "ranked_rows",
    "render_csv",
    "render_pdf",
    "render_xlsx",
    "report_marks",
    "satisfaction_category",
    "status_label",
    "status_note",
    "unit_sections",
]
