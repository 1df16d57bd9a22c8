"""The scoring input of a campaign built from the database (SCORING.md §2), as a
`scoring.documents.InputDocument` (declarations and arrays).

The database does the heavy work: one query per respondent category turns the counted
responses into rows of points, one column per scored question (a pivot in SQL, no ORM
objects per response). Which responses count for which targets:
- a response counts for the target it was given to;
- a response to a service window also counts for the window's unit, when that unit is a
  target of the campaign (DESIGN.md: a response to a service point counts towards its
  unit);
- a resident's response at a window that names the cadre who served them also counts for
  that cadre, when the cadre is a target of the campaign.
Each such copy is a response of its own in the document, with an id of its own
("r123", "r123@unit:U01", "r123@cadre:C007").
Only counted responses go in: flagged ones wait for review, excluded ones never count.
Categories without a questionnaire or with weight 0 collect answers but are not scored.

numpy loads when a campaign's data are first read, not when the app imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Select,
    and_,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from scoring import parameters
from scoring.documents import InputDocument

from ..models import (
    Answer,
    Campaign,
    Indicator,
    Question,
    QuestionnaireVersion,
    Response,
    ServicePoint,
    VersionIndicator,
)
from ..queries.campaigns import target_subjects

if TYPE_CHECKING:
    import numpy as np


def _params(campaign: Campaign, categories: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The input's params: each parameter of `scoring.parameters` from its column. A
    funnel category the campaign does not score gives way to the first one it does."""
    values = {p.name: getattr(campaign, p.name) for p in parameters.PARAMETERS}
    if values["funnel_category"] not in categories and categories:
        values["funnel_category"] = next(iter(categories))
    return parameters.input_params(values, categories)


@dataclass
class _Copies:
    """Where a response counts besides its own target, as arrays over the targets:
    `unit_copy[t]` is the index of the target that is window t's unit (-1 when t is not a
    window or its unit is not a target); `is_point[t]` says t is a window."""

    target_ids: np.ndarray  # campaign target ids, sorted
    target_places: np.ndarray  # their indexes in the document's targets
    cadre_ids: np.ndarray  # cadre ids of the cadre targets, sorted
    cadre_places: np.ndarray
    unit_copy: np.ndarray
    is_point: np.ndarray

    def target_of(self, campaign_target_ids: np.ndarray) -> np.ndarray:
        import numpy as np

        return self.target_places[np.searchsorted(self.target_ids, campaign_target_ids)]

    def cadre_target(self, cadre_ids: np.ndarray) -> np.ndarray:
        """The target index of each cadre (-1 when not a target, or for -1: nobody)."""
        import numpy as np

        if not len(self.cadre_ids):
            return np.full(len(cadre_ids), -1, dtype=np.int64)
        found = np.minimum(np.searchsorted(self.cadre_ids, cadre_ids), len(self.cadre_ids) - 1)
        return np.where(self.cadre_ids[found] == cadre_ids, self.cadre_places[found], -1)


def _targets(session: Session, campaign: Campaign) -> tuple[list[dict[str, Any]], _Copies]:
    """The targets as the document declares them (units, service points, cadres, each by
    code), and where a response to each counts besides."""
    import numpy as np

    subjects = target_subjects(session, campaign.id)
    targets = [{"id": s.key, "name": s.name_zh, "group": s.kind, "veto": s.veto} for s in subjects]
    unit_of_point = dict(session.execute(select(ServicePoint.id, ServicePoint.unit_id)).all())
    places = {(s.kind, s.subject_id): index for index, s in enumerate(subjects)}
    unit_copy = [
        places.get(("unit", unit_of_point.get(s.subject_id)), -1)
        if s.kind == "service_point"
        else -1
        for s in subjects
    ]
    by_target = sorted((s.target_id, index) for index, s in enumerate(subjects))
    by_cadre = sorted(
        (s.subject_id, index) for index, s in enumerate(subjects) if s.kind == "cadre"
    )
    return targets, _Copies(
        target_ids=np.array([t for t, _ in by_target], dtype=np.int64),
        target_places=np.array([i for _, i in by_target], dtype=np.int64),
        cadre_ids=np.array([c for c, _ in by_cadre], dtype=np.int64),
        cadre_places=np.array([i for _, i in by_cadre], dtype=np.int64),
        unit_copy=np.array(unit_copy, dtype=np.int64),
        is_point=np.array([s.kind == "service_point" for s in subjects], dtype=bool),
    )


