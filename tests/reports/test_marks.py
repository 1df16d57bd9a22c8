"""Every file of the report says whether it is provisional or final, with its run, its
input SHA-256 and when the run was computed: on the PDF's cover and every page footer, in
the top row and the printed page header and footer of every XLSX sheet, and in the CSV's
first lines — in Chinese and in English."""

from __future__ import annotations

import dataclasses
import gettext
import io

import pytest
from openpyxl import load_workbook

from reports.assessment import render_csv, render_pdf, render_xlsx

from .builders import COMPUTED_AT_SHOWN, report_input
from .test_assessment import csv_parts, pdf_text

#: (status, language) → the words each file must show.
WORDS = {
    ("provisional", "zh"): {
        "status": "报告状态：暂定",
        "run": "计分编号：12",
        "input": "输入 SHA-256：",
        "computed": f"计算时间：{COMPUTED_AT_SHOWN}",
        "label": "暂定",
        "other": "定稿",
        "note": "暂定：测评活动尚未定稿",
    },
    ("final", "zh"): {
        "status": "报告状态：定稿",
        "run": "计分编号：12",
        "input": "输入 SHA-256：",
        "computed": f"计算时间：{COMPUTED_AT_SHOWN}",
        "label": "定稿",
        "other": "暂定",
        "note": "定稿：已定稿测评活动的冻结计分结果",
    },
    ("provisional", "en"): {
        "status": "Report status: Provisional",
        "run": "Scoring run: 12",
        "input": "Input SHA-256: ",
        "computed": f"Computed at: {COMPUTED_AT_SHOWN}",
        "label": "Provisional",
        "other": "Final",
        "note": "Provisional: the campaign is not finalised",
    },
    ("final", "en"): {
        "status": "Report status: Final",
        "run": "Scoring run: 12",
        "input": "Input SHA-256: ",
        "computed": f"Computed at: {COMPUTED_AT_SHOWN}",
        "label": "Final",
        "other": "Provisional",
        "note": "Final: the frozen scoring run of the finalised campaign",
    },
}
CASES = list(WORDS)


@pytest.fixture(scope="module")
def base():
    return report_input(units=2, points_per_unit=1, cadres_per_unit=2)


def variant(base, status: str, language: str):
    translations = base.translations if language == "zh" else gettext.NullTranslations()
    return dataclasses.replace(base, status=status, translations=translations)


def expected_marks(report, words) -> list[str]:
    return [words["status"], words["run"], words["input"] + report.input_sha256, words["computed"]]


def test_an_unknown_status_is_refused(base):
    with pytest.raises(ValueError, match="status"):
        dataclasses.replace(base, status="draft")


@pytest.mark.parametrize(("status", "language"), CASES)
def test_the_csv_begins_with_the_marks_then_an_empty_line(base, status, language):
    report = variant(base, status, language)
    words = WORDS[status, language]
    data = render_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    marks, table = csv_parts(data)
    labels = {"zh": ["报告状态", "计分编号", "输入 SHA-256", "计算时间"]}.get(
        language, ["Report status", "Scoring run", "Input SHA-256", "Computed at"]
    )
    assert marks == [
        [labels[0], words["label"]],
        [labels[1], "12"],
        [labels[2], report.input_sha256],
        [labels[3], COMPUTED_AT_SHOWN],
    ]
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[4] == "", "an empty line before the table"
    assert table[0][:2] == (["层级", "名次"] if language == "zh" else ["Level", "Rank"])


@pytest.mark.parametrize(("status", "language"), CASES)
def test_every_xlsx_sheet_carries_the_marks_on_top_and_when_printed(base, status, language):
    report = variant(base, status, language)
    words = WORDS[status, language]
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert len(book.worksheets) == 5
    for sheet in book.worksheets:
        top = sheet["A1"].value
        for mark in expected_marks(report, words):
            assert mark in top, (sheet.title, mark)
            assert mark in sheet.oddHeader.center.text, (sheet.title, mark)
        assert words["other"] not in top
        assert sheet.oddFooter.left.text == words["label"]
        assert sheet.oddFooter.right.text == "&P / &N"
        assert sheet["A2"].value is None or sheet["A2"].value != top


@pytest.mark.parametrize(("status", "language"), CASES)
def test_the_pdf_says_it_on_the_cover_and_every_page(base, status, language, tmp_path):
    report = variant(base, status, language)
    words = WORDS[status, language]
    text = pdf_text(render_pdf(report, charts={}), tmp_path)
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) > 3
    assert words["note"] in pages[0], "the cover's banner"
    assert words["note"] not in "\f".join(pages[1:])
    for number, page in enumerate(pages, start=1):
        for mark in expected_marks(report, words):
            assert mark in page, (number, mark)
        assert words["status"] in page


def test_the_status_changes_only_the_words_of_the_status(base):
    """The same run, provisional then final: the marks differ, the figures do not."""
    provisional, final = (variant(base, status, "zh") for status in ("provisional", "final"))
    _marks_p, table_p = csv_parts(render_csv(provisional))
    _marks_f, table_f = csv_parts(render_csv(final))
    assert table_p == table_f
    assert render_csv(provisional) != render_csv(final)
