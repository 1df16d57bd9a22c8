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
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from forms.builder import answers_from_form, field_name
from forms.specs import Question

from ..db import Database, begin_write
from ..models import CATEGORIES, Answer, Cadre, CampaignCategory, CampaignTarget, Response
from ..queries.campaigns import campaign_by_code, target_keys
from .codes import receipt_codes
from .flags import answers_fingerprint
from .org_import import KINDS
from .public_links import PublishedForm, answer_rows, cadres_at, published_form
from .tabular import InputFileError, Problem, Row, Table, read_table

CHANNEL = "paper"
#: The tables, written with Core inserts (no ORM objects for tens of thousands of rows).
RESPONSES = Response.__table__
ANSWERS = Answer.__table__
FIXED_COLUMNS = ("ballot", "target", "category", "date", "served_by", "language")
REQUIRED_COLUMNS = ("ballot", "target", "category")
LANGUAGES = ("zh", "en")
#: The stored nonce is "paper:<campaign id>:<ballot>" and must fit its 64 characters.
BALLOT_LENGTH = 40
BALLOT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
#: Options of a multiple-choice answer are separated by ";" (or the full-width "；").
CHOICE_SEPARATOR = re.compile(r"\s*[;；]\s*")
TARGET_SEPARATOR = re.compile(r"\s*[:：]\s*")
#: 2026-03-15, and 2026/3/15 as Excel writes a date into a CSV file on a Chinese system.
DATE_PATTERN = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\Z")
#: A paper ballot's time of day is unknown: it is stored at noon of its day (a ballot of
#: today at the time of the import, if that is earlier).
BALLOT_TIME = time(12)
#: Responses written per INSERT batch (their answers follow in one more batch).
BATCH_SIZE = 2000
#: Lookups of stored nonces per query.
LOOKUP_SIZE = 1000
#: Messages list a window's cadres when there are at most this many.
MAX_LISTED = 12
#: Where each character of a receipt code takes its 5 bits of the random number.


class CampaignNotAccepting(Exception):
    """The campaign does not exist or does not take responses now."""


def ballot_nonce(campaign_id: int, ballot: str) -> str:
    return f"paper:{campaign_id}:{ballot}"


@dataclass(frozen=True)
class _Target:
    id: int
    kind: str
    service_point_id: int | None


@dataclass(frozen=True)
class _Campaign:
    """What the check relies on, as plain data: equal snapshots mean an equal check."""

    id: int
    code: str
    status: str
    starts_on: date
    ends_on: date
    #: Category → the questionnaire version it answers.
    versions: dict[str, int]
    #: "<kind>:<code>" → target.
    targets: dict[str, _Target]