def _indicators(session: Session, campaign: Campaign, version_ids: list[int]) -> list[dict]:
    if campaign.indicator_weights:
        weights = [(row.indicator.code, row.weight) for row in campaign.indicator_weights]
    else:
        weights = []
        seen: set[str] = set()
        for version_id in version_ids:
            for code, weight in session.execute(
                select(Indicator.code, VersionIndicator.weight)
                .join(Indicator, Indicator.id == VersionIndicator.indicator_id)
                .where(VersionIndicator.version_id == version_id)
                .order_by(VersionIndicator.position)
            ):
                if code not in seen:
                    seen.add(code)
                    weights.append((code, weight))
    return [{"id": code, "weight": weight} for code, weight in sorted(weights)]


def scoring_data(session: Session, campaign: Campaign) -> InputDocument:
    """The scoring input of `campaign` from its counted responses (see the module)."""
    # In the order of their names: the stored document is canonical JSON (keys sorted),
    # and a category's place in params["categories"] orders the result's categories.
    used = {
        row.category: row
        for row in sorted(campaign.categories, key=lambda row: row.category)
        if row.weight > 0
    }
    categories = {
        category: {"weight": row.weight, "min_responses": row.min_responses}
        for category, row in used.items()
    }
    targets, copies_of = _targets(session, campaign)
    questions: list[dict[str, Any]] = []
    version_ids: list[int] = []
    # A questionnaire version that two categories share is declared once: both
    # categories' responses point at the same question ids.
    column_of: dict[int, int] = {}
    asked: dict[str, list[int]] = {}
    for category in used:
        scored = _scored_questions(session, campaign, category, used[category])
        asked[category] = [question_id for question_id, *_ in scored]
        for question_id, key, weight, indicator, version in scored:
            if version.id not in version_ids:
                version_ids.append(version.id)
            if question_id not in column_of:
                column_of[question_id] = len(questions)
                questions.append(
                    {
                        "id": f"{version.questionnaire.code}.v{version.number}.{key}",
                        "indicator": indicator,
                        "weight": weight,
                    }
                )
    numbers, target_rows, is_copy, category_rows, points = _response_rows(
        session, campaign, asked, column_of, copies_of
    )
    return InputDocument(
        campaign={"code": campaign.code, "name": campaign.name_zh},
        params=_params(campaign, categories),
        indicators=_indicators(session, campaign, version_ids),
        questions=questions,
        targets=targets,
        response_numbers=numbers,
        is_copy=is_copy,
        target_index=target_rows,
        category_index=category_rows,
        points=points,
    )


def _scored_questions(
    session: Session, campaign: Campaign, category: str, row: Any
) -> list[tuple[int, str, float, str, QuestionnaireVersion]]:
    """The category's scored questions: its questionnaire's, and those of any other
    version its counted responses answered, in version then question order."""
    return [
        tuple(found)
        for found in session.execute(
            select(Question.id, Question.key, Question.weight, Indicator.code, QuestionnaireVersion)
            .join(Indicator, Indicator.id == Question.indicator_id)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
            .where(
                (Question.version_id == row.questionnaire_version_id)
                | Question.version_id.in_(
                    select(Response.questionnaire_version_id)
                    .where(
                        Response.campaign_id == campaign.id,
                        Response.category == category,
                        Response.status == "counted",
                    )
                    .distinct()
                )
            )
            .order_by(QuestionnaireVersion.id, Question.position)
        ).all()
    ]


#: Rows fetched from the database at a time while reading a category's pivot.
FETCH_ROWS = 100_000


def _fetch_rows(session: Session, statement: Select, width: int) -> np.ndarray:
    """The rows of `statement` as a float64 array, read in batches (SQLite). float64
    holds every id exactly (below 2**53); None becomes NaN."""
    import numpy as np

    result = session.connection().execute(statement, execution_options={"stream_results": True})
    # Rows become plain tuples first: numpy probes a Row for array interfaces, which
    # costs more than the row itself.
    parts = [
        np.array(list(map(tuple, part)), dtype=np.float64).reshape(-1, width)
        for part in result.partitions(FETCH_ROWS)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, width))


#: PostgreSQL's binary COPY: a 19-byte header and a 2-byte trailer around the rows.
_COPY_HEADER, _COPY_TRAILER = 19, 2


