"""Serving the app with gunicorn on loopback, and a resident's HTTP client, for the
reliability test and the benchmarks."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")

#: The answers a load client gives to the standard residents' questionnaire.
RESIDENT_ANSWERS = {
    "q_overall": "very_satisfied",
    "q_attitude": "satisfied",
    "q_efficiency": "very_satisfied",
    "q_integrity": "satisfied",
}


#: Rate limits no test client reaches: for tests about storage, not limits (many clients
#: on one loopback address would otherwise be limited).
UNLIMITED = {
    "APPRAISAL_RATE_LIMIT_ADDRESS": "100000 per minute",
    "APPRAISAL_RATE_LIMIT_DEVICE": "100000 per minute",
    "APPRAISAL_RATE_LIMIT_LINK": "100000 per minute",
}


def open_window(factories: Any, session: Any) -> str:
    """A unit and its window in an open campaign (committed): the window's link token."""
    unit = factories.unit()
    point = factories.service_point(unit=unit)
    campaign = factories.campaign(targets=[unit, point], status="open")
    token = factories.link(campaign, point).token
    session.commit()
    return token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url() -> str | None:
    """Redis on the machine, when one answers at 127.0.0.1:6379."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            if connection.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/0"
    except OSError:
        return None
    return None


@contextmanager
def gunicorn(
    app: str,
    env: Mapping[str, str],
    *,
    workers: int = 4,
    log: Path | None = None,
    prefix: Sequence[str] = (),
) -> Iterator[str]:
    """Serve `app` ("module:variable") with gunicorn's sync workers; yields the base URL.
    `prefix` goes before the command (e.g. `prlimit --fsize=…`)."""
    port = free_port()
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    command = [*prefix, str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    command += ["--backlog", "2048", "--timeout", "120", app]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=output,
        stderr=output,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {process.returncode}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=30):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            output.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Resident:
    """One phone: its own cookies; opens a form and submits it, as a browser would."""

    def __init__(self, base: str, user_agent: str = "LoadTestPhone/1.0") -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )
        self.opener.addheaders = [("User-Agent", user_agent)]

    def request(self, path: str, data: Mapping[str, str] | None = None) -> tuple[int, str, str]:
        """(status, body, Location header) of one request; errors are returned, not raised."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:
                return response.status, response.read().decode(), response.headers["Location"]
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers["Location"]

    def open_form(self, token: str) -> dict[str, str]:
        """A fresh form: "answer again", as the page offers once this phone has answered
        (without it, the phone is given its earlier form back and resubmits it)."""
        status, page, _ = self.request(f"/s/{token}?again=1")
        if status != 200:
            raise RuntimeError(f"GET /s/{token} answered {status}")
        return {
            name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
            for name in ("csrf_token", "form_token")
        }

    def submit(self, token: str, fields: Mapping[str, str], answers: Mapping[str, str]):
        return self.request(f"/s/{token}", {**fields, **answers})
