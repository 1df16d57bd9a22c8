"""Managing accounts: an administrator creates users with a temporary password shown once,
replaces a forgotten password, deactivates and reactivates; cadre accounts in bulk by
command, with a sheet of temporary passwords."""

from __future__ import annotations

import csv
import io
import re
import stat

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from appraisal_engine.models import AuditEntry, User

from .test_auth import csrf_token, sign_in

TEMPORARY = re.compile(r'<code class="secret">([a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5})</code>')


@pytest.fixture
def admin(client, factories, session):
    factories.user("admin", username="root")
    session.commit()
    sign_in(client, "root")
    return client


def post(client, path: str, data: dict, page: str):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def users_named(session, username: str) -> list[User]:
    session.rollback()
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).all()


def test_an_admin_creates_a_scoped_leader_who_signs_in_with_the_password_shown_once(
    app, admin, factories, session
):
    east = factories.unit(code="EAST", name_zh="东区分局")
    session.commit()
    form = admin.get("/admin/users/new").get_data(as_text=True)
    assert "东区分局 (EAST)" in form and "新建用户" in form
    created = post(
        admin,
        "/admin/users/new",
        {"username": "li.leader", "role": "leader", "unit": "EAST"},
        "/admin/users/new",
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    password = TEMPORARY.search(created.get_data(as_text=True)).group(1)
    [user] = users_named(session, "li.leader")
    assert (user.role, user.unit_id) == ("leader", east.id)
    assert password not in user.password_hash
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.actor == "root" and password not in str(entry.details)

    newcomer = app.test_client()
    assert sign_in(newcomer, "li.leader", password).headers["Location"] == "/leadership/"
    listed = admin.get("/admin/users/?role=leader&q=li.").get_data(as_text=True)
    assert "li.leader" in listed and "root" not in listed.split("<tbody>")[1]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "root", "role": "admin"}, "username", "已存在同名用户"),
        ({"username": "has space", "role": "admin"}, "username", "不能含空格"),
        ({"username": "a\x00b", "role": "admin"}, "username", "可见字符"),
        ({"username": "ab\u202e", "role": "admin"}, "username", "可见字符"),
        ({"username": "c1", "role": "cadre"}, "cadre", "需要填写干部编号"),
        ({"username": "c1", "role": "cadre", "cadre": "NOPE"}, "cadre", "没有干部使用此编号"),
        ({"username": "l1", "role": "leader", "unit": "NOPE"}, "unit", "没有单位使用此编号"),
        ({"username": "a1", "role": "admin", "unit": "NOPE"}, "unit", "只有领导账号"),
        ({"username": "x", "role": "emperor"}, "role", "请选择角色"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_creates_nothing(
    admin, session, data, field, message
):
    refused = post(admin, "/admin/users/new", data, "/admin/users/new")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    session.rollback()
    assert session.scalars(select(User.username)).all() == ["root"]


def test_a_new_password_ends_the_users_sessions_and_the_old_one_stops_working(
    app, admin, factories, session
):
    user = factories.user("cadre", username="wang")
    session.commit()
    theirs = app.test_client()
    sign_in(theirs, "wang")
    assert theirs.get("/me/").status_code == 200
    page = f"/admin/users/{user.id}"
    reset = post(admin, f"{page}/password", {}, page)
    assert reset.headers["Cache-Control"] == "no-store"
    password = TEMPORARY.search(reset.get_data(as_text=True)).group(1)
    assert theirs.get("/me/").status_code == 302, "their session ended"
    assert sign_in(app.test_client(), "wang").status_code == 401, "the old password fails"
    assert sign_in(app.test_client(), "wang", password).status_code == 302
    assert [
        e.details
        for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.reset_password")
        )
    ] == [{"username": "wang"}]


def test_deactivating_locks_the_user_out_until_reactivated(app, admin, factories, session):
    user = factories.user("leader", username="zhao")
    session.commit()
    theirs = app.test_client()
    sign_in(theirs, "zhao")
    page = f"/admin/users/{user.id}"
    assert post(admin, f"{page}/active", {"action": "deactivate"}, page).status_code == 302
    assert theirs.get("/leadership/").status_code == 302
    assert sign_in(app.test_client(), "zhao").status_code == 401, "refused"
    assert "已停用" in admin.get(page).get_data(as_text=True)
    assert post(admin, f"{page}/active", {"action": "activate"}, page).status_code == 302
    assert sign_in(app.test_client(), "zhao").status_code == 302
    actions = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_id == str(user.id), AuditEntry.action.like("user.%")
        )
    ).all()
    assert actions == ["user.deactivate", "user.activate"]
    assert post(admin, f"{page}/active", {"action": "explode"}, page).status_code == 400


