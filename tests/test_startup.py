"""A gunicorn worker imports `wsgi` (the app factory, every blueprint, the CLI) before it
serves anything, and a worker that dies is replaced by one that does it again. The
libraries that take most of a second each to import wait for the first request that
needs them, so a worker starts in well under a second and a half (benchmarks/startup.py).

The check runs in a fresh interpreter, so modules this test session imported do not count.
It fails as soon as one of these libraries is imported at the top of a module the app
imports: import it inside the function that uses it instead (as reports.charts does).
The scoring package gives its public names from their submodules on first use (PEP 562),
so that `from scoring import ScoringInputError` does not load numpy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Loaded on first use only: each takes from a tenth of a second (qrcode, Pillow, numpy)
#: to more than a second (SciPy) to import.
LAZY = (
    "alembic",
    "fontTools",
    "fpdf",
    "matplotlib",
    "numpy",
    "openpyxl",
    "PIL",
    "pyxform",
    "qrcode",
    "scipy",
)

CHILD = """
import json
import sys

lazy = json.loads(sys.argv[1])


def loaded():
    return sorted(name for name in lazy if name in sys.modules)


import wsgi

after_import = loaded()
status = wsgi.app.test_client().get("/healthz").status_code
print(json.dumps({"import": after_import, "healthz": loaded(), "status": status}))
"""


def test_a_worker_starts_without_the_heavy_libraries(tmp_path):
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("APPRAISAL_", "FLASK_"))
    }
    environment.update(
        APPRAISAL_INSTANCE_PATH=str(tmp_path / "instance"),
        APPRAISAL_DATABASE_URL=f"sqlite:///{tmp_path / 'startup.sqlite3'}",
        APPRAISAL_SECRET_KEY="startup-test-secret-key",
        PYTHONPATH=str(ROOT),
    )
    finished = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(LAZY)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report["status"] in (200, 503)  # 503: this database has no schema; either will do
    assert report["import"] == [], "loaded when the app is imported"
    assert report["healthz"] == [], "loaded by a health check"


def test_every_public_name_of_scoring_is_its_submodules_own():
    import importlib

    import scoring

    for name in scoring.__all__:
        submodule = importlib.import_module(f"scoring.{scoring._SUBMODULES[name]}")
        assert getattr(scoring, name) is getattr(submodule, name), name
    assert set(scoring._SUBMODULES) == set(scoring.__all__)
    assert set(scoring.__all__) <= set(dir(scoring))
    with pytest.raises(AttributeError):
        scoring.no_such_name  # noqa: B018
