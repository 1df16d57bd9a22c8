"""2,000 submissions from 20 concurrent residents through gunicorn on loopback: every one
acknowledged with its receipt, every one stored exactly once, no error responses."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from appraisal_engine.models import Answer, Response

from ..load import RESIDENT_ANSWERS, UNLIMITED, Resident, gunicorn, redis_url

CLIENTS = 20
SUBMISSIONS = 2_000
WINDOWS = 10


@pytest.fixture
def served(database_url, factories, session, tmp_path):
    unit = factories.unit()
    points = [factories.service_point(unit=unit) for _ in range(WINDOWS)]
    campaign = factories.campaign(targets=[unit, *points], status="open")
    tokens = [factories.link(campaign, point).token for point in points]
    session.commit()
    env = {
        "APPRAISAL_DATABASE_URL": database_url,
        "APPRAISAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "APPRAISAL_SECRET_KEY": "reliability-test-secret-key-0123456789",
        # About storage, not limits (tests/appraisal_engine/test_survey.py covers those).
        **UNLIMITED,
    }
    redis = redis_url()
    if redis:
        env["APPRAISAL_REDIS_URL"] = redis
    with gunicorn("wsgi:app", env, workers=4, log=tmp_path / "gunicorn.log") as base:
        yield base, tokens


def test_2000_submissions_from_20_clients_are_all_stored_once(served, session):
    base, tokens = served
    statuses: Counter[int] = Counter()
    receipts: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def resident(number: int) -> None:
        client = Resident(base)
        for i in range(SUBMISSIONS // CLIENTS):
            token = tokens[(number + i) % len(tokens)]
            try:
                fields = client.open_form(token)
                status, _body, location = client.submit(token, fields, RESIDENT_ANSWERS)
            except Exception as error:
                with lock:
                    failures.append(repr(error))
                continue
            with lock:
                statuses[status] += 1
                if status == 303 and location:
                    receipts.append(location.split("/r/")[1].split("?")[0])

    threads = [threading.Thread(target=resident, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert statuses == {303: SUBMISSIONS}
    assert len(set(receipts)) == SUBMISSIONS
    session.rollback()
    stored = session.scalars(select(Response.receipt_code)).all()
    assert sorted(stored) == sorted(receipts)
    answers = session.scalar(select(func.count()).select_from(Answer))
    assert answers == SUBMISSIONS * len(RESIDENT_ANSWERS)
