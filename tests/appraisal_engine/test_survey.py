"""The public form at /s/<token> and the receipt at /r/<code>, as residents and invited
respondents use them."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from appraisal_engine.blueprints import survey as survey_views
from appraisal_engine.models import Answer, AuditEntry, Kiosk, Link, Response, utcnow

from .test_auth import csrf_token, sign_in

ANSWERS = {
    "q_overall": "very_satisfied",
    "q_attitude": "satisfied",
    "q_efficiency": "very_satisfied",
    "q_integrity": "not_applicable",
    "q_comment": "办事很快",
}


@pytest.fixture
def lenient(app):
    """Flag rules that let a test's instant submissions count (no "too fast")."""
    app.config["FLAG_SECONDS_PER_ANSWER"] = 0
    return app


@pytest.fixture
def window(factories, session):
    """An open campaign with a window, its unit, two cadres at the window, and links."""
    unit = factories.unit(name_zh="政务服务中心", name_en="Service Centre")
    point = factories.service_point(unit=unit, name_zh="综合窗口", name_en="General window")
    served = [factories.cadre(unit=unit, name_zh=f"窗口干部{n}") for n in (1, 2)]
    for cadre in served:
        cadre.service_points.append(point)
    campaign = factories.campaign(targets=[unit, point, *served], status="open")
    link = factories.link(campaign, point)
    invitation = factories.link(campaign, unit, category="grassroots", kind="invitation")
    session.commit()
    return {
        "campaign": campaign,
        "point": point,
        "cadres": served,
        "link": link,
        "invitation": invitation,
    }


def form_fields(page: str) -> dict[str, str]:
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
        for name in ("csrf_token", "form_token")
    }


def open_form(client, token: str, **kwargs) -> dict[str, str]:
    page = client.get(f"/s/{token}", **kwargs)
    assert page.status_code == 200
    return form_fields(page.get_data(as_text=True))


def submit(client, token: str, answers=None, fields=None, **kwargs):
    """Open a fresh form ("answer again", as the page offers after an answer) and submit."""
    headers = kwargs.get("headers")
    fields = fields or open_form(client, f"{token}?again=1", headers=headers)
    return client.post(f"/s/{token}", data={**fields, **(answers or ANSWERS)}, **kwargs)


def stored(session, model=Response):
    session.rollback()  # a fresh snapshot: the app committed in its own session
    session.expire_all()
    return session.scalars(select(model).order_by(model.id)).all()