def test_an_admin_cannot_lock_themselves_out(admin, session):
    [me] = users_named(session, "root")
    page = f"/admin/users/{me.id}"
    assert "修改密码" in admin.get(page).get_data(as_text=True)
    assert (
        post(admin, f"{page}/active", {"action": "deactivate"}, "/admin/users/").status_code == 409
    )
    assert post(admin, f"{page}/password", {}, "/admin/users/").status_code == 409
    assert admin.get("/admin/").status_code == 200


def test_unknown_users_are_not_found(admin):
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.get("/admin/users/99999999999999").status_code == 404
    assert admin.get("/admin/users/?role=emperor").status_code == 400


def test_cadre_accounts_in_bulk_with_a_private_sheet_of_passwords(
    app, runner, factories, session, tmp_path
):
    east = factories.unit(code="EAST", name_zh="东区分局")
    below = factories.unit(code="EAST-1", name_zh="东区一所", parent=east)
    west = factories.unit(code="WEST", name_zh="西区分局")
    factories.cadre(unit=east, code="C-001", name_zh="=危险公式")
    factories.cadre(unit=below, code="C-002", name_zh="李四")
    factories.cadre(unit=west, code="C-003", name_zh="王五")
    factories.cadre(unit=west, code="C-004", name_zh="离职", active=False)
    factories.user("cadre", username="C-009", cadre_code=factories.cadre(unit=west).code)
    session.commit()

    sheet = tmp_path / "east.xlsx"
    made = runner.invoke(args=["create-cadre-accounts", "--unit", "EAST", "-o", str(sheet)])
    assert made.exit_code == 0, made.output
    assert "created 2 cadre accounts" in made.output
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    book = load_workbook(sheet).active
    rows = list(book.iter_rows(values_only=True))
    assert rows[0][0].startswith("用户名")
    assert book["C2"].data_type == "s", "text that no spreadsheet runs, without an apostrophe"
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        ("C-001", "=危险公式", "东区分局"),
        ("C-002", "李四", "东区一所"),
    ]
    assert sign_in(app.test_client(), "C-002", rows[2][4]).headers["Location"] == "/me/"

    rest = tmp_path / "rest.csv"
    more = runner.invoke(args=["create-cadre-accounts", "-o", str(rest)])
    assert more.exit_code == 0 and "created 1 cadre accounts" in more.output
    data = rest.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    [row] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    assert row[:3] == ["C-003", "C-003", "王五"]

    again = runner.invoke(args=["create-cadre-accounts", "-o", str(tmp_path / "none.csv")])
    assert again.exit_code == 0 and "nothing was written" in again.output
    assert not (tmp_path / "none.csv").exists()


def test_no_cadre_account_is_kept_when_the_sheet_cannot_be_written(
    runner, factories, session, tmp_path
):
    factories.cadre(code="C-100")
    session.commit()
    nowhere = tmp_path / "missing-folder" / "accounts.xlsx"
    failed = runner.invoke(args=["create-cadre-accounts", "-o", str(nowhere)])
    assert failed.exit_code == 1 and "cannot write" in failed.output
    session.rollback()
    assert session.scalars(select(User)).all() == []
    wrong = runner.invoke(args=["create-cadre-accounts", "-o", str(tmp_path / "a.txt")])
    assert wrong.exit_code == 1 and ".xlsx or .csv" in wrong.output


def test_the_list_counts_the_cadres_still_without_an_account(admin, factories, session):
    factories.cadre(code="C-201")
    factories.cadre(code="C-202")
    factories.cadre(code="C-203", active=False)
    factories.user("cadre", username="has-one", cadre_code="C-202")
    session.commit()
    page = admin.get("/admin/users/").get_data(as_text=True)
    assert "有 1 名在职干部还没有账号" in page
