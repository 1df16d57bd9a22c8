"""Checking that stored results and their history are what was written.

The database refuses changes to a finalised campaign's responses, answers and frozen run,
and to any audit entry (migration 0009); these checks find what an owner of the database
could still do with the triggers dropped:

- a scoring run's documents are hashed again and compared with their stored SHA-256, and
  with the SHA-256 the audit entry of the run recorded when it was made;
- the audit log is walked in order, each entry's digest recomputed from its content and
  the digest before it, so an edit, a removal or an insertion shows as the first break;
- a finalised campaign's scoring input is built again from its responses and compared
  with its frozen run's.

Pages and commands read results through `checked_run`, which refuses a run whose result
does not match, so a changed number is never served.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.documents import packed_sha256

from ..models import AuditEntry, Campaign, ScoringRun
from .scoring_input import scoring_data
from .scoring_runs import run_declarations


class ResultTampered(Exception):
    """A scoring run's stored result does not match its hashes: it must not be served."""

    def __init__(self, run: ScoringRun, problems: list[str]) -> None:
        super().__init__(f"scoring run {run.id}: " + "; ".join(problems))
        self.run_id = run.id
        self.campaign_id = run.campaign_id
        self.problems = problems


@dataclass(frozen=True)
class ChainReport:
    """The audit chain walked: how many entries, and the first break (None when whole)."""

    entries: int
    break_id: int | None
    problem: str | None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _audit_entry(
    session: Session, action: str, object_type: str, object_id: int, *, newest: bool = False
) -> AuditEntry | None:
    """The first (or the newest) audit entry of `action` on the object."""
    order = AuditEntry.id.desc() if newest else AuditEntry.id
    return session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == action,
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == str(object_id),
        )
        .order_by(order)
        .limit(1)
    )


def stored_input_sha256(run: ScoringRun) -> str:
    """SHA-256 of the run's input document as stored (decompressed piece by piece)."""
    return packed_sha256(run.input_gzip)


def run_problems(session: Session, run: ScoringRun, *, with_input: bool = False) -> list[str]:
    """What does not match in a stored run; `with_input` also hashes its input document
    (hundreds of megabytes for a city: for `appraisal verify`, not for every page)."""
    problems = []
    result_sha = sha256_hex(run.result_json.encode("utf-8"))
    if result_sha != run.result_sha256:
        problems.append(
            f"its result document does not match its SHA-256"
            f" (stored {run.result_sha256}, computed {result_sha})"
        )
    if with_input:
        try:
            input_sha = stored_input_sha256(run)
        except (zlib.error, EOFError, ValueError) as error:
            problems.append(f"its input document cannot be read ({error})")
        else:
            if input_sha != run.input_sha256:
                problems.append(
                    f"its input document does not match its SHA-256"
                    f" (stored {run.input_sha256}, computed {input_sha})"
                )
    try:
        declared = (run_declarations(run).get("campaign") or {}).get("code")
    except (zlib.error, ValueError, EOFError) as error:
        problems.append(f"its input document cannot be read ({error})")
    else:
        if declared != run.campaign.code:
            problems.append(
                f"its input is of campaign {declared!r}, not of {run.campaign.code!r}"
                " (the run was moved)"
            )
    entry = _audit_entry(session, "scoring.run", "scoring_run", run.id)
    if entry is None:
        problems.append("the audit log has no entry for it")
    else:
        recorded = entry.details or {}
        for name in ("input_sha256", "result_sha256"):
            if recorded.get(name) != getattr(run, name):
                problems.append(
                    f"its {name} is not the one audit entry {entry.id} recorded"
                    f" ({recorded.get(name)})"
                )
        if entry.digest() != entry.sha256:
            problems.append(f"audit entry {entry.id}, which recorded it, was changed")
    if run.frozen:
        finalised = _audit_entry(
            session, "campaign.finalise", "campaign", run.campaign_id, newest=True
        )
        if finalised is not None and (finalised.details or {}).get("frozen_run") != run.id:
            problems.append(
                f"audit entry {finalised.id} finalised the campaign at another run"
                f" ({(finalised.details or {}).get('frozen_run')})"
            )
    return problems


def checked_run(session: Session, run: ScoringRun | None) -> ScoringRun | None:
    """`run`, once its result is shown to match its hashes; ResultTampered if not."""
    if run is None:
        return None
    problems = run_problems(session, run)
    if problems:
        raise ResultTampered(run, problems)
    return run


def walk_audit_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Recompute every audit entry's digest in id order; the first break, by id."""
    entries = session.scalars(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=batch)
    )
    try:
        return _first_break(entries)
    finally:
        entries.close()  # a break found early leaves the server-side cursor open


def _first_break(entries: Iterator[AuditEntry]) -> ChainReport:
    previous: str | None = None
    previous_id: int | None = None
    count = 0
    for entry in entries:
        count += 1
        if entry.previous_sha256 != previous:
            where = f"entry {previous_id}" if previous_id is not None else "the start of the log"
            return ChainReport(
                count,
                entry.id,
                f"audit entry {entry.id} does not follow {where}: an entry between them was"
                " removed or inserted, or one of them was changed",
            )
        if entry.digest() != entry.sha256:
            return ChainReport(
                count,
                entry.id,
                f"audit entry {entry.id} does not match its SHA-256: it was changed after it"
                " was written",
            )
        previous, previous_id = entry.sha256, entry.id
    return ChainReport(count, None, None)


def finalised_input_problems(session: Session, campaign: Campaign) -> list[str]:
    """A finalised campaign's responses, answers and reviews, built into the scoring input
    again, must give its frozen run's input SHA-256."""
    frozen = session.scalar(
        select(ScoringRun)
        .where(ScoringRun.campaign_id == campaign.id, ScoringRun.frozen.is_(True))
        .order_by(ScoringRun.id.desc())
        .limit(1)
    )
    if frozen is None:
        return [f"campaign {campaign.code} is finalised but has no frozen scoring run"]
    current = scoring_data(session, campaign).sha256()
    if current != frozen.input_sha256:
        return [
            f"campaign {campaign.code}: its responses no longer give the input of its frozen"
            f" scoring run {frozen.id} (frozen {frozen.input_sha256}, now {current})"
        ]
    return []