def test_form_says_what_is_appraised_in_chinese_and_english(client, window):
    token = window["link"].token
    chinese = client.get(f"/s/{token}").get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese
    assert "综合窗口" in chinese and "政务服务中心" in chinese
    assert "您正在评价窗口" in chinese and "窗口干部1" in chinese and "窗口干部2" in chinese
    assert 'href="/s/' + token + '?lang=en"' in chinese

    english = client.get(f"/s/{token}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "General window" in english and "Service Centre" in english
    assert "Who served you?" in english

    by_header = window_client = client.application.test_client()
    page = by_header.get(f"/s/{token}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "General window" in page.get_data(as_text=True)
    del window_client


def test_a_submission_is_stored_with_its_answers_and_shows_a_receipt(
    client, lenient, window, session
):
    token = window["link"].token
    cadre = window["cadres"][1]
    sent = submit(client, token, {**ANSWERS, "served_by": str(cadre.id)})
    assert sent.status_code == 303
    location = sent.headers["Location"]
    code = re.match(r"/r/([0-9A-Z]+)\?new=1$", location).group(1)

    [response] = stored(session)
    assert response.receipt_code == code
    assert response.status == "counted" and response.flag_reasons == []
    assert response.channel == "web" and response.category == "residents"
    assert response.served_by_cadre_id == cadre.id
    assert response.duplicate_hash and "127.0.0.1" not in response.duplicate_hash
    answers = {a.question.key: a for a in response.answers}
    assert set(answers) == {"overall", "attitude", "efficiency", "integrity", "comment"}
    assert answers["overall"].points == 100 and answers["overall"].option.key == "very_satisfied"
    assert answers["integrity"].points is None  # not applicable: recorded, never scored
    assert answers["comment"].value_text == "办事很快"

    receipt = client.get(location).get_data(as_text=True)
    assert code in receipt and "感谢" in receipt and "已计入" in receipt
    later = client.get(f"/r/{code.lower()}").get_data(as_text=True)
    assert code in later and "综合窗口" in later


def test_a_double_submit_records_one_response_and_shows_the_same_receipt(
    client, lenient, window, session
):
    token = window["link"].token
    fields = open_form(client, token)
    first = submit(client, token, fields=fields)
    again = submit(client, token, fields=fields)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert len(stored(session)) == 1


def test_concurrent_submits_of_one_form_record_one_response(app, lenient, window, session):
    token = window["link"].token
    client = app.test_client()
    fields = open_form(client, token)
    results = _concurrently(app, token, [fields] * 4, cookies_from=client)
    assert {r.status_code for r in results} == {303}
    assert len({r.headers["Location"] for r in results}) == 1
    assert len(stored(session)) == 1


def _concurrently(app, token, field_sets, cookies_from):
    barrier = threading.Barrier(len(field_sets))
    results = [None] * len(field_sets)

    def post(index, fields):
        client = app.test_client()
        for cookie in cookies_from._cookies.values():
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        barrier.wait()
        results[index] = client.post(f"/s/{token}", data={**fields, **ANSWERS})

    threads = [threading.Thread(target=post, args=item) for item in enumerate(field_sets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_concurrent_submits_of_one_invitation_code_record_one(app, lenient, window, session):
    token = window["invitation"].token
    client = app.test_client()
    grassroots = {"q_overall": "satisfied", "q_attitude": "satisfied"}
    page = client.get(f"/s/{token}").get_data(as_text=True)
    questions = set(re.findall(r'name="(q_[a-z_]+)" required', page))
    answers = {name: _best_choice(page, name) for name in questions} | grassroots
    second = client.get(f"/s/{token}?again=1").get_data(as_text=True)
    forms = [form_fields(page), form_fields(second)]

    barrier = threading.Barrier(2)
    results = [None, None]

    def post(index):
        other = app.test_client()
        for cookie in client._cookies.values():
            other.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        barrier.wait()
        results[index] = other.post(f"/s/{token}", data={**forms[index], **answers})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [303, 410]
    [response] = stored(session)
    assert response.channel == "invitation" and response.category == "grassroots"
    session.rollback()
    assert session.get(Link, window["invitation"].id).used_at is not None
    used = client.get(f"/s/{token}")
    assert used.status_code == 410 and "已经使用" in used.get_data(as_text=True)


def _best_choice(page: str, name: str) -> str:
    return re.findall(rf'name="{name}" required type="radio" value="([a-z_0-9]+)"', page)[-1]


def test_invalid_answers_return_the_form_with_messages_and_store_nothing(
    client, lenient, window, session
):
    token = window["link"].token
    sent = submit(client, token, {"q_overall": "very_satisfied", "q_attitude": "bogus"})
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert 'id="q_efficiency-error"' in page and 'id="q_attitude-error"' in page
    assert 'checked id="q_overall-4"' in page  # what was chosen stays chosen
    assert stored(session) == []

    wrong_cadre = submit(client, token, {**ANSWERS, "served_by": "999999"})
    assert wrong_cadre.status_code == 400
    assert 'id="served_by-error"' in wrong_cadre.get_data(as_text=True)
    assert stored(session) == []


def test_a_missing_or_stale_csrf_token_keeps_the_answers_and_stores_nothing(
    client, lenient, window, session
):
    token = window["link"].token
    fields = open_form(client, token)
    sent = client.post(f"/s/{token}", data={"form_token": fields["form_token"], **ANSWERS})
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert 'role="alert"' in page and "办事很快" in page
    assert stored(session) == []
    # The page it returned carries fresh tokens: submitting it again works.
    again = client.post(f"/s/{token}", data={**form_fields(page), **ANSWERS})
    assert again.status_code == 303
    assert len(stored(session)) == 1


def test_a_form_open_too_long_is_shown_again_with_its_answers(
    app, client, lenient, window, session
):
    token = window["link"].token
    fields = open_form(client, token)
    app.config["FORM_MAX_AGE_HOURS"] = -1
    sent = client.post(f"/s/{token}", data={**fields, **ANSWERS})
    assert sent.status_code == 400 and "办事很快" in sent.get_data(as_text=True)
    assert stored(session) == []


def test_a_tampered_form_token_is_a_bad_request(client, window, session):
    token = window["link"].token
    fields = open_form(client, token)
    fields["form_token"] = fields["form_token"][:-2] + "xx"
    assert submit(client, token, fields=fields).status_code == 400
    other = window["invitation"].token
    fields = open_form(client, token)
    assert client.post(f"/s/{other}", data={**fields, **ANSWERS}).status_code == 400
    assert stored(session) == []


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ("unknown", 404, "链接无效"),
        ("revoked", 404, "链接无效"),
        ("draft", 404, "尚未开始"),
        ("closed", 410, "已经结束"),
        ("finalised", 410, "已经结束"),
    ],
)
def test_links_that_take_no_responses_get_a_clear_page(
    client, window, session, change, status, words
):
    token = window["link"].token
    if change == "unknown":
        token = "no-such-token"
    elif change == "revoked":
        window["link"].revoked = True
    else:
        window["campaign"].status = change
    session.commit()
    page = client.get(f"/s/{token}")
    assert page.status_code == status
    assert words in page.get_data(as_text=True)
    assert submit_raw(client, token).status_code in (status, 400)


def submit_raw(client, token):
    return client.post(f"/s/{token}", data=ANSWERS)


def test_a_campaign_closed_while_the_form_was_open_takes_no_response(
    client, lenient, window, session
):
    token = window["link"].token
    fields = open_form(client, token)
    window["campaign"].status = "closed"
    session.commit()
    assert submit(client, token, fields=fields).status_code == 410
    assert stored(session) == []


def test_bodies_over_64_kib_get_413(client, window, session):
    token = window["link"].token
    fields = open_form(client, token)
    sent = client.post(f"/s/{token}", data={**fields, **ANSWERS, "q_comment": "x" * 70_000})
    assert sent.status_code == 413
    assert stored(session) == []


def test_the_same_device_answering_again_is_flagged_not_rejected(client, lenient, window, session):
    token = window["link"].token
    assert submit(client, token).status_code == 303
    second = submit(client, token)
    assert second.status_code == 303
    first, again = stored(session)
    assert first.status == "counted"
    assert again.status == "flagged" and again.flag_reasons == ["duplicate_device"]
    assert first.duplicate_hash == again.duplicate_hash
    receipt = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "核查" in receipt

    stranger = client.application.test_client()
    assert submit(stranger, token).status_code == 303
    assert stored(session)[-1].status == "counted"


def test_implausibly_fast_answers_are_flagged(client, window, session):
    assert submit(client, window["link"].token).status_code == 303
    [response] = stored(session)
    assert response.status == "flagged" and response.flag_reasons == ["too_fast"]
    assert response.duration_ms is not None and response.duration_ms < 4000


def test_bursts_and_identical_answers_are_flagged(app, lenient, window, session):
    app.config.update(FLAG_BURST_MIN=3, FLAG_IDENTICAL_MIN=4)
    token = window["link"].token
    for n in range(5):
        phone = {"User-Agent": f"Phone/{n}"}
        assert submit(app.test_client(), token, headers=phone).status_code == 303
    flags = [r.flag_reasons for r in stored(session)]
    assert flags == [[], [], [], ["burst", "identical_answers"], ["burst", "identical_answers"]]
    different = {**ANSWERS, "q_overall": "neutral"}
    phone = {"User-Agent": "Phone/6"}
    assert submit(app.test_client(), token, different, headers=phone).status_code == 303
    assert stored(session)[-1].flag_reasons == ["burst"]


def set_up_kiosk(client, session, factories, token: str, label: str = "窗口3平板"):
    """Sign an administrator in on `client` (the tablet) and set it up as a kiosk."""
    username = f"kioskadmin{len(stored(session, AuditEntry))}"
    factories.user("admin", username=username)
    session.commit()
    sign_in(client, username)
    fields = open_form(client, token)
    return client.post(
        f"/s/{token}/kiosk",
        data={"csrf_token": fields["csrf_token"], "label": label},
        headers={"User-Agent": "Tablet/1.0"},
    )


def answer_at_kiosk(client, token: str, times: int = 1):
    for _ in range(times):
        fields = open_form(client, f"{token}?kiosk=1")
        sent = client.post(f"/s/{token}?kiosk=1", data={**fields, **ANSWERS})
        assert sent.status_code == 303
    return sent


def test_a_kiosk_set_up_by_an_admin_is_not_flagged_for_repeats(
    app, client, lenient, window, session, factories
):
    token = window["link"].token
    set_up = set_up_kiosk(client, session, factories, token)
    assert set_up.status_code == 302 and set_up.headers["Location"].endswith("?kiosk=1")
    # The tablet is public: the administrator is signed out by the set-up itself.
    assert "/login" in client.get("/admin/").headers.get("Location", "")
    [kiosk] = stored(session, Kiosk)
    assert (kiosk.link_id, kiosk.label, kiosk.device) == (
        window["link"].id,
        "窗口3平板",
        "Tablet/1.0",
    )
    assert kiosk.revoked_at is None
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "kiosk.set_up"))
    assert entry.object_id == str(kiosk.id) and entry.details["label"] == "窗口3平板"

    sent = answer_at_kiosk(client, token, 3)
    responses = stored(session)
    assert [r.channel for r in responses] == ["kiosk"] * 3
    assert [r.status for r in responses] == ["counted"] * 3
    assert [r.kiosk_id for r in responses] == [kiosk.id] * 3
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f'content="5;url=/s/{token}?kiosk=1&amp;lang=zh"' in thanks


