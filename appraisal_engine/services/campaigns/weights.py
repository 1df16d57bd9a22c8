"""Weights by pairwise comparison (AHP): the Saaty scale, the matrix, and setting a
draft's category or indicator weights from it."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Campaign, User
from ..audit import record_on_campaign
from .common import CampaignError, NotDraft

# Weights by pairwise comparison --------------------------------------------------------

#: Saaty's scale as the form offers it: how much more important the row is than the column.
SAATY_VALUES = ("9", "7", "5", "3", "1", "1/3", "1/5", "1/7", "1/9")


def saaty_value(text: str) -> float | None:
    """The number a Saaty scale choice stands for ("3" → 3, "1/5" → 0.2); None otherwise."""
    if text not in SAATY_VALUES:
        return None
    if text.startswith("1/"):
        return 1 / int(text[2:])
    return float(text)


def comparison_matrix(
    names: list[str], choices: Mapping[tuple[int, int], float]
) -> list[list[float]]:
    """The reciprocal matrix from the judgements above the diagonal ((i, j), i < j)."""
    size = len(names)
    matrix = [[1.0] * size for _ in range(size)]
    for (i, j), value in choices.items():
        matrix[i][j] = value
        matrix[j][i] = 1 / value
    return matrix


def set_weights(
    session: Session,
    campaign: Campaign,
    kind: str,
    weights: Mapping[str, float],
    user: User,
    *,
    cr: float,
) -> None:
    """Set the draft's category weights (kind "categories") or indicator weights (kind
    "indicators") from a pairwise comparison; audited with the consistency ratio."""
    if campaign.status != "draft":
        raise NotDraft()
    if kind == "categories":
        rows = {row.category: row for row in campaign.categories}
    else:
        rows = {row.indicator.code: row for row in campaign.indicator_weights}
    if set(weights) != set(rows):
        raise CampaignError(_l("The comparison does not match the campaign's current list."))
    previous = {name: row.weight for name, row in rows.items()}
    for name, weight in weights.items():
        rows[name].weight = weight
    record_on_campaign(
        session,
        "campaign.weights_ahp",
        campaign,
        user,
        {
            "kind": kind,
            "weights": dict(weights),
            "previous": previous,
            "cr": cr,
        },
    )
