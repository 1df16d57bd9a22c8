"""forms.schema: every validation rule names the broken item by its path; normalise fills
in every default and is idempotent; load gives the dataclass tree."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from forms.schema import (
    FORMAT,
    Problem,
    QuestionnaireError,
    content_hash,
    load,
    normalise,
    validate,
)
from forms.specs import Questionnaire, Text
from forms.standard import STANDARD_QUESTIONNAIRES

from .definitions import every_type, minimal, text

Mutation = Callable[[dict[str, Any]], Any]


def question(definition: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(q for q in definition["questions"] if q["id"] == question_id)


def set_in(*keys: Any, value: Any) -> Mutation:
    def mutate(definition: dict[str, Any]) -> None:
        target = definition
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


def delete_in(*keys: Any) -> Mutation:
    def mutate(definition: dict[str, Any]) -> None:
        target = definition
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return mutate


def append_to(*keys: Any, value: Any) -> Mutation:
    def mutate(definition: dict[str, Any]) -> None:
        target = definition
        for key in keys:
            target = target[key]
        target.append(copy.deepcopy(value))

    return mutate


RATING = {"id": "speed", "type": "rating", "text": text("速度"), "indicator": "attitude"}
CHOICE = {
    "id": "channel",
    "type": "single_choice",
    "text": text("渠道"),
    "indicator": "attitude",
    "options": [{"id": "window", "label": text("窗口")}, {"id": "online", "label": text("网上")}],
}
MULTIPLE = {
    "id": "problems",
    "type": "multiple_choice",
    "text": text("问题"),
    "options": [{"id": "queue", "label": text("排队")}, {"id": "rude", "label": text("态度")}],
}
SATISFACTION_IDS = ["very_dissatisfied", "dissatisfied", "neutral", "satisfied", "very_satisfied"]
FIVE_OPTIONS = [{"id": option_id, "label": text(option_id)} for option_id in SATISFACTION_IDS]

# (what is wrong, how to break minimal(), the paths of the problems, a message fragment)
FAULTS: list[tuple[str, Mutation, list[str], str]] = [
    ("format missing", delete_in("format"), ["format"], "is required"),
    ("format wrong", set_in("format", value="appraisal/2"), ["format"], FORMAT),
    ("code missing", delete_in("code"), ["code"], "is required"),
    ("code with a space", set_in("code", value="my form"), ["code"], "letters, digits"),
    ("code starting with '-'", set_in("code", value="-x"), ["code"], "starting with"),
    ("code too long", set_in("code", value="c" * 65), ["code"], "1 to 64"),
    ("code not a string", set_in("code", value=7), ["code"], "letters, digits"),
    ("unknown top-level key", set_in("colour", value="red"), ["colour"], "unknown key"),
    ("title missing", delete_in("title"), ["title"], "is required"),
    ("title not an object", set_in("title", value="标题"), ["title"], '"zh"'),
    ("title without zh", delete_in("title", "zh"), ["title.zh"], "is required"),
    ("title blank", set_in("title", "zh", value="  "), ["title.zh"], "must not be empty"),
    ("title too long", set_in("title", "zh", value="长" * 201), ["title.zh"], "200"),
    ("title in French", set_in("title", "fr", value="Titre"), ["title.fr"], "unknown key"),
    ("title en not text", set_in("title", "en", value=None), ["title.en"], "must be a string"),
    ("title control char", set_in("title", "en", value="a\x07"), ["title.en"], "control"),
    ("intro not an object", set_in("intro", value=3), ["intro"], '"zh"'),
    ("indicators not a list", set_in("indicators", value={}), ["indicators"], "list"),
    (
        "indicator not an object",
        set_in("indicators", 0, value="x"),
        ["indicators[0]", "questions[0].indicator"],
        "object",
    ),
    (
        "indicator id not an identifier",
        set_in("indicators", 0, "id", value="1st"),
        ["indicators[0].id", "questions[0].indicator"],
        "identifier",
    ),
    (
        "indicator id twice",
        append_to("indicators", value={"id": "attitude", "name": text("重复"), "weight": 1}),
        ["indicators[1].id"],
        "already the id of indicators[0]",
    ),
    (
        "indicator name missing",
        delete_in("indicators", 0, "name"),
        ["indicators[0].name"],
        "is required",
    ),
    (
        "indicator weight 0",
        set_in("indicators", 0, "weight", value=0),
        ["indicators[0].weight"],
        "greater than 0",
    ),
    (
        "indicator weight text",
        set_in("indicators", 0, "weight", value="1"),
        ["indicators[0].weight"],
        "number",
    ),
    (
        "indicator weight true",
        set_in("indicators", 0, "weight", value=True),
        ["indicators[0].weight"],
        "number",
    ),
    (
        "indicator weight NaN",
        set_in("indicators", 0, "weight", value=float("nan")),
        ["indicators[0].weight"],
        "number",
    ),
    (
        "indicator unknown key",
        set_in("indicators", 0, "colour", value=1),
        ["indicators[0].colour"],
        "unknown key",
    ),
    ("questions missing", delete_in("questions"), ["questions"], "is required"),
    ("questions empty", set_in("questions", value=[]), ["questions"], "at least one"),
    ("questions not a list", set_in("questions", value={}), ["questions"], "list"),
    ("question not an object", set_in("questions", 1, value=[]), ["questions[1]"], "object"),
    ("question id missing", delete_in("questions", 1, "id"), ["questions[1].id"], "is required"),
    (
        "question id with a space",
        set_in("questions", 1, "id", value="the reason"),
        ["questions[1].id"],
        "identifier",
    ),
    (
        "question id too long",
        set_in("questions", 1, "id", value="q" * 65),
        ["questions[1].id"],
        "64",
    ),
    (
        "question id twice",
        set_in("questions", 1, "id", value="overall"),
        ["questions[1].id"],
        "already the id of questions[0]",
    ),
    ("type missing", delete_in("questions", 1, "type"), ["questions[1].type"], "is required"),
    (
        "type unknown",
        set_in("questions", 1, "type", value="geopoint"),
        ["questions[1].type"],
        "unknown question type 'geopoint'",
    ),
    (
        "question unknown key",
        set_in("questions", 0, "colour", value=1),
        ["questions[0].colour"],
        "unknown key",
    ),
    (
        "question text missing",
        delete_in("questions", 0, "text"),
        ["questions[0].text"],
        "is required",
    ),
    (
        "question text blank",
        set_in("questions", 0, "text", "zh", value=""),
        ["questions[0].text.zh"],
        "must not be empty",
    ),
    (
        "help not an object",
        set_in("questions", 0, "help", value="帮助"),
        ["questions[0].help"],
        '"zh"',
    ),
    (
        "required not a boolean",
        set_in("questions", 0, "required", value="yes"),
        ["questions[0].required"],
        "true or false",
    ),
    (
        "weight negative",
        set_in("questions", 0, "weight", value=-1),
        ["questions[0].weight"],
        "at least 0",
    ),
    (
        "weight infinite",
        set_in("questions", 0, "weight", value=float("inf")),
        ["questions[0].weight"],
        "number",
    ),
    (
        "scored without indicator",
        delete_in("questions", 0, "indicator"),
        ["questions[0].indicator"],
        "is required",
    ),
    (
        "indicator undeclared",
        set_in("questions", 0, "indicator", value="speed"),
        ["questions[0].indicator"],
        "no indicator 'speed'",
    ),
    (
        "indicator on a comment",
        set_in("questions", 1, "indicator", value="attitude"),
        ["questions[1].indicator"],
        "not scored",
    ),
    (
        "rating without scale",
        append_to("questions", value=RATING),
        ["questions[2].scale"],
        "from 2 to 10",
    ),
    (
        "rating scale 11",
        append_to("questions", value={**RATING, "scale": 11}),
        ["questions[2].scale"],
        "from 2 to 10",
    ),
    (
        "rating scale 1",
        append_to("questions", value={**RATING, "scale": 1}),
        ["questions[2].scale"],
        "from 2 to 10",
    ),
    (
        "rating scale 5.0",
        append_to("questions", value={**RATING, "scale": 5.0}),
        ["questions[2].scale"],
        "whole number",
    ),
    (
        "scale on a satisfaction5",
        set_in("questions", 0, "scale", value=5),
        ["questions[0].scale"],
        "only a rating",
    ),
    (
        "single choice without options",
        append_to("questions", value={k: v for k, v in CHOICE.items() if k != "options"}),
        ["questions[2].options"],
        "must list its options",
    ),
    (
        "single choice with one option",
        append_to("questions", value={**CHOICE, "options": CHOICE["options"][:1]}),
        ["questions[2].options"],
        "at least 2 options",
    ),
    (
        "multiple choice without options",
        append_to("questions", value={**MULTIPLE, "options": []}),
        ["questions[2].options"],
        "at least 2 options",
    ),
    (
        "options not a list",
        set_in("questions", 0, "options", value={}),
        ["questions[0].options"],
        "list",
    ),
    (
        "satisfaction5 with four options",
        set_in("questions", 0, "options", value=FIVE_OPTIONS[:4]),
        ["questions[0].options"],
        "exactly 5 options besides a not-applicable one (found 4)",
    ),
    (
        "two not-applicable options",
        set_in(
            "questions",
            0,
            "options",
            value=[
                *FIVE_OPTIONS,
                *(
                    {"id": f"na{n}", "label": text("不知道"), "not_applicable": True}
                    for n in range(2)
                ),
            ],
        ),
        ["questions[0].options"],
        "at most one option",
    ),
    (
        "option not an object",
        set_in("questions", 0, "options", value=[*FIVE_OPTIONS[:4], "o5"]),
        ["questions[0].options[4]"],
        "object",
    ),
    (
        "option id twice",
        set_in(
            "questions",
            0,
            "options",
            value=[*FIVE_OPTIONS[:4], {"id": "neutral", "label": text("5")}],
        ),
        ["questions[0].options[4].id"],
        "already the id of questions[0].options[2]",
    ),
    (
        "option id not an identifier",
        set_in(
            "questions", 0, "options", value=[*FIVE_OPTIONS[:4], {"id": "5", "label": text("5")}]
        ),
        ["questions[0].options[4].id"],
        "identifier",
    ),
    (
        "option label missing",
        set_in("questions", 0, "options", value=[*FIVE_OPTIONS[:4], {"id": "o5"}]),
        ["questions[0].options[4].label"],
        "is required",
    ),
    (
        "option unknown key",
        set_in(
            "questions",
            0,
            "options",
            value=[*FIVE_OPTIONS[:4], {"id": "o5", "label": text("5"), "score": 1}],
        ),
        ["questions[0].options[4].score"],
        "unknown key",
    ),
    (
        "points above 100",
        set_in(
            "questions",
            0,
            "options",
            value=[*FIVE_OPTIONS[:4], {"id": "o5", "label": text("5"), "points": 150}],
        ),
        ["questions[0].options[4].points"],
        "must be between 0 and 100",
    ),
    (
        "points below 0",
        set_in(
            "questions",
            0,
            "options",
            value=[*FIVE_OPTIONS[:4], {"id": "o5", "label": text("5"), "points": -1}],
        ),
        ["questions[0].options[4].points"],
        "must be between 0 and 100",
    ),
    (
        "points as text",
        set_in(
            "questions",
            0,
            "options",
            value=[*FIVE_OPTIONS[:4], {"id": "o5", "label": text("5"), "points": "high"}],
        ),
        ["questions[0].options[4].points"],
        "or null",
    ),
    (
        "not-applicable option with points",
        set_in(
            "questions",
            0,
            "options",
            value=[
                *FIVE_OPTIONS,
                {"id": "na", "label": text("不了解"), "not_applicable": True, "points": 50},
            ],
        ),
        ["questions[0].options[5].points"],
        "not-applicable option has no points",
    ),
    (
        "not_applicable not a boolean",
        set_in(
            "questions",
            0,
            "options",
            value=[*FIVE_OPTIONS, {"id": "na", "label": text("不了解"), "not_applicable": "yes"}],
        ),
        ["questions[0].options[5].not_applicable"],
        "true or false",
    ),
    (
        "multiple-choice option with points",
        append_to(
            "questions",
            value={
                **MULTIPLE,
                "options": [{**MULTIPLE["options"][0], "points": 10}, MULTIPLE["options"][1]],
            },
        ),
        ["questions[2].options[0].points"],
        "carry no points",
    ),
    (
        "comment with options",
        set_in("questions", 1, "options", value=FIVE_OPTIONS),
        ["questions[1].options"],
        "has no options",
    ),
    (
        "condition not an object",
        set_in("questions", 1, "condition", value="overall"),
        ["questions[1].condition"],
        "object",
    ),
    (
        "condition unknown key",
        set_in("questions", 1, "condition", "not", value=True),
        ["questions[1].condition.not"],
        "unknown key",
    ),
    (
        "condition without question",
        delete_in("questions", 1, "condition", "question"),
        ["questions[1].condition.question"],
        "is required",
    ),
    (
        "condition on itself",
        set_in("questions", 1, "condition", "question", value="reason"),
        ["questions[1].condition.question"],
        "earlier question",
    ),
    (
        "condition on a missing question",
        set_in("questions", 1, "condition", "question", value="nobody"),
        ["questions[1].condition.question"],
        "earlier question",
    ),
    (
        "condition on a later question",
        lambda d: d["questions"].insert(0, {**d["questions"].pop(1)}),
        ["questions[0].condition.question"],
        "earlier question (got 'overall')",
    ),
    (
        "condition on a text question",
        append_to(
            "questions",
            value={
                "id": "more",
                "type": "comment",
                "text": text("补充"),
                "condition": {"question": "reason", "one_of": ["x"]},
            },
        ),
        ["questions[2].condition.question"],
        "question 'reason' is a comment question",
    ),
    (
        "condition on a missing option",
        set_in("questions", 1, "condition", "one_of", value=["angry"]),
        ["questions[1].condition.one_of[0]"],
        "question 'overall' has no option \"angry\"",
    ),
    (
        "condition option twice",
        set_in("questions", 1, "condition", "one_of", value=["dissatisfied", "dissatisfied"]),
        ["questions[1].condition.one_of[1]"],
        "listed twice",
    ),
    (
        "condition option not a string",
        set_in("questions", 1, "condition", "one_of", value=[1]),
        ["questions[1].condition.one_of[0]"],
        "option id",
    ),
    (
        "condition one_of empty",
        set_in("questions", 1, "condition", "one_of", value=[]),
        ["questions[1].condition.one_of"],
        "at least one",
    ),
    (
        "condition one_of missing",
        delete_in("questions", 1, "condition", "one_of"),
        ["questions[1].condition.one_of"],
        "at least one",
    ),
]


def test_the_minimal_and_the_full_test_definitions_are_valid():
    assert validate(minimal()) == []
    assert validate(every_type()) == []


@pytest.mark.parametrize("name", list(STANDARD_QUESTIONNAIRES))
def test_standard_questionnaires_are_valid(name):
    definition = STANDARD_QUESTIONNAIRES[name]()
    assert validate(definition) == []
    assert load(definition).code == definition["code"]


@pytest.mark.parametrize(
    ("mutate", "paths", "fragment"),
    [pytest.param(mutate, paths, fragment, id=name) for name, mutate, paths, fragment in FAULTS],
)
def test_each_fault_is_reported_at_its_path(mutate, paths, fragment):
    definition = minimal()
    mutate(definition)
    problems = validate(definition)
    assert [problem.path for problem in problems] == paths, problems
    assert fragment in problems[0].message


def test_a_definition_that_is_not_an_object_is_refused():
    assert validate(["questions"]) == [Problem("", "a questionnaire definition must be an object")]


def test_every_problem_is_reported_at_once():
    definition = minimal()
    definition["code"] = "bad code"
    definition["questions"][0]["weight"] = -2
    definition["questions"][1]["condition"]["one_of"] = ["furious"]
    assert [str(problem) for problem in validate(definition)] == [
        "code: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        "questions[0].weight: must be a number of at least 0",
        "questions[1].condition.one_of[0]: question 'overall' has no option \"furious\"",
    ]


def test_an_unknown_type_is_an_error_and_not_a_fallback():
    definition = minimal()
    definition["questions"][0]["type"] = "satisfaction7"
    problems = validate(definition)
    assert [problem.path for problem in problems] == ["questions[0].type"]
    with pytest.raises(QuestionnaireError):
        normalise(definition)


def test_a_condition_may_name_a_default_option_of_a_rating():
    definition = minimal()
    definition["questions"].insert(1, {**RATING, "scale": 3})
    definition["questions"][2]["condition"] = {"question": "speed", "one_of": ["v1"]}
    assert validate(definition) == []
    definition["questions"][2]["condition"] = {"question": "speed", "one_of": ["v4"]}
    assert [p.path for p in validate(definition)] == ["questions[2].condition.one_of[0]"]


def test_problem_text_and_error():
    problem = Problem("questions[3].options[1].points", "must be between 0 and 100")
    assert str(problem) == "questions[3].options[1].points: must be between 0 and 100"
    assert str(Problem("", "malformed")) == "malformed"
    error = QuestionnaireError([problem])
    assert error.problems == [problem]
    assert str(error) == str(problem)
    assert QuestionnaireError.single("code", "taken").problems == [Problem("code", "taken")]


# normalise ------------------------------------------------------------------------------


def option_points(definition: dict[str, Any], question_id: str) -> list[float | None]:
    return [option["points"] for option in question(definition, question_id)["options"]]


def test_normalise_fills_in_every_default():
    normalised = normalise(minimal())
    assert normalised["intro"] == {"zh": "", "en": ""}
    assert normalised["indicators"] == [
        {"id": "attitude", "name": {"zh": "服务态度", "en": "Attitude"}, "weight": 1.0}
    ]
    overall, reason = normalised["questions"]
    assert overall == {
        "id": "overall",
        "type": "satisfaction5",
        "text": {"zh": "总体满意度", "en": "Overall satisfaction"},
        "help": {"zh": "", "en": ""},
        "required": True,
        "indicator": "attitude",
        "weight": 1.0,
        "scale": None,
        "options": [
            {
                "id": option_id,
                "label": {"zh": zh, "en": en},
                "points": points,
                "not_applicable": False,
            }
            for option_id, zh, en, points in [
                ("very_dissatisfied", "非常不满意", "Very dissatisfied", 0.0),
                ("dissatisfied", "不满意", "Dissatisfied", 25.0),
                ("neutral", "一般", "Neither", 50.0),
                ("satisfied", "满意", "Satisfied", 75.0),
                ("very_satisfied", "非常满意", "Very satisfied", 100.0),
            ]
        ],
        "condition": None,
    }
    assert reason["required"] is False
    assert reason["indicator"] is None
    assert reason["weight"] == 1.0
    assert reason["options"] == []
    assert reason["condition"] == {
        "question": "overall",
        "one_of": ["dissatisfied", "very_dissatisfied"],
    }


def test_default_options_and_points_follow_scoring_section_1():
    normalised = normalise(every_type())
    assert option_points(normalised, "speed") == [0.0, 100 / 3, 200 / 3, 100.0]
    assert [o["id"] for o in question(normalised, "speed")["options"]] == ["v1", "v2", "v3", "v4"]
    assert [o["label"]["zh"] for o in question(normalised, "speed")["options"]] == [
        "1",
        "2",
        "3",
        "4",
    ]
    assert question(normalised, "speed")["scale"] == 4
    assert option_points(normalised, "recommend") == [10.0 * v for v in range(11)]
    assert [o["label"]["en"] for o in question(normalised, "recommend")["options"]] == [
        str(v) for v in range(11)
    ]
    assert [
        (o["id"], o["label"], o["points"]) for o in question(normalised, "again")["options"]
    ] == [
        ("no", {"zh": "否", "en": "No"}, 0.0),
        ("yes", {"zh": "是", "en": "Yes"}, 100.0),
    ]
    assert option_points(normalised, "channel") == [80.0, 100.0, None]
    assert option_points(normalised, "problems") == [None, None, None]
    assert question(normalised, "phone")["options"] == []


def test_listed_scale_options_get_points_by_position_skipping_not_applicable():
    definition = minimal()
    definition["questions"][0]["options"] = [
        {"id": "bad", "label": text("差")},
        {"id": "unknown", "label": text("不了解"), "not_applicable": True},
        {"id": "fair", "label": text("中")},
        {"id": "good", "label": text("好"), "points": 90},
        {"id": "great", "label": text("很好")},
        {"id": "best", "label": text("最好"), "points": None},
    ]
    definition["questions"][1]["condition"]["one_of"] = ["bad"]
    assert option_points(normalise(definition), "overall") == [0.0, None, 25.0, 90.0, 75.0, None]


def test_normalise_is_idempotent_and_hash_ignores_spelled_out_defaults():
    for definition in (minimal(), every_type(), *(f() for f in STANDARD_QUESTIONNAIRES.values())):
        normalised = normalise(definition)
        assert normalise(normalised) == normalised
        assert content_hash(normalised) == content_hash(definition)


def test_numbers_are_normalised_to_floats_so_1_and_1_0_hash_alike():
    as_floats = minimal()
    as_floats["indicators"][0]["weight"] = 1.0
    assert content_hash(as_floats) == content_hash(minimal())
    changed = minimal()
    changed["indicators"][0]["weight"] = 2
    assert content_hash(changed) != content_hash(minimal())


def test_normalise_refuses_an_invalid_definition_with_its_problems():
    definition = minimal()
    definition["questions"][0]["indicator"] = "nobody"
    with pytest.raises(QuestionnaireError) as raised:
        normalise(definition)
    assert [p.path for p in raised.value.problems] == ["questions[0].indicator"]


def test_normalise_does_not_change_its_argument():
    definition = minimal()
    before = copy.deepcopy(definition)
    normalise(definition)
    assert definition == before


# load -----------------------------------------------------------------------------------


def test_load_gives_a_frozen_tree_that_turns_back_into_the_normalised_definition():
    questionnaire = load(every_type())
    assert isinstance(questionnaire, Questionnaire)
    assert questionnaire.as_definition() == normalise(every_type())
    assert questionnaire.content_hash == content_hash(every_type())
    overall = questionnaire.question("overall")
    assert overall.text == Text("总体满意度", "Overall satisfaction")
    assert overall.text["en"] == "Overall satisfaction"
    assert overall.option("satisfied").points == 75.0
    assert questionnaire.number("reason") == 2
    assert questionnaire.question("reason").condition.one_of == (
        "dissatisfied",
        "very_dissatisfied",
    )
    with pytest.raises(AttributeError):
        overall.required = False  # type: ignore[misc]
    with pytest.raises(KeyError):
        questionnaire.question("nobody")
    assert hash(questionnaire) == hash(load(every_type()))


def test_text_falls_back_to_chinese_where_english_is_empty():
    assert Text("满意", "").in_language("en") == "满意"
    assert Text("满意", "Satisfied").in_language("en") == "Satisfied"
    with pytest.raises(ValueError):
        Text("满意")["fr"]


def test_load_refuses_an_invalid_definition():
    with pytest.raises(QuestionnaireError) as raised:
        load({"format": FORMAT})
    assert [p.path for p in raised.value.problems] == ["code", "title", "questions"]