def test_a_revoked_kiosk_is_an_ordinary_device_at_once(
    app, client, lenient, window, session, factories
):
    token, code = window["link"].token, window["campaign"].code
    set_up_kiosk(client, session, factories, token)
    answer_at_kiosk(client, token, 2)
    [kiosk] = stored(session, Kiosk)

    admin = app.test_client()
    factories.user("admin", username="revoker")
    session.commit()
    sign_in(admin, "revoker")
    page = admin.get(f"/admin/campaigns/{code}/kiosks").get_data(as_text=True)
    assert "窗口3平板" in page and "Tablet/1.0" in page and "kioskadmin" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    revoked = admin.post(
        f"/admin/campaigns/{code}/kiosks/{kiosk.id}/revoke", data={"csrf_token": csrf}
    )
    assert revoked.status_code == 302
    again = admin.post(
        f"/admin/campaigns/{code}/kiosks/{kiosk.id}/revoke", data={"csrf_token": csrf}
    )
    assert again.status_code == 302
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "kiosk.revoke"))
    assert entry.actor == "revoker" and entry.object_id == str(kiosk.id)

    answer_at_kiosk(client, token, 2)
    responses = stored(session)
    assert [r.channel for r in responses] == ["kiosk", "kiosk", "web", "web"]
    assert [r.kiosk_id for r in responses] == [kiosk.id, kiosk.id, None, None]
    # Its earlier answers stay counted; the tablet is now compared like any other device,
    # with everything it answered (as a kiosk too) within the day.
    assert [r.status for r in responses] == ["counted", "counted", "flagged", "flagged"]
    assert [r.flag_reasons for r in responses[2:]] == [["duplicate_device"]] * 2
    listed = admin.get(f"/admin/campaigns/{code}/kiosks").get_data(as_text=True)
    assert "revoker" in listed and f"/kiosks/{kiosk.id}/revoke" not in listed


