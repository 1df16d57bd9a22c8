"""The scoring input of a large campaign is written by templates, not by `json.dumps`
of a document; it must be exactly the canonical JSON of the document all the same."""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal_engine.services.scoring_input import scoring_data
from scoring import canonical_json
from scoring.documents import (
    InputDocument,
    input_declarations,
    input_pieces,
    pack_input,
    packed_sha256,
)

TARGET_IDS = ["unit:U01", "service_point:W%1", 'cadre:C"2', "cadre:干部\\3", "cadre:C4"]
QUESTION_IDS = ["b.v1.q", "a.v2.q%s", "a.v1.质量", 'z".v1.q', "a.v1.q10", "a.v1.q9"]
VALUES = [0.0, -0.0, 25.0, 100.0, 1 / 3, 66.66666666666667, 1e-7, np.nan]


def make_data(rows: list[tuple[int, bool, int, int, list[float]]]) -> InputDocument:
    return InputDocument(
        campaign={"code": "c%1", "name": '测评 "2026"'},
        params={"categories": {"grassroots": {"weight": 0.3}, "residents": {"weight": 0.7}}},
        indicators=[{"id": "i", "weight": 1.0}],
        questions=[{"id": q, "indicator": "i", "weight": 1.0} for q in QUESTION_IDS],
        targets=[{"id": t, "name": f"名 {t}", "group": "cadre", "veto": False} for t in TARGET_IDS],
        response_numbers=np.array([r[0] for r in rows], dtype=np.int64),
        is_copy=np.array([r[1] for r in rows], dtype=bool),
        target_index=np.array([r[2] for r in rows], dtype=np.int64),
        category_index=np.array([r[3] for r in rows], dtype=np.int64),
        points=np.array([r[4] for r in rows], dtype=np.float64).reshape(
            len(rows), len(QUESTION_IDS)
        ),
    )


rows_strategy = st.lists(
    st.tuples(
        st.integers(1, 10**12),
        st.booleans(),
        st.integers(0, len(TARGET_IDS) - 1),
        st.integers(0, 1),
        st.lists(st.sampled_from(VALUES), min_size=len(QUESTION_IDS), max_size=len(QUESTION_IDS)),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(rows=rows_strategy, rows_per_chunk=st.integers(1, 50))
def test_the_writer_is_the_canonical_json_of_the_document(rows, rows_per_chunk):
    data = make_data(rows)
    expected = canonical_json(data.document())
    assert b"".join(data.canonical_chunks(rows_per_chunk)) == expected


def test_stored_input_is_gzip_of_the_canonical_json_and_reads_back_in_pieces():
    rng = np.random.default_rng(7)
    rows = [
        (n, bool(n % 3 == 0), int(rng.integers(0, 5)), int(n % 2), list(rng.choice(VALUES, 6)))
        for n in range(1, 3000)
    ]
    data = make_data(rows)
    expected = canonical_json(data.document())
    sha, packed = pack_input(data)
    assert sha == hashlib.sha256(expected).hexdigest() == data.sha256() == packed_sha256(packed)
    assert gzip.decompress(packed) == expected
    assert b"".join(input_pieces(packed, size=1000)) == expected
    assert data.text() == expected.decode("utf-8")
    declarations = {k: v for k, v in data.document().items() if k not in ("responses", "targets")}
    assert input_declarations(packed) == declarations


def test_an_empty_campaign_writes_an_empty_list_of_responses():
    data = make_data([])
    assert b"".join(data.canonical_chunks()) == canonical_json(data.document())
    assert b'"responses":[]' in canonical_json(data.document())


def test_the_writer_matches_on_a_campaign_from_the_database(factories, session):
    unit = factories.unit(code="U01", name_zh="政务服务中心")
    point = factories.service_point(unit=unit, code="W01")
    cadre = factories.cadre(unit=unit, code="C01")
    campaign = factories.campaign(targets=[unit, point, cadre], status="open")
    for n in range(12):
        response = factories.response(
            campaign,
            point if n % 2 else cadre,
            category="residents" if n % 3 else "grassroots",
            served_by_cadre_id=cadre.id if n % 4 == 1 else None,
        )
        # Vary the points: some answers null (not applicable), some questions unanswered.
        for answer in response.answers:
            answer.points = None if n % 5 == 0 else 25.0 * (n % 5)
    session.commit()
    data = scoring_data(session, campaign)
    assert len(data.response_numbers) > 12, "copies for the unit and the named cadre"
    assert b"".join(data.canonical_chunks(5)) == canonical_json(data.document())
