"""What every part of the campaigns service shares: its errors and the campaign lock.

Every write expects the caller to have locked the campaign with `lock_campaign` (or, for a
new campaign, to have called `begin_write`): two administrators' changes, or two status
changes of one campaign, then never interleave."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...db import begin_write
from ...models import Campaign

MAX_INTEGER = 2**31 - 1


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


NOT_DRAFT = _l("The campaign is no longer a draft: its parameters and targets are read-only.")


class CampaignError(Exception):
    """A change that the campaign's state does not allow (the views answer 409)."""

    def __init__(self, *messages: Any) -> None:
        super().__init__(*messages)
        self.messages = list(messages)

    def __str__(self) -> str:  # translated only when shown: it needs a request's language
        return " ".join(str(message) for message in self.messages)


class NotDraft(CampaignError):
    def __init__(self) -> None:
        super().__init__(NOT_DRAFT)


class InvalidInput(Exception):
    """Input that breaks a rule; `errors` maps each form field to its message (400)."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__(errors)
        self.errors = dict(errors)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {message}" for name, message in self.errors.items())


def lock_campaign(session: Session, code: str) -> Campaign | None:
    """Begin a write and return the campaign locked (SELECT … FOR UPDATE), so that what
    is checked on it stays true until the commit; None when there is no such campaign."""
    begin_write(session)
    return session.scalar(select(Campaign).where(Campaign.code == code).with_for_update())
