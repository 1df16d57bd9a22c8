"""Paper ballots: a CSV or XLSX table of filled-in paper questionnaires, one row per
ballot, imported into an open campaign (`appraisal import-responses`).

Each row names its ballot (the serial number printed or written on the paper), its target
("<kind>:<code>"), its respondent category and the answers, one column per question id.
The answers go through the same WTForms form as the public web form (forms.builder), so
the same rules hold: required questions, display conditions, option ids, text lengths,
phone numbers. An answer to a question whose condition does not hold is left out, as the
web form leaves it out.

The whole file is checked first and every problem is reported with its line and column;
only a file without problems is written. The file is read and checked before the write
lock is taken (a large file then does not hold up the public form on SQLite); under the
lock the campaign is read again and, if anything the check relied on changed, the file is
checked again. A ballot is stored with the nonce "paper:<campaign id>:<ballot>", which the
database keeps unique: the same ballot cannot be imported twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import Database, begin_write
from ..models import CATEGORIES, Answer, Cadre, CampaignCategory, CampaignTarget, Response
from ..queries.campaigns import campaign_by_code, target_keys
from .ballot_checks import (
    Ballot,
    BallotChecker,
    BallotTarget,
    CampaignSnapshot,
    ballot_nonce,
    check_headers,
    target_of,
)
from .codes import receipt_codes
from .public_links import cadres_at, published_form
from .tabular import InputFileError, Table, read_table

CHANNEL = "paper"
#: The tables, written with Core inserts (no ORM objects for tens of thousands of rows).
RESPONSES = Response.__table__
ANSWERS = Answer.__table__
#: Responses written per INSERT batch (their answers follow in one more batch).
BATCH_SIZE = 2000
#: Lookups of stored nonces per query.
LOOKUP_SIZE = 1000


class CampaignNotAccepting(Exception):
    """The campaign does not exist or does not take responses now."""


def _load_campaign(session: Session, code: str, *, lock: bool = False) -> CampaignSnapshot:
    query = campaign_by_code(code)
    if lock:
        # Shared, as the public form takes it: closing the campaign waits for the import.
        query = query.with_for_update(read=True)
    campaign = session.scalar(query)
    if campaign is None:
        raise CampaignNotAccepting(f"no campaign {code!r}")
    if campaign.status != "open":
        raise CampaignNotAccepting(
            f"campaign {code!r} is {campaign.status}; only an open campaign accepts responses"
        )
    versions = dict(
        session.execute(
            select(CampaignCategory.category, CampaignCategory.questionnaire_version_id).where(
                CampaignCategory.campaign_id == campaign.id
            )
        ).all()
    )
    keys = target_keys(session, campaign.id)
    targets = {
        keys[target_id]: BallotTarget(target_id, kind, service_point_id)
        for target_id, kind, service_point_id in session.execute(
            select(CampaignTarget.id, CampaignTarget.kind, CampaignTarget.service_point_id).where(
                CampaignTarget.campaign_id == campaign.id
            )
        )
    }
    return CampaignSnapshot(
        campaign.id,
        campaign.code,
        campaign.status,
        campaign.starts_on,
        campaign.ends_on,
        versions,
        targets,
    )


def _serving(session: Session, service_point_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Service point id → {cadre code: cadre id} of the cadres who serve there, as the
    public form offers them (public_links.cadres_at)."""
    allowed = {
        point_id: [int(choice.value) for choice in cadres_at(session, point_id)]
        for point_id in sorted(set(service_point_ids))
    }
    wanted = {cadre_id for ids in allowed.values() for cadre_id in ids}
    codes: dict[int, str] = {}
    wanted_list = sorted(wanted)
    for start in range(0, len(wanted_list), LOOKUP_SIZE):
        chunk = wanted_list[start : start + LOOKUP_SIZE]
        codes.update(session.execute(select(Cadre.id, Cadre.code).where(Cadre.id.in_(chunk))).all())
    return {point_id: {codes[i]: i for i in ids} for point_id, ids in allowed.items()}


def _already_imported(session: Session, nonces: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(nonces), LOOKUP_SIZE):
        chunk = nonces[start : start + LOOKUP_SIZE]
        found.update(session.scalars(select(Response.nonce).where(Response.nonce.in_(chunk))))
    return found


# --- Importing -----------------------------------------------------------------------------


@dataclass
class ImportSummary:
    campaign_id: int
    campaign: str
    file: str
    sha256: str
    by_category: Counter[str] = field(default_factory=Counter)
    #: Answers to questions whose display condition did not hold, left out.
    left_out: int = 0

    @property
    def count(self) -> int:
        return sum(self.by_category.values())

    def as_text(self) -> str:
        text = f"imported {self.count} paper ballot(s) into campaign {self.campaign}: " + ", ".join(
            f"{category} {self.by_category[category]}"
            for category in CATEGORIES
            if self.by_category[category]
        )
        if self.left_out:
            text += (
                f"\n{self.left_out} answer(s) to questions whose condition did not hold were "
                "left out, as the web form leaves them out"
            )
        return text


