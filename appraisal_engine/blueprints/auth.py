"""Sign-in and sign-out for cadres, leaders and administrators."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..db import get_session
from ..services.accounts import authenticate
from ..services.audit import record
from .access import home_endpoint

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: an absolute URL in ?next= would be an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user.role)))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        session = get_session()
        user = authenticate(session, form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            record(session, "auth.login", user=user, object_type="user", object_id=user.id)
            session.commit()
            return redirect(
                _safe_next(request.args.get("next")) or url_for(home_endpoint(user.role))
            )
        record(session, "auth.login_failed", details={"username": form.username.data[:64]})
        session.commit()
        failed = True
    status = 401 if failed else (400 if form.errors else 200)
    return render_template("auth/login.html", form=form, failed=failed), status


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        session = get_session()
        record(
            session, "auth.logout", user=current_user, object_type="user", object_id=current_user.id
        )
        session.commit()
        logout_user()
    return redirect(url_for("public.index"))
