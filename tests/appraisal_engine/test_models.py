"""Integrity that the database itself guarantees, whatever the code above it does."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from appraisal_engine.models import (
    Cadre,
    Campaign,
    CampaignCategory,
    CampaignTarget,
    Link,
    Option,
    QuestionnaireVersion,
    Response,
    Unit,
    User,
)


def refused(session, statement_or_object):
    """True when the database refuses the change; the session is usable afterwards."""
    try:
        with session.begin_nested():
            if isinstance(statement_or_object, list):
                session.add_all(statement_or_object)
                session.flush()
            else:
                session.execute(statement_or_object)
    except IntegrityError:
        return True
    return False


def test_codes_are_unique(session, factories):
    factories.unit(code="A")
    cadre = factories.cadre(code="C1")
    assert refused(session, [Unit(code="A", name_zh="重复")])
    assert refused(session, [Cadre(code="C1", name_zh="重复", unit_id=cadre.unit_id)])


def test_foreign_keys_are_enforced(session, factories):
    assert refused(session, [Unit(code="B", name_zh="乙", parent_id=999_999)])
    unit = factories.unit()
    factories.cadre(unit=unit)
    assert refused(session, Unit.__table__.delete().where(Unit.id == unit.id))


def test_status_and_weight_checks(session, factories):
    campaign = factories.campaign()
    table = Campaign.__table__
    for values in (
        {"status": "archived"},
        {"aggregate": "median"},
        {"confidence": 1.5},
        {"trim_fraction": 0.5},
        {"excellent_quota": 2},
        {"fail_below": 90},
        {"ends_on": date(2025, 1, 1)},
        {"bonus_pool": -1},
    ):
        assert refused(session, table.update().where(table.c.id == campaign.id).values(**values)), (
            values
        )
    category = CampaignCategory.__table__
    assert refused(session, category.update().values(weight=-0.1))
    assert refused(session, category.update().values(category="tourists"))


def test_a_target_is_exactly_one_subject(session, factories):
    unit = factories.unit()
    cadre = factories.cadre()
    campaign = factories.campaign()
    assert refused(session, [CampaignTarget(campaign_id=campaign.id, kind="unit")])
    assert refused(
        session, [CampaignTarget(campaign_id=campaign.id, kind="unit", unit=unit, cadre=cadre)]
    )
    assert refused(session, [CampaignTarget(campaign_id=campaign.id, kind="cadre", unit=unit)])
    session.add(CampaignTarget(campaign_id=campaign.id, kind="unit", unit=unit))
    session.flush()
    assert refused(session, [CampaignTarget(campaign_id=campaign.id, kind="unit", unit=unit)])
    assert refused(
        session, [CampaignTarget(campaign_id=campaign.id, kind="cadre", cadre=cadre, veto=True)]
    )


def test_options_points_and_published_versions(session, factories):
    version = factories.questionnaire_version()
    option = version.questions[0].options[0]
    table = Option.__table__
    assert refused(session, table.update().where(table.c.id == option.id).values(points=101))
    assert refused(
        session,
        table.update().where(table.c.id == option.id).values(not_applicable=True, points=50),
    )
    versions = QuestionnaireVersion.__table__
    draft = factories.questionnaire_version(publish=False)
    assert refused(
        session, versions.update().where(versions.c.id == draft.id).values(status="published")
    )


def test_responses_statuses_and_unique_receipts(session, factories):
    cadre = factories.cadre()
    campaign = factories.campaign(targets=[cadre])
    target = campaign.targets[0]
    version = campaign.categories[0].questionnaire_version
    link = Link(token="t" * 16, target=target, category="residents", kind="open")
    session.add(link)
    session.flush()

    def response(**values):
        defaults = dict(
            campaign=campaign,
            target=target,
            category="residents",
            questionnaire_version=version,
            link=link,
            channel="web",
            receipt_code="R1",
            submitted_at=datetime.now(UTC),
        )
        return Response(**{**defaults, **values})

    assert refused(session, [response(status="deleted")])
    assert refused(session, [response(channel="fax")])
    session.add(response())
    session.flush()
    assert refused(session, [response()])  # same receipt code
    assert refused(
        session, update(Link).values(used_at=datetime.now(UTC))
    )  # open links are not used up


def test_cadre_account_needs_a_cadre(session):
    user = User(username="c", role="cadre", password_hash="x")
    assert refused(session, [user])
    assert refused(session, [User(username="r", role="root", password_hash="x")])


def test_naive_datetimes_are_refused(session, factories):
    unit = factories.unit()
    unit.created_at = datetime(2026, 1, 1)
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()
    session.rollback()


def test_times_come_back_aware_in_utc(session, factories):
    unit = factories.unit()
    session.commit()
    session.expire_all()
    stored = session.scalars(select(Unit).where(Unit.id == unit.id)).one()
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset().total_seconds() == 0


def test_database_accepts_exactly_the_registered_question_types():
    from appraisal_engine.models import QUESTION_TYPES
    from forms.registry import QUESTION_TYPES as REGISTERED

    assert set(QUESTION_TYPES) == set(REGISTERED), "add a migration for the new type's CHECK"
