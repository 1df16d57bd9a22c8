"""Signed-in sessions kept on the server (models.SignIn).

The signed session cookie names the user (Flask-Login) and carries a random token; the
session is valid while the token's row is neither ended (signed out) nor expired. So
signing out ends the session everywhere the cookie may have been copied, and no session
outlives SESSION_HOURS.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from ..models import SignIn, User, utcnow

#: The key of the token in Flask's session.
SIGN_IN_KEY = "sign_in"
#: Ended and expired rows are deleted this long after they stopped being valid (the
#: audit log keeps every sign-in and sign-out for good).
KEEP_ENDED = timedelta(days=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_sign_in(
    session: Session, user: User, lifetime: timedelta, now: datetime | None = None
) -> str:
    """Record a new session of `user` (the caller commits); returns its token for the
    cookie. Rows long ended or expired are cleared on the way."""
    now = now or utcnow()
    session.execute(
        delete(SignIn).where(
            (SignIn.expires_at < now - KEEP_ENDED) | (SignIn.ended_at < now - KEEP_ENDED)
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        SignIn(
            user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=now + lifetime
        )
    )
    return token


def end_sign_in(session: Session, token: object, now: datetime | None = None) -> None:
    """End the session of `token` (signing out); the caller commits."""
    if isinstance(token, str):
        session.execute(
            update(SignIn)
            .where(SignIn.token_hash == token_hash(token), SignIn.ended_at.is_(None))
            .values(ended_at=now or utcnow())
        )


def signed_in_user(
    identity: int, session_version: int, token: object, now: datetime | None = None
) -> Select[tuple[User]] | None:
    """The query for the active user of a session, or None when the cookie has no token:
    the user's session version must be current and the token's session still valid."""
    if not isinstance(token, str) or len(token) > 100:
        return None
    return (
        select(User)
        .join(SignIn, SignIn.user_id == User.id)
        .where(
            User.id == identity,
            User.active,
            User.session_version == session_version,
            SignIn.token_hash == token_hash(token),
            SignIn.ended_at.is_(None),
            SignIn.expires_at > (now or utcnow()),
        )
    )
