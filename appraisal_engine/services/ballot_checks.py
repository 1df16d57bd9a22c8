"""Checking paper ballots: each row of an imported table against a snapshot of its
campaign (targets, questionnaires, the cadres serving at each window), its answers through
the web form's WTForms class, every problem kept with its line and column.

Reading the table and writing the ballots are in `paper_ballots`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from werkzeug.datastructures import MultiDict

from forms.builder import answers_from_form, field_name
from forms.specs import Question

from ..models import CATEGORIES
from .flags import answers_fingerprint
from .org_import import KINDS
from .public_links import PublishedForm, answer_rows
from .tabular import Problem, Row, Table

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
#: Messages list a window's cadres when there are at most this many.
MAX_LISTED = 12


def ballot_nonce(campaign_id: int, ballot: str) -> str:
    return f"paper:{campaign_id}:{ballot}"


@dataclass(frozen=True)
class BallotTarget:
    id: int
    kind: str
    service_point_id: int | None


@dataclass(frozen=True)
class CampaignSnapshot:
    """What the check relies on, as plain data: equal snapshots mean an equal check."""

    id: int
    code: str
    status: str
    starts_on: date
    ends_on: date
    #: Category → the questionnaire version it answers.
    versions: dict[str, int]
    #: "<kind>:<code>" → target.
    targets: dict[str, BallotTarget]


# --- Checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedAnswers:
    """A ballot's answers through the web form: the answer rows to store, or errors by
    question id."""

    rows: list[dict]
    fingerprint: str | None
    errors: dict[str, str]
    #: Questions answered on paper whose display condition does not hold.
    left_out: int


@dataclass(frozen=True)
class Ballot:
    line: int
    ballot: str
    target_id: int
    category: str
    version_id: int
    language: str
    served_by_cadre_id: int | None
    submitted_at: datetime
    checked: CheckedAnswers


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


def _check_answers(form: PublishedForm, cells: tuple[str, ...]) -> CheckedAnswers:
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
        return CheckedAnswers([], None, errors, 0)
    answers = answers_from_form(wtform, form.questionnaire)
    left_out = sum(1 for qid, values in given.items() if values and qid not in answers)
    return CheckedAnswers(answer_rows(form, answers), answers_fingerprint(answers), {}, left_out)


class BallotChecker:
    """Checks a table's rows against a campaign snapshot; every problem is kept."""

    def __init__(
        self,
        table: Table,
        campaign: CampaignSnapshot,
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
        self.ballots: list[Ballot] = []
        self.first_line: dict[str, int] = {}
        self.cache: dict[tuple[str, tuple[str, ...]], CheckedAnswers] = {}
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
            Ballot(
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

    def check_target(self, row: Row, value: str) -> BallotTarget | None:
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
        self, row: Row, value: str, target: BallotTarget | None
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

    def table_target_key(self, target: BallotTarget) -> str:
        return next(key for key, t in self.campaign.targets.items() if t.id == target.id)

    def check_answers(
        self, row: Row, category: str | None, form: PublishedForm | None
    ) -> CheckedAnswers | None:
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


def target_of(campaign: CampaignSnapshot, value: str) -> BallotTarget | None:
    parts = TARGET_SEPARATOR.split(value, maxsplit=1)
    kind = KINDS.get(parts[0].lower()) if len(parts) == 2 else None
    return campaign.targets.get(f"{kind}:{parts[-1]}") if kind else None


def check_headers(table: Table, forms: Mapping[str, PublishedForm]) -> list[Problem]:
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
