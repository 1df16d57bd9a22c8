"""The app's side of `scoring.registry`: each target kind's model and its column and
relationship on campaign_targets, and the categories' and kinds' labels as lazy strings.

A target kind named "<key>" in `scoring.registry.TARGET_KINDS` is a model here and a
nullable `<key>_id` column with a `<key>` relationship on `CampaignTarget` (written out in
models/campaigns.py; `tests/appraisal_engine/test_registry.py` checks they exist).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import InstrumentedAttribute

from scoring import registry
from scoring.registry import RespondentCategory, TargetKind

from .models import Cadre, CampaignTarget, ServicePoint, Unit

#: The model of each target kind's subjects.
SUBJECT_MODELS: dict[str, type[Unit] | type[ServicePoint] | type[Cadre]] = {
    "unit": Unit,
    "service_point": ServicePoint,
    "cadre": Cadre,
}


@dataclass(frozen=True)
class TargetModel:
    """A target kind with its model and its foreign key on campaign_targets."""

    kind: TargetKind
    model: type[Unit] | type[ServicePoint] | type[Cadre]

    @property
    def key(self) -> str:
        return self.kind.key

    @property
    def column(self) -> InstrumentedAttribute[Any]:
        """CampaignTarget.<key>_id."""
        return getattr(CampaignTarget, f"{self.kind.key}_id")

    @property
    def unit_column(self) -> InstrumentedAttribute[Any]:
        """The column of the subject's unit (a unit's own id)."""
        return self.model.id if self.model is Unit else self.model.unit_id

    @property
    def relationship(self) -> str:
        """The name of CampaignTarget's relationship to the subject."""
        return self.kind.key


def target_models() -> list[TargetModel]:
    """Every target kind with its model, in `scoring.registry.TARGET_KINDS` order."""
    return [TargetModel(kind, SUBJECT_MODELS[kind.key]) for kind in registry.TARGET_KINDS]


def categories() -> tuple[RespondentCategory, ...]:
    return registry.CATEGORIES


def category_labels() -> dict[str, Any]:
    """Category key → its name (lazy, in the request's language)."""
    return {category.key: _l(category.label) for category in registry.CATEGORIES}


def target_kind_labels() -> dict[str, Any]:
    """Target kind → the name of one ("Service window")."""
    return {kind.key: _l(kind.label) for kind in registry.TARGET_KINDS}


def target_kind_plurals() -> dict[str, Any]:
    """Target kind → the name of several ("Service windows")."""
    return {kind.key: _l(kind.plural) for kind in registry.TARGET_KINDS}
