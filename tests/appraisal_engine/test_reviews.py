"""Reviewing flagged responses: listed with reasons, counted or excluded, audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from appraisal_engine.models import AuditEntry, Response, ResponseReview

from .test_auth import csrf_token, sign_in


@pytest.fixture
def flagged(factories, session):
    unit = factories.unit()
    point = factories.service_point(unit=unit)
    campaign = factories.campaign(targets=[unit, point], status="open")
    rows = [
        factories.response(campaign, point, status="counted"),
        factories.response(
            campaign,
            point,
            status="flagged",
            flag_reasons=["duplicate_device"],
            duplicate_hash="d" * 64,
        ),
        factories.response(
            campaign,
            point,
            status="flagged",
            flag_reasons=["burst", "too_fast"],
            duration_ms=1200,
            submitted_at=datetime(2026, 11, 26, 23, 30, tzinfo=UTC),
        ),
    ]
    admin = factories.user("admin", username="reviewer")
    session.commit()
    return {"campaign": campaign, "responses": rows, "admin": admin}


@pytest.fixture
def reviewer(client, flagged):
    sign_in(client, "reviewer")
    return client


def decide(client, code, ids, decision, reason="", view="flagged"):
    token = csrf_token(client, f"/admin/campaigns/{code}/review?view={view}")
    return client.post(
        f"/admin/campaigns/{code}/review",
        data={
            "csrf_token": token,
            "response": [str(i) for i in ids],
            "decision": decision,
            "reason": reason,
            "view": view,
        },
    )


def statuses(session):
    session.rollback()
    session.expire_all()  # the fixture's objects were loaded before the app's changes
    return [r.status for r in session.scalars(select(Response).order_by(Response.id))]


def test_the_review_page_lists_flagged_responses_with_their_reasons(reviewer, flagged):
    code = flagged["campaign"].code
    page = reviewer.get(f"/admin/campaigns/{code}/review").get_data(as_text=True)
    _counted, duplicate, burst = flagged["responses"]
    assert duplicate.receipt_code in page and burst.receipt_code in page
    assert flagged["responses"][0].receipt_code not in page
    assert "同一设备" in page and "1.2" in page
    # Times are the bureau's (Asia/Shanghai), not the stored UTC.
    assert "2026-11-27 07:30" in page and "2026-11-26 23:30" not in page
    only_burst = reviewer.get(f"/admin/campaigns/{code}/review?reason=burst")
    text = only_burst.get_data(as_text=True)
    assert burst.receipt_code in text and duplicate.receipt_code not in text
    assert reviewer.get(f"/admin/campaigns/{code}/review?view=nonsense").status_code == 400
    assert reviewer.get(f"/admin/campaigns/{code}/review?page=0").status_code == 400


def test_decisions_change_the_status_and_are_audited(reviewer, flagged, session):
    code = flagged["campaign"].code
    counted, duplicate, burst = flagged["responses"]
    sent = decide(reviewer, code, [duplicate.id], "counted", "a family sharing a phone")
    assert sent.status_code == 302
    refused = decide(reviewer, code, [burst.id], "excluded", "")
    assert refused.status_code == 302
    assert statuses(session) == ["counted", "counted", "flagged"]  # no reason, no exclusion
    decide(reviewer, code, [burst.id], "excluded", "scripted burst from one address")
    assert statuses(session) == ["counted", "counted", "excluded"]

    reviews = session.scalars(select(ResponseReview).order_by(ResponseReview.id)).all()
    assert [(r.response_id, r.decision) for r in reviews] == [
        (duplicate.id, "counted"),
        (burst.id, "excluded"),
    ]
    assert reviews[0].reviewer_id == flagged["admin"].id
    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "review_response").order_by(AuditEntry.id)
    ).all()
    assert [a.details["decision"] for a in audit] == ["counted", "excluded"]
    assert audit[1].details["previous"] == "flagged"
    assert audit[1].details["reason"] == "scripted burst from one address"

    reinstated = reviewer.get(f"/admin/campaigns/{code}/review?view=reinstated")
    assert duplicate.receipt_code in reinstated.get_data(as_text=True)
    # A decision can be revisited; an ordinary counted response cannot be reviewed.
    decide(reviewer, code, [burst.id, counted.id], "counted", "second look", view="excluded")
    assert statuses(session) == ["counted", "counted", "counted"]
    session.rollback()
    assert (
        session.scalar(select(ResponseReview).where(ResponseReview.response_id == counted.id))
        is None
    )


def test_no_decisions_once_the_campaign_is_finalised(reviewer, flagged, session):
    flagged["campaign"].status = "finalised"
    session.commit()
    code = flagged["campaign"].code
    _counted, duplicate, _burst = flagged["responses"]
    assert decide(reviewer, code, [duplicate.id], "counted", "late").status_code == 409
    assert statuses(session) == ["counted", "flagged", "flagged"]


def test_bad_decisions_are_refused(reviewer, flagged):
    code = flagged["campaign"].code
    assert decide(reviewer, code, ["x"], "counted").status_code == 400
    assert decide(reviewer, code, [1], "deleted").status_code == 400
    assert decide(reviewer, "nope", [1], "counted", "r").status_code == 404


def test_only_administrators_review(client, flagged, factories, session):
    factories.user("leader", username="boss")
    session.commit()
    sign_in(client, "boss")
    code = flagged["campaign"].code
    assert client.get(f"/admin/campaigns/{code}/review").status_code == 403


def test_the_list_names_targets_and_masks_contact_numbers(reviewer, flagged, session):
    from appraisal_engine.models import Answer, Question

    _counted, duplicate, _burst = flagged["responses"]
    phone = session.scalar(
        select(Question).where(
            Question.type == "contact_phone",
            Question.version_id == duplicate.questionnaire_version_id,
        )
    )
    session.add(Answer(response_id=duplicate.id, question_id=phone.id, value_text="13812345678"))
    session.commit()
    page = reviewer.get(f"/admin/campaigns/{flagged['campaign'].code}/review")
    text = page.get_data(as_text=True)
    assert "138****5678" in text and "13812345678" not in text
    point = flagged["campaign"].targets[1].subject
    assert point.name_zh in text
    assert f"群众 · service_point:{point.code}" in text, "the category in words beside the key"
