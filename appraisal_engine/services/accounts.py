"""Accounts: creating users, checking and changing passwords.

The password policy (password_problems) is the same for `appraisal create-user`, the demo
and the change-of-password page: at least MIN_PASSWORD_LENGTH characters, at most
MAX_PASSWORD_LENGTH (what the sign-in form accepts), and not the username. Passwords are
hashed with scrypt (models.users.PASSWORD_METHOD); a hash made another way still verifies
and is replaced at the next sign-in."""

from __future__ import annotations

import csv
import io
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from reports.spreadsheets import neutralise

from ..models import PASSWORD_METHOD, ROLES, Cadre, Unit, User, utcnow
from ..models.users import hash_password
from .audit import Actor, record
from .text import has_hidden_characters


@cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so both cases take the same time."""
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


MIN_PASSWORD_LENGTH = 8
#: The sign-in form accepts no longer password, so no account may be given one.
MAX_PASSWORD_LENGTH = 256

#: What password_problems() may report, in words for the command line.
PASSWORD_PROBLEMS = {
    "too_short": f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
    "too_long": f"the password must have at most {MAX_PASSWORD_LENGTH} characters",
    "is_username": "the password must not be the username",
}


class AccountError(ValueError):
    """A user cannot be created or changed as asked. `str()` is the message for the
    command line; `field` names the form field at fault and `message` says it in the
    page's language."""

    def __init__(self, field: str, cli_message: str, message: Any) -> None:
        super().__init__(cli_message)
        self.field = field
        self.message = message


#: What password_problems() may report, in the page's language.
PASSWORD_PROBLEM_TEXTS = {
    "too_short": _l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
    "too_long": _l("At most %(n)s characters.", n=MAX_PASSWORD_LENGTH),
    "is_username": _l("The password must not be the username."),
}

#: Letters and digits that cannot be mistaken for each other when read off paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A password an administrator hands over (on paper or in a sheet): 15 characters in
    three groups, about 74 bits, no look-alike characters."""
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(5)) for _ in range(3))
    return "-".join(groups)


def password_problems(password: str, username: str) -> list[str]:
    """What the password policy finds wrong with `password` for the user `username`, as
    keys of PASSWORD_PROBLEMS (empty: none)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("too_long")
    if password.strip().casefold() == username.strip().casefold():
        problems.append("is_username")
    return problems


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user of that username and password, or None; changes nothing. An unknown
    username costs the same time as a wrong password."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password):
        return None
    return user


def note_sign_in(user: User, password: str) -> None:
    """After a successful sign-in: the time, and the hash made anew when it was made with
    an older method (the password is at hand only now)."""
    user.last_login_at = utcnow()
    if user.password_needs_rehash:
        user.set_password(password)


def change_password(user: User, new_password: str) -> None:
    """Set a new password (the caller checked the current one and the policy) and raise
    the session version, so that every other session of the user stops being valid."""
    _check_password(new_password, user.username)
    user.set_password(new_password)
    user.session_version += 1
    user.must_change_password = False


def _check_password(password: str, username: str) -> None:
    problems = password_problems(password, username)
    if problems:
        key = problems[0]
        raise AccountError("password", PASSWORD_PROBLEMS[key], PASSWORD_PROBLEM_TEXTS[key])


def reset_password(user: User) -> str:
    """Give the user a new temporary password (returned, to hand over), to be changed at
    the next sign-in, and end their sessions."""
    password = temporary_password()
    user.set_password(password)
    user.session_version += 1
    user.must_change_password = True
    return password


