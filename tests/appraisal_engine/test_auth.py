import json
import re
from datetime import timedelta

import pytest
from flask_login import login_user
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from appraisal_engine import create_app
from appraisal_engine.db import get_database
from appraisal_engine.models import (
    PASSWORD_METHOD,
    AuditEntry,
    LoginAttempt,
    SignIn,
    User,
    utcnow,
)
from appraisal_engine.services.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    password_problems,
)
from appraisal_engine.services.sign_in import Throttle, Throttled, attempt_keys, begin_attempt

from ..conftest import PRODUCTION_PASSWORD_METHOD
from ..factories import PASSWORD


def csrf_token(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def sign_in(client, username, password=PASSWORD, **kwargs):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
        **kwargs,
    )


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    chinese = client.get("/login")
    assert chinese.status_code == 200
    assert "登录" in chinese.get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Sign in" in english.get_data(as_text=True)
    switched = client.get("/login?lang=en")
    assert "Sign in" in switched.get_data(as_text=True)
    assert "Sign in" in client.get("/login").get_data(as_text=True), "choice is remembered"


@pytest.mark.parametrize(
    ("role", "home"), [("admin", "/admin/"), ("leader", "/leadership/"), ("cadre", "/me/")]
)
def test_sign_in_lands_on_the_role_home(client, factories, session, role, home):
    user = factories.user(role)
    session.commit()
    response = sign_in(client, user.username)
    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200
    actions = session.scalars(select(AuditEntry.action)).all()
    assert "auth.login" in actions


def test_wrong_password_is_refused_and_audited(client, factories, session):
    user = factories.user("admin")
    session.commit()
    response = sign_in(client, user.username, "not the password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    session.expire_all()
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
    ).one()
    assert re.fullmatch(r"[0-9a-f]{16}", entry.details["account"]), "a keyed hash, not the text"
    assert user.username not in str(entry.details)
    assert re.fullmatch(r"[0-9a-f]{16}", entry.details["client"]), "a keyed hash, not the address"
    assert "not the password" not in str(entry.details)


def test_a_phone_number_typed_as_a_username_is_not_kept(client, session):
    assert sign_in(client, "13912345678", "my secret password").status_code == 401
    session.expire_all()
    stored = [json.dumps(entry.details) for entry in session.scalars(select(AuditEntry))]
    assert stored and not any("13912345678" in text or "secret" in text for text in stored)


def test_unknown_user_is_refused(client, session):
    refused = sign_in(client, "nobody", "whatever password")
    assert refused.status_code == 401
    assert client.get("/admin/").status_code in (302, 401, 403), "not signed in"
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed"))
    assert entry.user_id is None and "nobody" not in str(entry.details)


def test_login_without_csrf_token_is_a_clear_400(client, factories, session):
    user = factories.user("admin")
    session.commit()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "重新加载" in response.get_data(as_text=True)


def test_next_parameter_cannot_redirect_off_site(client, factories, session):
    user = factories.user("admin")
    session.commit()
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/admin/"


def test_logout(client, factories, session):
    user = factories.user("leader")
    session.commit()
    sign_in(client, user.username)
    token = csrf_token(client, "/leadership/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/leadership/").status_code == 302
    session.expire_all()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.logout")).one()
    assert entry.user_id == user.id


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", {"/admin/", "/leadership/"}), ("leader", {"/leadership/"}), ("cadre", {"/me/"})],
)
def test_role_pages_are_enforced_on_the_server(client, factories, session, role, allowed):
    user = factories.user(role)
    session.commit()
    sign_in(client, user.username)
    for path in ("/admin/", "/leadership/", "/me/"):
        expected = 200 if path in allowed else 403
        assert client.get(path).status_code == expected, path


