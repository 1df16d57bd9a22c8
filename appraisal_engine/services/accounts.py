"""Accounts: creating users, checking and changing passwords.

The password policy (password_problems) is the same for `appraisal create-user`, the demo
and the change-of-password page: at least MIN_PASSWORD_LENGTH characters, at most
MAX_PASSWORD_LENGTH (what the sign-in form accepts), and not the username. Passwords are
hashed with scrypt (models.users.PASSWORD_METHOD); a hash made another way still verifies
and is replaced at the next sign-in."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import PASSWORD_METHOD, ROLES, Cadre, Unit, User, utcnow


@cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so both cases take the same time."""
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


MIN_PASSWORD_LENGTH = 8
#: The sign-in form accepts no longer password, so no account may be given one.
MAX_PASSWORD_LENGTH = 256

#: What password_problems() may report, in words for the command line.
PASSWORD_PROBLEMS = {
    "too_short": f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
    "too_long": f"the password must have at most {MAX_PASSWORD_LENGTH} characters",
    "is_username": "the password must not be the username",
}


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why."""


def password_problems(password: str, username: str) -> list[str]:
    """What the password policy finds wrong with `password` for the user `username`, as
    keys of PASSWORD_PROBLEMS (empty: none)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("too_long")
    if password.strip().casefold() == username.strip().casefold():
        problems.append("is_username")
    return problems


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user of that username and password, or None; changes nothing. An unknown
    username costs the same time as a wrong password."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password):
        return None
    return user


def note_sign_in(user: User, password: str) -> None:
    """After a successful sign-in: the time, and the hash made anew when it was made with
    an older method (the password is at hand only now)."""
    user.last_login_at = utcnow()
    if user.password_needs_rehash:
        user.set_password(password)


def change_password(user: User, new_password: str) -> None:
    """Set a new password (the caller checked the current one and the policy) and raise
    the session version, so that every other session of the user stops being valid."""
    problems = password_problems(new_password, user.username)
    if problems:
        raise AccountError(PASSWORD_PROBLEMS[problems[0]])
    user.set_password(new_password)
    user.session_version += 1


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    cadre_code: str | None = None,
    unit_code: str | None = None,
) -> User:
    """Add a user; raises AccountError with a message for the operator on bad input."""
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("the username must have 1 to 64 characters")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    problems = password_problems(password, username)
    if problems:
        raise AccountError(PASSWORD_PROBLEMS[problems[0]])
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"a user named {username!r} exists already")
    cadre = None
    if role == "cadre":
        if not cadre_code:
            raise AccountError("a cadre account needs --cadre CODE")
        cadre = session.scalar(select(Cadre).where(Cadre.code == cadre_code))
        if cadre is None:
            raise AccountError(f"no cadre has the code {cadre_code!r}")
        if session.scalar(select(User.id).where(User.cadre_id == cadre.id)) is not None:
            raise AccountError(f"cadre {cadre_code!r} has an account already")
    elif cadre_code:
        raise AccountError("--cadre is only for the role cadre")
    unit = None
    if unit_code:
        if role != "leader":
            raise AccountError("--unit scopes a leader; it is only for the role leader")
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise AccountError(f"no unit has the code {unit_code!r}")
    user = User(username=username, role=role, cadre=cadre, unit=unit)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user
