"""forms.interchange: standard XLSForms (KoboToolbox, ODK, hand-written) import with the
defaults the README lists, each reported as a Note."""

from __future__ import annotations

import pytest

from forms.interchange import _language, from_xlsform, to_xlsform
from forms.problems import QuestionnaireError
from forms.schema import content_hash

from .xlsforms import SATISFACTION, kobo_form, office_form, save


def test_a_kobotoolbox_form_imports_with_groups_as_indicators(tmp_path):
    assumed: list = []
    imported = from_xlsform(kobo_form(tmp_path / "kobo.xlsx"), assumed=assumed)
    assert imported["code"] == "kobo_window"
    assert imported["title"] == {"zh": "窗口服务评价", "en": ""}
    assert imported["indicators"] == [
        {"id": "attitude", "name": {"zh": "服务态度", "en": "Service attitude"}, "weight": 1.0},
        {"id": "efficiency", "name": {"zh": "办事效率", "en": "Efficiency"}, "weight": 1.0},
    ]
    by_id = {question["id"]: question for question in imported["questions"]}
    assert list(by_id) == ["polite", "why_rude", "speed", "once", "comments"]
    polite = by_id["polite"]
    assert (polite["type"], polite["scale"], polite["indicator"]) == ("rating", 5, "attitude")
    assert polite["text"] == {"zh": "工作人员是否礼貌？", "en": "Were the staff polite?"}
    assert [(o["id"], o["label"]["zh"], o["points"]) for o in polite["options"]] == [
        ("v1", "非常不满意", 0.0),
        ("v2", "不满意", 25.0),
        ("v3", "一般", 50.0),
        ("v4", "满意", 75.0),
        ("v5", "非常满意", 100.0),
    ]
    assert by_id["why_rude"]["condition"] == {"question": "polite", "one_of": ["v1", "v2"]}
    assert by_id["why_rude"]["indicator"] is None
    assert by_id["once"]["type"] == "single_choice"
    assert by_id["speed"]["indicator"] == by_id["once"]["indicator"] == "efficiency"
    scale = (
        "the choices 1 to 5 are a rating scale, 1 the worst (0 points) and 5 the best (100 points)"
    )
    assert [str(note) for note in assumed] == [
        f"survey row 5: {scale}",
        'survey row 4: the group "attitude" is the indicator "attitude" of its scored questions',
        f"survey row 9: {scale}",
        'survey row 8: the group "efficiency" is the indicator "efficiency" of its scored '
        "questions",
        "skipped, as they show nothing: start, end",
        "no weight column: the questions of an indicator weigh the same",
        "no indicator weights: the indicators weigh the same",
    ]


def test_a_hand_written_form_without_settings_imports(tmp_path):
    assumed: list = []
    imported = from_xlsform(office_form(tmp_path / "window2024.xlsx"), assumed=assumed)
    assert imported["code"] == "window2024"
    assert imported["title"] == {"zh": "window2024", "en": ""}
    assert imported["indicators"] == [
        {"id": "overall", "name": {"zh": "总体评价", "en": "Overall"}, "weight": 1.0}
    ]
    first, second, comment = imported["questions"]
    assert first["text"] == {"zh": "您对窗口服务的总体评价", "en": ""}
    assert [option["label"]["zh"] for option in first["options"]] == SATISFACTION
    assert (second["type"], second["indicator"]) == ("rating", "overall")
    assert (comment["type"], comment["indicator"]) == ("comment", None)
    assert [str(note) for note in assumed] == [
        'no form_id in a settings sheet: the code is "window2024", from the file name',
        'no form_title: the title is the code, "window2024"',
        "survey row 2: the choices 1 to 5 are a rating scale, 1 the worst (0 points) and 5 the "
        "best (100 points)",
        "scored questions outside a group and with no indicator column count towards one "
        'indicator, "overall"',
        "survey row 3: the choices 1 to 5 are a rating scale, 1 the worst (0 points) and 5 the "
        "best (100 points)",
        "no weight column: the questions of an indicator weigh the same",
        "the workbook has no English texts: the English form shows the Chinese",
    ]


def test_a_scale_whose_labels_put_the_best_first_is_reversed(tmp_path):
    assumed: list = []
    path = office_form(tmp_path / "reversed.xlsx", best_first=True)
    first = from_xlsform(path, assumed=assumed)["questions"][0]
    assert [(o["id"], o["label"]["zh"], o["points"]) for o in first["options"]] == [
        ("v5", "非常不满意", 0.0),
        ("v4", "不满意", 25.0),
        ("v3", "一般", 50.0),
        ("v2", "满意", 75.0),
        ("v1", "非常满意", 100.0),
    ]
    assert "5 the worst (0 points) and 1 the best (100 points)" in str(assumed[2])


def test_an_english_only_form_shows_english_on_the_chinese_form(tmp_path):
    survey = [["type", "name", "label::English"], ["select_one yn", "ok", "All fine?"]]
    choices = [["list_name", "name", "label::English"], ["yn", "0", "No"], ["yn", "1", "Yes"]]
    assumed: list = []
    imported = from_xlsform(
        save(tmp_path / "english.xlsx", {"survey": survey, "choices": choices}), assumed=assumed
    )
    question = imported["questions"][0]
    assert question["text"] == {"zh": "All fine?", "en": "All fine?"}
    assert [(o["id"], o["points"]) for o in question["options"]] == [("v0", 0.0), ("v1", 100.0)]
    assert "the workbook has no Chinese texts: the Chinese form shows the English" in [
        str(note) for note in assumed
    ]


def test_label_columns_in_other_spellings_are_read(tmp_path):
    survey = [
        ["type", "name", "label:english", "label::中文", "hint::ZH", "hint::English"],
        ["text", "remark", "Remarks", "备注", "请填写", "Please write"],
    ]
    imported = from_xlsform(save(tmp_path / "spellings.xlsx", {"survey": survey}))
    question = imported["questions"][0]
    assert question["text"] == {"zh": "备注", "en": "Remarks"}
    assert question["help"] == {"zh": "请填写", "en": "Please write"}


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("Chinese (zh)", "zh"),
        ("chinese", "zh"),
        ("中文", "zh"),
        ("zh-CN", "zh"),
        ("ZH", "zh"),
        ("English (en)", "en"),
        ("English", "en"),
        ("english", "en"),
        ("en", "en"),
        ("French (fr)", None),
        ("default", "en"),
    ],
)
def test_language_names_and_codes(name, language):
    assert _language(name, "en") == language


def test_what_the_engine_cannot_score_or_show_is_still_refused(tmp_path):
    survey = [["type", "name", "label"], ["geopoint", "where", "位置"], ["decimal", "x", "数"]]
    with pytest.raises(QuestionnaireError) as raised:
        from_xlsform(save(tmp_path / "bad.xlsx", {"survey": survey}))
    assert [str(problem) for problem in raised.value.problems] == [
        'survey row 2: question type "geopoint" is not supported',
        'survey row 3: question type "decimal" is not supported',
    ]


def test_an_imported_standard_form_exports_and_imports_to_the_same_hash(tmp_path):
    imported = from_xlsform(kobo_form(tmp_path / "kobo.xlsx"))
    to_xlsform(imported, tmp_path / "again.xlsx")
    assumed: list = []
    again = from_xlsform(tmp_path / "again.xlsx", assumed=assumed)
    assert content_hash(again) == content_hash(imported)
    assert assumed == []
