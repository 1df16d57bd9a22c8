"""Rate limits hold across gunicorn workers when Redis is configured: one device gets its
allowance once, not once per worker."""

from __future__ import annotations

import uuid

import pytest

from ..load import RESIDENT_ANSWERS, Resident, gunicorn, open_window, redis_url

ALLOWED = 3
WORKERS = 4


@pytest.fixture
def limited_server(database_url, factories, session, tmp_path):
    redis = redis_url()
    if redis is None:
        pytest.skip("this test needs Redis at 127.0.0.1:6379")
    token = open_window(factories, session)
    env = {
        "APPRAISAL_DATABASE_URL": database_url,
        "APPRAISAL_INSTANCE_PATH": str(tmp_path / "instance"),
        # A key of its own: limit counters in the shared Redis are keyed with it.
        "APPRAISAL_SECRET_KEY": f"rate-limit-test-{uuid.uuid4().hex}",
        "APPRAISAL_REDIS_URL": redis,
        "APPRAISAL_RATE_LIMIT_DEVICE": f"{ALLOWED} per minute",
    }
    with gunicorn("wsgi:app", env, workers=WORKERS, log=tmp_path / "gunicorn.log") as base:
        yield base, token


def test_a_device_is_limited_once_across_all_workers(limited_server):
    base, token = limited_server
    resident = Resident(base)
    statuses = []
    for _ in range(ALLOWED * WORKERS):
        fields = resident.open_form(token)
        statuses.append(resident.submit(token, fields, RESIDENT_ANSWERS)[0])
    assert statuses.count(303) == ALLOWED
    assert statuses.count(429) == ALLOWED * WORKERS - ALLOWED
    # Another phone (another browser) on the same address still gets through.
    other = Resident(base, user_agent="OtherPhone/1.0")
    assert other.submit(token, other.open_form(token), RESIDENT_ANSWERS)[0] == 303
