"""Submissions per second through gunicorn: the real public submit path (POST /s/<token>:
CSRF and form-token checks, validation, the flag checks, the response and its answers in
one transaction, rate-limit counters) against a bare Flask endpoint that inserts one row,
in one run, on SQLite and on PostgreSQL. Prints both rates and their ratio.

    python benchmarks/submit_throughput.py [--databases sqlite,postgresql] [--seconds 10]
        [--connections 16] [--workers 4] [--postgresql URL]

Load comes from wrk (Debian's `wrk`), so the client costs little CPU. Every real POST
carries a fresh form ticket (minted with the instance's key, as GET /s/<token> does), so
no request takes the cheaper "already recorded" path. Counts are checked against the
database afterwards. Goal (issue 4): the real path reaches at least half the bare rate.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appraisal_engine.db import make_engine  # noqa: E402
from appraisal_engine.migrate import upgrade  # noqa: E402
from appraisal_engine.models import Link, Response  # noqa: E402
from appraisal_engine.services.demo import build_demo  # noqa: E402
from benchmarks.bare_insert_app import create_table  # noqa: E402
from tests.load import RESIDENT_ANSWERS, Resident, gunicorn, redis_url  # noqa: E402

SECRET = "benchmark-secret-key-0123456789abcdef"
TOKEN_SALT = "appraisal-survey-form"  # appraisal_engine.blueprints.survey.ticket.TOKEN_SALT

LUA = r"""
local lines = {}
local counter = 0
local offset = 0
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  offset = math.floor(#lines / tonumber(args[2])) * id
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  if args[3] then wrk.headers["Cookie"] = args[3] end
end
function request()
  counter = counter + 1
  local path, body = lines[offset + counter]:match("([^\t]+)\t(.*)")
  return wrk.format("POST", path, nil, body)
end
"""


def wrk(base: str, bodies: Path, threads: int, connections: int, seconds: int, cookie: str):
    script = bodies.with_suffix(".lua")
    script.write_text(LUA)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
    command += [base, "--", str(bodies), str(threads), cookie]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return rate, total, int(errors.group(1)) if errors else 0, socket_errors


def seed(url: str) -> list[tuple[int, str]]:
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        build_demo(session)
        session.commit()
        links = session.execute(
            select(Link.id, Link.token).where(Link.kind == "open", Link.category == "residents")
        ).all()
    engine.dispose()
    return [(link_id, token) for link_id, token in links]


def count(url: str, query) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(query).scalar_one()
    engine.dispose()
    return value


def measure(url: str, args: argparse.Namespace, workdir: Path) -> tuple[float, float]:
    links = seed(url)
    env = {
        "APPRAISAL_DATABASE_URL": url,
        "APPRAISAL_INSTANCE_PATH": str(workdir / "instance"),
        "APPRAISAL_SECRET_KEY": SECRET,
        "APPRAISAL_RATE_LIMIT_ADDRESS": "10000000 per minute",
        "APPRAISAL_RATE_LIMIT_DEVICE": "10000000 per minute",
        "APPRAISAL_RATE_LIMIT_LINK": "10000000 per minute",
    }
    if redis_url():
        env["APPRAISAL_REDIS_URL"] = redis_url()
    threads = 2
    with gunicorn("wsgi:app", env, workers=args.workers, log=workdir / "app.log") as base:
        resident = Resident(base)
        fields = resident.open_form(links[0][1])
        cookie = "; ".join(f"{c.name}={c.value}" for c in resident.cookies)
        serializer = URLSafeTimedSerializer(SECRET, salt=TOKEN_SALT)
        bodies = workdir / "real.tsv"
        wanted = args.seconds * 3000
        with bodies.open("w") as handle:
            for i in range(wanted):
                link_id, token = links[i % len(links)]
                opened = int(time.time()) - 60  # as if the resident took a minute
                form_token = serializer.dumps([link_id, secrets.token_urlsafe(16), opened])
                body = {"csrf_token": fields["csrf_token"], "form_token": form_token}
                handle.write(
                    f"/s/{token}\t{urllib.parse.urlencode({**body, **RESIDENT_ANSWERS})}\n"
                )
        before = count(url, select(func.count()).select_from(Response))
        real, sent, errors, socket_errors = wrk(
            base, bodies, threads, args.connections, args.seconds, cookie
        )
        stored = count(url, select(func.count()).select_from(Response)) - before
    print(
        f"  real submit path: {real:8.1f} submissions/s  ({sent} sent, {stored} stored,"
        f" {errors} errors{', socket: ' + socket_errors.group(1) if socket_errors else ''})"
    )
    if sent > wanted // threads:
        print("  warning: wrk ran out of distinct form tokens; raise the multiplier")

    create_table(url)
    bodies = workdir / "bare.tsv"
    with bodies.open("w") as handle:
        for i in range(args.seconds * 20000):
            handle.write(f"/bare\tpayload=row-{i}\n")
    with gunicorn(
        "benchmarks.bare_insert_app:app", env, workers=args.workers, log=workdir / "bare.log"
    ) as base:
        bare, sent, errors, _ = wrk(base, bodies, threads, args.connections, args.seconds, "")
    stored = count(url, text("SELECT count(*) FROM bench_rows"))
    print(
        f"  bare insert:      {bare:8.1f} inserts/s      ({sent} sent, {stored} stored,"
        f" {errors} errors)"
    )
    print(f"  ratio real/bare:  {real / bare:8.2f}   (goal: at least 0.50)")
    return real, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("APPRAISAL_TEST_DATABASE_URL")
        or "postgresql://postgres@127.0.0.1:5432/test",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("this benchmark needs wrk (apt-get install -y wrk)")
    print(
        f"gunicorn {args.workers} sync workers, wrk 2 threads {args.connections} connections,"
        f" {args.seconds} s each, {os.cpu_count()} CPUs"
    )
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as directory:
            workdir = Path(directory)
            print(f"{database}:")
            if database == "sqlite":
                measure(f"sqlite:///{workdir / 'bench.sqlite3'}", args, workdir)
                continue
            admin_url = make_url(args.postgresql)
            name = f"bench_{uuid.uuid4().hex[:12]}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                measure(admin_url.set(database=name).render_as_string(False), args, workdir)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
