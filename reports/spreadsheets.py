"""The ranked assessment report as CSV and XLSX.

Both carry the same columns (`row_columns`), every number at the full precision of the
scoring result: in CSV as the float's repr (Python's shortest round-trip form, the form
the result document uses), in XLSX as the float itself, rounded for display only through
`number_format`. Null is an empty cell.

Both say what they are (`reports.tables.report_marks`: provisional or final, the run, the
input SHA-256, when the run was computed). The CSV begins with those as ``label,value``
lines, then an empty line, then the table (header first). Every XLSX sheet has them on
its first row (`marks_line`) and in its printed page header, and its status and page
number in the printed page footer; a level's table starts on the row after
(`TABLE_HEADER_ROW`).

Formula injection: in CSV, a text cell whose text begins with ``=``, ``+``, ``-``, ``@``,
a tab, a carriage return or a line feed is written with a leading apostrophe ``'``
(`neutralise`), so that Excel, LibreOffice or WPS show it as text instead of running it;
this applies to every text cell — names, ids, unit names and the translated labels. An
XLSX text cell is stored as a string (``t="s"``), which no spreadsheet program runs, so it
keeps its text as it is (openpyxl would otherwise take text beginning with ``=`` for a
formula). Numbers are written as numbers and are never changed. Characters that XLSX
cannot hold (control characters) are dropped from XLSX text.

openpyxl takes half a second to import: it loads when the first workbook is written, not
with this module (CSV and `neutralise` never need it).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .tables import (
    GRADE_TINTS,
    ReportInput,
    Row,
    format_share,
    indicator_ids,
    labels,
    levels,
    marks_line,
    method_notes,
    parameter_sheet,
    ranked_rows,
    report_marks,
    satisfaction_category,
    scoring_params,
    status_label,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

#: Text starting with one of these is run as a formula by some spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

#: How XLSX shows each kind of number (the value stays exact).
NUMBER_FORMATS = {
    "int": "0",
    "score": "0.00",
    "rate": "0.0%",
    "money": "#,##0.00",
    "coefficient": "0.00",
    "change": "+0.00;-0.00;0.00",
    "share": "0.###",
}
#: Fills of the grade cell in XLSX.
GRADE_FILLS = GRADE_TINTS
HEADER_FILL = "D9D9D9"
#: Columns A..E (rank, rank interval, id, name) stay in view when scrolling right.
FROZEN_COLUMNS = 5
#: The row of a level sheet's table header: row 1 holds the report's marks.
TABLE_HEADER_ROW = 2
#: The control characters an XLSX cell cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE,
#: written out so that this module does not import openpyxl (a test checks they agree).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def neutralise(text: str) -> str:
    """`text` with a leading apostrophe when it begins like a formula (see the module)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class Column:
    """A column of the ranked table: a stable key, the translated header, the kind of
    value ("text" or one of NUMBER_FORMATS) and how to read it from a row."""

    key: str
    header: str
    kind: str
    value: Callable[[Row], Any]
    width: float = 10


