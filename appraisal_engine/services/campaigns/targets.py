"""A campaign's targets: units, service points and cadres, chosen while it is a draft."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from ...models import Cadre, Campaign, CampaignTarget, Response, ServicePoint, Unit, User
from ..audit import record_on_campaign
from .common import MAX_INTEGER, CampaignError, InvalidInput, NotDraft

# Targets -----------------------------------------------------------------------------

#: Short form-field prefixes of target kinds ("u12": unit 12), to keep big forms small.
TARGET_PREFIXES = {"u": "unit", "p": "service_point", "c": "cadre"}
TARGET_KEYS = {kind: prefix for prefix, kind in TARGET_PREFIXES.items()}
TARGET_MODELS: dict[str, type[Unit] | type[ServicePoint] | type[Cadre]] = {
    "unit": Unit,
    "service_point": ServicePoint,
    "cadre": Cadre,
}

KIND_ORDER = {"unit": 0, "service_point": 1, "cadre": 2}

TargetKey = tuple[str, int]


def target_key(kind: str, subject_id: int) -> str:
    return f"{TARGET_KEYS[kind]}{subject_id}"


def key_of(target: CampaignTarget) -> TargetKey:
    subject_id = getattr(target, f"{target.kind}_id")
    assert subject_id is not None
    return target.kind, subject_id


def parse_target_keys(keys: Iterable[str]) -> set[TargetKey]:
    """("unit", 12) from "u12" and so on; InvalidInput on anything else."""
    parsed: set[TargetKey] = set()
    for key in keys:
        kind, number = TARGET_PREFIXES.get(key[:1]), key[1:]
        if kind is None or not (number.isascii() and number.isdigit()) or int(number) > MAX_INTEGER:
            raise InvalidInput({"targets": _l("The form was not understood.")})
        parsed.add((kind, int(number)))
    return parsed


@dataclass
class UnitGroup:
    """A unit with its service points and cadres, as the targets page lists them."""

    unit: Unit
    depth: int
    service_points: list[ServicePoint] = field(default_factory=list)
    cadres: list[Cadre] = field(default_factory=list)

    def keys(self) -> list[TargetKey]:
        return (
            [("unit", self.unit.id)]
            + [("service_point", p.id) for p in self.service_points]
            + [("cadre", c.id) for c in self.cadres]
        )


def _order(subject: Unit | ServicePoint | Cadre) -> tuple[int, str]:
    return subject.sort_order, subject.code


def unit_groups(session: Session, campaign: Campaign) -> list[UnitGroup]:
    """Every unit in tree order (depth first), with its service points and its active
    cadres (plus inactive ones the campaign already appraises)."""
    units = session.scalars(select(Unit)).all()
    targeted_cadres = {t.cadre_id for t in campaign.targets if t.cadre_id is not None}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    groups: dict[int, UnitGroup] = {}

    def visit(parent_id: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent_id, []), key=_order):
            groups[unit.id] = UnitGroup(unit, depth)
            visit(unit.id, depth + 1)

    visit(None, 0)
    for point in sorted(session.scalars(select(ServicePoint)), key=_order):
        groups[point.unit_id].service_points.append(point)
    for cadre in sorted(session.scalars(select(Cadre)), key=_order):
        if cadre.active or cadre.id in targeted_cadres:
            groups[cadre.unit_id].cadres.append(cadre)
    return list(groups.values())


#: Ids per IN list: PostgreSQL takes at most 65,535 parameters in one statement.
ID_CHUNK = 10_000


def _unknown_subjects(session: Session, wanted: set[TargetKey]) -> bool:
    for kind, model in TARGET_MODELS.items():
        ids = sorted(subject_id for wanted_kind, subject_id in wanted if wanted_kind == kind)
        found = 0
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            found += session.scalar(
                select(func.count()).select_from(model).where(model.id.in_(chunk))
            )
        if found != len(ids):
            return True
    return False


def set_targets(
    session: Session, campaign: Campaign, wanted: set[TargetKey], user: User
) -> tuple[int, int]:
    """Make the draft's targets exactly `wanted`; returns (added, removed)."""
    if campaign.status != "draft":
        raise NotDraft()
    if _unknown_subjects(session, wanted):
        raise InvalidInput({"targets": _l("Some of the chosen targets do not exist any more.")})
    current = {key_of(target): target for target in campaign.targets}
    removed = [target for key, target in current.items() if key not in wanted]
    removed_ids = [t.id for t in removed]
    answered = any(
        session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.campaign_target_id.in_(removed_ids[start : start + ID_CHUNK]))
        )
        for start in range(0, len(removed_ids), ID_CHUNK)
    )
    if answered:
        raise CampaignError(_l("Targets that already have responses cannot be removed."))
    for target in removed:
        campaign.targets.remove(target)
    added = sorted(wanted - current.keys())
    for kind, subject_id in added:
        campaign.targets.append(CampaignTarget(kind=kind, **{f"{kind}_id": subject_id}))
    record_on_campaign(
        session,
        "campaign.targets",
        campaign,
        user,
        {
            "added": [target_key(*key) for key in added],
            "removed": [target_key(*key_of(target)) for target in removed],
            "total": len(wanted),
        },
    )
    return len(added), len(removed)


def campaign_targets(campaign: Campaign) -> Select[tuple[CampaignTarget]]:
    """The campaign's targets with their subjects: units, then service points, then cadres."""
    return (
        select(CampaignTarget)
        .where(CampaignTarget.campaign_id == campaign.id)
        .order_by(case(KIND_ORDER, value=CampaignTarget.kind), CampaignTarget.id)
        .options(
            selectinload(CampaignTarget.unit),
            selectinload(CampaignTarget.service_point).selectinload(ServicePoint.unit),
            selectinload(CampaignTarget.cadre).selectinload(Cadre.unit),
        )
    )
