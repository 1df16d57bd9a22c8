"""Accounts that sign in (administrators, leaders and cadres) and their recent sign-in
attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Base, UTCDateTime, utcnow
from .org import Cadre, Unit

ROLES = ("admin", "leader", "cadre")

#: How passwords are hashed: scrypt (n=2**15, r=8, p=1), werkzeug's notation. A stored hash
#: made another way (an older pbkdf2 one) still verifies and is replaced at the next sign-in.
PASSWORD_METHOD = "scrypt:32768:8:1"


def hash_password(password: str) -> str:
    """The stored form of `password` (safe to call from several threads at once)."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'leader', 'cadre')", name="role"),
        CheckConstraint("role <> 'cadre' OR cadre_id IS NOT NULL", name="cadre_has_cadre"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: A werkzeug hash (scrypt by default); never the password.
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    #: The cadre this account belongs to (role cadre), one account per cadre.
    cadre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cadres.id", ondelete="RESTRICT"), unique=True
    )
    #: For a leader: the unit subtree they may see; NULL means the whole bureau.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Raised when the password changes: sessions and remember-me cookies carry the version
    #: they were made under (see get_id) and stop being valid when it no longer matches.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: A temporary password (given by an administrator) must be changed at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    cadre: Mapped[Cadre | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def password_needs_rehash(self) -> bool:
        """True when the stored hash was made with other than PASSWORD_METHOD."""
        return not self.password_hash.startswith(PASSWORD_METHOD + "$")

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session and the remember-me cookie hold: "<id>:<session version>"."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginAttempt(Base):
    """A sign-in attempt that failed, or is being checked right now, within the throttling
    window (services.sign_in). Kept in the database so that the limits hold across
    workers and processes; rows older than the window are deleted as new ones come.
    Neither the username nor the client's address is stored: only keyed hashes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_account_at", "account_key", "at"),
        Index("ix_login_attempts_client_at", "client_key", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Keyed hash of the username as typed (known or not, so throttling tells nothing).
    account_key: Mapped[str] = mapped_column(String(64))
    #: Keyed hash of the client's address.
    client_key: Mapped[str] = mapped_column(String(64))
    #: When the attempt began.
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class SignIn(Base):
    """One signed-in session. The session cookie carries a random token whose hash is
    kept here, so that signing out ends the session on the server (a copied cookie stops
    working) and every session ends SESSION_HOURS after it began."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 (hex) of the token in the session cookie; never the token itself.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: When the user signed out; NULL while the session may go on.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
