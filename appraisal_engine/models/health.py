"""The row `/healthz` writes: proof that the database takes a write now, not only a read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class HealthCheck(Base):
    __tablename__ = "health_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When a health check last wrote this row.
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