def test_anonymous_users_are_sent_to_sign_in(client):
    for path in ("/admin/", "/leadership/", "/me/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_anonymous_api_calls_get_401_as_json(client):
    response = client.get("/api/campaigns/x/status")
    assert response.status_code == 401
    assert response.get_json() == {"error": 401, "message": "请先登录。"}


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>404</h1>" in response.get_data(as_text=True)


# Passwords ---------------------------------------------------------------------------


def test_production_hashes_passwords_with_scrypt_at_full_cost():
    method, n, r, p = PRODUCTION_PASSWORD_METHOD.split(":")
    assert method == "scrypt" and int(n) >= 2**15 and int(r) >= 8 and int(p) >= 1


def test_passwords_are_hashed_with_scrypt(factories, session):
    user = factories.user("admin")
    assert user.password_hash.startswith(f"{PASSWORD_METHOD}$")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_an_old_pbkdf2_hash_still_signs_in_and_is_replaced(client, factories, session):
    user = factories.user("leader")
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:600000")
    session.commit()
    assert sign_in(client, user.username).status_code == 302
    session.expire_all()
    assert user.password_hash.startswith(f"{PASSWORD_METHOD}$")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("wang", "short", "at least 8 characters"),
        ("wang", "x" * (MAX_PASSWORD_LENGTH + 1), f"at most {MAX_PASSWORD_LENGTH} characters"),
        ("wangwei1", " WangWei1 ", "must not be the username"),
    ],
)
def test_create_user_applies_the_password_policy(
    runner, session, monkeypatch, username, password, message
):
    monkeypatch.setenv("APPRAISAL_PASSWORD", password)
    result = runner.invoke(args=["create-user", "--username", username, "--role", "admin"])
    assert result.exit_code == 1
    assert message in result.output
    assert session.scalars(select(User)).all() == []


def test_password_policy():
    assert password_problems("correct horse", "li") == []
    assert password_problems("a" * MIN_PASSWORD_LENGTH, "li") == []
    assert password_problems("a" * (MIN_PASSWORD_LENGTH - 1), "li") == ["too_short"]
    assert password_problems("a" * (MAX_PASSWORD_LENGTH + 1), "li") == ["too_long"]
    assert password_problems("ZhangWei99", "zhangwei99") == ["is_username"]


# Cookies -----------------------------------------------------------------------------


def _set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def _remember_me_response(application, user):
    """What Flask-Login sends when `user` signs in with "remember me"."""
    with application.test_request_context("/login", method="POST"):
        login_user(user, remember=True)
        return application.process_response(application.response_class("signed in"))


@pytest.fixture
def https_app(app):
    """A second app on the same database, served at an https:// public address."""
    application = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret-key", "PUBLIC_URL": "https://pingyi.example"}
    )
    yield application
    get_database(application).dispose()