def _copy_binary(session: Session, statement: Select, keys: int, questions: int) -> np.ndarray:
    """The rows of `statement` (`keys` BIGINT columns, then `questions` DOUBLE columns,
    none null) by `COPY … TO STDOUT (FORMAT BINARY)`: every row has the same width, so
    numpy reads them in place, without a Python object per value."""
    import numpy as np

    dialect = session.get_bind().dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    fields = [("count", ">i2")]
    for n in range(keys):
        fields += [(f"k{n}_length", ">i4"), (f"k{n}", ">i8")]
    for n in range(questions):
        fields += [(f"p{n}_length", ">i4"), (f"p{n}", ">f8")]
    record = np.dtype(fields)
    data = bytearray()
    cursor = session.connection().connection.cursor()
    with cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
        for chunk in copy:
            data += chunk
    rows = (len(data) - _COPY_HEADER - _COPY_TRAILER) // record.itemsize
    found = np.frombuffer(data, dtype=record, count=rows, offset=_COPY_HEADER)
    table = np.empty((rows, keys + questions), dtype=np.float64)
    for n in range(keys):
        table[:, n] = found[f"k{n}"]
    for n in range(questions):
        table[:, keys + n] = found[f"p{n}"]
    return table


def _category_pivot(
    session: Session, campaign: Campaign, category: str, question_ids: list[int]
) -> np.ndarray:
    """Rows (response id, campaign target id, served-by cadre id or -1, points of each
    question or NaN) of the category's counted responses."""
    postgres = session.get_bind().dialect.name == "postgresql"
    points = [func.max(case((Answer.question_id == q, Answer.points))) for q in question_ids]
    keys = [
        Response.id,
        Response.campaign_target_id,
        func.coalesce(Response.served_by_cadre_id, -1),
    ]
    if postgres:
        # Fixed-width binary rows: every column BIGINT or DOUBLE, null points as NaN.
        keys = [cast(key, BigInteger) for key in keys]
        points = [func.coalesce(p, literal_column("'NaN'::float8")) for p in points]
    statement = (
        select(*keys, *points)
        .outerjoin(Answer, and_(Answer.response_id == Response.id, Answer.points.is_not(None)))
        .where(
            Response.campaign_id == campaign.id,
            Response.category == category,
            Response.status == "counted",
        )
        .group_by(Response.id, Response.campaign_target_id, Response.served_by_cadre_id)
    )
    if postgres:
        return _copy_binary(session, statement, 3, len(question_ids))
    return _fetch_rows(session, statement, 3 + len(question_ids))


def _response_rows(
    session: Session,
    campaign: Campaign,
    asked: dict[str, list[int]],
    column_of: dict[int, int],
    copies_of: _Copies,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The counted responses of the scored categories (`asked`: category → its scored
    question ids), pivoted in SQL to one row per response and one column of points per
    question, one query per category (each evaluates only its own questions), read
    straight into arrays. Rows come category by category, each by response id, and each
    followed by its copies for a window's unit and a named cadre. Returns (response ids,
    target indexes, is-copy flags, category indexes, points over all `column_of`)."""
    import numpy as np

    tables = []
    for number, (category, question_ids) in enumerate(asked.items()):
        block = _category_pivot(session, campaign, category, question_ids)
        table = np.full((len(block), 4 + len(column_of)), np.nan)
        table[:, :3] = block[:, :3]
        table[:, 3] = number
        for j, question_id in enumerate(question_ids):
            table[:, 4 + column_of[question_id]] = block[:, 3 + j]
        tables.append(table[np.argsort(table[:, 0], kind="stable")])
    table = np.concatenate(tables) if tables else np.zeros((0, 4 + len(column_of)))
    own = copies_of.target_of(table[:, 1].astype(np.int64))
    unit_copy = copies_of.unit_copy[own]
    cadre_copy = np.where(
        copies_of.is_point[own], copies_of.cadre_target(table[:, 2].astype(np.int64)), -1
    )
    # Row r's own target, then its unit's and its cadre's where they are targets.
    placed = np.stack([own, unit_copy, cadre_copy], axis=1).reshape(-1)
    source = np.repeat(np.arange(len(table)), 3)
    kept = placed >= 0
    is_copy = np.tile(np.array([False, True, True]), len(table))[kept]
    source = source[kept]
    return (
        table[source, 0].astype(np.int64),
        placed[kept],
        is_copy,
        table[source, 3].astype(np.int64),
        table[source, 4:],
    )
