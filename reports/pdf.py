"""The ranked assessment report as PDF (fpdf2, A4 landscape, Noto Sans SC embedded).

Contents: a cover (the report's status, provisional or final, in a banner; campaign,
period, scoring run, both SHA-256, when the run was computed, generation time, counts and
the scoring parameters); per level its ranked table, its header repeated on every page,
followed by its charts; a section per unit (the unit's own row and indicator scores, its
service points, its cadres); an appendix on the method. Bookmarks lead to each part.
Every page's footer carries the report's marks (`reports.tables.marks_line`: status, run,
input SHA-256, when computed), the campaign and the page number.

The language is the translations' (`ReportInput.translations`). Names and other text from
the data are drawn as plain text (`FPDF.text`, never markdown or markup) after
`reports.fonts.drawable`, so no glyph is missing; a name too wide for its column is drawn
smaller (down to `MIN_FONT_SIZE`), then shortened with "…". Tables are drawn cell by cell
with `FPDF.text` rather than `FPDF.table`, which keeps 2,000 rows to about a second.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import WrapMode

from .charts import Chart, level_charts
from .fonts import chinese_font_path, drawable
from .tables import (
    GRADE_TINTS,
    MISSING,
    Labels,
    ReportInput,
    Row,
    format_amount,
    format_change,
    format_ci,
    format_coefficient,
    format_count,
    format_interval,
    format_number,
    format_rate,
    format_score,
    labels,
    level_of,
    levels,
    marks_line,
    method_notes,
    parameter_sheet,
    ranked_rows,
    satisfaction_category,
    scoring_params,
    status_note,
    unit_sections,
)

FONT = "NotoSansSC"
MARGIN = 12.0
BOTTOM = 14.0
BODY_SIZE = 7.0
HEADER_SIZE = 6.5
MIN_FONT_SIZE = 5.0
ROW_HEIGHT = 4.6
HEADER_LINE = 3.2
PADDING = 1.0
PT = 25.4 / 72
#: Punctuation that Chinese typesetting never puts at the start of a line.
NO_LINE_START = set("）)」』】〕，、。；：！？%…·")
HEADER_FILL = (225, 228, 232)
STRIPE_FILL = (246, 247, 249)
RULE = (150, 150, 150)
TEXT = (20, 20, 20)
MUTED = (100, 100, 100)
#: The cover's status banner: (fill, text) for a provisional and for a final report.
STATUS_COLOURS = {
    "provisional": ((255, 235, 156), (156, 87, 0)),
    "final": ((198, 239, 206), (0, 97, 0)),
}
FOOTER_SIZE = 6.5


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


TINTS = {grade: _rgb(colour) for grade, colour in GRADE_TINTS.items()}


def _wrapmode(text: str) -> WrapMode:
    """Text that is mostly Chinese breaks between characters, other text between words
    (an English paragraph naming a Chinese category still breaks between words)."""
    cjk = sum(
        "\u2e80" <= character <= "\u9fff" or "\uff00" <= character <= "\uffef" for character in text
    )
    return WrapMode.CHAR if cjk > text.count(" ") else WrapMode.WORD


class _Document(FPDF):
    def __init__(self, marks: str, footer: str, campaign: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_marks = marks
        self.footer_template = footer
        self.footer_values = {"campaign": campaign}
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = 0.4
        self.set_auto_page_break(True, margin=BOTTOM)
        self.add_font(FONT, "", str(chinese_font_path()))
        self.set_font(FONT, size=BODY_SIZE)
        self.set_text_color(*TEXT)

    def footer(self) -> None:
        """Two lines: the report's marks (made smaller if they would not fit), then the
        campaign and the page number."""
        self.set_font(FONT, size=FOOTER_SIZE)
        self.set_text_color(*MUTED)
        _text(
            self, self.l_margin, self.h - 11.5, self.epw, 3.5, self.footer_marks, "C", FOOTER_SIZE
        )
        self.set_y(-8)
        values = {**self.footer_values, "page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 3.5, self.footer_template % values, align="C")
        self.set_text_color(*TEXT)
        self.set_font_size(BODY_SIZE)

    @property
    def bottom(self) -> float:
        return self.h - BOTTOM


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    align: str = "L"


def _width(pdf: FPDF, text: str, size: float) -> float:
    """Width of `text` at `size` points in the current font, in mm: what
    `FPDF.get_string_width` gives without text shaping, at a fraction of its cost (it
    builds styled fragments for every call, which dominates a table of thousands of rows)."""
    widths = pdf.current_font.cw
    return sum(widths.get(ord(character), 0) for character in text) * size * 0.001 / pdf.k


def _fit(pdf: FPDF, text: str, width: float, size: float) -> tuple[str, float]:
    """`text` and a font size at which it fits `width`: smaller, then shortened."""
    natural = _width(pdf, text, size)
    if natural <= width:
        return text, size
    smaller = max(MIN_FONT_SIZE, size * width / natural * 0.999)
    if _width(pdf, text, smaller) <= width:
        return text, smaller
    while text and _width(pdf, text + "…", smaller) > width:
        text = text[:-1]
    return text + "…", smaller


def _text(
    pdf: FPDF,
    x: float,
    top: float,
    width: float,
    height: float,
    text: str,
    align: str = "L",
    size: float = BODY_SIZE,
) -> None:
    """Plain text in the box (x, top, width, height), vertically centred, at `size`
    points (smaller when it does not fit); the font size is `size` again afterwards."""
    if not text:
        return
    fitted, fitted_size = _fit(pdf, text, width - 2 * PADDING, size)
    baseline = top + (height + 0.7 * fitted_size * PT) / 2
    if align == "R":
        x = x + width - PADDING - _width(pdf, fitted, fitted_size)
    elif align == "C":
        x = x + (width - _width(pdf, fitted, fitted_size)) / 2
    else:
        x = x + PADDING
    if pdf.font_size_pt != fitted_size:
        pdf.set_font_size(fitted_size)
    pdf.text(x, baseline, fitted)
    if fitted_size != size:
        pdf.set_font_size(size)


class _Table:
    """Draws rows under a header that is repeated on every page."""

    def __init__(self, pdf: _Document, columns: Sequence[_Column]) -> None:
        self.pdf = pdf
        total = sum(column.width for column in columns)
        scale = pdf.epw / total
        self.columns = [_Column(c.header, c.width * scale, c.align) for c in columns]

        self.header_sizes = [self._header_size(c) for c in self.columns]
        self.header_lines = [
            self._header_lines(c, size)
            for c, size in zip(self.columns, self.header_sizes, strict=True)
        ]
        self.header_height = max(len(lines) for lines in self.header_lines) * HEADER_LINE
        self.header_height += 2 * PADDING

    def _header_size(self, column: _Column) -> float:
        """A header's font size: smaller when its longest word would not fit the column."""
        pdf = self.pdf
        pdf.set_font_size(HEADER_SIZE)
        words = column.header.split() if _wrapmode(column.header) == WrapMode.WORD else []
        widest = max((_width(pdf, word, HEADER_SIZE) for word in words), default=0.0)
        room = column.width - PADDING - 2 * pdf.c_margin - 0.2
        if widest <= room:
            return HEADER_SIZE
        return max(MIN_FONT_SIZE - 0.5, HEADER_SIZE * room / widest)

    def _header_lines(self, column: _Column, size: float) -> list[str]:
        """The header's lines, wrapped once (drawn on every page with `_text`); a line
        never starts with closing punctuation (the character before it comes along)."""
        self.pdf.set_font_size(size)
        lines = self.pdf.multi_cell(
            column.width - 2 * PADDING + 2 * self.pdf.c_margin,
            HEADER_LINE,
            column.header,
            dry_run=True,
            output="LINES",
            wrapmode=_wrapmode(column.header),
        )
        for number in range(1, len(lines)):
            if lines[number][:1] in NO_LINE_START and len(lines[number - 1]) > 1:
                lines[number] = lines[number - 1][-1] + lines[number]
                lines[number - 1] = lines[number - 1][:-1]
        return lines

    def header(self) -> None:
        pdf = self.pdf
        y = pdf.get_y()
        pdf.set_fill_color(*HEADER_FILL)
        pdf.rect(pdf.l_margin, y, pdf.epw, self.header_height, style="F")
        x = pdf.l_margin
        for column, size, lines in zip(
            self.columns, self.header_sizes, self.header_lines, strict=True
        ):
            top = y + (self.header_height - len(lines) * HEADER_LINE) / 2
            for number, line in enumerate(lines):
                _text(
                    pdf, x, top + number * HEADER_LINE, column.width, HEADER_LINE, line, "C", size
                )
            x += column.width
        pdf.set_font_size(BODY_SIZE)
        pdf.set_draw_color(*RULE)
        pdf.line(
            pdf.l_margin, y + self.header_height, pdf.l_margin + pdf.epw, y + self.header_height
        )
        pdf.set_y(y + self.header_height)

    def rows(
        self,
        cells: Sequence[Sequence[str]],
        tints: Sequence[dict[int, tuple[int, int, int]]] | None = None,
    ) -> None:
        pdf = self.pdf
        if pdf.get_y() + self.header_height + 3 * ROW_HEIGHT > pdf.bottom:
            pdf.add_page()
        self.header()
        y = pdf.get_y()
        for number, values in enumerate(cells):
            if y + ROW_HEIGHT > pdf.bottom:
                pdf.add_page()
                self.header()
                y = pdf.get_y()
            if number % 2:
                pdf.set_fill_color(*STRIPE_FILL)
                pdf.rect(pdf.l_margin, y, pdf.epw, ROW_HEIGHT, style="F")
            x = pdf.l_margin
            tinted = tints[number] if tints else {}
            for index, (column, value) in enumerate(zip(self.columns, values, strict=True)):
                if index in tinted:
                    pdf.set_fill_color(*tinted[index])
                    pdf.rect(x, y, column.width, ROW_HEIGHT, style="F")
                _text(pdf, x, y, column.width, ROW_HEIGHT, value, column.align)
                x += column.width
            y += ROW_HEIGHT
        pdf.set_y(y + 3)