def test_session_cookie_is_httponly_and_lax_and_not_secure_over_http(client, factories, session):
    user = factories.user("admin")
    session.commit()
    cookie = _set_cookies(sign_in(client, user.username))["session"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_the_public_url_is_https(https_app, factories, session):
    user = factories.user("admin")
    session.commit()
    client = https_app.test_client()
    base = "https://pingyi.example"
    page = client.get("/login", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
        base_url=base,
        headers={"Referer": f"{base}/login"},  # Flask-WTF checks it over https
    )
    assert response.status_code == 302
    cookie = _set_cookies(response)["session"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_remember_cookie_is_httponly_lax_and_secure_only_over_https(
    app, https_app, factories, session
):
    user = factories.user("leader")
    session.commit()
    plain = _set_cookies(_remember_me_response(app, user))["remember_token"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = _set_cookies(_remember_me_response(https_app, user))["remember_token"]
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and "Secure" in secure


# Throttling --------------------------------------------------------------------------


def _attempts(session) -> list[LoginAttempt]:
    session.rollback()  # a fresh snapshot, which the test may then change
    return session.scalars(select(LoginAttempt).order_by(LoginAttempt.id)).all()


def _actions(session) -> list[str]:
    session.rollback()
    return session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def _from(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def _fail(client, username, times, address="198.51.100.1"):
    for _ in range(times):
        assert sign_in(client, username, "wrong password", **_from(address)).status_code == 401


def test_five_failures_for_an_account_make_further_attempts_wait(
    client, factories, session, monkeypatch
):
    user = factories.user("admin")
    session.commit()
    _fail(client, user.username, 5)

    def must_not_be_called(*_args, **_kwargs):
        raise AssertionError("the password was checked while throttled")

    monkeypatch.setattr("appraisal_engine.blueprints.auth.authenticate", must_not_be_called)
    refused = sign_in(
        client, user.username, PASSWORD, headers={"Accept-Language": "en"}, **_from("198.51.100.1")
    )
    assert refused.status_code == 429
    assert 890 <= int(refused.headers["Retry-After"]) <= 900
    page = refused.get_data(as_text=True)
    assert "Too many failed sign-in attempts" in page and "try again in 15 min." in page
    chinese = sign_in(client, user.username, PASSWORD, **_from("198.51.100.1"))
    assert chinese.status_code == 429
    assert "登录失败次数过多" in chinese.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302, "not signed in"
    assert _actions(session) == ["auth.login_failed"] * 5 + ["auth.login_throttled"] * 2
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.login_throttled")
    ).first()
    assert entry.details["limit"] == "account_client"
    assert (
        entry.details["account"] == attempt_keys("test-secret-key", user.username, "").account[:16]
    )
    assert all(
        user.username not in json.dumps(entry.details)
        for entry in session.scalars(select(AuditEntry))
    ), "the text typed as the username is never kept"
    assert len(_attempts(session)) == 5, "refused attempts are not counted"


def test_the_window_slides(client, factories, session):
    user = factories.user("admin")
    session.commit()
    _fail(client, user.username, 5)
    for attempt in _attempts(session):
        attempt.at -= timedelta(minutes=10)
    session.commit()
    refused = sign_in(client, user.username, **_from("198.51.100.1"))
    assert refused.status_code == 429
    assert 290 <= int(refused.headers["Retry-After"]) <= 300
    oldest = _attempts(session)[0]
    oldest.at -= timedelta(minutes=6)  # 16 minutes ago: out of the window
    session.commit()
    assert sign_in(client, user.username, "wrong again", **_from("198.51.100.1")).status_code == 401
    assert len(_attempts(session)) == 5, "the expired attempt was deleted, the new one kept"
    assert sign_in(client, user.username, **_from("198.51.100.1")).status_code == 429


def test_an_attacker_is_slowed_and_the_owner_signs_in_from_another_client(
    client, factories, session
):
    """Hammering an account from one client: five guesses, then 429 with a growing wait;
    the owner's correct password from another client still works, at once."""
    user = factories.user("admin")
    session.commit()
    attacker = _from("198.51.100.66")
    statuses = [sign_in(client, user.username, "guess", **attacker).status_code for _ in range(20)]
    assert statuses == [401] * 5 + [429] * 15
    owner = sign_in(client, user.username, PASSWORD, **_from("203.0.113.5"))
    assert owner.status_code == 302
    assert client.get("/admin/", **_from("203.0.113.5")).status_code == 200


def test_an_account_attacked_from_many_clients_slows_them_and_never_locks_the_owner(
    client, factories, session
):
    user = factories.user("leader")
    session.commit()
    for n in range(12):
        _fail(client, user.username, 1, address=f"198.51.100.{n + 10}")
    # Each client that tried must now wait, longer the more the account is attacked:
    again = sign_in(client, user.username, "guess", **_from("198.51.100.10"))
    assert again.status_code == 429
    assert 100 <= int(again.headers["Retry-After"]) <= 2 ** (12 - 5)
    session.expire_all()
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.login_throttled")
    ).one()
    assert entry.details["limit"] == "account"
    # A client that has not tried the account is not held back by it: the owner gets in.
    assert sign_in(client, user.username, **_from("203.0.113.99")).status_code == 302


def test_a_client_trying_many_accounts_waits_but_an_office_behind_one_address_does_not(
    app, client, factories, session
):
    app.config["LOGIN_CLIENT_MAX_FAILURES"] = 8
    user = factories.user("leader")
    session.commit()
    for n in range(5):
        _fail(client, f"guess{n}", 1, address="203.0.113.7")
    # Five mistakes by colleagues behind the same address lock nobody out.
    assert sign_in(client, user.username, **_from("203.0.113.7")).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/leadership/")})
    for n in range(5, 8):
        _fail(client, f"guess{n}", 1, address="203.0.113.7")
    refused = sign_in(client, user.username, **_from("203.0.113.7"))
    assert refused.status_code == 429
    session.expire_all()
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.login_throttled")
    ).one()
    assert entry.details["limit"] == "client"
    assert sign_in(client, user.username, **_from("203.0.113.8")).status_code == 302
    # Neither the address nor the usernames tried are kept in the attempts.
    stored = " ".join(f"{a.account_key} {a.client_key}" for a in _attempts(session))
    assert "203.0.113" not in stored and "guess" not in stored


def test_unknown_usernames_are_throttled_like_known_ones(client):
    _fail(client, "nobody", 5)
    assert sign_in(client, "nobody", "whatever", **_from("198.51.100.1")).status_code == 429


def test_a_success_clears_only_this_clients_failures_for_the_account(client, factories, session):
    user = factories.user("admin")
    session.commit()
    _fail(client, user.username, 3, address="198.51.100.1")
    _fail(client, user.username, 1, address="198.51.100.2")
    _fail(client, "someone.else", 1, address="198.51.100.1")
    assert sign_in(client, user.username, **_from("198.51.100.1")).status_code == 302
    remaining = _attempts(session)
    assert len(remaining) == 2, "the other client's failure, and this client's on another account"
    session.expire_all()
    assert user.last_login_at is not None


def test_throttling_holds_across_workers(app, client, factories, session):
    """Two app instances (two gunicorn workers) on one database share the attempts."""
    user = factories.user("admin")
    session.commit()
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key"})
    other.test_client_class = type(client)
    try:
        other_client = other.test_client()
        _fail(client, user.username, 3)
        _fail(other_client, user.username, 2)
        assert sign_in(client, user.username, **_from("198.51.100.1")).status_code == 429
        refused = sign_in(other_client, user.username, **_from("198.51.100.1"))
        assert refused.status_code == 429
    finally:
        get_database(other).dispose()


def test_racing_attempts_never_exceed_the_limit(app, factories, session):
    """Attempts stored before they are checked: of attempts racing in other workers at
    the limit, none gets through."""
    factories.user("admin", username="target")
    session.commit()
    keys = attempt_keys("test-secret-key", "target", "198.51.100.1")
    throttle = Throttle(max_failures=5, window=timedelta(minutes=15))
    now = utcnow()
    with app.app_context():
        from appraisal_engine.db import get_session

        db = get_session()
        for _ in range(4):
            begin_attempt(db, keys, throttle, now)
        # A fifth attempt is in flight in another worker (stored, not yet decided):
        session.add(LoginAttempt(account_key=keys.account, client_key=keys.client, at=now))
        session.commit()
        with pytest.raises(Throttled) as refused:
            begin_attempt(db, keys, throttle, now)
        db.rollback()
    assert refused.value.limit == "account_client"
    assert len(_attempts(session)) == 5


def test_limits_come_from_the_environment(instance_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("APPRAISAL_LOGIN_WINDOW_MINUTES", "30")
    configured = create_app()
    assert Throttle.from_config(configured.config) == Throttle(3, timedelta(minutes=30))
    get_database(configured).dispose()
    monkeypatch.delenv("APPRAISAL_LOGIN_MAX_FAILURES")
    monkeypatch.delenv("APPRAISAL_LOGIN_WINDOW_MINUTES")
    default = create_app()
    assert Throttle.from_config(default.config) == Throttle(5, timedelta(minutes=15))
    get_database(default).dispose()


def test_a_control_character_in_the_username_is_a_form_error(client):
    response = client.post(
        "/login",
        data={"username": "adm\x00in", "password": "x" * 10, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 400


# Changing the password ---------------------------------------------------------------


def change_password(client, current, new, again=None, **kwargs):
    token = csrf_token(client, "/account/password")
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
            "csrf_token": token,
        },
        **kwargs,
    )


@pytest.mark.parametrize("role", ["admin", "leader", "cadre"])
def test_every_signed_in_user_can_change_their_password(app, client, factories, session, role):
    user = factories.user(role)
    session.commit()
    other_device = app.test_client()
    sign_in(other_device, user.username)
    sign_in(client, user.username)
    page = client.get("/account/password?lang=en")
    assert page.status_code == 200 and "Change password" in page.get_data(as_text=True)

    changed = change_password(client, PASSWORD, "a brand new secret")
    assert changed.status_code == 302
    assert client.get(changed.headers["Location"]).status_code == 200, "this session goes on"
    home = changed.headers["Location"]
    signed_out = other_device.get(home)
    assert signed_out.status_code == 302 and signed_out.headers["Location"].startswith("/login")

    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.password_changed")
    ).one()
    assert entry.user_id == user.id and "a brand new secret" not in str(entry.details)
    session.expire_all()
    assert user.check_password("a brand new secret") and not user.check_password(PASSWORD)
    fresh = app.test_client()
    assert sign_in(fresh, user.username).status_code == 401
    assert sign_in(fresh, user.username, "a brand new secret").status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong password", "a brand new secret", None, "The current password is not correct."),
        (PASSWORD, "a brand new secret", "a different one", "passwords are not the same"),
        (PASSWORD, "short", None, "must have at least 8 characters"),
        (PASSWORD, PASSWORD, None, "must differ from the current one"),
        (PASSWORD, "Changer7", None, "must not be your username"),
    ],
)
def test_a_refused_change_keeps_the_password(
    client, factories, session, current, new, again, message
):
    user = factories.user("leader", username="changer7")
    session.commit()
    sign_in(client, user.username)
    refused = change_password(client, current, new, again, headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)
    session.expire_all()
    assert user.check_password(PASSWORD)
    assert client.get("/leadership/").status_code == 200, "still signed in"


