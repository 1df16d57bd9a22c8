"""A cadre's own page: the final result explained, nothing of anyone else, comments only
when enough responses stand behind them."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from appraisal_engine.models import Answer, Question, Response
from appraisal_engine.services.scoring_runs import run_scoring

from .test_auth import sign_in


def _comment(session, response, text):
    version_id = response.questionnaire_version_id
    question = session.query(Question).filter_by(version_id=version_id, type="comment").one()
    response.answers.append(Answer(question_id=question.id, value_text=text))


@pytest.fixture
def world(factories, session):
    unit = factories.unit(code="U01", name_zh="政务服务中心")
    me = factories.cadre(unit=unit, code="C01", name_zh="张三")
    other = factories.cadre(unit=unit, code="C02", name_zh="李四")
    point = factories.service_point(unit=unit, code="W01")
    campaign = factories.campaign(
        code="y2026", name_zh="2026年度测评", targets=[unit, point, me, other], status="closed"
    )
    for category in campaign.categories:
        category.min_responses = 2
    mine = [factories.response(campaign, me) for _ in range(4)]
    # At a window, naming the cadre who served: it counts for them too.
    mine.append(factories.response(campaign, point, served_by_cadre_id=me.id))
    for _ in range(3):
        factories.response(campaign, other)
    _comment(session, mine[0], "办事很耐心，电话 13812345678 随时联系")
    _comment(session, mine[4], "窗口排队时间长")
    factories.user("cadre", username="zhang", cadre_code="C01")
    factories.user("cadre", username="li", cadre_code="C02")
    session.commit()
    return campaign


def _finalise(session, campaign):
    run = run_scoring(session, campaign)
    run.frozen = True
    campaign.status = "finalised"
    session.commit()
    return run


def test_until_finalised_a_cadre_sees_counts_and_a_notice_but_no_score(client, world):
    sign_in(client, "zhang")
    page = client.get("/me/campaigns/y2026").get_data(as_text=True)
    assert "尚未最终确定" in page and "5" in page
    assert "综合得分" not in page


def test_a_cadre_sees_their_final_result_explained(client, world, session):
    run = _finalise(session, world)
    result = json.loads(run.result_json)
    me = next(t for t in result["targets"] if t["id"] == "cadre:C01")
    sign_in(client, "zhang")
    page = client.get("/me/campaigns/y2026").get_data(as_text=True)
    assert f"{me['composite']:.1f}" in page
    low, high = me["rank_interval"]
    assert f"您的名次在第{low}名至第{high}名之间（共2名）" in page
    assert "计分运行" in page and run.input_sha256 in page
    # The arithmetic shown ends at the stored composite.
    assert f"= {me['composite']:.2f}" in page
    assert "李四" not in page and "C02" not in page
    index = client.get("/me/").get_data(as_text=True)
    assert "2026年度测评" in index and f"{me['composite']:.1f}" in index


def test_comments_show_after_closing_with_enough_responses_dated_and_masked(
    client, world, session, app
):
    sign_in(client, "zhang")
    page = client.get("/me/campaigns/y2026").get_data(as_text=True)
    assert "办事很耐心" in page and "窗口排队时间长" in page, "5 responses stand behind them"
    assert "13812345678" not in page and "****" in page
    comments = page[page.index('id="comments"') :]
    assert re.search(r"<li><span class=\"muted\">\d{4}-\d{2}-\d{2}</span> ", comments)
    assert not re.search(r"\d{1,2}:\d{2}", comments), "dated to the day, never the time"

    app.config["COMMENTS_MIN_RESPONSES"] = 6
    hidden = client.get("/me/campaigns/y2026").get_data(as_text=True)
    assert "办事很耐心" not in hidden and "至少 6 份" in hidden

    world.status = "open"
    app.config["COMMENTS_MIN_RESPONSES"] = 5
    session.commit()
    assert "办事很耐心" not in client.get("/me/campaigns/y2026").get_data(as_text=True)


def test_a_cadre_reaches_only_their_own_campaigns(client, world, factories, session):
    lonely = factories.campaign(code="other", targets=[factories.cadre(code="C09")])
    lonely.status = "open"
    session.commit()
    sign_in(client, "zhang")
    assert client.get("/me/campaigns/other").status_code == 404
    assert client.get("/me/campaigns/nope").status_code == 404


def test_the_trend_chart_covers_finalised_campaigns(client, world, session, factories):
    _finalise(session, world)
    sign_in(client, "zhang")
    chart = client.get("/me/trend.png")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")
    assert chart.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("revision", [1, 2])
def test_the_cadre_page_shows_the_interval_as_computed(client, world, session, revision):
    """Revision 2 clips the interval to 0–100 (a page once showed "29.8–123.1"); an old
    campaign's revision-1 interval is shown as it was computed."""
    world.scoring_revision = revision
    me_target = next(t for t in world.targets if getattr(t.subject, "code", None) == "C01")
    responses = session.scalars(
        select(Response).where(Response.campaign_target_id == me_target.id).order_by(Response.id)
    ).all()
    for response in responses[:2]:
        answer = response.answers[0]
        lowest = min(answer.question.options, key=lambda option: option.points)
        answer.option_id, answer.points = lowest.id, lowest.points
    session.commit()
    run = _finalise(session, world)
    me = next(t for t in json.loads(run.result_json)["targets"] if t["id"] == "cadre:C01")
    low, high = me["categories"]["residents"]["ci"]
    if revision == 2:
        assert (low, high) == (0.0, 100.0)
    else:
        assert low < 0 and high > 100
    sign_in(client, "zhang")
    page = client.get("/me/campaigns/y2026").get_data(as_text=True)
    assert f"{low:.1f}–{high:.1f}" in page
    assert "（名额数向下取整）" in page, "how the excellent places are counted"


def test_the_grade_rules_say_how_the_excellent_places_are_rounded(client, world, session):
    world.scoring_revision, world.quota_rounding = 2, "ceil"
    session.commit()
    _finalise(session, world)
    sign_in(client, "zhang")
    page = client.get("/me/campaigns/y2026").get_data(as_text=True)
    assert "（名额数向上取整）" in page
