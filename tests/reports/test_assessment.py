"""The ranked assessment report (PDF, XLSX, CSV, charts) on results of the real scoring.

Inputs are generated `appraisal-scoring-input/1` documents scored by `scoring.score`
(tests/reports/builders.py): units, service points and cadres with Chinese names and a few
names that a spreadsheet would run as formulas. Every figure the spreadsheets carry must be
the result's own float; the PDF must show them as formatted, in Chinese, without a missing
glyph or a warning.
"""

from __future__ import annotations

import csv
import dataclasses
import gettext
import io
import logging
import re
import shutil
import subprocess
import warnings

import matplotlib.pyplot as plt
import pytest
from babel.messages.extract import extract_from_dir
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from PIL import Image

from reports.assessment import (
    LEVELS,
    csv_columns,
    format_ci,
    format_interval,
    format_rate,
    format_score,
    heatmap_selection,
    level_charts,
    levels,
    neutralise,
    ranked_rows,
    render_csv,
    render_pdf,
    render_xlsx,
    satisfaction_category,
    unit_sections,
)
from reports.charts import change_chart, composite_chart
from reports.fonts import chinese_font_codepoints, drawable
from reports.spreadsheets import (
    FROZEN_COLUMNS,
    GRADE_FILLS,
    ILLEGAL_CHARACTERS_RE,
    TABLE_HEADER_ROW,
    row_columns,
)
from reports.tables import HEATMAP_EACH_END

from .builders import HOSTILE_NAMES, HOSTILE_UNIT, MARKUP_NAMES, report_input
from .zh_catalogue import ZH

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SHEETS = {"unit": "单位", "service_point": "服务窗口", "cadre": "干部"}


class Recorder(logging.Handler):
    """Collects what fpdf2 logs (missing glyphs are logged on `fpdf.output`)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def watched(render):
    """Run `render()`, returning its value, fpdf2's log records and every warning."""
    recorder = Recorder()
    logger = logging.getLogger("fpdf")
    previous = logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = render()
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(previous)
    return value, recorder.records, caught


@pytest.fixture(scope="module")
def small():
    return report_input()


@pytest.fixture(scope="module")
def medium():
    """60 cadres: more than a chart labels one by one, more than the heat map shows."""
    return report_input(units=12, points_per_unit=3, cadres_per_unit=5, seed=11)


@pytest.fixture(scope="module")
def charts(small):
    figures_before = plt.get_fignums()
    drawn, _records, caught = watched(
        lambda: {level: level_charts(small, level, titled=False) for level in levels(small)}
    )
    assert plt.get_fignums() == figures_before, "no figure may stay open"
    assert [str(w.message) for w in caught] == []
    return drawn


@pytest.fixture(scope="module")
def pdf(small, charts):
    document, records, caught = watched(lambda: render_pdf(small, charts=charts))
    return document, records, caught


