import re

import pytest
from sqlalchemy import select

from appraisal_engine.models import AuditEntry

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
    assert entry.details == {"username": user.username}


def test_unknown_user_is_refused(client):
    assert sign_in(client, "nobody", "whatever password").status_code == 401


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
    for path in ("/admin/", "/leadership/", "/me/", "/api/campaigns/x/status"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>404</h1>" in response.get_data(as_text=True)