def row_columns(report: ReportInput) -> list[Column]:
    """The columns of a level's table (the same for every level)."""
    _ = report.gettext
    names = labels(report)
    params = scoring_params(report)
    confidence = format_share(params.confidence)
    satisfaction = names.category(satisfaction_category(report))
    columns = [
        Column("rank", _("Rank"), "int", lambda r: r.rank, 7),
        Column(
            "rank_best",
            _("Rank interval: best"),
            "int",
            lambda r: r.rank_interval[0] if r.rank_interval else None,
            9,
        ),
        Column(
            "rank_worst",
            _("Rank interval: worst"),
            "int",
            lambda r: r.rank_interval[1] if r.rank_interval else None,
            9,
        ),
        Column("id", _("ID"), "text", lambda r: r.id, 18),
        Column("name", _("Name"), "text", lambda r: r.name, 24),
        Column("unit_id", _("Unit ID"), "text", lambda r: r.unit_id, 14),
        Column("unit", _("Unit"), "text", lambda r: r.unit_name, 22),
        Column("status", _("Status"), "text", lambda r: names.statuses.get(r.status, r.status), 10),
        Column("composite", _("Composite score"), "score", lambda r: r.composite, 11),
        Column("se", _("Standard error"), "score", lambda r: r.se, 10),
        Column(
            "ci_low",
            _("Confidence interval, low (%(confidence)s)") % {"confidence": confidence},
            "score",
            lambda r: r.ci[0] if r.ci else None,
            12,
        ),
        Column(
            "ci_high",
            _("Confidence interval, high (%(confidence)s)") % {"confidence": confidence},
            "score",
            lambda r: r.ci[1] if r.ci else None,
            12,
        ),
        Column(
            "grade",
            _("Grade"),
            "text",
            lambda r: names.grades.get(r.grade, r.grade) if r.grade else None,
            10,
        ),
        Column(
            "bonus_coefficient",
            _("Bonus coefficient"),
            "coefficient",
            lambda r: r.bonus_coefficient,
            10,
        ),
        Column("bonus_amount", _("Bonus amount"), "money", lambda r: r.bonus_amount, 13),
        Column(
            "satisfaction_rate",
            _("Satisfaction rate (%(category)s)") % {"category": satisfaction},
            "rate",
            lambda r: r.satisfaction_rate,
            12,
        ),
        Column("n_total", _("Responses"), "int", lambda r: r.n_total, 9),
    ]
    for category in (c.id for c in params.categories):
        name = names.category(category)
        columns.append(
            Column(
                f"n:{category}",
                _("Responses (%(category)s)") % {"category": name},
                "int",
                lambda r, c=category: r.n.get(c),
                10,
            )
        )
        columns.append(
            Column(
                f"score:{category}",
                _("Score (%(category)s)") % {"category": name},
                "score",
                lambda r, c=category: r.category_scores.get(c),
                10,
            )
        )
    for indicator in indicator_ids(report):
        columns.append(
            Column(
                f"indicator:{indicator}",
                _("Indicator: %(indicator)s") % {"indicator": names.indicator(indicator)},
                "score",
                lambda r, i=indicator: r.indicators.get(i),
                11,
            )
        )
    columns += [
        Column("previous", _("Previous composite"), "score", lambda r: r.previous, 11),
        Column("change", _("Change"), "change", lambda r: r.change, 9),
    ]
    return columns


