"""The audit log: who did what, when. Append-only (database triggers refuse UPDATE and
DELETE) and hash-chained: each entry stores the SHA-256 of its content and of the entry
before it, so an edit, a removal or an insertion anywhere shows as a break in the chain
(`appraisal verify`)."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime, utcnow

#: Named in every digest, so that a later change of what is hashed is a new format.
CHAIN_FORMAT = "appraisal-audit/1"

#: PostgreSQL advisory lock that orders the writers of the chain ("audit" in ASCII).
CHAIN_LOCK = 0x6175646974

_creation_order = itertools.count()


def chain_digest(
    previous_sha256: str | None,
    at: datetime,
    user_id: int | None,
    actor: str,
    action: str,
    object_type: str | None,
    object_id: str | None,
    details: Any,
) -> str:
    """SHA-256 (hex) of an entry's content and of the digest of the entry before it."""
    document = [
        CHAIN_FORMAT,
        previous_sha256 or "",
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        user_id,
        actor,
        action,
        object_type,
        object_id,
        details,
    ]
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_action", "action"),
        Index("ix_audit_log_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The signed-in user, if any.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who acted, as text that survives the user: a username, "cli:<os user>" or "system".
    actor: Mapped[str] = mapped_column(String(128))
    #: A dotted verb: "auth.login", "org.import", "campaign.open", "scoring.run" …
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    #: The `sha256` of the entry before this one (None for the first entry).
    previous_sha256: Mapped[str | None] = mapped_column(String(64))
    #: `chain_digest` of this entry; set when the entry is written (services.audit).
    sha256: Mapped[str] = mapped_column(String(64))

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        #: Entries of one flush are chained in the order they were made.
        self.creation_order = next(_creation_order)

    def digest(self) -> str:
        """What `sha256` must be, from the content and `previous_sha256`."""
        return chain_digest(
            self.previous_sha256,
            self.at,
            self.user_id,
            self.actor,
            self.action,
            self.object_type,
            self.object_id,
            self.details,
        )


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _context: Any, _instances: Any) -> None:
    """Chain the entries about to be inserted onto the last one in the database.

    The chain must have one writer at a time: on PostgreSQL a transaction-scoped advisory
    lock, taken here and held until the commit; on SQLite the database's write lock (a
    transaction that read an older tail cannot write: SQLite refuses it as busy)."""
    entries = sorted(
        # Every entry not yet in the database, chained again at each flush: one whose
        # transaction was rolled back comes back with digests of a tail that is gone.
        (obj for obj in session.new if isinstance(obj, AuditEntry)),
        key=lambda entry: entry.creation_order,
    )
    if not entries:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    table = AuditEntry.__table__
    previous = connection.scalar(select(table.c.sha256).order_by(table.c.id.desc()).limit(1))
    for entry in entries:
        if entry.at is None:
            entry.at = utcnow()
        # What the database gives back (lists for tuples, text keys), so that the digest
        # computed now is the one recomputed from the stored row.
        entry.details = None if entry.details is None else json.loads(json.dumps(entry.details))
        entry.previous_sha256 = previous
        entry.sha256 = previous = entry.digest()
