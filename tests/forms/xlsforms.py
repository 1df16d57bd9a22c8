"""Standard XLSForm workbooks as KoboToolbox, ODK and offices write them: none of this
project's extra columns. Shared by the forms, app and browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

SATISFACTION = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
SATISFACTION_EN = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]


def save(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook with `sheets` (name: rows, the header first) saved at `path`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def kobo_form(path: Path) -> Path:
    """A bilingual KoboToolbox form: metadata rows, two groups, a relevant, numeric choice
    names, "label::English (en)" and "label::Chinese (zh)", a settings sheet."""
    survey = [
        ["type", "name", "label::English (en)", "label::Chinese (zh)", "required", "relevant"],
        ["start", "start", None, None, None, None],
        ["end", "end", None, None, None, None],
        ["begin_group", "attitude", "Service attitude", "服务态度", None, None],
        ["select_one sat", "polite", "Were the staff polite?", "工作人员是否礼貌？", "true", None],
        [
            "text",
            "why_rude",
            "What happened?",
            "发生了什么？",
            "false",
            "${polite} = '1' or ${polite} = '2'",
        ],
        ["end_group", None, None, None, None, None],
        ["begin_group", "efficiency", "Efficiency", "办事效率", None, None],
        ["select_one sat", "speed", "How fast was it?", "办理速度如何？", "true", None],
        ["select_one yn", "once", "Done in one visit?", "是否一次办结？", None, None],
        ["end_group", None, None, None, None, None],
        ["text", "comments", "Other comments", "其他意见", None, None],
    ]
    choices = [["list_name", "name", "label::English (en)", "label::Chinese (zh)"]]
    choices += [
        ["sat", n, en, zh]
        for n, (en, zh) in enumerate(zip(SATISFACTION_EN, SATISFACTION, strict=True), 1)
    ]
    choices += [["yn", "no", "No", "否"], ["yn", "yes", "Yes", "是"]]
    settings = [["form_title", "form_id", "version"], ["窗口服务评价", "kobo_window", "1"]]
    return save(path, {"survey": survey, "choices": choices, "settings": settings})


def office_form(path: Path, *, best_first: bool = False) -> Path:
    """A form as an office writes it by hand: no settings sheet, one "label" column in
    Chinese, choices named 1 to 5 (1 the worst, or the best with `best_first`), no group."""
    survey = [
        ["type", "name", "label", "required"],
        ["select_one manyi", "q1", "您对窗口服务的总体评价", "yes"],
        ["select_one manyi", "q2", "您对办事效率的评价", "yes"],
        ["text", "q3", "您的意见和建议", None],
    ]
    labels = list(reversed(SATISFACTION)) if best_first else SATISFACTION
    choices = [["list_name", "name", "label"]]
    choices += [["manyi", n, label] for n, label in enumerate(labels, 1)]
    return save(path, {"survey": survey, "choices": choices})
