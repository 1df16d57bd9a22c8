"""Throttling sign-in attempts, across gunicorn workers and processes: the recent attempts
are rows in the database (models.LoginAttempt), which every worker sees.

An attempt is keyed by the account (the username as typed, known or not: the answer never
tells whether an account exists) and by the client (its address); both keys are keyed
hashes, and neither the username nor the address is stored. With LOGIN_MAX_FAILURES = N,
LOGIN_CLIENT_MAX_FAILURES = M and LOGIN_WINDOW_MINUTES = W, an attempt is refused (429,
with Retry-After, the password not looked at) while

- "account_client": this client made N attempts for this account in the last W minutes
  (a sliding window): one client guessing one account's password;
- "client": this client made M attempts for any accounts in the last W minutes: one
  client trying many accounts. M is larger than N, so that the people of one office
  behind one address do not lock each other out with their typing mistakes;
- "account": the account has had at least N attempts from all clients in the window
  (it is under attack), and this client already tried it and must wait before the next
  attempt: 1 s after the N-th attempt on the account, doubling with each further one,
  at most W. A client that has not tried the account in the window is never held back
  by the account, so the owner signing in from another client gets in while an attacker
  hammers the account: an account is slowed down, never locked against every address.

A refused attempt is not counted. An attempt that goes ahead is stored and committed
before it is counted and before the password is checked, so attempts racing in other
workers see each other (a race may refuse an attempt early, never let an extra one
through). A failed attempt stays stored until it leaves the window; a successful one
removes itself and this client's earlier failures for this account, so a user who
mistyped starts afresh, while failures from other clients on the account remain. The
audit log keeps every sign-in, failure and refusal for good (the username only as a keyed
hash when the attempt fails); these rows are only the working state.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..models import LoginAttempt, utcnow
from .flags import keyed_hash


@dataclass(frozen=True)
class Throttle:
    """The limits: at most `max_failures` attempts per account and client, and
    `client_max_failures` per client, in `window`; an account with `max_failures` or
    more slows down the clients that tried it."""

    max_failures: int
    window: timedelta
    client_max_failures: int = 30

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Throttle:
        max_failures = max(1, int(config["LOGIN_MAX_FAILURES"]))
        return cls(
            max_failures=max_failures,
            window=timedelta(minutes=float(config["LOGIN_WINDOW_MINUTES"])),
            client_max_failures=max(max_failures, int(config["LOGIN_CLIENT_MAX_FAILURES"])),
        )

    def account_delay(self, attempts: int) -> timedelta:
        """How long a client that tried an account waits before trying it again, when
        the account has had `attempts` attempts in the window."""
        if attempts < self.max_failures:
            return timedelta(0)
        doubling = min(attempts - self.max_failures, 30)
        return min(self.window, timedelta(seconds=2**doubling))


@dataclass(frozen=True)
class AttemptKeys:
    """Who an attempt counts against: keyed hashes of the account and of the client."""

    account: str
    client: str


def client_of(address: str) -> str:
    """Who a client is, for counting its attempts: its IPv4 address, or the /64 network of
    its IPv6 address (one machine is usually given a whole /64, so counting each address
    would let it guess without limit)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def attempt_keys(secret: str, username: str, address: str) -> AttemptKeys:
    """The keys of an attempt to sign in as `username` (as typed, spaces around removed,
    as authenticate() looks it up) from the client address `address`."""
    return AttemptKeys(
        account=keyed_hash(secret, "sign-in-account", username.strip()),
        client=keyed_hash(secret, "sign-in-client", client_of(address)),
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
    """Why an attempt must wait, or None (the rules of this module's docstring); the
    longest wait wins."""
    cutoff = now - throttle.window

    def recent(*conditions: Any) -> Any:
        query = select(LoginAttempt.at).where(LoginAttempt.at > cutoff, *conditions)
        return query.where(LoginAttempt.id != own_id) if own_id is not None else query

    def nth_latest(limit: int, *conditions: Any) -> datetime | None:
        latest_first = recent(*conditions).order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
        return session.scalar(latest_first.offset(limit - 1).limit(1))

    account = LoginAttempt.account_key == keys.account
    client = LoginAttempt.client_key == keys.client
    waits = []
    for limit, count, conditions in (
        ("account_client", throttle.max_failures, (account, client)),
        ("client", throttle.client_max_failures, (client,)),
    ):
        nth = nth_latest(count, *conditions)
        if nth is not None:
            waits.append((nth + throttle.window, limit))
    on_account = session.scalar(select(func.count()).select_from(recent(account).subquery()))
    delay = throttle.account_delay(on_account or 0)
    if delay:
        tried = nth_latest(1, account, client)  # this client's last try of the account
        if tried is not None and tried + delay > now:
            waits.append((tried + delay, "account"))
    if not waits:
        return None
    retry_at, limit = max(waits, key=lambda wait: wait[0])
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
