"""Flags on a new response that looks like ballot stuffing (flagged, never rejected:
see `FlagRules`), and the keyed hashes that compare devices and networks without storing
them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.orm import Session

from forms.field_types import Answer as FormAnswer

from ..models import Response

FLAG_REASONS = ("duplicate_device", "same_network", "burst", "too_fast", "identical_answers")


@dataclass(frozen=True)
class FlagRules:
    """When a response is flagged as possible ballot stuffing (never rejected).

    - duplicate_device: the same device (salted hash of address, user agent and device
      cookie) answered the same target in the same category within `duplicate_hours`.
      Responses from a trusted kiosk are not compared with each other.
    - same_network: at least `network_min` responses to the same target and category
      within `duplicate_hours`, this one included, came from the same address and user
      agent (salted hash, no cookie): a device that clears its cookies between answers.
      The threshold leaves room for residents who share an address behind a carrier's
      NAT and happen to use the same phone and browser.
    - burst: the link received more than max(`burst_min`, `burst_factor` × its usual
      rate) responses in the last `burst_minutes`; its usual rate is its responses in the
      7 days before, spread over 8 opening hours a day.
    - too_fast: the form was submitted less than `seconds_per_answer` seconds per
      question answered after it was first opened.
    - identical_answers: at least max(`identical_min`, `burst_factor` × the usual rate)
      responses to the link in the last `burst_minutes`, this one included, chose exactly
      the same options: far more identical answers than the link usually receives in all.
    """

    duplicate_hours: float = 24.0
    network_min: int = 5
    burst_minutes: float = 10.0
    burst_min: int = 20
    burst_factor: float = 5.0
    seconds_per_answer: float = 1.0
    identical_min: int = 6

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FlagRules:
        return cls(
            duplicate_hours=config["FLAG_DUPLICATE_HOURS"],
            network_min=config["FLAG_NETWORK_MIN"],
            burst_minutes=config["FLAG_BURST_MINUTES"],
            burst_min=config["FLAG_BURST_MIN"],
            burst_factor=config["FLAG_BURST_FACTOR"],
            seconds_per_answer=config["FLAG_SECONDS_PER_ANSWER"],
            identical_min=config["FLAG_IDENTICAL_MIN"],
        )


#: 7 days of 8 opening hours, in minutes: the span the usual rate is spread over.
BASELINE_DAYS = 7
BASELINE_OPEN_MINUTES = BASELINE_DAYS * 8 * 60


_responses = Response.__table__.c


def _count(*conditions: Any) -> Any:
    return select(func.count()).select_from(Response.__table__).where(*conditions).scalar_subquery()


def _same_source(column: Any, parameter: str, kiosk: bool) -> Any:
    conditions = [
        column == bindparam(parameter),
        _responses.submitted_at >= bindparam("duplicate_since", type_=_responses.submitted_at.type),
        _responses.campaign_target_id == bindparam("target_id"),
        _responses.category == bindparam("category"),
    ]
    if kiosk:
        conditions.append(_responses.channel != "kiosk")
    return _count(*conditions)


@functools.cache
def _flag_query(device: bool, network: bool, kiosk: bool, fingerprint: bool) -> Any:
    """The counts the flags need, in one statement (one per shape, built once)."""
    link = _responses.link_id == bindparam("link_id")
    burst_since = bindparam("burst_since", type_=_responses.submitted_at.type)
    identical: Any = literal(0)
    if fingerprint:
        identical = _count(
            link,
            _responses.submitted_at >= burst_since,
            _responses.answers_fingerprint == bindparam("fingerprint"),
        )
    return select(
        _same_source(_responses.duplicate_hash, "device_hash", kiosk) if device else literal(0),
        _same_source(_responses.network_hash, "network_hash", kiosk) if network else literal(0),
        _count(link, _responses.submitted_at >= burst_since),
        _count(
            link,
            _responses.submitted_at
            >= bindparam("baseline_since", type_=_responses.submitted_at.type),
            _responses.submitted_at < burst_since,
        ),
        identical,
    )


def flag_reasons(
    session: Session,
    rules: FlagRules,
    *,
    link_id: int,
    target_id: int,
    category: str,
    device_hash: str | None,
    kiosk: bool,
    fingerprint: str | None,
    duration_ms: int | None,
    answered: int,
    now: datetime,
    network_hash: str | None = None,
) -> list[str]:
    """The flags a new response earns, from what is already stored (one query)."""
    burst_since = now - timedelta(minutes=rules.burst_minutes)
    query = _flag_query(
        device_hash is not None, network_hash is not None, kiosk, fingerprint is not None
    )
    parameters = {
        "link_id": link_id,
        "burst_since": burst_since,
        "baseline_since": burst_since - timedelta(days=BASELINE_DAYS),
        "duplicate_since": now - timedelta(hours=rules.duplicate_hours),
        "device_hash": device_hash,
        "network_hash": network_hash,
        "target_id": target_id,
        "category": category,
        "fingerprint": fingerprint,
    }
    same_device, same_network, recent, baseline, identical = (
        session.connection().execute(query, parameters).one()
    )
    reasons = []
    if same_device:
        reasons.append("duplicate_device")
    if network_hash is not None and same_network + 1 >= rules.network_min:
        reasons.append("same_network")
    usual = baseline * rules.burst_minutes / BASELINE_OPEN_MINUTES
    if recent + 1 > max(rules.burst_min, rules.burst_factor * usual):
        reasons.append("burst")
    if duration_ms is not None and duration_ms < rules.seconds_per_answer * answered * 1000:
        reasons.append("too_fast")
    if fingerprint is not None and identical + 1 >= max(
        rules.identical_min, rules.burst_factor * usual
    ):
        reasons.append("identical_answers")
    return reasons


def answers_fingerprint(answers: Mapping[str, Sequence[FormAnswer]]) -> str | None:
    """A short hash of the options chosen (texts left out); None when nothing was chosen."""
    chosen = sorted(
        (question, answer["option"])
        for question, given in answers.items()
        for answer in given
        if answer.get("option") is not None
    )
    if not chosen:
        return None
    return hashlib.sha256(json.dumps(chosen).encode()).hexdigest()[:32]


def device_hash(secret: str, address: str, user_agent: str, device_cookie: str) -> str:
    """Salted (keyed) SHA-256 of the client's address, user agent and device cookie."""
    return keyed_hash(secret, "duplicate-hash", address, user_agent, device_cookie)


def network_hash(secret: str, address: str, user_agent: str) -> str:
    """Salted (keyed) SHA-256 of the client's address and user agent, without the cookie."""
    return keyed_hash(secret, "network-hash", address, user_agent)


def keyed_hash(secret: str, purpose: str, *parts: str) -> str:
    """HMAC-SHA-256 of `parts` under a key derived from the instance's secret and
    `purpose`: not reversible, and not comparable across instances or purposes."""
    key = hashlib.sha256(purpose.encode() + b"\x1f" + secret.encode()).digest()
    return hmac.new(key, "\x1f".join(parts).encode(), "sha256").hexdigest()
