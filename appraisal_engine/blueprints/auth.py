"""Signing in and out, and changing one's password, for cadres, leaders and administrators.

Attempts are throttled per account and client and per client, and slowed down per account
(services.sign_in): past a limit the answer is 429 with Retry-After, and the password is
not looked at. Every sign-in, failed
or throttled attempt, sign-out and change of password is audited (never the password; the
account and the client only as keyed hashes)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from ..db import begin_write, get_session
from ..models import User
from ..services.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    authenticate,
    change_password,
    note_sign_in,
    password_problems,
)
from ..services.audit import record
from ..services.sessions import SIGN_IN_KEY, end_sign_in, start_sign_in
from ..services.sign_in import (
    AttemptKeys,
    Throttle,
    Throttled,
    attempt_keys,
    attempt_succeeded,
    begin_attempt,
)
from .access import home_endpoint, signed_in_required

bp = Blueprint("auth", __name__)

#: What the password policy (services.accounts.password_problems) finds, in words.
PASSWORD_MESSAGES = {
    "too_short": _l(
        "The new password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH
    ),
    "too_long": _l(
        "The new password must have at most %(count)s characters.", count=MAX_PASSWORD_LENGTH
    ),
    "is_username": _l("The new password must not be your username."),
    "unchanged": _l("The new password must differ from the current one."),
}


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(max=64),
            # No account has one; PostgreSQL could not even look up a NUL character.
            Regexp(r"^[^\x00-\x1f\x7f]*\Z", message=_l("Please use only printable characters.")),
        ],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    new_password_again = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords are not the same.")),
        ],
    )


#: What a user whose password is temporary may still reach: changing it, signing out,
#: and what every page loads (static files, the icon).
PASSWORD_CHANGE_EXEMPT = frozenset(
    {"auth.change_password", "auth.logout", "static", "public.favicon"}
)


def require_password_change() -> Response | None:
    """Before every request: a user signed in with a temporary password (given by an
    administrator) is sent to the change-password page until they change it; API calls
    get 403 JSON."""
    if (
        not current_user.is_authenticated
        or not current_user.must_change_password
        or request.endpoint in PASSWORD_CHANGE_EXEMPT
    ):
        return None
    if request.blueprint == "api":
        response = jsonify(
            error="password_change_required",
            message=_("Change your temporary password first."),
        )
        response.status_code = 403
        return response
    return redirect(url_for("auth.change_password"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: an absolute URL in ?next= would be an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _keys(username: str) -> AttemptKeys:
    return attempt_keys(current_app.config["SECRET_KEY"], username, request.remote_addr or "")


def _audit_details(keys: AttemptKeys, **more: Any) -> dict[str, Any]:
    """What the audit log keeps of an attempt: the account and the client as short keyed
    hashes, enough to see the attempts on one account or from one client. Never the text
    typed as the username (people type phone numbers and passwords there), nor the
    address."""
    return {"account": keys.account[:16], "client": keys.client[:16], **more}


def _throttled(template: str, refusal: Throttled, **context: Any) -> Response:
    """429: the page says when to try again, and so does Retry-After."""
    minutes = math.ceil(refusal.retry_after / 60)
    page = render_template(template, throttled_minutes=minutes, **context)
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user.role)))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        session = get_session()
        username = form.username.data
        keys = _keys(username)
        try:
            begin_attempt(session, keys, Throttle.from_config(current_app.config))
        except Throttled as refusal:
            details = _audit_details(keys, limit=refusal.limit)
            record(session, "auth.login_throttled", details=details)
            session.commit()
            return _throttled("auth/login.html", refusal, form=form, failed=False)
        user = authenticate(session, username, form.password.data)
        user_id = user.id if user is not None else None
        begin_write(session)
        if user_id is None:
            record(session, "auth.login_failed", details=_audit_details(keys))
            session.commit()
            failed = True
        else:
            user = session.get(User, user_id)
            assert user is not None
            attempt_succeeded(session, keys)
            note_sign_in(user, form.password.data)
            record(session, "auth.login", user=user, object_type="user", object_id=user.id)
            token = start_sign_in(session, user, _session_lifetime())
            session.commit()
            login_user(user)
            flask_session[SIGN_IN_KEY] = token
            return redirect(
                _safe_next(request.args.get("next")) or url_for(home_endpoint(user.role))
            )
    status = 401 if failed else (400 if form.errors else 200)
    return render_template("auth/login.html", form=form, failed=failed), status


def _session_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_HOURS"])


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        session = get_session()
        begin_write(session)
        record(
            session, "auth.logout", user=current_user, object_type="user", object_id=current_user.id
        )
        end_sign_in(session, flask_session.get(SIGN_IN_KEY))
        session.commit()
        logout_user()
        flask_session.pop(SIGN_IN_KEY, None)
    return redirect(url_for("public.index"))


def _password_page(form: PasswordForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "auth/password.html",
        form=form,
        min_length=MIN_PASSWORD_LENGTH,
        temporary=current_user.must_change_password,
    )
    return page, status


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@signed_in_required
def change_password_page() -> Response | str | tuple[str, int]:
    """The current password, the new one twice. Wrong current passwords count against the
    sign-in limits of the account (they are guesses too). A change signs the user out of
    every other session; this one goes on."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _password_page(form, 400 if form.errors else 200)
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    username, user_id = user.username, user.id
    new_password = form.new_password.data
    problems = password_problems(new_password, username)
    if new_password == form.current_password.data:
        problems.append("unchanged")
    if problems:
        form.new_password.errors = [PASSWORD_MESSAGES[problem] for problem in problems]
        return _password_page(form, 400)
    session = get_session()
    keys = _keys(username)
    try:
        begin_attempt(session, keys, Throttle.from_config(current_app.config))
    except Throttled as refusal:
        details = _audit_details(keys, limit=refusal.limit)
        record(session, "auth.password_change_throttled", user=user, details=details)
        session.commit()
        return _throttled("auth/password.html", refusal, form=form, min_length=MIN_PASSWORD_LENGTH)
    correct = user.check_password(form.current_password.data)
    begin_write(session)
    user = session.get(User, user_id)
    assert user is not None
    if not correct:
        details = _audit_details(keys)
        record(session, "auth.password_change_failed", user=user, details=details)
        session.commit()
        form.current_password.errors = [_("The current password is not correct.")]
        return _password_page(form, 400)
    attempt_succeeded(session, keys)
    change_password(user, new_password)
    record(session, "auth.password_changed", user=user, object_type="user", object_id=user_id)
    session.commit()
    login_user(user)  # this session, under the new session version
    flash(_("Your password was changed. Any other sessions of yours were signed out."))
    return redirect(url_for(home_endpoint(user.role)))
