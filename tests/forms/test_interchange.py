"""forms.interchange: JSON and XLSForm in and out, with the sample files in examples/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from forms.interchange import (
    from_json,
    from_xlsform,
    read_questionnaire_file,
    to_json,
    to_xlsform,
    write_questionnaire_file,
)
from forms.problems import QuestionnaireError
from forms.schema import FORMAT, content_hash, normalise
from forms.standard import STANDARD_QUESTIONNAIRES, residents_window

from .definitions import every_type, text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def problems_of(call, *args) -> list[str]:
    with pytest.raises(QuestionnaireError) as raised:
        call(*args)
    return [str(problem) for problem in raised.value.problems]


# JSON -----------------------------------------------------------------------------------


def test_to_json_writes_the_normalised_document_readably():
    document = to_json(every_type())
    assert document.endswith("}\n")
    assert '"title": {\n    "zh": "测试问卷"' in document, "indented, Chinese kept as is"
    assert json.loads(document) == normalise(every_type())
    assert json.loads(document)["format"] == FORMAT


@pytest.mark.parametrize("name", list(STANDARD_QUESTIONNAIRES))
def test_json_round_trip_keeps_the_content_hash(name):
    definition = STANDARD_QUESTIONNAIRES[name]()
    again = from_json(to_json(definition))
    assert again == normalise(definition)
    assert content_hash(again) == content_hash(definition)


def test_from_json_accepts_utf8_bytes_with_or_without_a_bom():
    document = to_json(every_type()).encode("utf-8")
    assert from_json(document) == from_json(b"\xef\xbb\xbf" + document) == normalise(every_type())


def test_malformed_json_is_refused_with_line_and_column():
    assert problems_of(
        from_json, '{\n  "format": "appraisal-questionnaire/1",\n  "code" "x"\n}'
    ) == ["line 3 column 10: malformed JSON: Expecting ':' delimiter"]


def test_bytes_that_are_not_utf8_are_refused():
    assert problems_of(from_json, b'{"code": "\xff"}') == ["the file is not UTF-8 text (byte 11)"]


def test_an_invalid_document_is_refused_with_every_path():
    document = normalise(every_type())
    document["questions"][0]["options"][1]["points"] = 150
    document["indicators"][0]["weight"] = -1
    assert problems_of(from_json, json.dumps(document)) == [
        "indicators[0].weight: must be a number greater than 0",
        "questions[0].options[1].points: must be between 0 and 100",
    ]


def test_json_that_is_not_an_object_is_refused():
    assert problems_of(from_json, "[]") == ["a questionnaire definition must be an object"]


def test_files_are_read_and_written_by_suffix(tmp_path):
    for suffix in (".json", ".xlsx", ".JSON"):
        path = tmp_path / f"form{suffix}"
        write_questionnaire_file(every_type(), path)
        assert read_questionnaire_file(path) == normalise(every_type())
    assert problems_of(read_questionnaire_file, tmp_path / "form.csv") == [
        "the file must be a .json or an XLSForm .xlsx file"
    ]
    with pytest.raises(ValueError, match=r"\.json or \.xlsx"):
        write_questionnaire_file(every_type(), tmp_path / "form.txt")


# XLSForm import -------------------------------------------------------------------------

SURVEY_HEADER = [
    "type",
    "name",
    "label::Chinese (zh)",
    "label::English (en)",
    "hint::Chinese (zh)",
    "hint::English (en)",
    "required",
    "relevant",
    "indicator",
    "weight",
    "appraisal_type",
    "constraint",
]
CHOICES_HEADER = ["list_name", "name", "label::zh", "label::en", "points", "not_applicable"]


def survey_row(type_: str, name: str = "", zh: str = "", en: str = "", **columns: Any) -> list[Any]:
    cells = {"type": type_, "name": name, "label::Chinese (zh)": zh, "label::English (en)": en}
    cells.update({key.replace("hint_", "hint::"): value for key, value in columns.items()})
    return [cells.get(column) for column in SURVEY_HEADER]


def example_survey() -> list[list[Any]]:
    """Rows 2 onwards of the survey sheet (row 1 is the header)."""
    return [
        survey_row("begin group", "service", "服务", "Service"),  # row 2
        survey_row(
            "select_one sat",
            "overall",
            "总体满意度",
            "Overall satisfaction",
            **{"hint_Chinese (zh)": "请如实评价", "hint_English (en)": "Please be frank"},
            required="yes",
            indicator="attitude",
            weight=2,
            appraisal_type="satisfaction5",
        ),  # row 3
        survey_row(
            "integer",
            "speed",
            "速度",
            "Speed",
            required="TRUE",
            indicator="efficiency",
            constraint=". >= 1 and . <= 4",
        ),  # row 4
        survey_row(
            "integer",
            "recommend",
            "推荐",
            "Recommend",
            indicator="efficiency",
            constraint=".>=0 and .<=10",
        ),  # row 5
        survey_row("end group"),  # row 6
        survey_row("note", "explain", "请说明原因", "Please tell us why"),  # row 7
        survey_row(
            "text",
            "reason",
            "原因",
            "Reason",
            relevant="${overall} = 'dissatisfied' or ${overall} = \"very_dissatisfied\"",
        ),  # row 8
        survey_row("select_multiple problems", "problems", "问题", "Problems"),  # row 9
        survey_row(
            "text",
            "rude_detail",
            "请说明",
            "Details",
            required="yes",
            relevant="selected(${problems}, 'rude')",
            appraisal_type="short_text",
        ),  # row 10
        survey_row("select_one channel", "channel", "渠道", "Channel", indicator="efficiency"),
        survey_row("text", "phone", "手机", "Mobile", appraisal_type="contact_phone"),  # row 12
        survey_row(
            "select_one yn",
            "again",
            "一次办结",
            "",
            indicator="efficiency",
            appraisal_type="yes_no",
            relevant="${speed} = 1 or ${speed} = '2'",
        ),  # row 13
    ]


def example_choices() -> list[list[Any]]:
    labels = [("非常不满意", "Very dissatisfied"), ("不满意", "Dissatisfied"), ("一般", "Neither")]
    labels += [("满意", "Satisfied"), ("非常满意", "Very satisfied")]
    ids = ["very_dissatisfied", "dissatisfied", "neutral", "satisfied", "very_satisfied"]
    rows = [
        ["sat", option_id, zh, en, 25 * n, None]
        for n, (option_id, (zh, en)) in enumerate(zip(ids, labels, strict=True))
    ]
    rows[0][4] = 10  # row 2: a non-default points value
    rows += [
        ["sat", "unknown", "不了解", "Don't know", None, "yes"],  # row 7
        ["problems", "queue", "排队", "Queue", None, None],
        ["problems", "rude", "态度差", "Rude", None, None],
        ["channel", "window", "窗口", "Window", 80, None],  # row 10
        ["channel", "online", "网上", "Online", "100", None],
        ["channel", "unsure", "说不清", "Not sure", None, "TRUE"],
        ["yn", "no", "否", "No", None, None],  # row 13
        ["yn", "yes", "是", "Yes", None, None],
    ]
    return rows


def example_settings() -> list[list[Any]]:
    return [
        ["form_id", "form_title", "form_title::English (en)", "intro::Chinese (zh)"],
        ["imported-form", "导入的问卷", "Imported questionnaire", "请花一分钟"],
    ]


def example_indicators() -> list[list[Any]]:
    return [
        ["name", "label::Chinese (zh)", "label::English (en)", "weight"],
        ["attitude", "服务态度", "Attitude", 0.4],
        ["efficiency", "办事效率", "Efficiency", "0.6"],
    ]


def write_workbook(
    path: Path,
    survey: list[list[Any]] | None = None,
    choices: list[list[Any]] | None = None,
    settings: list[list[Any]] | None = None,
    indicators: list[list[Any]] | None = None,
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in [SURVEY_HEADER, *(example_survey() if survey is None else survey)]:
        sheet.append(row)
    sheet = workbook.create_sheet("choices")
    for row in [CHOICES_HEADER, *(example_choices() if choices is None else choices)]:
        sheet.append(row)
    if settings != []:
        sheet = workbook.create_sheet("settings")
        for row in example_settings() if settings is None else settings:
            sheet.append(row)
    if indicators != []:
        sheet = workbook.create_sheet("Indicators")
        for row in example_indicators() if indicators is None else indicators:
            sheet.append(row)
    workbook.save(path)
    return path


def expected_import() -> dict[str, Any]:
    satisfaction = [
        {"id": "very_dissatisfied", "label": text("非常不满意", "Very dissatisfied"), "points": 10},
        {"id": "dissatisfied", "label": text("不满意", "Dissatisfied"), "points": 25},
        {"id": "neutral", "label": text("一般", "Neither"), "points": 50},
        {"id": "satisfied", "label": text("满意", "Satisfied"), "points": 75},
        {"id": "very_satisfied", "label": text("非常满意", "Very satisfied"), "points": 100},
        {"id": "unknown", "label": text("不了解", "Don't know"), "not_applicable": True},
    ]
    return {
        "format": FORMAT,
        "code": "imported-form",
        "title": text("导入的问卷", "Imported questionnaire"),
        "intro": text("请花一分钟"),
        "indicators": [
            {"id": "attitude", "name": text("服务态度", "Attitude"), "weight": 0.4},
            {"id": "efficiency", "name": text("办事效率", "Efficiency"), "weight": 0.6},
        ],
        "questions": [
            {
                "id": "overall",
                "type": "satisfaction5",
                "text": text("总体满意度", "Overall satisfaction"),
                "help": text("请如实评价", "Please be frank"),
                "required": True,
                "indicator": "attitude",
                "weight": 2,
                "options": satisfaction,
            },
            {
                "id": "speed",
                "type": "rating",
                "scale": 4,
                "text": text("速度", "Speed"),
                "required": True,
                "indicator": "efficiency",
            },
            {
                "id": "recommend",
                "type": "scale_0_10",
                "text": text("推荐", "Recommend"),
                "indicator": "efficiency",
            },
            {
                "id": "reason",
                "type": "comment",
                "text": text("原因", "Reason"),
                "help": text("请说明原因", "Please tell us why"),
                "condition": {
                    "question": "overall",
                    "one_of": ["dissatisfied", "very_dissatisfied"],
                },
            },
            {
                "id": "problems",
                "type": "multiple_choice",
                "text": text("问题", "Problems"),
                "options": [
                    {"id": "queue", "label": text("排队", "Queue")},
                    {"id": "rude", "label": text("态度差", "Rude")},
                ],
            },
            {
                "id": "rude_detail",
                "type": "short_text",
                "text": text("请说明", "Details"),
                "required": True,
                "condition": {"question": "problems", "one_of": ["rude"]},
            },
            {
                "id": "channel",
                "type": "single_choice",
                "text": text("渠道", "Channel"),
                "indicator": "efficiency",
                "options": [
                    {"id": "window", "label": text("窗口", "Window"), "points": 80},
                    {"id": "online", "label": text("网上", "Online"), "points": 100},
                    {"id": "unsure", "label": text("说不清", "Not sure"), "not_applicable": True},
                ],
            },
            {"id": "phone", "type": "contact_phone", "text": text("手机", "Mobile")},
            {
                "id": "again",
                "type": "yes_no",
                "text": text("一次办结"),
                "indicator": "efficiency",
                "condition": {"question": "speed", "one_of": ["v1", "v2"]},
            },
        ],
    }


def test_xlsform_import_of_the_supported_subset(tmp_path):
    imported = from_xlsform(write_workbook(tmp_path / "form.xlsx"))
    assert imported == normalise(expected_import())


def test_without_an_indicators_sheet_the_named_indicators_get_weight_1(tmp_path):
    imported = from_xlsform(write_workbook(tmp_path / "form.xlsx", indicators=[]))
    assert imported["indicators"] == [
        {"id": "attitude", "name": text("attitude"), "weight": 1.0},
        {"id": "efficiency", "name": text("efficiency"), "weight": 1.0},
    ]


def test_plain_label_columns_are_chinese(tmp_path):
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "label::en"])
    survey.append(["text", "comment", "意见", "Comments"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "form_title"])
    settings.append(["plain", "简单问卷"])
    workbook.save(tmp_path / "plain.xlsx")
    imported = from_xlsform(tmp_path / "plain.xlsx")
    assert imported["title"] == {"zh": "简单问卷", "en": ""}
    assert imported["questions"][0]["text"] == {"zh": "意见", "en": "Comments"}
    assert imported["indicators"] == []


def test_an_unsupported_type_is_refused_naming_its_row(tmp_path):
    survey = example_survey()
    survey.insert(5, survey_row("geopoint", "where", "位置", "Where"))  # row 7
    assert problems_of(from_xlsform, write_workbook(tmp_path / "geo.xlsx", survey)) == [
        'survey row 7: question type "geopoint" is not supported'
    ]


def test_every_unsupported_row_is_reported_at_once(tmp_path):
    survey = [
        *example_survey(),
        survey_row("calculate", "total"),  # row 14
        survey_row("begin repeat", "people", "人员"),  # row 15
        survey_row("text", "name", "姓名"),
        survey_row("end repeat"),  # row 17
        survey_row("select_one yn or_other", "maybe", "也许"),  # row 18
        survey_row("text", "age", "年龄", constraint=". > 18"),  # row 19
        [None, "orphan"],  # row 20
    ]
    assert problems_of(from_xlsform, write_workbook(tmp_path / "many.xlsx", survey)) == [
        'survey row 14: question type "calculate" is not supported',
        'survey row 15: "begin repeat": repeats are not supported',
        'survey row 17: "end repeat": repeats are not supported',
        'survey row 18: "select_one yn or_other": "or other" is not supported',
        'survey row 19: a "constraint" is supported only on an integer question',
        "survey row 20: the type is empty",
    ]


def replace_survey_row(number: int, row: list[Any]) -> list[list[Any]]:
    survey = example_survey()
    survey[number - 2] = row
    return survey


@pytest.mark.parametrize(
    ("survey", "expected"),
    [
        pytest.param(
            replace_survey_row(
                8, survey_row("text", "reason", "原因", relevant="${overall} != 'satisfied'")
            ),
            [
                "survey row 8: relevant \"${overall} != 'satisfied'\" is not supported: "
                "use ${q} = 'x', selected(${q}, 'x'), or several of these on one question "
                'joined by "or"'
            ],
            id="relevant with !=",
        ),
        pytest.param(
            replace_survey_row(
                8,
                survey_row(
                    "text",
                    "reason",
                    "原因",
                    relevant="${overall} = 'dissatisfied' and ${speed} = 1",
                ),
            ),
            [
                "survey row 8: relevant \"${overall} = 'dissatisfied' and ${speed} = 1\" is not "
                "supported: use ${q} = 'x', selected(${q}, 'x'), or several of these on one "
                'question joined by "or"'
            ],
            id="relevant with and",
        ),
        pytest.param(
            replace_survey_row(
                8,
                survey_row(
                    "text", "reason", "原因", relevant="${overall} = 'dissatisfied' or ${speed} = 1"
                ),
            ),
            [
                "survey row 8: relevant \"${overall} = 'dissatisfied' or ${speed} = 1\" must test "
                "one question, not 2"
            ],
            id="relevant on two questions",
        ),
        pytest.param(
            replace_survey_row(
                8, survey_row("text", "reason", "原因", relevant="${overall} = 'furious'")
            ),
            ["survey row 8: condition.one_of[0]: question 'overall' has no option \"furious\""],
            id="relevant naming a missing choice",
        ),
        pytest.param(
            replace_survey_row(8, survey_row("text", "reason", "原因", relevant="${phone} = 'x'")),
            ["survey row 8: condition.question: must name an earlier question (got 'phone')"],
            id="relevant naming a later question",
        ),
        pytest.param(
            replace_survey_row(4, survey_row("integer", "speed", "速度", indicator="efficiency")),
            [
                'survey row 4: an integer question needs the constraint ". >= 0 and . <= 10" (a '
                '0–10 scale) or ". >= 1 and . <= k" (a rating 1..k, k from 2 to 10)'
            ],
            id="integer without constraint",
        ),
        pytest.param(
            replace_survey_row(
                4,
                survey_row(
                    "integer",
                    "speed",
                    "速度",
                    indicator="efficiency",
                    constraint=". >= 1 and . <= 12",
                ),
            ),
            [
                'survey row 4: an integer question needs the constraint ". >= 0 and . <= 10" (a '
                '0–10 scale) or ". >= 1 and . <= k" (a rating 1..k, k from 2 to 10)'
            ],
            id="integer rating 1..12",
        ),
        pytest.param(
            replace_survey_row(
                5,
                survey_row(
                    "integer",
                    "recommend",
                    "推荐",
                    indicator="efficiency",
                    constraint=". >= 0 and . <= 10",
                    appraisal_type="rating",
                ),
            ),
            [
                'survey row 5: appraisal_type "rating" does not fit the constraint '
                '". >= 0 and . <= 10", which makes a scale_0_10 question'
            ],
            id="integer whose appraisal_type disagrees",
        ),
        pytest.param(
            replace_survey_row(12, survey_row("text", "phone", "手机", appraisal_type="yes_no")),
            [
                'survey row 12: appraisal_type "yes_no" does not fit a text question (use one of: '
                "comment, short_text, contact_phone)"
            ],
            id="text with a choice type",
        ),
        pytest.param(
            replace_survey_row(
                11, survey_row("select_one channel", "channel", "渠道", indicator="speed")
            ),
            ["survey row 11: indicator: no indicator 'speed' is declared"],
            id="indicator not declared",
        ),
        pytest.param(
            replace_survey_row(
                3,
                survey_row(
                    "select_one sat",
                    "overall",
                    "总体",
                    indicator="attitude",
                    appraisal_type="satisfaction5",
                    required="maybe",
                ),
            ),
            ['survey row 3: required: "maybe" must be yes or no'],
            id="required neither yes nor no",
        ),
        pytest.param(
            replace_survey_row(
                3,
                survey_row(
                    "select_one sat",
                    "overall",
                    "总体",
                    indicator="attitude",
                    appraisal_type="satisfaction5",
                    weight="heavy",
                ),
            ),
            ['survey row 3: weight: "heavy" is not a number'],
            id="weight not a number",
        ),
        pytest.param(
            [
                survey_row("select_one sat", "first", "总体", indicator="attitude"),
                survey_row("begin group", "more", "更多", relevant="${first} = 'dissatisfied'"),
                survey_row("text", "why", "原因", relevant="${first} = 'satisfied'"),
                survey_row("end group"),
            ],
            [
                'survey row 4: both this question and its group (row 3) have a "relevant": a'
                " question is shown on one condition; set it on the question only"
            ],
            id="relevant on a group and on its question",
        ),
        pytest.param(
            replace_survey_row(
                3, survey_row("select_one nolist", "overall", "总体", indicator="attitude")
            ),
            ["survey row 3: List name not in choices sheet: nolist"],
            id="pyxform's own check",
        ),
    ],
)
def test_faults_are_reported_with_their_row(tmp_path, survey, expected):
    assert problems_of(from_xlsform, write_workbook(tmp_path / "form.xlsx", survey)) == expected


def test_choice_faults_are_reported_with_their_choices_row(tmp_path):
    choices = example_choices()
    choices[2][4] = 150  # row 4
    choices[3][4] = "lots"  # row 5
    choices[12][5] = "perhaps"  # row 14
    assert problems_of(from_xlsform, write_workbook(tmp_path / "form.xlsx", choices=choices)) == [
        'choices row 5: points: "lots" is not a number',
        'choices row 14: not_applicable: "perhaps" must be yes or no',
        "choices row 4: points: must be between 0 and 100",
    ]


def test_indicator_and_settings_faults_are_reported_with_their_sheet(tmp_path):
    indicators = example_indicators()
    indicators[2][3] = 0
    settings = [["form_id", "form_title"], ["bad code", "标题"]]
    path = write_workbook(tmp_path / "form.xlsx", settings=settings, indicators=indicators)
    assert problems_of(from_xlsform, path) == [
        "settings: form_id: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a "
        "letter or digit",
        "indicators row 3: weight: must be a number greater than 0",
    ]


def test_a_scored_question_outside_groups_without_indicator_counts_towards_overall(tmp_path):
    survey = replace_survey_row(11, survey_row("select_one channel", "channel", "渠道"))
    assumed: list = []
    imported = from_xlsform(write_workbook(tmp_path / "form.xlsx", survey), assumed=assumed)
    assert imported["questions"][6]["indicator"] == "overall"
    assert imported["indicators"][-1] == {
        "id": "overall",
        "name": {"zh": "总体评价", "en": "Overall"},
        "weight": 1.0,
    }
    assert [str(note) for note in assumed] == [
        "scored questions outside a group and with no indicator column count towards one "
        'indicator, "overall"'
    ]


def test_a_workbook_without_settings_takes_its_code_from_the_file_name(tmp_path):
    assumed: list = []
    path = write_workbook(tmp_path / "窗口 survey 2024.xlsx", settings=[])
    imported = from_xlsform(path, assumed=assumed)
    assert imported["code"] == "survey-2024"
    assert imported["title"] == {"zh": "survey-2024", "en": ""}
    assert [str(note) for note in assumed] == [
        'no form_id in a settings sheet: the code is "survey-2024", from the file name',
        'no form_title: the title is the code, "survey-2024"',
    ]
    named = from_xlsform(path, name="residents.xlsx")
    assert named["code"] == "residents"


def test_the_sample_workbook_assumes_nothing(tmp_path):
    assumed: list = []
    from_xlsform(write_workbook(tmp_path / "form.xlsx"), assumed=assumed)
    assert assumed == []


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"not a workbook")
    [problem] = problems_of(from_xlsform, path)
    assert problem.startswith("not a readable XLSForm workbook")
    assert problems_of(from_xlsform, tmp_path / "missing.xlsx") == [
        f"no such file: {tmp_path / 'missing.xlsx'}"
    ]


# XLSForm export -------------------------------------------------------------------------


def varied() -> dict[str, Any]:
    """every_type() with the parts an export must carry: intro, help, null and custom
    points, a not-applicable scale option, weights that are not whole numbers."""
    definition = every_type()
    definition["intro"] = text("请花一分钟", "One minute, please")
    overall = definition["questions"][0]
    overall["options"] = [
        {"id": "very_dissatisfied", "label": text("很差", "Very bad"), "points": None},
        {"id": "dissatisfied", "label": text("差", "Bad"), "points": 100 / 3},
        {"id": "neutral", "label": text("中", "Fair")},
        {"id": "satisfied", "label": text("好", "Good")},
        {"id": "very_satisfied", "label": text("很好", "Very good")},
        {"id": "unknown", "label": text("不了解", ""), "not_applicable": True},
    ]
    overall["weight"] = 0.1
    overall["help"] = text("第一行\n第二行", "Line one\nline two")
    definition["indicators"][1]["weight"] = 1 / 7
    return definition


@pytest.mark.parametrize(
    "make", [*STANDARD_QUESTIONNAIRES.values(), every_type, varied], ids=lambda f: f.__name__
)
def test_xlsform_round_trip_keeps_the_content_hash(tmp_path, make):
    path = tmp_path / "form.xlsx"
    to_xlsform(make(), path)
    again = from_xlsform(path)
    assert again == normalise(make())
    assert content_hash(again) == content_hash(make())


def test_the_export_is_a_bilingual_xlsform(tmp_path):
    path = tmp_path / "form.xlsx"
    to_xlsform(varied(), path)
    workbook = load_workbook(path, read_only=True)
    try:
        assert workbook.sheetnames == ["survey", "choices", "indicators", "settings"]
        survey = list(workbook["survey"].iter_rows(values_only=True))
        assert survey[0][:4] == ("type", "name", "label::Chinese (zh)", "label::English (en)")
        by_name = {row[1]: row for row in survey[1:]}
        assert by_name["overall"][0] == "select_one overall"
        assert by_name["problems"][0] == "select_multiple problems"
        assert by_name["reason"][:4] == (
            "text",
            "reason",
            "不满意的原因",
            "Why were you dissatisfied?",
        )
        assert (
            by_name["reason"][7]
            == "${overall} = 'dissatisfied' or ${overall} = 'very_dissatisfied'"
        )
        assert by_name["rude_detail"][7] == "selected(${problems}, 'rude')"
        choices = list(workbook["choices"].iter_rows(values_only=True))
        assert ("overall", "very_dissatisfied", "很差", "Very bad", "null", None) in choices
        assert ("overall", "unknown", "不了解", None, None, "yes") in choices
    finally:
        workbook.close()


def test_what_xlsform_cannot_carry_is_refused_on_export(tmp_path):
    definition = every_type()
    definition["questions"][-1]["id"] = "meta"
    definition["questions"][0]["text"]["en"] = "Rate ${staff}"
    path = tmp_path / "form.xlsx"
    assert problems_of(to_xlsform, definition, path) == [
        'questions[8].id: "meta" is reserved in XLSForm',
        'questions[0].text.en: "${" cannot be written in an XLSForm (it marks a reference)',
    ]
    assert not path.exists()


# The samples in examples/ ---------------------------------------------------------------


def test_the_json_sample_is_the_residents_form_as_to_json_writes_it():
    """Regenerate with: python -c "from pathlib import Path; from forms.interchange import
    to_json; from forms.standard import residents_window; Path('examples/questionnaire.json')
    .write_text(to_json(residents_window()), encoding='utf-8')"."""
    path = EXAMPLES / "questionnaire.json"
    assert path.read_text(encoding="utf-8") == to_json(residents_window())
    assert content_hash(read_questionnaire_file(path)) == content_hash(residents_window())