def test_wrong_current_passwords_are_audited_and_throttled(client, factories, session):
    user = factories.user("cadre")
    session.commit()
    sign_in(client, user.username, **_from("198.51.100.1"))
    for _ in range(5):
        assert change_password(client, "guess", "a brand new secret").status_code == 400
    refused = change_password(client, PASSWORD, "a brand new secret")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    actions = _actions(session)
    assert actions.count("auth.password_change_failed") == 5
    assert actions.count("auth.password_change_throttled") == 1
    session.expire_all()
    assert user.check_password(PASSWORD)


def test_anonymous_users_cannot_change_a_password(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_remember_me_cookie_signs_nobody_in(app, factories, session):
    """The app issues none; one made with the secret key (as Flask-Login would) still
    lacks the token of a session begun on the server, so it opens nothing."""
    user = factories.user("admin")
    session.commit()
    remember = _set_cookies(_remember_me_response(app, user))["remember_token"]
    token = remember.split(";", 1)[0].split("=", 1)[1]
    returning = app.test_client()
    returning.set_cookie("remember_token", token)
    assert returning.get("/admin/").status_code == 302


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, client, factories, session):
    factories.user("admin", username="copied")
    session.commit()
    sign_in(client, "copied")
    cookie = client.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/admin/").status_code == 200, "a copy works while the session lasts"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/leadership/")})
    assert thief.get("/admin/").status_code == 302, "and not after signing out"
    session.rollback()
    [ended] = session.scalars(select(SignIn)).all()
    assert ended.ended_at is not None


def test_a_session_ends_after_its_hours(app, client, factories, session):
    factories.user("admin", username="longday")
    session.commit()
    sign_in(client, "longday")
    assert client.get("/admin/").status_code == 200
    session.rollback()
    [current] = session.scalars(select(SignIn)).all()
    assert current.expires_at - current.created_at == timedelta(hours=12)
    current.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert client.get("/admin/").status_code == 302


def test_an_ipv6_clients_network_is_one_client(client, factories, session):
    """A machine given a /64 cannot guess on by changing its address within it."""
    user = factories.user("admin")
    session.commit()
    for n in range(5):
        _fail(client, user.username, 1, address=f"2001:db8:1:2::{n + 1:x}")
    refused = sign_in(client, user.username, "guess", **_from("2001:db8:1:2:ffff::9"))
    assert refused.status_code == 429
    assert sign_in(client, user.username, **_from("2001:db8:1:3::1")).status_code == 302
