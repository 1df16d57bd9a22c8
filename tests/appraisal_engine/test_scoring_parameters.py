"""The table of scoring parameters (scoring/parameters.py) says what the app does: the
campaigns table's defaults and CHECKs, the settings form's rules, labels and choices, and
the scoring input's defaults. No database needed."""

from __future__ import annotations

from sqlalchemy import CheckConstraint

from appraisal_engine.blueprints.admin import campaigns as admin
from appraisal_engine.blueprints.admin.campaigns import settings as settings_views
from appraisal_engine.models import CATEGORIES, Campaign
from appraisal_engine.services import campaigns as service
from scoring import parameters
from scoring.inputs import parse_params


def test_every_campaign_column_of_a_parameter_has_its_default():
    columns = Campaign.__table__.c
    for p in parameters.PARAMETERS:
        default = columns[p.name].default
        value = default.arg if default is not None else None
        assert (value, type(value)) == (p.column_default, type(p.column_default)), p.name


def test_the_campaigns_checks_are_the_tables():
    stated = {
        check.name.removeprefix("ck_campaigns_"): str(check.sqltext)
        for check in Campaign.__table__.constraints
        if isinstance(check, CheckConstraint)
    }
    derived = dict(parameters.check_constraints(CATEGORIES))
    assert derived == {name: stated[name] for name in stated.keys() - {"status", "period"}}


def test_the_settings_rules_are_the_tables():
    for p in parameters.editable():
        if p.kind == parameters.NUMBER:
            bound, rule = service.NUMBER_RULES[p.name]
            assert rule._args[0] == p.help, p.name  # the lazy string's msgid
            if p.checked:
                assert (bound.low, bound.high, bound.low_open, bound.high_open) == (
                    p.bounds.low,
                    p.bounds.high,
                    p.bounds.low_open,
                    p.bounds.high_open,
                ), p.name
        elif p.choices:
            assert service.CHOICE_FIELDS[p.name] == p.choice_values
    assert tuple(p.name for p in parameters.editable() if p.optional) == service.OPTIONAL_FIELDS
    assert set(service.SCORING_FIELDS) == {p.name for p in parameters.editable()}
    [rule] = parameters.RULES
    assert service.GRADE_RULE[1]._args[0] == rule.message


def test_the_settings_form_labels_and_groups_are_the_tables():
    for p in parameters.editable():
        assert admin.FIELD_LABELS[p.name]._args[0] == p.label, p.name
        for choice in p.choices:
            assert admin.CHOICE_LABELS[choice.value]._args[0] == choice.label
    shown = [(str(title._args[0]), set(names)) for title, names in settings_views.SCORING_GROUPS]
    assert shown == [(group, {p.name for p in members}) for group, members in parameters.groups()]


def test_the_scoring_input_defaults_are_the_tables():
    params = parse_params({})
    for p in parameters.PARAMETERS:
        if p.kind != parameters.NUMBER or p.section == ("bonus", "coefficients"):
            continue
        value = getattr(params, "pool" if p.key == "pool" else p.key)
        assert value == (None if p.default is None else float(p.default)), p.name
    coefficients = parameters.section_defaults(("bonus", "coefficients"))
    assert params.coefficients == tuple(coefficients.values())
    assert (params.aggregate, params.funnel_category, params.revision) == ("mean", "residents", 1)
