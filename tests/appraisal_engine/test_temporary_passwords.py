"""A temporary password (one an administrator or a command made up for the user) must be
changed at the first sign-in: until then every page leads to the change-password page,
and API calls get 403 JSON. A password the operator chose (create-user) need not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from appraisal_engine.models import User

from .test_admin_users import TEMPORARY, post
from .test_auth import change_password, csrf_token, sign_in

NEW = "my own new secret"


def _user(session, username: str) -> User:
    session.rollback()
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


def _assert_held_until_changed(app, username: str, password: str, home: str) -> None:
    client = app.test_client()
    assert sign_in(client, username, password).status_code == 302
    for path in (home, "/", "/admin/", "/leadership/", "/me/"):
        held = client.get(path)
        assert held.status_code == 302, path
        assert held.headers["Location"] == "/account/password", path
    api = client.get("/api/campaigns/none/status")
    assert api.status_code == 403 and api.json["error"] == "password_change_required"
    for path in ("/static/app.css", "/favicon.ico"):
        with client.get(path) as served:
            assert served.status_code == 200, path
    page = client.get("/account/password?lang=en")
    assert page.status_code == 200 and "temporary password" in page.get_data(as_text=True)

    changed = change_password(client, password, NEW)
    assert changed.status_code == 302 and changed.headers["Location"] == home
    assert client.get(home).status_code == 200
    assert client.get("/").status_code == 200


def test_a_new_account_made_by_an_administrator_must_change_its_password(
    app, client, factories, session
):
    factories.user("admin", username="root")
    session.commit()
    sign_in(client, "root")
    created = post(
        client, "/admin/users/new", {"username": "li", "role": "leader"}, "/admin/users/new"
    )
    password = TEMPORARY.search(created.get_data(as_text=True)).group(1)
    assert _user(session, "li").must_change_password
    _assert_held_until_changed(app, "li", password, "/leadership/")
    assert not _user(session, "li").must_change_password


def test_a_replaced_password_must_be_changed(app, client, factories, session):
    factories.user("admin", username="root")
    wang = factories.user("cadre", username="wang")
    session.commit()
    assert not wang.must_change_password
    sign_in(client, "root")
    page = f"/admin/users/{wang.id}"
    reset = post(client, f"{page}/password", {}, page)
    password = TEMPORARY.search(reset.get_data(as_text=True)).group(1)
    assert _user(session, "wang").must_change_password
    _assert_held_until_changed(app, "wang", password, "/me/")


def test_cadre_accounts_made_in_bulk_must_change_their_passwords(
    app, runner, factories, session, tmp_path
):
    factories.cadre(code="C-001")
    session.commit()
    sheet = tmp_path / "accounts.csv"
    made = runner.invoke(args=["create-cadre-accounts", "-o", str(sheet)])
    assert made.exit_code == 0, made.output
    password = sheet.read_text("utf-8-sig").splitlines()[1].split(",")[4]
    assert _user(session, "C-001").must_change_password
    _assert_held_until_changed(app, "C-001", password, "/me/")


def test_a_password_the_operator_chose_need_not_be_changed(app, runner, session, monkeypatch):
    monkeypatch.setenv("APPRAISAL_PASSWORD", "a long password")
    made = runner.invoke(args=["create-user", "--username", "boss", "--role", "admin"])
    assert made.exit_code == 0, made.output
    assert not _user(session, "boss").must_change_password
    client = app.test_client()
    sign_in(client, "boss", "a long password")
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("wrong", ["not the password", None])
def test_a_held_user_can_sign_out_and_a_refused_change_keeps_the_hold(
    client, factories, session, wrong
):
    factories.user("leader", username="li", temporary=True)
    session.commit()
    sign_in(client, "li")
    if wrong:
        assert change_password(client, wrong, NEW).status_code == 400
        assert client.get("/leadership/").headers["Location"] == "/account/password"
    token = csrf_token(client, "/account/password")
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 302 and out.headers["Location"] == "/"
    assert client.get("/leadership/").headers["Location"].startswith("/login")
