"""Each question type: its registry entry, its WTForms field, its answers and summary."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import (
    Form,
    RadioField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)

from forms.builder import build_form_class
from forms.field_types import FieldType, Summary
from forms.registry import (
    CHOICE_TYPES,
    FIELD_TYPES,
    QUESTION_TYPES,
    SCORED_TYPES,
    UnknownQuestionType,
    field_type,
)
from forms.schema import load

from .definitions import every_type

ALL_TYPES = (
    "satisfaction5",
    "rating",
    "scale_0_10",
    "yes_no",
    "single_choice",
    "multiple_choice",
    "short_text",
    "comment",
    "contact_phone",
)


@pytest.fixture(scope="module")
def questionnaire():
    return load(every_type())


def form_for(questionnaire, data=None, language="zh") -> Form:
    return build_form_class(questionnaire, language)(MultiDict(data or {}))


def test_the_registry_has_one_class_per_type():
    assert QUESTION_TYPES == ALL_TYPES
    assert all(isinstance(FIELD_TYPES[name], FieldType) for name in ALL_TYPES)
    assert {type(FIELD_TYPES[name]) for name in ALL_TYPES}.__len__() == len(ALL_TYPES)
    assert all(field_type(name).name == name for name in ALL_TYPES)
    assert SCORED_TYPES == ("satisfaction5", "rating", "scale_0_10", "yes_no", "single_choice")
    assert (*SCORED_TYPES, "multiple_choice") == CHOICE_TYPES


@pytest.mark.parametrize("name", ["geopoint", "", None, ["rating"]])
def test_an_unknown_type_raises_a_clear_error(name):
    with pytest.raises(UnknownQuestionType) as raised:
        field_type(name)
    assert f"unknown question type {name!r}" in str(raised.value)
    assert "satisfaction5" in str(raised.value)
    assert isinstance(raised.value, LookupError)


@pytest.mark.parametrize(
    ("question_id", "field_class"),
    [
        ("overall", RadioField),
        ("speed", RadioField),
        ("recommend", RadioField),
        ("again", RadioField),
        ("channel", RadioField),
        ("problems", SelectMultipleField),
        ("rude_detail", StringField),
        ("reason", TextAreaField),
        ("phone", TelField),
    ],
)
def test_each_type_makes_its_field(questionnaire, question_id, field_class):
    field = form_for(questionnaire)[f"q_{question_id}"]
    assert type(field) is field_class


def test_labels_and_choices_are_in_the_requested_language(questionnaire):
    chinese = form_for(questionnaire, language="zh")
    english = form_for(questionnaire, language="en")
    assert chinese.q_overall.label.text == "总体满意度"
    assert english.q_overall.label.text == "Overall satisfaction"
    assert [choice.label.text for choice in chinese.q_again] == ["否", "是"]
    assert [choice.label.text for choice in english.q_again] == ["No", "Yes"]
    assert english.q_again.description == "Including documents handed in later"
    assert [choice.label.text for choice in english.q_recommend] == [str(v) for v in range(11)]


def test_english_falls_back_to_chinese_where_a_text_has_no_english():
    definition = every_type()
    definition["questions"][0]["text"] = {"zh": "总体满意度"}
    form = form_for(load(definition), language="en")
    assert form.q_overall.label.text == "总体满意度"


def test_not_applicable_is_the_last_choice():
    definition = every_type()
    channel = definition["questions"][5]
    channel["options"].insert(0, channel["options"].pop())
    assert channel["options"][0]["not_applicable"]
    form = form_for(load(definition))
    assert [choice.data for choice in form.q_channel] == ["window", "online", "unsure"]


def test_multiple_choice_renders_checkboxes(questionnaire):
    html = form_for(questionnaire).q_problems()
    assert html.count('type="checkbox"') == 3
    assert 'value="rude"' in html


def test_text_fields_limit_their_length(questionnaire):
    form = form_for(questionnaire, {"q_reason": "长" * 2001, "q_overall": "dissatisfied"})
    assert not form.validate()
    assert form.errors["q_reason"] == ["请不要超过 2000 个字。"]
    assert 'maxlength="200"' in form.q_rude_detail()
    assert 'maxlength="20"' in form.q_phone()
    assert 'type="tel"' in form.q_phone()


def answers_of(questionnaire, question_id, data):
    question = questionnaire.question(question_id)
    return field_type(question.type).answers(question, data)


def test_choice_answers_carry_the_option_and_its_points(questionnaire):
    assert answers_of(questionnaire, "overall", "satisfied") == [
        {"option": "satisfied", "text": None, "points": 75.0}
    ]
    assert answers_of(questionnaire, "recommend", "v7") == [
        {"option": "v7", "text": None, "points": 70.0}
    ]
    assert answers_of(questionnaire, "channel", "unsure") == [
        {"option": "unsure", "text": None, "points": None}
    ]
    assert answers_of(questionnaire, "overall", None) == []
    assert answers_of(questionnaire, "overall", "furious") == []


def test_multiple_choice_stores_one_unscored_answer_per_chosen_option_in_option_order(
    questionnaire,
):
    assert answers_of(questionnaire, "problems", ["papers", "queue"]) == [
        {"option": "queue", "text": None, "points": None},
        {"option": "papers", "text": None, "points": None},
    ]
    assert answers_of(questionnaire, "problems", []) == []


def test_text_answers_are_stripped_and_empty_ones_are_not_stored(questionnaire):
    assert answers_of(questionnaire, "reason", "  排队太久 \n") == [
        {"option": None, "text": "排队太久", "points": None}
    ]
    assert answers_of(questionnaire, "reason", "   ") == []
    assert answers_of(questionnaire, "rude_detail", None) == []


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("86-199-0000-1111", "19900001111"),
        (" 15000000000 ", "15000000000"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width, as input methods type them
    ],
)
def test_a_mainland_mobile_number_is_accepted_and_stored_as_11_digits(
    questionnaire, entered, stored
):
    form = form_for(questionnaire, {"q_overall": "satisfied", "q_phone": entered})
    assert form.validate(), form.errors
    assert answers_of(questionnaire, "phone", form.q_phone.data) == [
        {"option": None, "text": stored, "points": None}
    ]


@pytest.mark.parametrize(
    "entered",
    [
        "12812345678",
        "1381234567",
        "138123456789",
        "010-12345678",
        "+1 13812345678",
        "١٣٨١٢٣٤٥٦٧٨",  # other scripts' digits are not a mainland number
    ],
)
def test_other_numbers_are_refused_in_the_form_language(questionnaire, entered):
    form = form_for(questionnaire, {"q_overall": "satisfied", "q_phone": entered}, "en")
    assert not form.validate()
    assert form.errors == {
        "q_phone": [
            "Please enter a valid mainland China mobile number (11 digits, such as 13812345678)."
        ]
    }


def test_the_phone_is_optional_by_default(questionnaire):
    form = form_for(questionnaire, {"q_overall": "satisfied"})
    assert form.validate(), form.errors
    assert "required" not in form.q_phone()


def test_summary_of_a_scale(questionnaire):
    overall = questionnaire.question("overall")
    answers = [
        {"option": "satisfied", "text": None, "points": 75.0},
        {"option": "satisfied", "text": None, "points": 75.0},
        {"option": "very_dissatisfied", "text": None, "points": 0.0},
    ]
    assert field_type("satisfaction5").summarise(overall, answers) == Summary(
        answers=3,
        counts={
            "very_dissatisfied": 1,
            "dissatisfied": 0,
            "neutral": 0,
            "satisfied": 2,
            "very_satisfied": 0,
        },
        mean_points=50.0,
        texts=0,
    )


def test_summary_leaves_not_applicable_out_of_the_mean(questionnaire):
    channel = questionnaire.question("channel")
    summary = field_type("single_choice").summarise(
        channel,
        [
            {"option": "online", "text": None, "points": 100.0},
            {"option": "unsure", "text": None, "points": None},
        ],
    )
    assert summary.counts == {"window": 0, "online": 1, "unsure": 1}
    assert summary.mean_points == 100.0


def test_summary_of_multiple_choice_and_texts(questionnaire):
    problems = questionnaire.question("problems")
    summary = field_type("multiple_choice").summarise(
        problems, answers_of(questionnaire, "problems", ["queue", "rude"])
    )
    assert summary == Summary(
        answers=2, counts={"queue": 1, "rude": 1, "papers": 0}, mean_points=None, texts=0
    )
    reason = questionnaire.question("reason")
    texts = [{"option": None, "text": "慢", "points": None}] * 2
    assert field_type("comment").summarise(reason, texts) == Summary(
        answers=2, counts={}, mean_points=None, texts=2
    )
    assert field_type("comment").summarise(reason, []) == Summary(0, {}, None, 0)
