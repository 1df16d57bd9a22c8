"""Scoring a campaign: the scoring input built from the database (SCORING.md §2), the
result computed by `scoring`, both stored as a ScoringRun an auditor can download and
recompute byte for byte with `python -m scoring run`.

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

numpy and the scoring engine load when a campaign's data are first read or scored, not
when the app imports this module (every worker does, through the services that ask for
a campaign's latest run).
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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

from scoring import canonical_json, dumps_result, parameters

from ..models import (
    Answer,
    Campaign,
    Indicator,
    Question,
    QuestionnaireVersion,
    Response,
    ScoringRun,
    ServicePoint,
    User,
    VersionIndicator,
)
from ..queries.campaigns import target_subjects
from .audit import record

if TYPE_CHECKING:
    import numpy as np

FORMAT = "appraisal-scoring-input/1"


@dataclass
class ScoringData:
    """A campaign's scoring input: the declarations as the document has them, and the
    responses as arrays. Row r is response `response_numbers[r]` (the database id) for
    `targets[target_index[r]]` in category `category_index[r]` (into the params'
    categories), with `points[r, j]` for `questions[j]` (NaN for null); `is_copy[r]` marks
    a response counted again for a window's unit or a named cadre."""

    campaign: dict[str, str]
    params: dict[str, Any]
    indicators: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    response_numbers: np.ndarray
    is_copy: np.ndarray
    target_index: np.ndarray
    category_index: np.ndarray
    points: np.ndarray

    @property
    def response_ids(self) -> list[str]:
        """Each row's id in the document: "r123", or "r123@unit:U01" for a copy."""
        target_ids = [target["id"] for target in self.targets]
        return [
            f"r{number}@{target_ids[target]}" if copy else f"r{number}"
            for number, copy, target in zip(
                self.response_numbers.tolist(),
                self.is_copy.tolist(),
                self.target_index.tolist(),
                strict=True,
            )
        ]

    def document(self) -> dict[str, Any]:
        """The scoring input document (SCORING.md §2) as Python objects. For a large
        campaign `canonical_chunks` writes the same JSON far faster."""
        import numpy as np

        question_ids = [question["id"] for question in self.questions]
        category_names = list(self.params["categories"])
        target_ids = [target["id"] for target in self.targets]
        responses = []
        for row, response_id in enumerate(self.response_ids):
            values = self.points[row]
            responses.append(
                {
                    "id": response_id,
                    "target": target_ids[self.target_index[row]],
                    "category": category_names[self.category_index[row]],
                    "points": {
                        question_ids[j]: float(value)
                        for j, value in enumerate(values)
                        if not np.isnan(value)
                    },
                }
            )
        return {**self._declarations(), "responses": responses}

    def _declarations(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "campaign": self.campaign,
            "params": self.params,
            "indicators": self.indicators,
            "questions": self.questions,
            "targets": self.targets,
        }

    def canonical_chunks(self, rows_per_chunk: int = 50_000) -> Iterator[bytes]:
        """`canonical_json(self.document())` in pieces, without building the document:
        rows are formatted from templates, a template per category and set of answered
        questions, with each distinct point value written once by `repr` (what
        `json.dumps` writes for a float). Keys of the document and of each response are
        in sorted order (canonical JSON); responses are in row order."""
        import numpy as np

        declarations = self._declarations()
        targets = declarations.pop("targets")
        head = canonical_json(declarations)
        # Keys in sorted order: …, "questions", "responses", "targets".
        yield head[:-1] + b',"responses":['
        target_json = np.array([_json_string(target["id"]) for target in targets], dtype=object)
        suffixes = np.array(["@" + _json_string(target["id"])[1:-1] for target in targets])
        suffixes = suffixes.astype(object)
        categories = list(self.params["categories"])
        question_ids = [question["id"] for question in self.questions]
        rows = len(self.response_numbers)
        first = True
        for start in range(0, rows, rows_per_chunk):
            stop = min(rows, start + rows_per_chunk)
            text = ",".join(
                self._format_rows(
                    slice(start, stop), categories, question_ids, target_json, suffixes
                )
            )
            if text:
                yield (text if first else "," + text).encode("utf-8")
                first = False
        yield b"]," + b'"targets":' + canonical_json(targets) + b"}"

    def _format_rows(
        self,
        rows: slice,
        categories: list[str],
        question_ids: list[str],
        target_json: np.ndarray,
        suffixes: np.ndarray,
    ) -> list[str]:
        import numpy as np

        points = self.points[rows]
        answered = ~np.isnan(points)
        # Exact distinct values (by bit pattern, so 0.0 and -0.0 stay apart), each as repr.
        bits = points.view(np.int64)
        distinct, codes = np.unique(bits[answered], return_inverse=True)
        texts = np.array([repr(float(v)) for v in distinct.view(np.float64)], dtype=object)
        value_codes = np.zeros(points.shape, dtype=np.int64)
        value_codes[answered] = codes
        numbers = self.response_numbers[rows]
        target_index = self.target_index[rows]
        row_suffix = np.where(self.is_copy[rows], suffixes[target_index], "")
        row_target = target_json[target_index]
        category_index = self.category_index[rows]
        # A pattern: the category and which questions are answered.
        patterns = np.concatenate(
            [category_index[:, None].astype(np.uint8), np.packbits(answered, axis=1)], axis=1
        )
        unique_patterns, pattern_of_row = np.unique(patterns, axis=0, return_inverse=True)
        pattern_of_row = pattern_of_row.reshape(-1)
        out = np.empty(len(numbers), dtype=object)
        for pattern, _ in enumerate(unique_patterns):
            members = np.flatnonzero(pattern_of_row == pattern)
            first_row = members[0]
            columns = sorted(np.flatnonzero(answered[first_row]), key=question_ids.__getitem__)
            category = _json_string(categories[category_index[first_row]])
            keys = ",".join(
                _json_string(question_ids[j]).replace("%", "%%") + ":%s" for j in columns
            )
            template = (
                '{"category":'
                + category.replace("%", "%%")
                + ',"id":"r%d%s","points":{'
                + keys
                + '},"target":%s}'
            )
            values = [texts[value_codes[members, j]].tolist() for j in columns]
            out[members] = list(
                map(
                    template.__mod__,
                    zip(
                        numbers[members].tolist(),
                        row_suffix[members].tolist(),
                        *values,
                        row_target[members].tolist(),
                        strict=True,
                    ),
                )
            )
        return out.tolist()


