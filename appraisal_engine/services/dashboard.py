"""A campaign as it runs: responses per day, category and status."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Response


def _hour(session: Session):
    """Responses' submission time cut to the hour (UTC), as the backend writes it."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", Response.submitted_at), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", Response.submitted_at)


def daily_counts(
    session: Session,
    campaign_id: int,
    zone: ZoneInfo,
    target_ids: Collection[int] | None = None,
) -> dict[date, dict[tuple[str, str], int]]:
    """Day (in `zone`) → (category, status) → responses, counted in SQL by the hour and
    then moved to the bureau's days (exact for zones whose offsets are whole hours)."""
    hour = _hour(session)
    query = (
        select(hour, Response.category, Response.status, func.count())
        .where(Response.campaign_id == campaign_id)
        .group_by(hour, Response.category, Response.status)
    )
    if target_ids is not None:
        query = query.where(Response.campaign_target_id.in_(list(target_ids)))
    days: dict[date, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for bucket, category, status, count in session.execute(query):
        moment = datetime.strptime(bucket, "%Y-%m-%d %H").replace(tzinfo=UTC)
        days[moment.astimezone(zone).date()][(category, status)] += count
    return dict(sorted(days.items()))


def day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
