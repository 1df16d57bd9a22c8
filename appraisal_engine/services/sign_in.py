"""Throttling sign-in attempts, across gunicorn workers and processes: the recent attempts
are rows in the database (models.LoginAttempt), which every worker sees.

With LOGIN_MAX_FAILURES = N and LOGIN_WINDOW_MINUTES = W:

- An attempt is keyed by the account (the username as typed, known or not: the answer
  never tells whether an account exists) and by the client (its address). Both keys are
  keyed hashes; neither the username nor the address is stored.
- An attempt is refused (429), without the password being looked at, while N attempts
  for the same account, or N from the same client, began within the last W minutes (a
  sliding window). A refused attempt is not counted, so the wait ends W minutes after the
  N-th most recent counted attempt; Retry-After says when.
- An attempt that goes ahead is stored and committed before it is counted and before the
  password is checked, so attempts racing in other workers see each other: at most N
  passwords are ever tried per account, and per client, in any window (a race may
  refuse an attempt early, never let an extra one through).
- A failed attempt stays stored until it leaves the window. A successful one removes
  itself and this client's earlier failures for this account, so a user who mistyped
  starts afresh; failures from other clients on the account (a possible attack) remain,
  and so do this client's failures for other accounts (a client trying many accounts).
- The audit log keeps every sign-in, failure and refusal for good; these rows are only
  the working state, deleted once older than the window.

A throttled account is locked for everyone, its owner included, until the window has
passed: that is the price of limiting guesses per account; an attack on it shows in the
audit log ("auth.login_failed", "auth.login_throttled").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..models import LoginAttempt, utcnow
from .submissions import keyed_hash


@dataclass(frozen=True)
class Throttle:
    """The limits: at most `max_failures` attempts per account and per client in `window`."""

    max_failures: int
    window: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Throttle:
        return cls(
            max_failures=max(1, int(config["LOGIN_MAX_FAILURES"])),
            window=timedelta(minutes=float(config["LOGIN_WINDOW_MINUTES"])),
        )


@dataclass(frozen=True)
class AttemptKeys:
    """Who an attempt counts against: keyed hashes of the account and of the client."""

    account: str
    client: str


def attempt_keys(secret: str, username: str, address: str) -> AttemptKeys:
    """The keys of an attempt to sign in as `username` (as typed, spaces around removed,
    as authenticate() looks it up) from the client address `address`."""
    return AttemptKeys(
        account=keyed_hash(secret, "sign-in-account", username.strip()),
        client=keyed_hash(secret, "sign-in-client", address),
    )


class Throttled(Exception):
    """Too many recent attempts: `limit` is "account" or "client"; try again in
    `retry_after` seconds, at `retry_at`."""

    def __init__(self, limit: str, retry_at: datetime, now: datetime) -> None:
        super().__init__(f"too many sign-in attempts ({limit})")
        self.limit = limit
        self.retry_at = retry_at
        self.retry_after = max(1, math.ceil((retry_at - now).total_seconds()))


def _refusal(
    session: Session, keys: AttemptKeys, throttle: Throttle, now: datetime, own_id: int | None
) -> Throttled | None:
    """Why an attempt must wait, or None: the N-th most recent other attempt for the
    account (then from the client) within the window says until when."""
    cutoff = now - throttle.window
    waits = []
    for limit, column, key in (
        ("account", LoginAttempt.account_key, keys.account),
        ("client", LoginAttempt.client_key, keys.client),
    ):
        query = select(LoginAttempt.at).where(column == key, LoginAttempt.at > cutoff)
        if own_id is not None:
            query = query.where(LoginAttempt.id != own_id)
        nth = session.scalar(
            query.order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
            .offset(throttle.max_failures - 1)
            .limit(1)
        )
        if nth is not None:
            waits.append((nth + throttle.window, limit))
    if not waits:
        return None
    retry_at, limit = max(waits, key=lambda wait: wait[0])  # on a tie: "account"
    return Throttled(limit, retry_at, now)


def begin_attempt(
    session: Session, keys: AttemptKeys, throttle: Throttle, now: datetime | None = None
) -> int:
    """Store an attempt (committed) before its password is checked, and return its id; or
    raise Throttled when it must wait, with the session in a write transaction for the
    caller's audit entry (nothing of the attempt stored)."""
    now = now or utcnow()
    begin_write(session)
    refusal = _refusal(session, keys, throttle, now, None)
    if refusal is not None:
        raise refusal
    session.execute(delete(LoginAttempt).where(LoginAttempt.at <= now - throttle.window))
    attempt = LoginAttempt(account_key=keys.account, client_key=keys.client, at=now)
    session.add(attempt)
    session.flush()
    attempt_id = attempt.id
    session.commit()
    # Counted again now that it is visible: an attempt racing in another worker is seen.
    refusal = _refusal(session, keys, throttle, now, attempt_id)
    if refusal is not None:
        begin_write(session)
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
        raise refusal
    session.rollback()  # end the read: the password check must not hold a transaction open
    return attempt_id


def attempt_succeeded(session: Session, keys: AttemptKeys) -> None:
    """Forget this client's attempts for this account (the successful one included); not
    committed: it belongs to the caller's transaction."""
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.account_key == keys.account, LoginAttempt.client_key == keys.client
        )
    )