def test_a_kiosk_is_trusted_only_at_its_own_link_and_until_it_expires(
    app, client, lenient, window, session, factories
):
    token = window["link"].token
    set_up_kiosk(client, session, factories, token)
    other = factories.link(window["campaign"], window["cadres"][0])
    session.commit()
    answer_at_kiosk(client, other.token, 1)
    assert stored(session)[-1].channel == "web"

    [kiosk] = stored(session, Kiosk)
    kiosk.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    answer_at_kiosk(client, token, 1)
    assert [r.kiosk_id for r in stored(session)] == [None, None]


def test_revoking_another_campaigns_kiosk_is_not_found(app, client, window, session, factories):
    set_up_kiosk(client, session, factories, window["link"].token)
    [kiosk] = stored(session, Kiosk)
    other = factories.campaign(code="other", status="open")
    factories.user("admin", username="elsewhere")
    session.commit()
    admin = app.test_client()
    sign_in(admin, "elsewhere")
    page = admin.get("/admin/campaigns/other/kiosks")
    assert page.status_code == 200 and "窗口3平板" not in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    refused = admin.post(
        f"/admin/campaigns/{other.code}/kiosks/{kiosk.id}/revoke", data={"csrf_token": csrf}
    )
    assert refused.status_code == 404
    session.expire_all()
    assert session.get(Kiosk, kiosk.id).revoked_at is None


