"""The respondent categories and target kinds are declared once (scoring.registry) and
every place that lists them reads them from there."""

from appraisal_engine import labels, models, registry
from appraisal_engine.models import CampaignTarget
from appraisal_engine.services import org_import
from reports import tables
from scoring import inputs
from scoring import registry as pure


def _check(table, name):
    return next(c.sqltext.text for c in table.constraints if c.name and c.name.endswith(name))


def test_the_schema_and_defaults_come_from_the_registry():
    keys = pure.category_keys()
    assert keys == models.CATEGORIES
    assert {
        c.key: (c.weight, c.min_responses) for c in pure.CATEGORIES
    } == models.DEFAULT_CATEGORY_PARAMS
    assert {
        c.key: {"weight": c.weight, "min_responses": c.min_responses} for c in pure.CATEGORIES
    } == inputs.DEFAULT_CATEGORIES
    in_list = f"IN ({', '.join(repr(k) for k in keys)})"
    assert _check(models.CampaignCategory.__table__, "_category").endswith(in_list)
    assert _check(models.Link.__table__, "_category").endswith(in_list)
    assert _check(models.Campaign.__table__, "_funnel_category").endswith(in_list)
    kinds = pure.target_kind_keys()
    assert _check(CampaignTarget.__table__, "_kind").endswith(
        f"IN ({', '.join(repr(k) for k in kinds)})"
    )
    assert _check(
        CampaignTarget.__table__, "exactly_one_target"
    ) == models.campaigns.exactly_one_target(kinds)


def test_every_target_kind_has_a_model_a_column_and_a_relationship():
    assert [t.key for t in registry.target_models()] == list(pure.target_kind_keys())
    for target in registry.target_models():
        assert target.column.key == f"{target.key}_id"
        assert hasattr(CampaignTarget, target.relationship)
        assert target.model.__tablename__
    assert len({kind.prefix for kind in pure.TARGET_KINDS}) == len(pure.TARGET_KINDS)


def test_labels_imports_and_reports_iterate_the_registry(monkeypatch):
    assert set(labels.CATEGORY_LABELS) == set(pure.category_keys())
    assert set(org_import.KINDS.values()) == set(pure.target_kind_keys())
    assert pure.target_kind_keys() == tables.LEVELS
    inspections = pure.RespondentCategory(
        "inspections", "Unannounced inspections", 0.1, 3, invited=True
    )
    monkeypatch.setattr(pure, "CATEGORIES", (*pure.CATEGORIES, inspections))
    assert "inspections" in registry.category_labels()
    assert pure.invited_category_keys()[-1] == "inspections"
    report = type(
        "Report", (), {"gettext": staticmethod(str), "category_names": {}, "indicator_names": {}}
    )()
    assert tables.labels(report).categories["inspections"] == "Unannounced inspections"