def pdf_text(document: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("reading the PDF's text needs pdftotext (apt-get install -y poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    run = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return run.stdout.decode("utf-8")


def all_rows(report):
    return [row for level in levels(report) for row in ranked_rows(report, level)]


# -- rows -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["small", "medium"])
def test_rows_copy_every_figure_from_the_result(case, request):
    report = request.getfixturevalue(case)
    by_id = {target["id"]: target for target in report.result["targets"]}
    rows = all_rows(report)
    assert [row.id for row in rows] == [t["id"] for t in report.result["targets"]]
    assert satisfaction_category(report) == "residents"
    for row in rows:
        target = by_id[row.id]
        for key in (
            "status",
            "rank",
            "composite",
            "se",
            "grade",
            "bonus_coefficient",
            "bonus_amount",
        ):
            assert getattr(row, key) == target[key], (row.id, key)
        assert row.ci == (tuple(target["ci"]) if target["ci"] else None)
        assert row.rank_interval == (
            tuple(target["rank_interval"]) if target["rank_interval"] else None
        )
        residents = target["categories"]["residents"]
        assert row.satisfaction_rate == residents["satisfaction_rate"]
        assert row.n == {c: v["n"] for c, v in target["categories"].items()}
        assert row.n_total == sum(v["n"] for v in target["categories"].values())
        assert row.category_scores == {c: v["score"] for c, v in target["categories"].items()}
        assert row.indicators == target["indicators"]
        assert row.name == report.targets[row.id].name
        previous = report.previous.get(row.id)
        assert row.previous == previous
        expected = None if previous is None or row.composite is None else row.composite - previous
        assert row.change == expected


def test_levels_follow_units_points_cadres_and_accept_point(small):
    assert levels(small) == list(LEVELS)
    assert ranked_rows(small, "point") == ranked_rows(small, "service_point")
    ranks = [row.rank for row in ranked_rows(small, "cadre") if row.rated]
    assert ranks == list(range(1, len(ranks) + 1))
    statuses = [row.status for row in all_rows(small)]
    assert "insufficient" in statuses, "the case must show an insufficient target"


def test_unit_sections_gather_each_units_points_and_cadres(small):
    sections = unit_sections(small)
    assert [section.id for section in sections] == [row.id for row in ranked_rows(small, "unit")]
    for section in sections:
        assert section.row is not None and section.row.id == section.id
        assert section.service_points == [
            row for row in ranked_rows(small, "service_point") if row.unit_id == section.id
        ]
        assert section.cadres == [
            row for row in ranked_rows(small, "cadre") if row.unit_id == section.id
        ]
    # The app names units by code ("U001") in TargetInfo.unit_id rather than by target id;
    # one cadre's unit is not appraised, another has no unit.
    coded = {
        key: dataclasses.replace(info, unit_id=info.unit_id.split(":")[1])
        for key, info in small.targets.items()
    }
    cadres = [row.id for row in ranked_rows(small, "cadre")]
    coded[cadres[0]] = dataclasses.replace(coded[cadres[0]], unit_id="U999", unit_name="档案馆")
    coded[cadres[1]] = dataclasses.replace(coded[cadres[1]], unit_id=None, unit_name=None)
    again = unit_sections(dataclasses.replace(small, targets=coded))
    assert [section.id for section in again] == [s.id for s in sections] + ["U999", None]
    assert again[-2].name == "档案馆" and [r.id for r in again[-2].cadres] == [cadres[0]]
    assert [r.id for r in again[-1].cadres] == [cadres[1]]
    assert sum(len(section.cadres) for section in again) == len(cadres)
    assert [len(s.service_points) for s in again[:-2]] == [len(s.service_points) for s in sections]


# -- CSV ------------------------------------------------------------------------------


def csv_parts(data: bytes) -> tuple[list[list[str]], list[list[str]]]:
    """The CSV's leading `label,value` lines and its table (header first), split at the
    first empty line."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    blank = lines.index([])
    return lines[:blank], lines[blank + 1 :]


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


@pytest.mark.parametrize("case", ["small", "medium"])
def test_csv_has_a_bom_and_every_figure_exactly(case, request):
    report = request.getfixturevalue(case)
    data = render_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    marks, table = csv_parts(data)
    assert [label for label, _value in marks] == [
        "报告状态",
        "计分编号",
        "输入 SHA-256",
        "计算时间",
    ]
    columns = csv_columns(report)
    header = table[0]
    assert header[:6] == ["层级", "名次", "名次区间（最好）", "名次区间（最差）", "编号", "名称"]
    assert "综合得分" in header and "满意率（群众）" in header and "得分（基层单位）" in header
    assert "指标：服务态度" in header
    rows = all_rows(report)
    assert len(table) == len(rows) + 1
    for line, row in zip(table[1:], rows, strict=True):
        cells = dict(zip((column.key for column in columns), line, strict=True))
        assert (
            cells["level"]
            == {"unit": "单位", "service_point": "服务窗口", "cadre": "干部"}[row.group]
        )
        assert cells["id"] == row.id
        assert cells["composite"] == csv_cell(row.composite)
        assert cells["se"] == csv_cell(row.se)
        assert cells["ci_low"] == csv_cell(row.ci[0] if row.ci else None)
        assert cells["ci_high"] == csv_cell(row.ci[1] if row.ci else None)
        assert cells["rank"] == csv_cell(row.rank)
        assert cells["bonus_amount"] == csv_cell(row.bonus_amount)
        assert cells["satisfaction_rate"] == csv_cell(row.satisfaction_rate)
        assert cells["change"] == csv_cell(row.change)
        for category, score in row.category_scores.items():
            assert cells[f"score:{category}"] == csv_cell(score)
            assert cells[f"n:{category}"] == str(row.n[category])
        for indicator, value in row.indicators.items():
            assert float(cells[f"indicator:{indicator}"]) == value
        if row.composite is not None:
            assert float(cells["composite"]) == row.composite  # round-trips exactly
        if not row.rated:
            assert cells["rank"] == cells["grade"] == cells["bonus_coefficient"] == ""
            assert cells["status"] == "样本不足"


def test_csv_neutralises_formulas_and_leaves_numbers_alone(small):
    marks, table = csv_parts(render_csv(small))
    keys = [column.key for column in csv_columns(small)]
    names = [line[keys.index("name")] for line in table[1:]]
    for hostile in HOSTILE_NAMES:
        assert "'" + hostile in names
        assert hostile not in names
    units = {line[keys.index("unit")] for line in table[1:]}
    assert "'" + HOSTILE_UNIT in units
    numeric = [k for k in keys if k == "change" or k.startswith(("score:", "composite"))]
    negative = 0
    for line in table[1:]:
        for key in numeric:
            cell = line[keys.index(key)]
            assert not cell.startswith("'")
            if cell:
                negative += float(cell) < 0
    assert negative, "the case must show a negative change written as a plain number"
    for line in marks + table:
        for cell in line:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


# -- XLSX -----------------------------------------------------------------------------


def workbook(report):
    return load_workbook(io.BytesIO(render_xlsx(report)))


@pytest.mark.parametrize("case", ["small", "medium"])
def test_xlsx_sheets_hold_the_results_exact_floats(case, request):
    report = request.getfixturevalue(case)
    book = workbook(report)
    assert book.sheetnames == ["单位", "服务窗口", "干部", "参数", "计分方法"]
    columns = row_columns(report)
    keys = [column.key for column in columns]
    for level in LEVELS:
        sheet = book[SHEETS[level]]
        header = [cell.value for cell in sheet[TABLE_HEADER_ROW]]
        assert header == [column.header for column in columns]
        rows = ranked_rows(report, level)
        assert sheet.max_row == len(rows) + TABLE_HEADER_ROW
        table = sheet.iter_rows(min_row=TABLE_HEADER_ROW + 1)
        for row, cells in zip(rows, table, strict=True):
            value = {key: cell.value for key, cell in zip(keys, cells, strict=True)}
            assert value["id"] == row.id
            assert value["rank"] == row.rank
            assert value["composite"] == row.composite
            assert value["se"] == row.se
            assert value["ci_low"] == (row.ci[0] if row.ci else None)
            assert value["bonus_coefficient"] == row.bonus_coefficient
            assert value["bonus_amount"] == row.bonus_amount
            assert value["satisfaction_rate"] == row.satisfaction_rate
            assert value["previous"] == row.previous
            assert value["change"] == row.change
            for category, score in row.category_scores.items():
                assert value[f"score:{category}"] == score
            for indicator, score in row.indicators.items():
                assert value[f"indicator:{indicator}"] == score


def test_xlsx_formatting(small):
    book = workbook(small)
    keys = [column.key for column in row_columns(small)]
    letter = {key: get_column_letter(i + 1) for i, key in enumerate(keys)}
    sheet = book["干部"]
    assert sheet.freeze_panes == f"{get_column_letter(FROZEN_COLUMNS + 1)}{TABLE_HEADER_ROW + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{TABLE_HEADER_ROW}:")
    assert sheet.auto_filter.ref.endswith(str(sheet.max_row))
    assert sheet.column_dimensions[letter["name"]].width >= 20
    assert sheet["A1"].font.bold and sheet[f"A{TABLE_HEADER_ROW}"].font.bold
    formats = {}
    fills = {}
    for cells in sheet.iter_rows(min_row=TABLE_HEADER_ROW + 1):
        by_key = dict(zip(keys, cells, strict=True))
        for key in ("composite", "satisfaction_rate", "bonus_amount", "rank", "change"):
            if by_key[key].value is not None:
                formats.setdefault(key, set()).add(by_key[key].number_format)
        grade = by_key["grade"]
        if grade.value is not None:
            fills.setdefault(grade.value, set()).add(grade.fill.fgColor.rgb[-6:])
    assert formats["composite"] == {"0.00"}
    assert formats["satisfaction_rate"] == {"0.0%"}
    assert formats["bonus_amount"] == {"#,##0.00"}
    assert formats["rank"] == {"0"}
    assert formats["change"] == {"+0.00;-0.00;0.00"}
    grades = {
        "优秀": "excellent",
        "称职": "competent",
        "基本称职": "basic",
        "不称职": "incompetent",
    }
    assert fills, "the cadres must carry grades"
    for label, colours in fills.items():
        assert colours == {GRADE_FILLS[grades[label]]}


def test_xlsx_keeps_text_as_text_without_an_apostrophe(small):
    """An XLSX text cell is a string, never a formula: no leading "'" (that is the CSV's)."""
    book = workbook(small)
    texts = []
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{sheet.title}!{cell.coordinate}"
                    texts.append(cell.value)
    for hostile in [*HOSTILE_NAMES, HOSTILE_UNIT]:
        assert hostile in texts
        assert "'" + hostile not in texts
    assert not [text for text in texts if text.startswith("'")]
    numbers = [
        cell.value
        for cells in book["干部"].iter_rows(min_row=TABLE_HEADER_ROW + 1)
        for cell in cells
        if isinstance(cell.value, float)
    ]
    assert any(value < 0 for value in numbers), "negative changes stay numbers"


def test_xlsx_text_beginning_with_equals_is_stored_as_a_string(small):
    """In the file itself: the hostile name is an inline string, and no cell has <f>."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(render_xlsx(small))) as archive:
        sheets = b"".join(
            archive.read(name) for name in archive.namelist() if "worksheets/" in name
        ).decode("utf-8")
    assert "<f>" not in sheets and "<f " not in sheets
    assert 't="inlineStr"><is><t>=HYPERLINK("http://x","y")</t>' in sheets


def test_xlsx_drops_the_characters_openpyxl_refuses():
    """reports.spreadsheets writes openpyxl's pattern out so as not to import openpyxl."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as openpyxl_illegal

    assert ILLEGAL_CHARACTERS_RE.pattern == openpyxl_illegal.pattern
    assert ILLEGAL_CHARACTERS_RE.flags == openpyxl_illegal.flags


def test_xlsx_parameters_and_method(small):
    book = workbook(small)
    pairs = {
        cells[0].value: cells[1].value
        for cells in book["参数"].iter_rows()
        if cells[0].value is not None
    }
    assert pairs["测评活动编码"] == small.campaign_code
    assert pairs["计分编号"] == str(small.run_id)
    assert pairs["输入 SHA-256"] == small.input_sha256
    assert pairs["结果 SHA-256"] == small.result_sha256
    assert pairs["时间"] == "2026-01-01 – 2026-12-31"
    assert pairs["类别得分算法"] == "平均值"
    assert pairs["评价得分达到此分数即计为满意"] == 60
    assert pairs["优秀分数线（达到此分可评优秀）"] == 80
    assert pairs["优秀比例上限（占有效评定对象的比例）"] == 0.2
    assert pairs["奖金总额（每个层级）"] == 100_000.0
    assert pairs["奖金系数：优秀"] == 1.2
    rows = [[cell.value for cell in cells] for cells in book["参数"].iter_rows()]
    assert ["群众", 0.5, 20] in rows and ["基层单位", 0.3, 5] in rows
    method = "\n".join(
        str(cells[0].value) for cells in book["计分方法"].iter_rows() if cells[0].value
    )
    for heading in ("评价得分", "评议类别得分", "综合得分", "名次区间", "等次", "满意率与漏斗图"):
        assert heading in method
    assert small.result_sha256 in method


# -- PDF ------------------------------------------------------------------------------


def test_pdf_is_chinese_complete_and_quiet(pdf, small, tmp_path):
    document, records, caught = pdf
    assert document.startswith(b"%PDF")
    assert [r.getMessage() for r in records if "glyph" in r.getMessage().lower()] == []
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []
    assert [str(w.message) for w in caught] == []
    text = pdf_text(document, tmp_path)
    compact = re.sub(r"\s+", "", text)
    for heading in (
        "测评结果排名报告",
        "计分参数",
        "单位：排名表",
        "干部：排名表",
        "附录：计分方法",
        "名次区间",
    ):
        assert heading in compact, heading
    assert small.input_sha256 in text
    assert small.result_sha256 in text
    assert small.campaign_name in compact
    for row in all_rows(small):
        assert re.sub(r"\s+", "", row.name) in compact, row.name
        assert format_score(row.composite) in text
        if row.rated:
            assert format_ci(row.ci) in text
            assert format_interval(row.rank_interval) in text
        assert format_rate(row.satisfaction_rate) in text
    assert "@SUM(1)" in text, "a hostile name is drawn as it is, as plain text"
    for name in MARKUP_NAMES:
        assert name in text, "markdown and TeX in a name are drawn as typed"


def test_pdf_has_a_section_per_unit_with_its_points_and_cadres(pdf, small, tmp_path):
    text = re.sub(r"\s+", "", pdf_text(pdf[0], tmp_path))
    for unit in ranked_rows(small, "unit"):
        heading = f"{unit.name}（{unit.id}）".replace(" ", "")
        assert heading in text
        start = text.index(heading)
        section = text[start:]
        for level in ("service_point", "cadre"):
            for row in ranked_rows(small, level):
                if row.unit_id == unit.id:
                    assert row.id in section


def test_pdf_in_english_without_charts(small, tmp_path):
    english = dataclasses.replace(small, translations=gettext.NullTranslations())
    document, records, caught = watched(lambda: render_pdf(english, charts={}))
    assert not records or all(r.levelno < logging.WARNING for r in records)
    assert [str(w.message) for w in caught] == []
    text = pdf_text(document, tmp_path)
    for words in (
        "Ranked assessment report",
        "Scoring parameters",
        "Appendix: method",
        "Units: ranked table",
        "Composite score",
    ):
        assert words in re.sub(r"\s+", " ", text), words


def test_a_result_without_targets_still_renders(small):
    empty = dataclasses.replace(
        small, result={**small.result, "targets": [], "funnel": {}}, previous={}
    )
    assert levels(empty) == []
    _marks, table = csv_parts(render_csv(empty))
    assert len(table) == 1
    assert load_workbook(io.BytesIO(render_xlsx(empty))).sheetnames == ["参数", "计分方法"]
    document, records, caught = watched(lambda: render_pdf(empty))
    assert document.startswith(b"%PDF")
    assert [str(w.message) for w in caught] == []
    assert all(r.levelno < logging.WARNING for r in records)


# -- charts ---------------------------------------------------------------------------


def assert_png(data: bytes, *, min_width: int = 600, min_height: int = 300) -> None:
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.width >= min_width and image.height >= min_height


def test_every_level_has_its_charts_as_png(charts):
    assert set(charts) == set(LEVELS)
    for level, drawn in charts.items():
        assert [chart.kind for chart in drawn] == ["composite", "funnel", "indicators", "change"]
        for chart in drawn:
            assert chart.group == level
            assert chart.title
            assert_png(chart.png)


def test_large_levels_and_missing_previous(medium):
    no_previous = dataclasses.replace(medium, previous={})
    before = plt.get_fignums()
    (chart, missing), _records, caught = watched(
        lambda: (composite_chart(medium, "cadre"), change_chart(no_previous, "cadre"))
    )
    assert [str(w.message) for w in caught] == []
    assert plt.get_fignums() == before
    assert_png(chart)
    assert missing is None, "the change chart is omitted without a previous campaign"
    rows, gap, left_out = heatmap_selection(medium, "cadre")
    rated = [row for row in ranked_rows(medium, "cadre") if row.rated]
    assert gap == HEATMAP_EACH_END
    assert rows == rated[:HEATMAP_EACH_END] + rated[-HEATMAP_EACH_END:]
    assert left_out == len([r for r in ranked_rows(medium, "cadre") if r.indicators]) - len(rows)
    small_rows, small_gap, _ = heatmap_selection(medium, "unit")
    assert small_gap is None
    assert small_rows == [row for row in ranked_rows(medium, "unit") if row.indicators]


# -- words ----------------------------------------------------------------------------


def source_messages() -> set[str]:
    keywords = {"_": None, "gettext": None}
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            "reports", method_map=[("**.py", "python")], keywords=keywords
        )
    }


def test_every_msgid_has_a_chinese_translation_the_font_can_draw():
    messages = source_messages()
    assert messages, "pybabel must find the report's msgids"
    assert sorted(messages - set(ZH)) == []
    covered = chinese_font_codepoints()
    placeholder = re.compile(r"%\(\w+\)s")
    for message in messages:
        translation = ZH[message]
        assert set(placeholder.findall(translation)) == set(placeholder.findall(message))
        assert not re.search(r"%(?!\()", message), "a bare % confuses python-format checks"
        for text in (message, translation):
            missing = {c for c in text if ord(c) not in covered}
            assert missing == set(), (text, missing)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-3", "'-3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("王 = 李", "王 = 李"),
        ("", ""),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_drawable_replaces_what_the_font_cannot_draw():
    assert drawable("王小明") == "王小明"
    assert drawable("张三😀\n") == "张三? "
