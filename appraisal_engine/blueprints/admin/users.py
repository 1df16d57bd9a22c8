"""User accounts: list, create (with a temporary password shown once), reset a password,
deactivate and reactivate. Every change is audited; passwords never are."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from ...db import begin_write, get_session
from ...models import MAX_ID, ROLES, Cadre, Unit, User
from ...services.accounts import (
    AccountError,
    count_cadres_without_account,
    create_user,
    reset_password,
    set_active,
    temporary_password,
)
from ...services.audit import record
from ..access import role_required
from .blueprint import bp

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "leader": _l("Leader"),
    "cadre": _l("Cadre"),
}
PAGE_SIZE = 100


def _no_store(page: str, status: int = 200):
    """A page that shows a password: never kept by the browser or a proxy."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/users/")
@role_required("admin")
def users():
    session = get_session()
    role = request.args.get("role", "")
    if role and role not in ROLES:
        abort(400)
    search = request.args.get("q", "").strip()[:64]
    query = select(User).order_by(User.role, User.username)
    if role:
        query = query.where(User.role == role)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.outerjoin(Cadre, Cadre.id == User.cadre_id).where(
            User.username.ilike(pattern, escape="\\") | Cadre.name_zh.like(pattern, escape="\\")
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return render_template(
        "admin/users/index.html",
        users=session.scalars(query.limit(PAGE_SIZE)).all(),
        total=total,
        shown=PAGE_SIZE,
        role=role,
        search=search,
        role_labels=ROLE_LABELS,
        without_account=count_cadres_without_account(session),
    )


def _render_new(form: Any, errors: dict[str, Any], status: int = 200):
    units = get_session().scalars(select(Unit).order_by(Unit.code)).all()
    return (
        render_template(
            "admin/users/new.html", form=form, errors=errors, role_labels=ROLE_LABELS, units=units
        ),
        status,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def user_new():
    if request.method == "GET":
        return _render_new({}, {})
    session = get_session()
    begin_write(session)
    password = temporary_password()
    try:
        user = create_user(
            session,
            username=request.form.get("username", ""),
            password=password,
            role=request.form.get("role", ""),
            cadre_code=request.form.get("cadre", "").strip() or None,
            unit_code=request.form.get("unit", "").strip() or None,
            temporary=True,
            by=current_user,
        )
    except AccountError as error:
        session.rollback()
        return _render_new(request.form, {error.field: error.message}, 400)
    session.commit()
    return _no_store(render_template("admin/users/password.html", account=user, password=password))


def _user_or_404(user_id: int) -> User:
    user = get_session().get(User, user_id) if user_id <= MAX_ID else None
    if user is None:
        abort(404)
    return user


@bp.get("/users/<int:user_id>")
@role_required("admin")
def user(user_id: int):
    return render_template(
        "admin/users/user.html", account=_user_or_404(user_id), role_labels=ROLE_LABELS
    )


@bp.post("/users/<int:user_id>/password")
@role_required("admin")
def user_reset_password(user_id: int):
    """A new temporary password, shown once; the user's sessions end."""
    session = get_session()
    begin_write(session)
    account = _user_or_404(user_id)
    if account.id == current_user.id:
        abort(409, _("Change your own password on your account page."))
    password = reset_password(account)
    record(
        session,
        "user.reset_password",
        user=current_user,
        object_type="user",
        object_id=account.id,
        details={"username": account.username},
    )
    session.commit()
    return _no_store(
        render_template("admin/users/password.html", account=account, password=password)
    )


@bp.post("/users/<int:user_id>/active")
@role_required("admin")
def user_active(user_id: int):
    """Deactivate (the user can no longer sign in; their sessions end) or reactivate."""
    action = request.form.get("action", "")
    if action not in ("deactivate", "activate"):
        abort(400)
    session = get_session()
    begin_write(session)
    account = _user_or_404(user_id)
    if account.id == current_user.id:
        abort(409, _("You cannot deactivate your own account."))
    if set_active(account, action == "activate"):
        record(
            session,
            f"user.{action}",
            user=current_user,
            object_type="user",
            object_id=account.id,
            details={"username": account.username},
        )
    session.commit()
    flash(_("The account can sign in.") if account.active else _("The account is deactivated."))
    return redirect(url_for("admin.user", user_id=account.id))