def _check(
    session: Session,
    database: Database,
    table: Table,
    campaign: CampaignSnapshot,
    zone: tzinfo,
    now: datetime,
) -> tuple[list[Ballot], dict[int, dict[str, int]]]:
    """The ballots of a table without problems, and the serving cadres it relied on;
    InputFileError listing every problem otherwise."""
    forms = {
        category: published_form(database, session, version_id)
        for category, version_id in campaign.versions.items()
    }
    problems = check_headers(table, forms)
    if problems:
        raise InputFileError(problems)
    points = set()
    for row in table.rows:
        if row.cells.get("served_by"):
            target = target_of(campaign, row.cells["target"])
            if target is not None and target.service_point_id is not None:
                points.add(target.service_point_id)
    serving = _serving(session, points)
    nonces = [
        ballot_nonce(campaign.id, row.cells["ballot"]) for row in table.rows if row.cells["ballot"]
    ]
    checker = BallotChecker(
        table, campaign, forms, serving, _already_imported(session, nonces), zone, now
    )
    checker.check()
    if checker.problems:
        raise InputFileError(checker.problems)
    return checker.ballots, serving


def _insert(session: Session, campaign: CampaignSnapshot, ballots: Sequence[Ballot]) -> None:
    """Write the ballots in batches: responses, then their answers.

    SQLite: executemany of the tables, many rows per statement (the ids come back by
    nonce: asking for them in the order given would make SQLite insert one row per
    statement). PostgreSQL: COPY, the ids drawn from the sequence first; psycopg would
    otherwise spend most of the import parsing statements with thousands of parameters.
    Triggers and constraints check every row either way.
    """
    postgres = session.connection().dialect.name == "postgresql"
    receipts: set[str] = set()
    draw = receipt_codes()
    for start in range(0, len(ballots), BATCH_SIZE):
        chunk = ballots[start : start + BATCH_SIZE]
        responses = []
        for ballot in chunk:
            code = next(draw)
            while code in receipts:
                code = next(draw)
            receipts.add(code)
            responses.append(
                {
                    "campaign_id": campaign.id,
                    "campaign_target_id": ballot.target_id,
                    "category": ballot.category,
                    "questionnaire_version_id": ballot.version_id,
                    "link_id": None,
                    "channel": CHANNEL,
                    "status": "counted",
                    "flag_reasons": [],
                    "receipt_code": code,
                    "nonce": ballot_nonce(campaign.id, ballot.ballot),
                    "duplicate_hash": None,
                    "answers_fingerprint": ballot.checked.fingerprint,
                    "served_by_cadre_id": ballot.served_by_cadre_id,
                    "language": ballot.language,
                    "duration_ms": None,
                    "submitted_at": ballot.submitted_at,
                }
            )
        if postgres:
            ids = session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('responses', 'id'))"
                    " FROM generate_series(1, :n)"
                ),
                {"n": len(responses)},
            ).all()
            for response, response_id in zip(responses, ids, strict=True):
                response["id"] = response_id
                response["flag_reasons"] = json.dumps(response["flag_reasons"])
            _copy(session, Response.__tablename__, responses)
        else:
            ids_by_nonce = dict(
                session.execute(
                    insert(RESPONSES).returning(RESPONSES.c.nonce, RESPONSES.c.id), responses
                ).all()
            )
            ids = [ids_by_nonce[response["nonce"]] for response in responses]
        answers = [
            {"response_id": response_id, **row}
            for response_id, ballot in zip(ids, chunk, strict=True)
            for row in ballot.checked.rows
        ]
        if not answers:
            continue
        if postgres:
            _copy(session, Answer.__tablename__, answers)
        else:
            session.execute(insert(ANSWERS), answers)


def _copy(session: Session, table: str, rows: list[dict]) -> None:
    """COPY `rows` (dicts with the same keys, values ready for the database) into
    `table` on the session's PostgreSQL connection."""
    columns = list(rows[0])
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    connection = session.connection()
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
    except connection.dialect.dbapi.IntegrityError as error:
        # As SQLAlchemy reports it for its own statements.
        raise IntegrityError(statement, None, error) from error


def import_paper_ballots(
    session: Session,
    database: Database,
    campaign_code: str,
    path: str | Path,
    *,
    zone: tzinfo,
    encoding: str = "utf-8",
    now: datetime | None = None,
) -> ImportSummary:
    """Check the ballots of `path` and write them into the campaign, in a write
    transaction that this function begins (`begin_write`) and the caller commits.

    Raises CampaignNotAccepting when the campaign does not exist or is not open, and
    InputFileError listing every problem of the file; nothing is written then. An
    IntegrityError (a concurrent import of the same ballot, on PostgreSQL, or a receipt
    code drawn twice) leaves the transaction to roll back; importing again then reports
    or avoids it.
    """
    path = Path(path)
    now = now or datetime.now(UTC)
    campaign = _load_campaign(session, campaign_code)
    table = read_table(path, encoding=encoding)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for _attempt in range(3):
        ballots, serving = _check(session, database, table, campaign, zone, now)
        begin_write(session)
        locked = _load_campaign(session, campaign_code, lock=True)
        if locked != campaign or _serving(session, serving) != serving:
            campaign = locked  # changed since the check: check again, now under the lock
            continue
        nonces = [ballot_nonce(campaign.id, b.ballot) for b in ballots]
        if _already_imported(session, nonces):
            campaign = locked  # imported meanwhile: the check will name them
            continue
        _insert(session, campaign, ballots)
        summary = ImportSummary(campaign.id, campaign.code, path.name, digest)
        for ballot in ballots:
            summary.by_category[ballot.category] += 1
            summary.left_out += ballot.checked.left_out
        return summary
    raise RuntimeError("the campaign kept changing while its ballots were being imported")
