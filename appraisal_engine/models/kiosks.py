"""Kiosks: tablets at a service window, set up by an administrator, whose responses are
not flagged as repeats of each other.

The tablet carries a signed cookie naming its row here; the row decides whether it is
still trusted, so an administrator can revoke a lost or misused tablet at once instead of
waiting for the cookie to expire.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .campaigns import Link
from .users import User

LABEL_LENGTH = 100
DEVICE_LENGTH = 200


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The open link (one window or target) the tablet answers for; trusted there only.
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="RESTRICT"), index=True)
    #: What the administrator called the tablet ("Window 3, left"), if anything.
    label: Mapped[str] = mapped_column(String(LABEL_LENGTH), default="")
    #: The tablet's browser (user agent, shortened), to tell tablets apart in the list.
    device: Mapped[str] = mapped_column(String(DEVICE_LENGTH), default="")
    set_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    set_up_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    link: Mapped[Link] = relationship()
    set_up_by: Mapped[User | None] = relationship(foreign_keys=[set_up_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
