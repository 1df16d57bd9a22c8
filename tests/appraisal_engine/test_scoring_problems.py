"""A problem the scoring refuses reaches the page in the reader's language: scoring/ raises
an English template with params, the page translates it (the path stays the document's)."""

from __future__ import annotations

import pytest

from .test_auth import csrf_token, sign_in

REFUSAL_ZH = "params.grades.fail_below: -5.0 不在 [0, 100] 范围内"
REFUSAL_EN = "params.grades.fail_below: -5.0 is not in [0, 100]"


@pytest.mark.parametrize(
    ("role", "page"),
    [("admin", "/admin/campaigns/c1/scoring"), ("leader", "/leadership/campaigns/c1/scoring")],
)
def test_a_refused_scoring_input_is_explained_in_chinese(client, factories, session, role, page):
    unit = factories.unit()
    campaign = factories.campaign(code="c1", targets=[unit], status="closed")
    factories.response(campaign, unit)
    # The settings form and the campaigns table leave the grade thresholds unbounded (only
    # their order is checked); the scoring refuses one below 0.
    campaign.fail_below = -5.0
    factories.user(role, username="someone")
    session.commit()
    sign_in(client, "someone")

    refused = client.post(page, data={"csrf_token": csrf_token(client, page)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert f"该测评活动无法计分：{REFUSAL_ZH}" in text and "is not in" not in text

    english = client.post(f"{page}?lang=en", data={"csrf_token": csrf_token(client, page)})
    assert english.status_code == 409 and REFUSAL_EN in english.get_data(as_text=True)