def test_kiosk_mode_without_the_set_up_is_an_ordinary_device(client, lenient, window, session):
    token = window["link"].token
    for _ in range(2):
        fields = open_form(client, f"{token}?kiosk=1")
        assert client.post(f"/s/{token}?kiosk=1", data={**fields, **ANSWERS}).status_code == 303
    responses = stored(session)
    assert [r.channel for r in responses] == ["web", "web"]
    assert responses[1].flag_reasons == ["duplicate_device"]


def test_kiosk_set_up_needs_an_administrator(client, window):
    token = window["link"].token
    fields = open_form(client, token)
    refused = client.post(f"/s/{token}/kiosk", data={"csrf_token": fields["csrf_token"]})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_rate_limits_per_device_answer_429(app, lenient, window, session):
    app.config["RATE_LIMIT_DEVICE"] = "2 per minute"
    client = app.test_client()
    token = window["link"].token
    assert submit(client, token).status_code == 303
    assert submit(client, token).status_code == 303
    limited = submit(client, token)
    assert limited.status_code == 429
    assert len(stored(session)) == 2
    # Another phone behind the same address is not locked out.
    other = {"User-Agent": "OtherPhone/2.0"}
    assert submit(app.test_client(), token, headers=other).status_code == 303


def test_no_raw_address_or_user_agent_is_stored(client, lenient, window, session):
    submit(client, window["link"].token, headers={"User-Agent": "TestPhone/1.0"})
    [response] = stored(session)
    values = [str(getattr(response, c.key)) for c in Response.__table__.columns]
    assert not any("127.0.0.1" in v or "TestPhone" in v for v in values)


def test_the_whole_page_weighs_at_most_30_kb(client, window):
    page = client.get(f"/s/{window['link'].token}")
    html = page.get_data()
    styles = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    scripts = re.findall(rb'<script[^>]+src="([^"]+)"', html)
    total = len(html)
    for url in styles + scripts:
        with client.get(url.decode()) as loaded:
            total += len(loaded.get_data())
    assert styles and total <= 30 * 1024


