"""Accounts: creating users and checking passwords."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ROLES, Cadre, Unit, User, utcnow


@cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so both cases take the same time."""
    return generate_password_hash(secrets.token_hex(16))


MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why."""


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
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