def _json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


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


def scoring_data(session: Session, campaign: Campaign) -> ScoringData:
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
    return ScoringData(
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


def input_text(data: ScoringData) -> str:
    """The input document as exported: canonical JSON (its SHA-256 is the result's
    `input_sha256`). For small campaigns and tests; runs store it compressed."""
    return b"".join(data.canonical_chunks()).decode("utf-8")


def input_sha256(data: ScoringData) -> str:
    """SHA-256 of the canonical input, without holding the whole document."""
    digest = hashlib.sha256()
    for chunk in data.canonical_chunks():
        digest.update(chunk)
    return digest.hexdigest()


def pack_input(data: ScoringData) -> tuple[str, bytes]:
    """The SHA-256 of the canonical input and the input as stored: gzip (level 1).

    A city's input is hundreds of megabytes of JSON that compresses about 12 to 1. zlib
    and hashlib release the GIL, so a second thread compresses and hashes each piece
    while the next one is formatted."""
    digest = hashlib.sha256()
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: gzip framing
    packed: list[bytes] = []

    def absorb(chunk: bytes) -> None:
        digest.update(chunk)
        packed.append(compressor.compress(chunk))

    with ThreadPoolExecutor(max_workers=1) as worker:
        pending = None
        for chunk in data.canonical_chunks():
            if pending is not None:
                pending.result()
            pending = worker.submit(absorb, chunk)
        if pending is not None:
            pending.result()
    packed.append(compressor.flush())
    return digest.hexdigest(), b"".join(packed)


def input_pieces(packed: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    """A run's stored input (`ScoringRun.input_gzip`) as canonical JSON bytes,
    decompressed piece by piece."""
    decompressor = zlib.decompressobj(31)
    for start in range(0, len(packed), size):
        piece = decompressor.decompress(packed[start : start + size])
        if piece:
            yield piece
    rest = decompressor.flush()
    if rest:
        yield rest


def run_declarations(run: ScoringRun) -> dict[str, Any]:
    """The input's declarations (campaign, format, indicators, params, questions) of a run,
    read from the head of its stored input without decompressing the responses: in
    canonical JSON they all come before the key "responses"."""
    marker = b',"responses":['
    decompressor = zlib.decompressobj(31)
    head = b""
    step = 1 << 16
    for start in range(0, len(run.input_gzip), step):
        head += decompressor.decompress(run.input_gzip[start : start + step])
        if marker in head:
            break
    return json.loads(head[: head.index(marker)] + b"}")


def run_scoring(
    session: Session,
    campaign: Campaign,
    *,
    user: User | None = None,
    actor: str | None = None,
    timings: dict[str, float] | None = None,
) -> ScoringRun:
    """Score `campaign` and add the run (input, result, their SHA-256, who, when) and an
    audit entry to `session`; the caller commits. A finalised campaign is frozen.

    `timings`, when given, receives the seconds spent reading, scoring, serialising and
    storing (the benchmark's split)."""
    from scoring import score_arrays

    if campaign.status == "finalised":
        raise ValueError("the campaign is finalised: its results are frozen")
    clock = _Stopwatch(timings)
    data = scoring_data(session, campaign)
    clock.lap("reading")
    sha, packed_input = pack_input(data)
    clock.lap("serialising")
    result = score_arrays(
        data.params,
        data.indicators,
        data.questions,
        data.targets,
        data.target_index,
        data.category_index,
        data.points,
        input_sha256=sha,
    )
    clock.lap("scoring")
    result_text = dumps_result(result)
    result_sha = hashlib.sha256(result_text.encode("utf-8")).hexdigest()
    clock.lap("serialising")
    run = ScoringRun(
        campaign_id=campaign.id,
        input_gzip=packed_input,
        result_json=result_text,
        input_sha256=sha,
        result_sha256=result_sha,
        created_by_id=user.id if user is not None else None,
    )
    session.add(run)
    session.flush()
    record(
        session,
        "scoring.run",
        user=user,
        actor=actor,
        object_type="scoring_run",
        object_id=run.id,
        details={
            "campaign": campaign.code,
            "input_sha256": sha,
            "result_sha256": run.result_sha256,
            "responses": len(data.response_ids),
        },
    )
    clock.lap("storing")
    return run


class _Stopwatch:
    """Adds the seconds since the last lap to `timings[name]` (nothing when None)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def latest_run(session: Session, campaign: Campaign) -> ScoringRun | None:
    return session.scalar(
        select(ScoringRun)
        .where(ScoringRun.campaign_id == campaign.id)
        .order_by(ScoringRun.created_at.desc(), ScoringRun.id.desc())
        .limit(1)
    )


def result_of(run: ScoringRun) -> dict[str, Any]:
    return json.loads(run.result_json)
