"""The ticket a public form carries, signed: its link, a single-use nonce and when the
form was first opened. It comes back in the form and in a cookie scoped to the link."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ...services.public_links import LinkContext

FORM_COOKIE = "appraisal_form"
TOKEN_SALT = "appraisal-survey-form"


@dataclass(frozen=True)
class Ticket:
    """What a form carries, signed: its link, its single-use nonce, and when it was first
    opened (seconds since the epoch)."""

    link_id: int
    nonce: str
    opened: int

    @classmethod
    def new(cls, link_id: int) -> Ticket:
        return cls(link_id, secrets.token_urlsafe(16), int(time.time()))

    def signed(self) -> str:
        return serializer().dumps([self.link_id, self.nonce, self.opened])


class TicketExpired(Exception):
    def __init__(self, ticket: Ticket) -> None:
        super().__init__("the form was open too long")
        self.ticket = ticket


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def read_ticket(value: str) -> Ticket:
    """The ticket of a signed form token; BadSignature when it is not one of ours,
    TicketExpired when it is older than FORM_MAX_AGE_HOURS."""
    max_age = current_app.config["FORM_MAX_AGE_HOURS"] * 3600
    try:
        payload = serializer().loads(value, max_age=max_age)
    except SignatureExpired as error:
        raise TicketExpired(_ticket(serializer().load_payload(error.payload))) from None
    return _ticket(payload)


def _ticket(payload: Any) -> Ticket:
    if not (isinstance(payload, list) and len(payload) == 3):
        raise BadSignature("not a form ticket")
    link_id, nonce, opened = payload
    return Ticket(int(link_id), str(nonce), int(opened))


def pending_ticket(context: LinkContext) -> Ticket | None:
    """The ticket this device was last given for the link, while it is valid."""
    value = request.cookies.get(FORM_COOKIE)
    if not value:
        return None
    try:
        ticket = read_ticket(value)
    except (BadSignature, TicketExpired, ValueError, TypeError):
        return None
    return ticket if ticket.link_id == context.link_id else None
