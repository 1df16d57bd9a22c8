"""A veto of a campaign's target: its grade is then incompetent whatever the score."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Campaign, CampaignTarget, User
from ..audit import record
from .common import CONTROL_CHARACTERS, CampaignError, InvalidInput
from .targets import key_of, target_key

# Veto --------------------------------------------------------------------------------


VETO_REASON_LENGTH = 2000


def set_veto(
    session: Session, campaign: Campaign, target: CampaignTarget, reason: str | None, user: User
) -> None:
    """Veto the (locked) campaign's target with `reason` (a disciplinary finding, say: the
    grade is then incompetent whatever the score), or lift the veto when `reason` is None.
    Refused once the campaign is finalised; audited."""
    if campaign.status == "finalised":
        raise CampaignError(_l("The campaign is finalised: its results are frozen."))
    if reason is not None:
        reason = reason.strip().replace("\r\n", "\n")
        written = reason.replace("\n", "")
        if not reason or len(reason) > VETO_REASON_LENGTH or CONTROL_CHARACTERS.search(written):
            raise InvalidInput({"veto_reason": _l("Give the reason for the veto.")})
    previous = (target.veto, target.veto_reason)
    target.veto = reason is not None
    target.veto_reason = reason
    record(
        session,
        "campaign.veto" if reason is not None else "campaign.veto_lifted",
        user=user,
        object_type="campaign_target",
        object_id=target.id,
        details={
            "campaign": campaign.code,
            "target": target_key(*key_of(target)),
            "reason": reason,
            "previous": {"veto": previous[0], "reason": previous[1]},
        },
    )