def test_an_unknown_receipt_code_gets_a_clear_404(client):
    page = client.get("/r/NOSUCHCODE")
    assert page.status_code == 404 and "回执" in page.get_data(as_text=True)


def test_answers_point_at_the_version_answered(client, lenient, window, session):
    submit(client, window["link"].token)
    [response] = stored(session)
    answer_count = session.scalars(
        select(func.count()).select_from(Answer).where(Answer.response_id == response.id)
    ).one()
    assert answer_count == 5
    assert all(a.question.version_id == response.questionnaire_version_id for a in response.answers)


def test_resubmitting_a_used_invitation_or_after_closing_shows_the_same_receipt(
    client, lenient, window, session
):
    token = window["invitation"].token
    page = client.get(f"/s/{token}").get_data(as_text=True)
    fields = form_fields(page)
    answers = {n: _best_choice(page, n) for n in re.findall(r'name="(q_[a-z_]+)" required', page)}
    first = client.post(f"/s/{token}", data={**fields, **answers})
    again = client.post(f"/s/{token}", data={**fields, **answers})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    window["campaign"].status = "closed"
    session.commit()
    late = client.post(f"/s/{token}", data={**fields, **answers})
    assert late.headers["Location"] == first.headers["Location"]
    assert len(stored(session)) == 1


def test_residents_are_not_refused_when_redis_is_down(database_url, window, session):
    from appraisal_engine import create_app
    from appraisal_engine.db import get_database

    from ..conftest import IsolatedClient

    down = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens there
            "FLAG_SECONDS_PER_ANSWER": 0,
        }
    )
    down.test_client_class = IsolatedClient
    try:
        client = down.test_client()
        assert submit(client, window["link"].token).status_code == 303
        assert len(stored(session)) == 1
    finally:
        get_database(down).dispose()


def test_fixing_a_mistake_does_not_restart_the_clock(client, window, session, monkeypatch):
    """A resident who took a minute, missed a question and fixed it is not "too fast"."""
    import time

    token = window["link"].token
    fields = open_form(client, token)
    incomplete = {k: v for k, v in ANSWERS.items() if k != "q_efficiency"}
    shown_again = client.post(f"/s/{token}", data={**fields, **incomplete})
    assert shown_again.status_code == 400
    later = time.time() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    sent = client.post(
        f"/s/{token}", data={**form_fields(shown_again.get_data(as_text=True)), **ANSWERS}
    )
    assert sent.status_code == 303
    [response] = stored(session)
    assert response.duration_ms >= 59_000 and response.status == "counted"


def test_back_and_submit_again_shows_the_same_receipt(client, lenient, window, session):
    token = window["link"].token
    first = client.post(f"/s/{token}", data={**open_form(client, token), **ANSWERS})
    code = first.headers["Location"].split("/r/")[1].split("?")[0]
    back = client.get(f"/s/{token}").get_data(as_text=True)  # "back": the page loads again
    assert code in back and "?again=1" in back
    again = client.post(f"/s/{token}", data={**form_fields(back), **ANSWERS})
    assert again.headers["Location"] == first.headers["Location"]
    assert len(stored(session)) == 1
    fresh = client.get(f"/s/{token}?again=1").get_data(as_text=True)
    assert code not in fresh


def test_junk_sent_to_a_link_does_not_use_up_its_allowance(app, lenient, window, session):
    app.config["RATE_LIMIT_LINK"] = "3 per minute"
    token = window["link"].token
    for n in range(10):
        junk = app.test_client().post(
            f"/s/{token}", data={"form_token": "junk"}, headers={"User-Agent": f"Bot/{n}"}
        )
        assert junk.status_code == 400
    assert submit(app.test_client(), token).status_code == 303