def test_the_xlsform_sample_is_the_bilingual_residents_form():
    """Regenerate with forms.interchange.to_xlsform(residents_window(),
    "examples/questionnaire-xlsform.xlsx")."""
    imported = from_xlsform(EXAMPLES / "questionnaire-xlsform.xlsx")
    assert imported == normalise(residents_window())
    assert all(question["text"]["en"] for question in imported["questions"])


def test_a_groups_relevant_holds_for_its_questions_and_names_become_ids(tmp_path):
    """Kobo names questions "_1_..." and sets "relevant" on groups: the names become ids,
    the condition goes to each question of the group, and the import says so."""
    survey = [
        survey_row("select_one sat", "_1_overall", "总体", indicator="attitude"),
        survey_row("begin group", "more", "更多", relevant="${_1_overall} = 'dissatisfied'"),
        survey_row("text", "why", "原因"),
        survey_row("select_one yn", "again", "再来", indicator="attitude"),
        survey_row("end group"),
    ]
    assumed: list = []
    imported = from_xlsform(write_workbook(tmp_path / "form.xlsx", survey), assumed=assumed)
    ids = [question["id"] for question in imported["questions"]]
    assert ids == ["q__1_overall", "why", "again"]
    condition = {"question": "q__1_overall", "one_of": ["dissatisfied"]}
    assert [q.get("condition") for q in imported["questions"]] == [None, condition, condition]
    assert any(note.params.get("id") == "q__1_overall" for note in assumed)