def csv_columns(report: ReportInput) -> list[Column]:
    """The CSV's columns: a translated "Level" column, then `row_columns`."""
    _ = report.gettext
    names = labels(report)
    return [
        Column("level", _("Level"), "text", lambda r: names.group(r.group), 12),
        *row_columns(report),
    ]


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def render_csv(report: ReportInput) -> bytes:
    """The marks, an empty line, then all levels in one table (see the module): UTF-8
    with a BOM, so that Excel reads the Chinese, and CRLF line ends."""
    columns = csv_columns(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for label, value in report_marks(report):
        writer.writerow([neutralise(label), neutralise(value)])
    writer.writerow([])
    writer.writerow([neutralise(column.header) for column in columns])
    for level in levels(report):
        for row in ranked_rows(report, level):
            writer.writerow([_csv_text(column.value(row)) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


# -- XLSX -----------------------------------------------------------------------------

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _xlsx_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return _xlsx_text(value)
    return value


def _as_text(cells: Any) -> None:
    """Store the text cells among `cells` as strings: openpyxl makes a cell whose text
    begins with "=" a formula, and a report's text is never one."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _append(sheet: Any, values: list[Any]) -> None:
    """`sheet.append(values)`, text kept as text (see `_as_text`)."""
    sheet.append(values)
    _as_text(sheet[sheet.max_row])


def _header_footer_text(text: str) -> str:
    """Text for a printed page header or footer, where "&" starts a code."""
    return _xlsx_text(text).replace("&", "&&")


def _mark_sheet(sheet: Any, report: ReportInput) -> None:
    """The report's marks on the sheet's first row and in its printed page header; its
    status and the page number in the printed page footer."""
    from openpyxl.styles import Font

    line = _xlsx_text(marks_line(report))
    cell = sheet.cell(row=1, column=1, value=line)
    cell.data_type = "s"
    cell.font = Font(bold=True, color="9C0006" if not report.final else "006100")
    sheet.oddHeader.center.text = _header_footer_text(line)
    sheet.oddHeader.center.size = 8
    sheet.oddFooter.left.text = _header_footer_text(status_label(report))
    sheet.oddFooter.right.text = "&P / &N"


def _keep_exact(cell: Any) -> None:
    """Make openpyxl write a float cell's shortest round-trip repr.

    openpyxl writes numbers as ``"%.16g" % value``, which loses the 17th significant digit
    that some doubles need (2.2861436895305824 would come back as 2.286143689530582). The
    cell keeps its numeric type (``t="n"``) and its style; only the text written into
    ``<v>`` becomes ``repr(value)``, which every spreadsheet reads back as the same double.
    """
    if isinstance(cell.value, float):
        cell._value = repr(cell.value)


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip("' ")[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def _level_sheet(
    workbook: Workbook,
    report: ReportInput,
    title: str,
    rows: list[Row],
    columns: list[Column],
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    _mark_sheet(sheet, report)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    header_alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=TABLE_HEADER_ROW, column=index, value=_xlsx_text(column.header))
        cell.data_type = "s"
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = header_alignment
    sheet.row_dimensions[TABLE_HEADER_ROW].height = 32
    fills = {grade: PatternFill("solid", fgColor=colour) for grade, colour in GRADE_FILLS.items()}
    grade_column = next(i for i, column in enumerate(columns) if column.key == "grade")
    formats = [NUMBER_FORMATS.get(column.kind) for column in columns]
    # Cell by cell: `sheet.max_row` and `sheet[n]` scan every cell, quadratic over 2,000 rows.
    for number, row in enumerate(rows, start=TABLE_HEADER_ROW + 1):
        for index, (column, number_format) in enumerate(zip(columns, formats, strict=True)):
            value = _xlsx_value(column.value(row))
            if value is None:
                continue
            cell = sheet.cell(row=number, column=index + 1, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            if number_format is not None:
                cell.number_format = number_format
                _keep_exact(cell)
            if index == grade_column and row.grade in fills:
                cell.fill = fills[row.grade]
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=TABLE_HEADER_ROW + 1, column=FROZEN_COLUMNS + 1).coordinate
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{TABLE_HEADER_ROW}:{last}{TABLE_HEADER_ROW + len(rows)}"


def _parameters_sheet(workbook: Workbook, report: ReportInput, title: str) -> None:
    from openpyxl.styles import Alignment, Font

    _ = report.gettext
    sheet = workbook.create_sheet(title)
    _mark_sheet(sheet, report)
    sheet.append([])
    bold = Font(bold=True)
    sheet_data = parameter_sheet(report)
    for label, value in sheet_data.general:
        _append(sheet, [_xlsx_text(label), _xlsx_value(value)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([])
    _append(
        sheet,
        [_xlsx_text(_("Category")), _xlsx_text(_("Weight")), _xlsx_text(_("Minimum responses"))],
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for name, weight, minimum in sheet_data.categories:
        _append(sheet, [_xlsx_text(name), weight, minimum])
        _keep_exact(sheet.cell(row=sheet.max_row, column=2))
    sheet.append([])
    for label, value in sheet_data.scoring:
        _append(sheet, [_xlsx_text(label), _xlsx_value(value)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        _keep_exact(sheet.cell(row=sheet.max_row, column=2))
    sheet.column_dimensions["A"].width = 46
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 18
    for row in sheet.iter_rows(min_row=3, min_col=2, max_col=2):
        row[0].alignment = Alignment(horizontal="left")


def _method_sheet(workbook: Workbook, report: ReportInput, title: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(title)
    _mark_sheet(sheet, report)
    sheet.append([])
    sheet.column_dimensions["A"].width = 120
    wrap = Alignment(wrap_text=True, vertical="top")
    for note in method_notes(report):
        _append(sheet, [_xlsx_text(note.heading)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
        for paragraph in note.paragraphs:
            _append(sheet, [_xlsx_text(paragraph)])
            sheet.cell(row=sheet.max_row, column=1).alignment = wrap
        sheet.append([])


def render_xlsx(report: ReportInput) -> bytes:
    """A workbook with a sheet per level present, then the parameters and the method
    (see the module)."""
    from openpyxl import Workbook

    _ = report.gettext
    names = labels(report)
    columns = row_columns(report)
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "appraisal-engine"
    workbook.properties.title = _xlsx_text(report.campaign_name)
    taken: set[str] = set()
    for level in levels(report):
        _level_sheet(
            workbook,
            report,
            _sheet_title(names.group(level), taken),
            ranked_rows(report, level),
            columns,
        )
    _parameters_sheet(workbook, report, _sheet_title(_("Parameters"), taken))
    _method_sheet(workbook, report, _sheet_title(_("Method"), taken))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
