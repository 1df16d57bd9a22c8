"""Writing the audit log."""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditEntry, Campaign, User


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


#: Who acted, as a use case is told: the signed-in user (a view), or an actor's name such as
#: `cli_actor()` (a command). None only where the caller records one entry for the whole
#: (the demo).
Actor = User | str | None


def record(
    session: Session,
    action: str,
    *,
    by: Actor = None,
    user: User | None = None,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: object = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to `session` (committed with the change it records)."""
    if isinstance(by, User):
        user = by
    elif by is not None:
        actor = by
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        actor=actor or (user.username if user is not None else "anonymous"),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details,
    )
    session.add(entry)
    return entry


def record_on_campaign(
    session: Session,
    action: str,
    campaign: Campaign,
    by: Actor,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """An audit entry about `campaign`: its id as the object, its code first in the details."""
    return record(
        session,
        action,
        by=by,
        object_type="campaign",
        object_id=campaign.id,
        details={"code": campaign.code, **(details or {})},
    )
