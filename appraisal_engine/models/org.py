"""The organisation: a tree of units, their service points (windows) and their cadres."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

CODE_LENGTH = 64
NAME_LENGTH = 200

#: Which cadres serve at which windows (offered as "who served you" on a window's form).
cadre_service_points = Table(
    "cadre_service_points",
    Base.metadata,
    Column("cadre_id", ForeignKey("cadres.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "service_point_id",
        ForeignKey("service_points.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Unit(Base):
    """An organ, department or section; units form a tree under the bureau."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The bureau's own code for the unit; stable across imports.
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    #: Enclosing unit; NULL for the root (the bureau itself).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    name_zh: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    #: Position among siblings, as listed in the imported file.
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.sort_order")
    service_points: Mapped[list[ServicePoint]] = relationship(back_populates="unit")
    cadres: Mapped[list[Cadre]] = relationship(back_populates="unit")

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class ServicePoint(Base):
    """A service window or station of a unit, where residents are served and scan a code."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    name_zh: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    #: Where residents find it ("1F hall, window 3"); printed on posters.
    location_zh: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    location_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="service_points")
    cadres: Mapped[list[Cadre]] = relationship(
        secondary=cadre_service_points, back_populates="service_points"
    )

    def __repr__(self) -> str:
        return f"<ServicePoint {self.code}>"


class Cadre(Base):
    """A staff member of a unit who is appraised; may serve at windows; may sign in."""

    __tablename__ = "cadres"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    name_zh: Mapped[str] = mapped_column(String(NAME_LENGTH))
    #: Transliteration shown in the English interface (e.g. "Zhang Wei").
    name_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    position_zh: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    position_en: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    #: Cadres who left stay in the database so that past results keep their names.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="cadres")
    service_points: Mapped[list[ServicePoint]] = relationship(
        secondary=cadre_service_points, back_populates="cadres"
    )

    def __repr__(self) -> str:
        return f"<Cadre {self.code}>"
