"""What a leader scoped to a unit may see: the unit's subtree, and the campaign targets
that lie in it."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, or_, select

from ..models import Cadre, CampaignTarget, ServicePoint, Unit


def unit_subtree(root_id: int) -> Select[tuple[int]]:
    """The ids of a unit and of every unit below it: one recursive CTE."""
    tree = select(Unit.id).where(Unit.id == root_id).cte("unit_subtree", recursive=True)
    tree = tree.union_all(select(Unit.id).join(tree, Unit.parent_id == tree.c.id))
    return select(tree.c.id)


def targets_in_units(
    campaign_id: int, unit_ids: Collection[int] | Select[tuple[int]]
) -> Select[tuple[int]]:
    """The ids of a campaign's targets that lie in `unit_ids` (ids, or a query of them such
    as unit_subtree()): the units themselves, their service points and their cadres."""
    units = unit_ids if isinstance(unit_ids, Select) else list(unit_ids)
    return select(CampaignTarget.id).where(
        CampaignTarget.campaign_id == campaign_id,
        or_(
            CampaignTarget.unit_id.in_(units),
            CampaignTarget.service_point_id.in_(
                select(ServicePoint.id).where(ServicePoint.unit_id.in_(units))
            ),
            CampaignTarget.cadre_id.in_(select(Cadre.id).where(Cadre.unit_id.in_(units))),
        ),
    )
