"""A gunicorn worker imports `wsgi` (the app factory, every blueprint, the CLI) before it
serves anything, and a worker that dies is replaced by one that does it again. The
libraries that take most of a second each to import wait for the first request that
needs them, so a worker starts in well under a second and a half (benchmarks/startup.py).

The check runs in a fresh interpreter, so modules this test session imported do not count.
It fails as soon as one of these libraries is imported at the top of a module the app
imports: import it inside the function that uses it instead (as reports.charts does)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Loaded on first use only: each takes from a tenth of a second (qrcode, Pillow) to more
#: than a second (SciPy) to import.
LAZY = (
    "alembic",
    "fontTools",
    "fpdf",
    "matplotlib",
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