def test_a_device_that_clears_its_cookies_is_flagged_from_the_fifth_answer(
    app, lenient, window, session
):
    token = window["link"].token
    for _ in range(5):
        assert submit(app.test_client(), token).status_code == 303  # a new cookie jar each
    flags = [r.flag_reasons for r in stored(session)]
    assert flags[:4] == [[], [], [], []]
    assert "same_network" in flags[4]
    assert "duplicate_device" not in flags[4]


def test_nul_characters_get_4xx_not_500(client, lenient, window, session):
    assert client.get("/s/%00").status_code == 404
    assert client.get("/r/%00").status_code == 404
    token = window["link"].token
    sent = submit(client, token, {**ANSWERS, "q_comment": "hello\x00world"})
    assert sent.status_code == 400
    assert stored(session) == []


def test_the_receipt_link_uses_the_public_address(app, client, lenient, window):
    app.config["PUBLIC_URL"] = "https://pingyi.example.gov.cn"
    sent = submit(client, window["link"].token)
    page = client.get(sent.headers["Location"], headers={"Host": "evil.example"})
    text = page.get_data(as_text=True)
    assert "https://pingyi.example.gov.cn/r/" in text and "evil.example" not in text


def test_a_submission_racing_a_close_is_refused(client, lenient, window, session, monkeypatch):
    """The campaign closes after the link was looked up but before the response is
    written: the write transaction sees the close and records nothing."""
    from sqlalchemy.orm import Session as OrmSession

    from appraisal_engine.models import Campaign
    from appraisal_engine.services import submissions

    token = window["link"].token
    fields = open_form(client, token)
    original = submissions._begin_writing

    def close_meanwhile(db_session):
        with OrmSession(bind=db_session.get_bind()) as other:
            other.get(Campaign, window["campaign"].id).status = "closed"
            other.commit()
        original(db_session)

    monkeypatch.setattr(submissions, "_begin_writing", close_meanwhile)
    sent = client.post(f"/s/{token}", data={**fields, **ANSWERS})
    assert sent.status_code == 410
    assert stored(session) == []


def test_simultaneous_answers_from_one_device_are_flagged_on_every_database(
    app, lenient, window, session
):
    token = window["link"].token
    client = app.test_client()
    forms = [open_form(client, f"{token}?again=1") for _ in range(4)]
    results = _concurrently(app, token, forms, cookies_from=client)
    assert [r.status_code for r in results] == [303] * 4
    statuses = sorted(r.status for r in stored(session))
    assert statuses == ["counted", "flagged", "flagged", "flagged"]


def test_a_kiosk_revoked_while_a_submission_is_on_its_way_records_an_ordinary_response(
    app, client, lenient, window, session, factories, monkeypatch
):
    token = window["link"].token
    set_up_kiosk(client, session, factories, token)
    [kiosk] = stored(session, Kiosk)
    kiosk.revoked_at = utcnow()
    session.commit()
    # The request's own check ran before the revocation committed.
    monkeypatch.setattr(survey_views, "trusted_kiosk_id", lambda *_args: kiosk.id)
    answer_at_kiosk(client, token, 1)
    [response] = stored(session)
    assert (response.channel, response.kiosk_id) == ("web", None)


def test_a_kiosk_name_keeps_only_visible_characters(client, window, session, factories):
    set_up_kiosk(
        client, session, factories, window["link"].token, label=" 窗口\x00三\u202e  平板\t"
    )
    [kiosk] = stored(session, Kiosk)
    assert kiosk.label == "窗口三 平板"


def test_no_kiosk_is_set_up_for_a_closed_campaign(client, window, session, factories):
    window["campaign"].status = "closed"
    factories.user("admin", username="closer")
    session.commit()
    sign_in(client, "closer")
    token = window["link"].token
    refused = client.post(f"/s/{token}/kiosk", data={"csrf_token": csrf_token(client, "/admin/")})
    assert refused.status_code == 410
    assert stored(session, Kiosk) == []
