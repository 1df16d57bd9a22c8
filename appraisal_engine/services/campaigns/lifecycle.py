"""A campaign's status: draft → open → closed → finalised; finalising freezes its last
scoring run."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...labels import CAMPAIGN_STATUS_LABELS
from ...models import Campaign, ScoringRun, User, utcnow
from ..audit import record_on_campaign
from ..integrity import run_problems
from ..scoring_input import scoring_data
from ..scoring_runs import latest_run
from .common import CampaignError
from .links import ensure_open_links
from .settings import sync_indicator_weights

#: Each status and the one that may follow it.
NEXT_STATUS = {"draft": "open", "open": "closed", "closed": "finalised"}
#: The timestamp each status sets.
STATUS_TIMESTAMPS = {"open": "opened_at", "closed": "closed_at", "finalised": "finalised_at"}
#: The audit action of the change to each status.
STATUS_ACTIONS = {
    "open": "campaign.open",
    "closed": "campaign.close",
    "finalised": "campaign.finalise",
}


# Status ------------------------------------------------------------------------------


def opening_problems(campaign: Campaign) -> list[Any]:
    """Why the campaign cannot open yet; empty when it can."""
    problems: list[Any] = []
    if not campaign.targets:
        problems.append(_l("Choose at least one target."))
    if not any(row.weight > 0 for row in campaign.categories):
        problems.append(
            _l(
                "Give at least one respondent category a published questionnaire version"
                " and a weight above 0."
            )
        )
    return problems


def change_status(session: Session, campaign: Campaign, status: str, user: User) -> int:
    """Move the (locked) campaign to `status`, the one after its current status; set its
    timestamp and audit it. Opening makes the missing open links; returns how many links
    were made. CampaignError, naming the reasons, when the change is not allowed."""
    previous = campaign.status
    if NEXT_STATUS.get(previous) != status:
        raise CampaignError(
            _l(
                "A campaign that is %(current)s cannot be moved to %(wanted)s.",
                current=CAMPAIGN_STATUS_LABELS.get(previous, previous),
                wanted=CAMPAIGN_STATUS_LABELS.get(status, status),
            )
        )
    if status == "open":
        problems = opening_problems(campaign)
        if problems:
            raise CampaignError(*problems)
        sync_indicator_weights(session, campaign)
    frozen = _freeze_last_run(session, campaign) if status == "finalised" else None
    campaign.status = status
    setattr(campaign, STATUS_TIMESTAMPS[status], utcnow())
    made = ensure_open_links(session, campaign) if status == "open" else 0
    record_on_campaign(
        session,
        STATUS_ACTIONS[status],
        campaign,
        user,
        {
            "from": previous,
            "to": status,
            "links_made": made,
            **(
                {
                    "frozen_run": frozen.id,
                    "input_sha256": frozen.input_sha256,
                    "result_sha256": frozen.result_sha256,
                }
                if frozen
                else {}
            ),
        },
    )
    return made


def _freeze_last_run(session: Session, campaign: Campaign) -> ScoringRun:
    """The campaign's last scoring run, frozen: the results it is finalised at. Refused
    when there is none, or when the responses changed since (a review decision, say), so
    that what leadership checked is what is frozen."""
    run = latest_run(session, campaign)
    if run is None:
        raise CampaignError(_l("Run the scoring first: a campaign is finalised at a scoring run."))
    current = scoring_data(session, campaign).sha256()
    if current != run.input_sha256:
        raise CampaignError(
            _l(
                "The responses changed since the last scoring run. Run the scoring again"
                " and check it before finalising."
            )
        )
    if run_problems(session, run):
        raise CampaignError(
            _l(
                "The last scoring run failed its integrity check (see “appraisal verify”)."
                " Run the scoring again before finalising."
            )
        )
    run.frozen = True
    return run