def _load_campaign(session: Session, code: str, *, lock: bool = False) -> _Campaign:
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
        keys[target_id]: _Target(target_id, kind, service_point_id)
        for target_id, kind, service_point_id in session.execute(
            select(CampaignTarget.id, CampaignTarget.kind, CampaignTarget.service_point_id).where(
                CampaignTarget.campaign_id == campaign.id
            )
        )
    }
    return _Campaign(
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


# --- Checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    """A ballot's answers through the web form: the answer rows to store, or errors by
    question id."""

    rows: list[dict]
    fingerprint: str | None
    errors: dict[str, str]
    #: Questions answered on paper whose display condition does not hold.
    left_out: int


@dataclass(frozen=True)
class _Ballot:
    line: int
    ballot: str
    target_id: int
    category: str
    version_id: int
    language: str
    served_by_cadre_id: int | None
    submitted_at: datetime
    checked: _Checked


def _split(question: Question, value: str) -> list[str]:
    if not value:
        return []
    if question.type == "multiple_choice":
        return [v for v in CHOICE_SEPARATOR.split(value) if v]
    return [value]


def _answer_error(question: Question, values: list[str], messages: list[str]) -> str:
    """The form's complaint about a question, said for a table rather than a screen."""
    if not values:
        return "no answer, but this question must be answered"
    if question.options:
        unknown = [v for v in values if v not in question.option_ids]
        if unknown:
            if question.type != "multiple_choice" and CHOICE_SEPARATOR.search(unknown[0]):
                return "only one option may be chosen: this is not a multiple-choice question"
            return (
                f'"{unknown[0]}" is not an option of this question; the options are '
                + ", ".join(question.option_ids)
            )
    return " ".join(str(m) for m in messages)


def _check_answers(form: PublishedForm, cells: tuple[str, ...]) -> _Checked:
    """Validate one ballot's cells (one per question, in questionnaire order) with the
    web form's class, in English (the messages a CLI prints)."""
    questions = form.questionnaire.questions
    data: MultiDict[str, str] = MultiDict()
    given: dict[str, list[str]] = {}
    for question, value in zip(questions, cells, strict=True):
        values = _split(question, value)
        given[question.id] = values
        for v in values:
            data.add(field_name(question.id), v)
    wtform = form.form_class("en")(data)
    if not wtform.validate():
        errors = {
            question.id: _answer_error(question, given[question.id], wtform[name].errors)
            for question in questions
            if (name := field_name(question.id)) in wtform.errors
        }
        return _Checked([], None, errors, 0)
    answers = answers_from_form(wtform, form.questionnaire)
    left_out = sum(1 for qid, values in given.items() if values and qid not in answers)
    return _Checked(answer_rows(form, answers), answers_fingerprint(answers), {}, left_out)


class _Checker:
    """Checks a table's rows against a campaign snapshot; every problem is kept."""

    def __init__(
        self,
        table: Table,
        campaign: _Campaign,
        forms: Mapping[str, PublishedForm],
        serving: Mapping[int, Mapping[str, int]],
        imported: set[str],
        zone: tzinfo,
        now: datetime,
    ) -> None:
        self.table = table
        self.campaign = campaign
        self.forms = forms
        self.serving = serving
        self.imported = imported
        self.zone = zone
        self.now = now
        self.today = now.astimezone(zone).date()
        self.problems: list[Problem] = []
        self.ballots: list[_Ballot] = []
        self.first_line: dict[str, int] = {}
        self.cache: dict[tuple[str, tuple[str, ...]], _Checked] = {}
        #: Required questions whose column is missing: id → (categories, lines of ballots).
        self.missing: dict[str, tuple[set[str], list[int]]] = {}
        codes = {key: key.split(":", 1)[1] for key in campaign.targets}
        counts = Counter(codes.values())
        self.unique_codes = {code: key for key, code in codes.items() if counts[code] == 1}

    def problem(self, row: Row | None, header: str | None, message: str) -> None:
        self.problems.append(self.table.problem(row, header, message))

    def check(self) -> None:
        for row in self.table.rows:
            self.check_row(row)
        for question_id, (categories, lines) in self.missing.items():
            self.problems.append(
                Problem(
                    self.table.file,
                    f'the column "{question_id}" is missing: ballots of the category '
                    f"{' and '.join(sorted(categories))} must answer that question "
                    f"({len(lines)} ballot(s), the first on line {lines[0]})",
                    1,
                )
            )
        self.problems.sort(key=lambda p: (p.line or 0, p.column or 0))

    def check_row(self, row: Row) -> None:
        cells = row.cells
        ballot = self.check_ballot(row, cells["ballot"])
        target = self.check_target(row, cells["target"])
        category, form = self.check_category(row, cells["category"])
        day = self.check_date(row, cells.get("date", ""))
        served_ok, served_by = self.check_served_by(row, cells.get("served_by", ""), target)
        language = cells.get("language", "").lower() or "zh"
        if language not in LANGUAGES:
            self.problem(row, "language", f'"{cells["language"]}" is not a language; use zh or en')
        checked = self.check_answers(row, category, form)
        if (
            ballot is None
            or target is None
            or form is None
            or day is None
            or not served_ok
            or checked is None
            or language not in LANGUAGES
        ):
            return
        assert category is not None
        self.ballots.append(
            _Ballot(
                line=row.line,
                ballot=ballot,
                target_id=target.id,
                category=category,
                version_id=form.version_id,
                language=language,
                served_by_cadre_id=served_by,
                submitted_at=min(
                    datetime.combine(day, BALLOT_TIME, self.zone), self.now
                ).astimezone(UTC),
                checked=checked,
            )
        )

    def check_ballot(self, row: Row, value: str) -> str | None:
        if not value:
            self.problem(row, "ballot", "the ballot number is empty")
            return None
        if len(value) > BALLOT_LENGTH or not BALLOT_PATTERN.match(value):
            self.problem(
                row,
                "ballot",
                f'"{value}" is not a valid ballot number: up to {BALLOT_LENGTH} letters, '
                "digits, dots, dashes, slashes or underscores, starting with a letter or digit",
            )
            return None
        if value in self.first_line:
            self.problem(
                row,
                "ballot",
                f'the ballot "{value}" appears again (first on line {self.first_line[value]})',
            )
            return None
        self.first_line[value] = row.line
        if ballot_nonce(self.campaign.id, value) in self.imported:
            self.problem(
                row,
                "ballot",
                f'the ballot "{value}" was imported into campaign {self.campaign.code} before',
            )
            return None
        return value

    def check_target(self, row: Row, value: str) -> _Target | None:
        example = "e.g. service_point:W01"
        if not value:
            self.problem(row, "target", f"the target is empty; write <kind>:<code>, {example}")
            return None
        parts = TARGET_SEPARATOR.split(value, maxsplit=1)
        if len(parts) != 2:
            suggestion = self.unique_codes.get(value)
            hint = f'write "{suggestion}"' if suggestion else f"write <kind>:<code>, {example}"
            self.problem(row, "target", f'"{value}" is not a target; {hint}')
            return None
        kind = KINDS.get(parts[0].lower())
        if kind is None:
            self.problem(
                row,
                "target",
                f'"{parts[0]}" is not a kind of target; use unit, service_point or cadre',
            )
            return None
        key = f"{kind}:{parts[1]}"
        target = self.campaign.targets.get(key)
        if target is None:
            self.problem(row, "target", f'"{key}" is not a target of campaign {self.campaign.code}')
        return target

    def check_category(self, row: Row, value: str) -> tuple[str | None, PublishedForm | None]:
        category = value.lower()
        if category not in CATEGORIES:
            self.problem(
                row,
                "category",
                (f'"{value}" is not a category' if value else "the category is empty")
                + "; use "
                + ", ".join(CATEGORIES),
            )
            return None, None
        form = self.forms.get(category)
        if form is None:
            self.problem(
                row,
                "category",
                f"campaign {self.campaign.code} has no questionnaire for the category {category}",
            )
        return category, form

    def check_date(self, row: Row, value: str) -> date | None:
        campaign = self.campaign
        period = f"{campaign.starts_on.isoformat()} to {campaign.ends_on.isoformat()}"
        if not value:
            if campaign.starts_on <= self.today <= campaign.ends_on:
                return self.today
            self.problem(
                row,
                "date",
                f"no date, and today ({self.today.isoformat()}) is outside the campaign period "
                f"({period}); write the date of the ballot",
            )
            return None
        match = DATE_PATTERN.match(value)
        day = None
        if match:
            try:
                day = date(int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                day = None
        if day is None:
            self.problem(row, "date", f'"{value}" is not a date; write YYYY-MM-DD, e.g. 2026-03-15')
        elif not campaign.starts_on <= day <= campaign.ends_on:
            self.problem(
                row, "date", f"{day.isoformat()} is outside the campaign period ({period})"
            )
            day = None
        elif day > self.today:
            self.problem(row, "date", f"{day.isoformat()} is after today")
            day = None
        return day

    def check_served_by(
        self, row: Row, value: str, target: _Target | None
    ) -> tuple[bool, int | None]:
        """Whether the cell is right, and the cadre's id (None when no one is named)."""
        if not value:
            return True, None
        if target is None:
            return False, None
        if target.service_point_id is None:
            self.problem(
                row, "served_by", "only a ballot for a service point names the cadre who served"
            )
            return False, None
        serving = self.serving.get(target.service_point_id, {})
        cadre_id = serving.get(value)
        if cadre_id is None:
            codes = sorted(serving)
            if not codes:
                listing = "; no cadre is recorded as serving there"
            elif len(codes) <= MAX_LISTED:
                listing = "; those who do: " + ", ".join(codes)
            else:
                listing = ""
            key = self.table_target_key(target)
            self.problem(row, "served_by", f'"{value}" is not a cadre serving at {key}{listing}')
            return False, None
        return True, cadre_id

    def table_target_key(self, target: _Target) -> str:
        return next(key for key, t in self.campaign.targets.items() if t.id == target.id)

    def check_answers(
        self, row: Row, category: str | None, form: PublishedForm | None
    ) -> _Checked | None:
        headers = self.table.headers
        questions = form.questionnaire.questions if form is not None else ()
        asked = {column(q.id) for q in questions}
        if form is not None:
            for header in headers:
                if header not in FIXED_COLUMNS and header not in asked and row.cells[header]:
                    self.problem(
                        row,
                        header,
                        f'the {category} questionnaire has no question "{header}"; '
                        "leave this cell empty",
                    )
        if form is None or category is None:
            return None
        cells = tuple(row.cells.get(column(q.id), "") for q in questions)
        key = (category, cells)
        checked = self.cache.get(key)
        if checked is None:
            checked = _check_answers(form, cells)
            self.cache[key] = checked
        for question in questions:
            message = checked.errors.get(question.id)
            if message is None:
                continue
            if column(question.id) in headers:
                self.problem(row, column(question.id), message)
            else:
                categories, lines = self.missing.setdefault(question.id, (set(), []))
                categories.add(category)
                lines.append(row.line)
        return None if checked.errors else checked


def column(question_id: str) -> str:
    """The column of a question: its id, lower-cased as tabular.read_table reads headers."""
    return question_id.lower()


def _target_of(campaign: _Campaign, value: str) -> _Target | None:
    parts = TARGET_SEPARATOR.split(value, maxsplit=1)
    kind = KINDS.get(parts[0].lower()) if len(parts) == 2 else None
    return campaign.targets.get(f"{kind}:{parts[-1]}") if kind else None


def _check_headers(table: Table, forms: Mapping[str, PublishedForm]) -> list[Problem]:
    problems = [
        Problem(table.file, f'the column "{header}" is missing from the header row', 1)
        for header in REQUIRED_COLUMNS
        if header not in table.headers
    ]
    questions = sorted(
        {column(q.id) for form in forms.values() for q in form.questionnaire.questions}
    )
    for category, form in forms.items():
        problems += [
            Problem(
                table.file,
                f'the {category} questionnaire has a question "{q.id}", a name this file '
                "needs for a column of its own; paper ballots cannot be imported for it",
            )
            for q in form.questionnaire.questions
            if column(q.id) in FIXED_COLUMNS
        ]
    for header in table.headers:
        if header not in FIXED_COLUMNS and header not in questions:
            problems.append(
                table.problem(
                    None,
                    header,
                    f'unknown column "{header}"; the columns are {", ".join(FIXED_COLUMNS)} '
                    f"and the question ids {', '.join(questions)}",
                )
            )
    return problems


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
    campaign: _Campaign,
    zone: tzinfo,
    now: datetime,
) -> tuple[list[_Ballot], dict[int, dict[str, int]]]:
    """The ballots of a table without problems, and the serving cadres it relied on;
    InputFileError listing every problem otherwise."""
    forms = {
        category: published_form(database, session, version_id)
        for category, version_id in campaign.versions.items()
    }
    problems = _check_headers(table, forms)
    if problems:
        raise InputFileError(problems)
    points = set()
    for row in table.rows:
        if row.cells.get("served_by"):
            target = _target_of(campaign, row.cells["target"])
            if target is not None and target.service_point_id is not None:
                points.add(target.service_point_id)
    serving = _serving(session, points)
    nonces = [
        ballot_nonce(campaign.id, row.cells["ballot"]) for row in table.rows if row.cells["ballot"]
    ]
    checker = _Checker(
        table, campaign, forms, serving, _already_imported(session, nonces), zone, now
    )
    checker.check()
    if checker.problems:
        raise InputFileError(checker.problems)
    return checker.ballots, serving


def _insert(session: Session, campaign: _Campaign, ballots: Sequence[_Ballot]) -> None:
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