def _heading(
    pdf: _Document, text: str, *, level: int, size: float, bookmark: str | None = None
) -> None:
    if pdf.get_y() + 20 > pdf.bottom:
        pdf.add_page()
    pdf.start_section(bookmark or text, level=level)
    pdf.set_font_size(size)
    pdf.multi_cell(
        0, size * PT * 1.35, text, new_x="LMARGIN", new_y="NEXT", wrapmode=_wrapmode(text)
    )
    pdf.set_font_size(BODY_SIZE)
    pdf.ln(1.5)


def _paragraph(pdf: _Document, text: str, size: float = 8.5, colour=TEXT) -> None:
    pdf.set_font_size(size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(
        0, size * PT * 1.55, text, new_x="LMARGIN", new_y="NEXT", wrapmode=_wrapmode(text)
    )
    pdf.set_text_color(*TEXT)
    pdf.set_font_size(BODY_SIZE)
    pdf.ln(1.2)


# -- the ranked table ------------------------------------------------------------------


class _LevelTable:
    """Columns and cells of a level's ranked table as the PDF shows it."""

    def __init__(self, report: ReportInput, group: str, *, with_unit: bool) -> None:
        _ = report.gettext
        self.names: Labels = labels(report)
        self.categories = [category.id for category in scoring_params(report).categories]
        self.pool = scoring_params(report).pool is not None
        self.previous = bool(report.previous)
        self.with_unit = with_unit
        satisfaction = self.names.category(satisfaction_category(report))
        columns = [
            _Column(_("Rank"), 9, "R"),
            _Column(_("Rank interval"), 14, "C"),
            _Column(_("ID"), 27),
            _Column(_("Name"), 30),
        ]
        if with_unit:
            columns.append(_Column(_("Unit"), 28))
        columns += [
            _Column(_("Composite score"), 13, "R"),
            _Column(_("Confidence interval"), 22, "C"),
            _Column(_("Grade"), 16, "C"),
            _Column(_("Bonus coefficient"), 11, "R"),
        ]
        if self.pool:
            columns.append(_Column(_("Bonus amount"), 17, "R"))
        columns += [
            _Column(_("Satisfaction rate (%(category)s)") % {"category": satisfaction}, 15, "R"),
            _Column(_("Responses"), 11, "R"),
        ]
        columns += [
            _Column(_("Score (%(category)s)") % {"category": self.names.category(c)}, 13, "R")
            for c in self.categories
        ]
        if self.previous:
            columns += [
                _Column(_("Previous composite"), 13, "R"),
                _Column(_("Change"), 11, "R"),
            ]
        self.columns = columns
        self.table: _Table | None = None
        self.grade_index = 7 if with_unit else 6

    def cells(self, row: Row) -> list[str]:
        values = [
            format_count(row.rank),
            format_interval(row.rank_interval),
            drawable(row.id),
            drawable(row.name),
        ]
        if self.with_unit:
            values.append(drawable(row.unit_name) if row.unit_name else MISSING)
        values += [
            format_score(row.composite),
            format_ci(row.ci),
            self.names.grade_or_status(row),
            format_coefficient(row.bonus_coefficient),
        ]
        if self.pool:
            values.append(format_amount(row.bonus_amount))
        values += [format_rate(row.satisfaction_rate), format_count(row.n_total)]
        values += [format_score(row.category_scores.get(c)) for c in self.categories]
        if self.previous:
            values += [format_score(row.previous), format_change(row.change)]
        return values

    def draw(self, pdf: _Document, rows: Sequence[Row]) -> None:
        if self.table is None:  # the header is wrapped once, however many tables follow
            self.table = _Table(pdf, self.columns)
        table = self.table
        tints = [{self.grade_index: TINTS[row.grade]} if row.grade in TINTS else {} for row in rows]
        table.rows([self.cells(row) for row in rows], tints)


# -- the parts -------------------------------------------------------------------------


def _pairs(
    pdf: _Document,
    pairs: Sequence[tuple[str, str]],
    x: float,
    width: float,
    label_width: float,
    size: float = 8.0,
    height: float = 5.2,
) -> None:
    """Label–value lines in a column from the current y."""
    y = pdf.get_y()
    for label, value in pairs:
        pdf.set_text_color(*MUTED)
        _text(pdf, x - PADDING, y, label_width, height, label, size=size)
        pdf.set_text_color(*TEXT)
        _text(pdf, x + label_width - PADDING, y, width - label_width, height, value, size=size)
        y += height
    pdf.set_y(y)


def _status_banner(pdf: _Document, report: ReportInput) -> None:
    """The status (provisional or final) and what it means, in a tinted box."""
    fill, colour = STATUS_COLOURS[report.status]
    note = status_note(report)
    pdf.set_font_size(11)
    pdf.set_fill_color(*fill)
    pdf.set_text_color(*colour)
    pdf.multi_cell(
        0, 7, note, fill=True, padding=1.5, new_x="LMARGIN", new_y="NEXT", wrapmode=_wrapmode(note)
    )
    pdf.set_text_color(*TEXT)
    pdf.set_font_size(BODY_SIZE)


def _cover(pdf: _Document, report: ReportInput) -> None:
    _ = report.gettext
    names = labels(report)
    sheet = parameter_sheet(report)
    pdf.add_page()
    pdf.start_section(_("Cover"), level=0)
    pdf.set_font_size(20)
    pdf.set_y(16)
    pdf.cell(0, 10, _("Ranked assessment report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(14)
    pdf.multi_cell(
        0,
        7,
        drawable(report.campaign_name),
        new_x="LMARGIN",
        new_y="NEXT",
        wrapmode=_wrapmode(report.campaign_name),
    )
    pdf.ln(2)
    _status_banner(pdf, report)
    pdf.ln(3)
    top = pdf.get_y()
    left_width, right_x = 150.0, MARGIN + 160.0
    _pairs(
        pdf,
        [(label, drawable(str(value))) for label, value in sheet.general],
        MARGIN,
        left_width,
        32,
    )
    pdf.ln(5)
    pdf.set_font_size(10)
    pdf.cell(left_width, 6, _("Targets by level"), new_x="LMARGIN", new_y="NEXT")
    counts = [
        _Column(_("Level"), 24),
        _Column(_("Targets"), 12, "R"),
        _Column(_("Rated"), 12, "R"),
        _Column(_("Insufficient"), 14, "R"),
        *(
            _Column(names.grades[grade], 14, "R")
            for grade in ("excellent", "competent", "basic", "incompetent")
        ),
    ]
    summary = []
    for level in levels(report):
        rows = ranked_rows(report, level)
        summary.append(
            [
                names.group(level),
                str(len(rows)),
                str(sum(row.rated for row in rows)),
                str(sum(not row.rated for row in rows)),
                *(
                    str(sum(row.grade == grade for row in rows))
                    for grade in ("excellent", "competent", "basic", "incompetent")
                ),
            ]
        )
    margin = pdf.r_margin
    pdf.set_right_margin(pdf.w - MARGIN - left_width)
    _Table(pdf, counts).rows(summary)
    pdf.set_right_margin(margin)

    pdf.set_xy(right_x, top)
    pdf.set_font_size(10)
    pdf.cell(0, 6, _("Scoring parameters"), new_x="LEFT", new_y="NEXT")
    pdf.set_left_margin(right_x)
    categories = [
        _Column(_("Category"), 40),
        _Column(_("Weight"), 20, "R"),
        _Column(_("Minimum responses"), 25, "R"),
    ]
    _Table(pdf, categories).rows(
        [
            [drawable(name), format_number(weight), str(minimum)]
            for name, weight, minimum in sheet.categories
        ]
    )
    _pairs(
        pdf,
        [
            (label, format_number(value) if not isinstance(value, str) else value)
            for label, value in sheet.scoring
        ],
        right_x,
        pdf.w - MARGIN - right_x,
        78,
        size=7.5,
        height=4.6,
    )
    pdf.set_left_margin(MARGIN)


def _level(pdf: _Document, report: ReportInput, group: str, charts: Sequence[Chart] | None) -> None:
    _ = report.gettext
    names = labels(report)
    rows = ranked_rows(report, group)
    pdf.add_page()
    title = _("%(level)s: ranked table") % {"level": names.group(group)}
    _heading(pdf, title, level=0, size=14, bookmark=names.group(group))
    rated = sum(row.rated for row in rows)
    _paragraph(
        pdf,
        _(
            "%(rated)s rated and %(insufficient)s insufficient. Rated targets in rank order, "
            "then the insufficient ones by id. The rank interval gives the ranks a target "
            "could hold within the confidence level; the grade column shows the status of a "
            "target without a grade."
        )
        % {"rated": rated, "insufficient": len(rows) - rated},
        size=7.5,
        colour=MUTED,
    )
    _LevelTable(report, group, with_unit=level_of(group) != "unit").draw(pdf, rows)
    if charts is None:
        charts = level_charts(report, group, titled=False)
    for chart in charts:
        pdf.add_page()
        _heading(pdf, chart.title, level=1, size=12)
        top = pdf.get_y()
        pdf.image(
            io.BytesIO(chart.png),
            x=pdf.l_margin,
            y=top,
            w=pdf.epw,
            h=pdf.bottom - top - 2,
            keep_aspect_ratio=True,
        )


def _units(pdf: _Document, report: ReportInput) -> None:
    """A section per unit: its own row, its indicators, its service points, its cadres."""
    _ = report.gettext
    names = labels(report)
    sections = unit_sections(report)
    if not sections:
        return
    units_table = _LevelTable(report, "unit", with_unit=False)
    member_tables = {
        level: _LevelTable(report, level, with_unit=False) for level in ("service_point", "cadre")
    }
    indicator_ids = list(
        dict.fromkeys(k for section in sections if section.row for k in section.row.indicators)
    )
    indicator_columns = [_Column(drawable(names.indicator(key)), 20, "R") for key in indicator_ids]
    if len(indicator_columns) < 12:
        indicator_columns.append(_Column("", 20 * (12 - len(indicator_columns))))
    indicator_table: _Table | None = None
    pdf.add_page()
    pdf.start_section(_("By unit"), level=0)
    for number, section in enumerate(sections):
        if number:
            pdf.add_page()
        unit_row = section.row
        heading = (
            _("%(name)s (%(id)s)") % {"name": drawable(section.name), "id": drawable(section.id)}
            if section.id is not None
            else _("Not assigned to a unit")
        )
        _heading(pdf, heading, level=1, size=13)
        if unit_row is not None:
            _paragraph(pdf, _("The unit itself, ranked among all units"), size=8, colour=MUTED)
            units_table.draw(pdf, [unit_row])
            if unit_row.indicators:
                values = [format_score(unit_row.indicators.get(key)) for key in indicator_ids]
                values += [""] * (len(indicator_columns) - len(values))
                _paragraph(pdf, _("Indicator scores of the unit"), size=8, colour=MUTED)
                if indicator_table is None:
                    indicator_table = _Table(pdf, indicator_columns)
                indicator_table.rows([values])
        elif section.id is not None:
            _paragraph(
                pdf, _("This unit is not itself appraised in this campaign."), size=8, colour=MUTED
            )
        for level, title in (
            (
                "service_point",
                _("Service points of this unit, ranked among all service points: %(count)s"),
            ),
            ("cadre", _("Cadres of this unit, ranked among all cadres: %(count)s")),
        ):
            rows = section.service_points if level == "service_point" else section.cadres
            _paragraph(pdf, title % {"count": len(rows)}, size=8, colour=MUTED)
            if rows:
                member_tables[level].draw(pdf, rows)


def _method(pdf: _Document, report: ReportInput) -> None:
    _ = report.gettext
    pdf.add_page()
    _heading(pdf, _("Appendix: method"), level=0, size=14)
    for note in method_notes(report):
        _heading(pdf, note.heading, level=1, size=10.5)
        for paragraph in note.paragraphs:
            _paragraph(pdf, paragraph)
        pdf.ln(1)


def render_pdf(
    report: ReportInput, *, charts: Mapping[str, Sequence[Chart]] | None = None
) -> bytes:
    """The report as PDF bytes (see the module).

    `charts` maps a level to the charts to show after its table, when they are drawn
    already (the dashboard's, say; untitled ones suit the PDF, which writes each title as a
    heading); by default each level's `level_charts(report, level, titled=False)`. A level
    missing from a given mapping gets no charts."""
    _ = report.gettext
    footer = _("%(campaign)s · page %(page)s of %(pages)s")
    pdf = _Document(drawable(marks_line(report)), footer, drawable(report.campaign_name))
    pdf.set_title(report.campaign_name)
    pdf.set_subject(_("Ranked assessment report"))
    pdf.set_creator("appraisal-engine")
    pdf.set_creation_date(report.generated_at)
    pdf.set_lang("zh-CN" if _wrapmode(_("Ranked assessment report")) == WrapMode.CHAR else "en")
    _cover(pdf, report)
    for group in levels(report):
        _level(pdf, report, group, None if charts is None else charts.get(group, ()))
    _units(pdf, report)
    _method(pdf, report)
    return bytes(pdf.output())
