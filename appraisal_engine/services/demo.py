"""A realistic demo instance: a district bureau, the standard questionnaires, an open
campaign `demo` (with a provisional scoring run) and last year's campaign, finalised with
its league table public, with synthetic responses and a realistic spread between
targets."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from sqlalchemy import Engine, func, inspect, select, text, update
from sqlalchemy.orm import Session

from forms.standard import STANDARD_QUESTIONNAIRES
from scoring.registry import CATEGORIES, RESIDENTS

from ..models import (
    Base,
    Cadre,
    Campaign,
    CampaignCategory,
    CampaignIndicator,
    CampaignTarget,
    Link,
    QuestionnaireVersion,
    Response,
    ServicePoint,
    Unit,
    User,
)
from .accounts import create_user
from .codes import new_link_token
from .demo_responses import ResponseWriter, add_stuffing
from .org_import import import_org
from .questionnaires import store_version
from .scoring_runs import run_scoring

CAMPAIGN_CODE = "demo"
#: Last year's campaign: finalised, its league table public.
PREVIOUS_CAMPAIGN_CODE = "demo-last-year"

#: The PostgreSQL functions that migrations create are named so (tables take their
#: triggers with them when dropped; the functions stay unless dropped by name).
DATABASE_FUNCTION_PREFIX = "appraisal_"

#: Cadres who stay short of the minimum numbers of responses, so they end up unrated.
SPARSE_CADRES = ("C003", "C004", "C029")
#: Targets that serve noticeably worse than the others, for a spread of grades.
WEAK_TARGETS = ("W06", "C017", "C025", "CN-GSB-SUP")
#: The window where someone tapped the top rating a dozen times from one phone.
STUFFED_WINDOW = "W02"
#: How many invitation responses a unit or cadre gets per invited category (at least, at
#: most); the other categories' targets get none.
INVITED_RESPONSES = {"grassroots": (5, 12), "service_targets": (4, 10)}


class DemoExists(Exception):
    """The database already holds data; the demo refuses to mix with it."""


@dataclass(frozen=True)
class DemoResult:
    summary: str
    logins: list[tuple[str, str, str]]
    public_token: str


def reset_database(engine: Engine) -> None:
    """Drop every table of the application (and Alembic's version table)."""
    with engine.begin() as connection:
        if inspect(connection).has_table("units"):
            # SQLite empties a table before dropping it; the unit tree must not block that.
            connection.execute(update(Unit).values(parent_id=None))
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if connection.dialect.name == "postgresql":
            functions = connection.scalars(
                text(
                    "SELECT p.oid::regprocedure::text FROM pg_proc p"
                    " JOIN pg_namespace n ON n.oid = p.pronamespace"
                    " WHERE n.nspname = current_schema() AND starts_with(p.proname, :prefix)"
                ),
                {"prefix": DATABASE_FUNCTION_PREFIX},
            ).all()
            for function in functions:
                connection.execute(text(f"DROP FUNCTION IF EXISTS {function} CASCADE"))


def _refuse_if_not_empty(session: Session) -> None:
    counts = {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in (("units", Unit), ("users", User), ("campaigns", Campaign))
    }
    filled = {name: count for name, count in counts.items() if count}
    if filled:
        held = ", ".join(f"{count} {name}" for name, count in filled.items())
        raise DemoExists(f"the database is not empty ({held})")


def _password() -> str:
    return secrets.token_urlsafe(9)


def _campaign(
    session: Session,
    rng: random.Random,
    versions: dict[str, QuestionnaireVersion],
    units: dict[str, Unit],
    points: dict[str, ServicePoint],
    cadres: dict[str, Cadre],
    *,
    code: str,
    year: int,
    starts_on: date,
    ends_on: date,
    status: str,
    now: datetime,
    links: bool,
) -> tuple[Campaign, dict[str, CampaignTarget], dict[str, Link]]:
    """A campaign of every unit (but the root), window and cadre, with synthetic
    responses up to `now`; with `links`, an open link per target and invitation codes."""
    campaign = Campaign(
        code=code,
        name_zh=f"{year}年度“群众评议机关”满意度测评",
        name_en=f"{year} annual public appraisal of the bureau",
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        opened_at=datetime.combine(starts_on, datetime.min.time(), UTC),
    )
    campaign.categories = [
        CampaignCategory(
            category=category.key,
            questionnaire_version=versions[category.key],
            weight=category.weight,
            min_responses=category.min_responses,
        )
        for category in CATEGORIES
        if category.key in versions  # a category without a standard questionnaire is left out
    ]
    weights: dict[int, CampaignIndicator] = {}
    for version in versions.values():
        for weight in version.indicator_weights:
            weights.setdefault(
                weight.indicator_id,
                CampaignIndicator(indicator_id=weight.indicator_id, weight=weight.weight),
            )
    campaign.indicator_weights = list(weights.values())
    root = next(u for u in units.values() if u.parent_id is None)
    subjects: list[tuple[str, Unit | ServicePoint | Cadre]] = (
        [("unit", u) for u in units.values() if u is not root]
        + [("service_point", p) for p in points.values()]
        + [("cadre", c) for c in cadres.values()]
    )
    targets = {}
    for kind, subject in subjects:
        target = CampaignTarget(kind=kind, **{f"{kind}_id": subject.id})
        campaign.targets.append(target)
        targets[subject.code] = target
    session.add(campaign)
    session.flush()

    # Every target has an open residents' link, as opening a campaign gives it.
    open_links = {
        subject: Link(token=new_link_token(), target=target, category=RESIDENTS, kind="open")
        for subject, target in (targets.items() if links else ())
    }
    session.add_all(open_links.values())
    session.flush()

    writer = ResponseWriter(
        session, rng, campaign, versions, datetime.combine(starts_on, datetime.min.time(), UTC), now
    )
    serving = {p.code: [c.id for c in p.cadres] for p in points.values()}
    for subject_code, target in targets.items():
        quality = rng.gauss(83, 5) - (20 if subject_code in WEAK_TARGETS else 0)
        sparse = subject_code in SPARSE_CADRES
        if target.kind == "service_point":
            residents = rng.randint(35, 110)
        elif target.kind == "cadre":
            residents = (
                rng.randint(8, 22)
                if sparse or not cadres[subject_code].service_points
                else rng.randint(28, 60)
            )
        else:
            residents = 0
        for _ in range(residents):
            served_by = None
            if target.kind == "service_point" and serving[subject_code] and rng.random() < 0.6:
                served_by = rng.choice(serving[subject_code])
            writer.add(
                target,
                RESIDENTS,
                quality,
                link_id=open_links[subject_code].id if links else None,
                served_by=served_by,
            )
        if target.kind == "service_point":
            continue
        for category, (low, high) in INVITED_RESPONSES.items():
            n = rng.randint(2, 4) if sparse else rng.randint(low, high)
            if not links:
                for _ in range(n):
                    writer.add(target, category, quality + rng.gauss(0, 3), link_id=None)
                continue
            unused = rng.randint(1, 3)
            invitations = [
                Link(token=new_link_token(), target=target, category=category, kind="invitation")
                for _ in range(n + unused)
            ]
            session.add_all(invitations)
            session.flush()
            for invitation in invitations[:n]:
                writer.add(target, category, quality + rng.gauss(0, 3), link_id=invitation.id)
            for invitation in invitations[:n]:
                invitation.used_at = now
        writer.flush()
    writer.flush()
    return campaign, targets, open_links


def build_demo(session: Session, *, seed: int = 2026, today: date | None = None) -> DemoResult:
    """Build the demo in `session` (the caller commits). Raises DemoExists on a database
    that already holds data."""
    _refuse_if_not_empty(session)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = today or now.date()

    org_file = resources.files("appraisal_engine") / "data" / "demo-org.csv"
    with resources.as_file(org_file) as path:
        import_org(session, path)
    units = {u.code: u for u in session.scalars(select(Unit))}
    points = {p.code: p for p in session.scalars(select(ServicePoint))}
    cadres = {c.code: c for c in session.scalars(select(Cadre).order_by(Cadre.code))}

    versions = {
        category: store_version(session, make(), publish=True)
        for category, make in STANDARD_QUESTIONNAIRES.items()
    }
    root = next(u for u in units.values() if u.parent_id is None)
    # Last year's campaign, finalised with its league table public; this year's, open.
    last_year = today - timedelta(days=364)
    previous, _targets, _links = _campaign(
        session,
        rng,
        versions,
        units,
        points,
        cadres,
        code=PREVIOUS_CAMPAIGN_CODE,
        year=last_year.year,
        starts_on=last_year - timedelta(days=56),
        ends_on=last_year + timedelta(days=35),
        status="closed",
        now=datetime.combine(last_year + timedelta(days=35), datetime.min.time(), UTC),
        links=False,
    )
    previous_run = run_scoring(session, previous, actor="demo")
    previous_run.frozen = True
    previous.status = "finalised"
    previous.closed_at = previous.finalised_at = previous.league_published_at = datetime.combine(
        previous.ends_on, datetime.min.time(), UTC
    )
    starts_on = today - timedelta(days=56)
    campaign, targets, open_links = _campaign(
        session,
        rng,
        versions,
        units,
        points,
        cadres,
        code=CAMPAIGN_CODE,
        year=today.year,
        starts_on=starts_on,
        ends_on=today + timedelta(days=35),
        status="open",
        now=now,
        links=True,
    )
    add_stuffing(
        session, targets[STUFFED_WINDOW], open_links[STUFFED_WINDOW], versions[RESIDENTS], now
    )
    # A provisional run, so that leadership's ranking has figures from the start.
    run_scoring(session, campaign, actor="demo")

    logins = []
    for role, username, extra in (
        ("admin", "admin", {}),
        ("leader", "leader", {}),
        ("cadre", cadres["C007"].name_en.replace(" ", "").lower(), {"cadre_code": "C007"}),
        ("cadre", cadres["C017"].name_en.replace(" ", "").lower(), {"cadre_code": "C017"}),
    ):
        password = _password()
        create_user(session, username=username, password=password, role=role, **extra)
        logins.append((role, username, password))

    total = session.scalar(
        select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    )
    summary = (
        f"demo bureau {root.name_zh} ({root.name_en}): {len(units)} units, {len(points)} "
        f"service windows, {len(cadres)} cadres; campaign {CAMPAIGN_CODE!r} open with "
        f"{len(targets)} targets and {total} responses; last year's campaign "
        f"{PREVIOUS_CAMPAIGN_CODE!r} finalised, its league table at /public/"
        f"{PREVIOUS_CAMPAIGN_CODE}"
    )
    first_window = min(points)
    return DemoResult(summary, logins, open_links[first_window].token)
