"""forms.builder with plain WTForms and a MultiDict, no Flask app: fresh classes, stable
field names, required questions, and display conditions enforced on the server."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired

from forms.builder import (
    answers_from_form,
    build_form_class,
    condition_text,
    field_name,
    validate_submission,
)
from forms.registry import UnknownQuestionType
from forms.schema import load
from forms.specs import Condition, Question, Questionnaire, Text

from .definitions import every_type, minimal, text

SATISFIED = {"q_overall": "satisfied"}


def submit(definition, data, language="zh"):
    return validate_submission(MultiDict(data), load(definition), language)


def test_each_call_makes_a_fresh_class():
    questionnaire = load(minimal())
    first = build_form_class(questionnaire)
    second = build_form_class(questionnaire)
    assert first is not second
    assert issubclass(first, Form)
    first.extra = "added"
    assert not hasattr(second, "extra")
    assert first.questionnaire is questionnaire
    assert first.language == "zh"


def test_field_names_are_stable_by_question_id():
    definition = every_type()
    form = build_form_class(definition)()
    expected = [f"q_{q['id']}" for q in definition["questions"]]
    assert [field.name for field in form] == expected
    questions = definition["questions"]
    questions[2], questions[-1] = questions[-1], questions[2]
    reordered = build_form_class(definition)()
    assert reordered.q_speed.name == "q_speed"
    assert sorted(field.name for field in reordered) == sorted(expected)
    assert field_name("overall") == "q_overall"


def test_build_form_class_accepts_a_definition_or_a_questionnaire():
    from_definition = build_form_class(minimal())()
    from_questionnaire = build_form_class(load(minimal()))()
    assert [f.name for f in from_definition] == [f.name for f in from_questionnaire]


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        build_form_class(minimal(), "fr")


def test_an_unknown_type_in_a_hand_made_questionnaire_is_an_error():
    questionnaire = Questionnaire(
        code="x",
        title=Text("x"),
        intro=Text(""),
        indicators=(),
        questions=(Question(id="where", type="geopoint", text=Text("位置")),),
    )
    with pytest.raises(UnknownQuestionType, match="geopoint"):
        build_form_class(questionnaire)


def test_a_required_question_uses_input_required_with_a_message_in_the_language():
    form_class = build_form_class(minimal(), "en")
    form = form_class(MultiDict())
    assert any(isinstance(v, InputRequired) for v in form.q_overall.validators)
    assert not form.validate()
    assert form.errors == {"q_overall": ["Please answer this question."]}
    form, answers = submit(minimal(), {}, "zh")
    assert answers is None
    assert form.errors == {"q_overall": ["请回答此题。"]}


def test_a_valid_submission_gives_the_answers_by_question_id():
    form, answers = submit(minimal(), {"q_overall": "very_dissatisfied", "q_reason": "排队太久"})
    assert form.errors == {}
    assert answers == {
        "overall": [{"option": "very_dissatisfied", "text": None, "points": 0.0}],
        "reason": [{"option": None, "text": "排队太久", "points": None}],
    }


def test_an_answer_to_a_hidden_question_is_discarded():
    form, answers = submit(minimal(), {"q_overall": "satisfied", "q_reason": "没有原因"})
    assert form.errors == {}
    assert answers == {"overall": [{"option": "satisfied", "text": None, "points": 75.0}]}
    assert answers_from_form(form, load(minimal())) == answers
    assert answers_from_form(form) == answers, "the form knows its questionnaire"


def test_a_required_question_whose_condition_does_not_hold_is_not_required():
    definition = minimal()
    definition["questions"][1]["required"] = True
    form, answers = submit(definition, SATISFIED)
    assert form.errors == {}
    assert answers == {"overall": [{"option": "satisfied", "text": None, "points": 75.0}]}
    form, answers = submit(definition, {"q_overall": "dissatisfied"})
    assert answers is None
    assert form.errors == {"q_reason": ["请回答此题。"]}
    form, answers = submit(definition, {"q_overall": "dissatisfied", "q_reason": "   "})
    assert form.errors == {"q_reason": ["请回答此题。"]}, "blank is no answer"


def test_plain_form_validate_honours_conditions_too():
    definition = minimal()
    definition["questions"][1]["required"] = True
    form = build_form_class(definition)(MultiDict(SATISFIED))
    assert form.validate(), form.errors


def test_a_conditional_required_question_has_no_html_required_attribute():
    definition = minimal()
    definition["questions"][1]["required"] = True
    form = build_form_class(definition)()
    assert "required" not in form.q_reason()
    assert "required" in form.q_overall()


def test_an_invalid_value_in_a_hidden_question_does_not_block_the_submission():
    definition = every_type()
    form, answers = submit(
        definition,
        {**SATISFIED, "q_problems": ["queue"], "q_rude_detail": "x" * 500},
    )
    assert form.errors == {}
    assert "rude_detail" not in answers


def test_a_condition_on_a_multiple_choice_holds_when_any_listed_option_is_chosen():
    definition = every_type()
    form, answers = submit(definition, {**SATISFIED, "q_problems": ["queue", "rude"]})
    assert form.errors == {"q_rude_detail": ["请回答此题。"]}
    form, answers = submit(
        definition, {**SATISFIED, "q_problems": ["queue", "rude"], "q_rude_detail": "很凶"}
    )
    assert answers["rude_detail"] == [{"option": None, "text": "很凶", "points": None}]
    assert answers["problems"] == [
        {"option": "queue", "text": None, "points": None},
        {"option": "rude", "text": None, "points": None},
    ]


def test_conditions_chain_a_question_hidden_hides_those_that_depend_on_it():
    definition = minimal()
    definition["questions"][1] = {
        "id": "which",
        "type": "single_choice",
        "text": text("哪方面"),
        "indicator": "attitude",
        "condition": {"question": "overall", "one_of": ["dissatisfied"]},
        "options": [{"id": "staff", "label": text("人员")}, {"id": "place", "label": text("场所")}],
    }
    definition["questions"].append(
        {
            "id": "who",
            "type": "short_text",
            "text": text("哪位工作人员"),
            "required": True,
            "condition": {"question": "which", "one_of": ["staff"]},
        }
    )
    form, answers = submit(definition, {"q_overall": "satisfied", "q_which": "staff"})
    assert form.errors == {}
    assert set(answers) == {"overall"}, "which is hidden, so who is hidden too"
    form, answers = submit(definition, {"q_overall": "dissatisfied", "q_which": "staff"})
    assert form.errors == {"q_who": ["请回答此题。"]}
    form, answers = submit(
        definition, {"q_overall": "dissatisfied", "q_which": "staff", "q_who": "张三"}
    )
    assert set(answers) == {"overall", "which", "who"}


def test_an_invalid_choice_is_refused():
    form, answers = submit(minimal(), {"q_overall": "ecstatic"}, "en")
    assert answers is None
    assert form.errors == {"q_overall": ["Not a valid choice."]}


def test_unanswered_optional_questions_are_left_out():
    form, answers = submit(every_type(), SATISFIED)
    assert form.errors == {}
    assert list(answers) == ["overall"]


def test_a_form_base_class_may_be_given():
    class Base(Form):
        marker = True

    form_class = build_form_class(minimal(), base=Base)
    assert issubclass(form_class, Base)
    form, answers = validate_submission(MultiDict(SATISFIED), minimal(), base=Base)
    assert isinstance(form, Base)
    assert answers is not None


def test_condition_text_in_chinese_and_english():
    definition = minimal()
    definition["questions"].insert(0, {"id": "first", "type": "comment", "text": text("先说两句")})
    questionnaire = load(definition)
    reason = questionnaire.question("reason")
    assert condition_text(reason, questionnaire, "zh") == (
        "仅当第2题选择“不满意”或“非常不满意”时回答"
    )
    assert condition_text(reason, questionnaire, "en") == (
        "Answer only if you chose “Dissatisfied” or “Very dissatisfied” in question 2"
    )
    assert condition_text(questionnaire.question("overall"), questionnaire, "zh") == ""


def test_condition_text_lists_three_options_and_a_single_one():
    questionnaire = load(every_type())
    three = Question(
        id="x",
        type="comment",
        text=Text("x"),
        condition=Condition("overall", ("very_dissatisfied", "dissatisfied", "neutral")),
    )
    assert condition_text(three, questionnaire, "zh") == (
        "仅当第1题选择“非常不满意”、“不满意”或“一般”时回答"
    )
    assert condition_text(three, questionnaire, "en") == (
        "Answer only if you chose “Very dissatisfied”, “Dissatisfied” or “Neither” in question 1"
    )
    rude = questionnaire.question("rude_detail")
    assert condition_text(rude, questionnaire, "en") == (
        "Answer only if you chose “Rude staff” in question 7"
    )
