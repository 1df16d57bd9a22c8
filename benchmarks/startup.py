"""How long a gunicorn worker takes to start, and how much memory it takes, against a bare
Flask app. Each start is a fresh interpreter; the cases run interleaved, `--repeat` times
each, and the medians are printed with the ratio to the baseline:

- baseline: a minimal Flask app with one route is made and serves one test request;
- worker: `import wsgi` (create_app: every blueprint, the CLI) and GET /healthz through the
  test client, as a worker starts and answers the load balancer's first health check;
- before: the same, with SciPy, matplotlib, fpdf2, Pillow, qrcode, openpyxl, pyxform and
  Alembic imported first, as every start imported them before they were made lazy;
- routes, routes-before: the command `appraisal routes`, now and so.

    python benchmarks/startup.py [--repeat 5] [--source]

The database is a fresh SQLite file at the current schema. Bytecode is cached (in a
temporary PYTHONPYCACHEPREFIX, warmed by one unmeasured round) as in a deployment;
`--source` sets PYTHONDONTWRITEBYTECODE=1 instead, so that the project's own modules,
which have no `__pycache__` then, are compiled from source at each start (as on a
read-only tree). The app cases are timed from the spawn to the first response served
(a worker is ready then; the interpreter's tear-down after it is not counted), with the
CPU time (user + system, all threads) and peak RSS the interpreter reports at that moment;
the commands are timed to their exit, from wait4(). Goal (issue: fast worker start): a
worker starts in under 1.5 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 1.5

#: What every start imported before the heavy libraries were made lazy.
EAGER = (
    "scipy.stats",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "PIL.Image",
    "fpdf",
    "qrcode.image.svg",
    "openpyxl",
    "pyxform.xls2json",
    "alembic.command",
)
PRELOAD = "".join(f"import {module}\n" for module in EAGER)

BASELINE = """
from flask import Flask

app = Flask("baseline")


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


assert app.test_client().get("/healthz").status_code == 200
"""
#: Appended to an app case: tells the parent the first response is served.
READY = """
import resource as _resource
_usage = _resource.getrusage(_resource.RUSAGE_SELF)
print(_usage.ru_utime + _usage.ru_stime, _usage.ru_maxrss, flush=True)
"""
WORKER = """
import wsgi

response = wsgi.app.test_client().get("/healthz")
assert response.status_code == 200, response.get_data(as_text=True)
"""


def appraisal(command: str) -> str:
    """Code that runs `appraisal <command>`, as the console script does."""
    return (
        f"import sys\nsys.argv = ['appraisal', {command!r}]\n"
        "from appraisal_engine.cli import main\nmain()\n"
    )


CASES = {
    "baseline": BASELINE + READY,
    "worker": WORKER + READY,
    "before": PRELOAD + WORKER + READY,
    "routes": appraisal("routes"),
    "routes-before": PRELOAD + appraisal("routes"),
}


def start(code: str, environment: dict[str, str]) -> tuple[float, float, float]:
    """Run `code` in a fresh interpreter: (wall s, CPU s, peak RSS MiB), up to its READY
    line if it prints one, else up to its exit."""
    waits_for_ready = code.endswith(READY)
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE if waits_for_ready else subprocess.DEVNULL,
            stderr=errors,
            text=True,
        )
        ready = process.stdout.readline() if process.stdout else ""
        ready_at = time.perf_counter()
        if process.stdout:
            process.stdout.read()
            process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        exited_at = time.perf_counter()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0 or (waits_for_ready and not ready):
            errors.seek(0)
            raise SystemExit(f"a start failed ({process.returncode}):\n{code}\n{errors.read()}")
    if waits_for_ready:
        cpu, maxrss = ready.split()
        return ready_at - started, float(cpu), int(maxrss) / 1024
    return exited_at - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def environment_for(directory: Path, source: bool) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("APPRAISAL_", "FLASK_"))
        and name not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    }
    environment.update(
        APPRAISAL_INSTANCE_PATH=str(directory / "instance"),
        APPRAISAL_DATABASE_URL=f"sqlite:///{directory / 'startup.sqlite3'}",
        APPRAISAL_SECRET_KEY="benchmark-secret-key-0123456789abcdef",
        PYTHONPATH=str(ROOT),
    )
    if source:
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        environment["PYTHONPYCACHEPREFIX"] = str(directory / "pycache")
    return environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="starts per case (at least 3)")
    parser.add_argument("--source", action="store_true", help="no cached bytecode")
    arguments = parser.parse_args()
    repeat = max(3, arguments.repeat)

    with tempfile.TemporaryDirectory(prefix="startup-") as name:
        directory = Path(name)
        environment = environment_for(directory, arguments.source)
        subprocess.run(
            [sys.executable, "-c", appraisal("init-db")],
            cwd=ROOT,
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for code in CASES.values():  # compiles the bytecode, fills the page cache
            start(code, environment)
        print(
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
            f"{repeat} starts per case, interleaved; "
            + ("compiled from source each start" if arguments.source else "bytecode cached")
        )
        figures: dict[str, list[tuple[float, float, float]]] = {case: [] for case in CASES}
        for _ in range(repeat):
            for case, code in CASES.items():
                figures[case].append(start(code, environment))
        load = os.getloadavg()[0]

    medians = {
        case: tuple(statistics.median(run[i] for run in runs) for i in range(3))
        for case, runs in figures.items()
    }
    base_wall, base_cpu, base_rss = medians["baseline"]
    print(
        f"{'case':<14} {'wall (median)':>13} {'range':>13} {'× base':>7} "
        f"{'CPU':>7} {'× base':>7} {'peak RSS':>10} {'× base':>7}"
    )
    for case, (wall, cpu, rss) in medians.items():
        walls = [run[0] for run in figures[case]]
        print(
            f"{case:<14} {wall:11.2f} s {min(walls):5.2f}–{max(walls):5.2f} s "
            f"{wall / base_wall:6.1f}× {cpu:5.2f} s {cpu / base_cpu:6.1f}× "
            f"{rss:6.0f} MiB {rss / base_rss:6.1f}×"
        )
    worker, before = medians["worker"], medians["before"]
    print(
        f"worker against before: {before[0] / worker[0]:.1f}× faster, "
        f"{before[2] - worker[2]:.0f} MiB less; goal under {GOAL_SECONDS} s: "
        + ("met" if worker[0] < GOAL_SECONDS else "NOT met")
        + f" (load average at the end {load:.1f})"
    )


if __name__ == "__main__":
    main()