def set_active(user: User, active: bool) -> bool:
    """Let the user sign in or not; a deactivated user's sessions end. False if nothing
    changed."""
    if user.active == active:
        return False
    user.active = active
    if not active:
        user.session_version += 1
    return True


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    cadre_code: str | None = None,
    unit_code: str | None = None,
    temporary: bool = False,
    by: Actor = None,
) -> User:
    """Add a user, audited as done `by` (see `Actor`); raises AccountError naming the field
    at fault on bad input. A `temporary` password (made up for the user, to hand over) must
    be changed at the first sign-in; one the user chose need not."""
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or any(c.isspace() for c in username)
        or has_hidden_characters(username)
    ):
        raise AccountError(
            "username",
            "the username must have 1 to 64 visible characters and no spaces",
            _l("1 to 64 visible characters, no spaces."),
        )
    if role not in ROLES:
        raise AccountError(
            "role", f"unknown role {role!r}; use one of {', '.join(ROLES)}", _l("Choose a role.")
        )
    _check_password(password, username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(
            "username",
            f"a user named {username!r} exists already",
            _l("A user of this name exists already."),
        )
    cadre = None
    if role == "cadre":
        if not cadre_code:
            raise AccountError(
                "cadre",
                "a cadre account needs --cadre CODE",
                _l("A cadre account needs the cadre's code."),
            )
        cadre = session.scalar(select(Cadre).where(Cadre.code == cadre_code))
        if cadre is None:
            raise AccountError(
                "cadre", f"no cadre has the code {cadre_code!r}", _l("No cadre has this code.")
            )
        if session.scalar(select(User.id).where(User.cadre_id == cadre.id)) is not None:
            raise AccountError(
                "cadre",
                f"cadre {cadre_code!r} has an account already",
                _l("This cadre has an account already."),
            )
    elif cadre_code:
        raise AccountError(
            "cadre", "--cadre is only for the role cadre", _l("Only a cadre account names a cadre.")
        )
    unit = None
    if unit_code:
        if role != "leader":
            raise AccountError(
                "unit",
                "--unit scopes a leader; it is only for the role leader",
                _l("Only a leader's account is limited to a unit."),
            )
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise AccountError(
                "unit", f"no unit has the code {unit_code!r}", _l("No unit has this code.")
            )
    user = User(
        username=username, role=role, cadre=cadre, unit=unit, must_change_password=temporary
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    if by is not None:
        record(
            session,
            "user.create",
            by=by,
            object_type="user",
            object_id=user.id,
            details={"username": user.username, "role": user.role},
        )
    return user


def _without_account() -> ColumnElement[bool]:
    """Active cadres no account belongs to."""
    has_account = select(User.cadre_id).where(User.cadre_id.is_not(None))
    return and_(Cadre.id.not_in(has_account), Cadre.active)


def cadres_without_account(session: Session) -> list[Cadre]:
    """Active cadres no account belongs to, by unit and code."""
    query = select(Cadre).where(_without_account()).order_by(Cadre.unit_id, Cadre.code)
    return list(session.scalars(query))


def count_cadres_without_account(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Cadre).where(_without_account())) or 0


def create_cadre_accounts(
    session: Session, unit_ids: set[int] | None = None
) -> list[tuple[User, str]]:
    """An account for every active cadre without one (in `unit_ids` if given), named by
    the cadre's code, each with a temporary password (returned once, to hand over; only
    its hash is kept), to be changed at the first sign-in. A cadre whose code is taken as
    a username, or is no valid username, is left for the administrator to name. Hashing
    is slow on purpose, so it runs on every core (hashlib's scrypt releases the GIL)."""
    taken = set(session.scalars(select(User.username)))
    cadres = [
        cadre
        for cadre in cadres_without_account(session)
        if (unit_ids is None or cadre.unit_id in unit_ids)
        and cadre.code not in taken
        and not any(c.isspace() for c in cadre.code)
        and not has_hidden_characters(cadre.code)
    ]
    passwords = [temporary_password() for _ in cadres]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hashes = list(pool.map(hash_password, passwords))
    made = []
    for cadre, password, password_hash in zip(cadres, passwords, hashes, strict=True):
        user = User(
            username=cadre.code,
            role="cadre",
            cadre=cadre,
            password_hash=password_hash,
            must_change_password=True,
        )
        session.add(user)
        made.append((user, password))
    session.flush()
    return made


ACCOUNT_SHEET_HEADERS = (
    "用户名 username",
    "干部编号 cadre code",
    "姓名 name",
    "单位 unit",
    "临时密码 temporary password",
)


def account_sheet(made: list[tuple[User, str]], fmt: str) -> bytes:
    """The new accounts and their temporary passwords as XLSX or CSV (UTF-8 with a BOM,
    so Excel shows the Chinese), to print and hand over."""
    rows = [
        (user.username, user.cadre.code, user.cadre.name_zh, user.cadre.unit.name_zh, password)
        for user, password in made
        if user.cadre is not None
    ]
    if fmt == "csv":
        # A CSV cell beginning like a formula gets an apostrophe; an XLSX cell is stored
        # as text, which no program runs, so it keeps what must be typed (a temporary
        # password may begin with "-").
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(ACCOUNT_SHEET_HEADERS)
        writer.writerows(tuple(neutralise(value) for value in row) for row in rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook  # half a second to import: only when a sheet is made

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "accounts"
    sheet.append(ACCOUNT_SHEET_HEADERS)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (16, 16, 14, 24, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
