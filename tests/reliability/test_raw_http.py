"""Malformed raw HTTP through gunicorn gets a 4xx, never a 5xx, and never a traceback.

The app is served as in production (gunicorn's sync workers, on loopback) and sent, over
plain sockets, requests no browser would write: broken chunked bodies, lying
Content-Length, broken multipart, bad percent-encoding and UTF-8 in the path, query, form,
cookies and headers, absurd methods, oversized or duplicated headers, bad Host, NUL bytes,
Expect, HTTP/1.0 and pipelined requests; then the same requests mutated at random (a fixed
seed, so every run sends the same bytes).

A connection closed without an answer is accepted: gunicorn closes some unparseable
requests before the app sees them. An app that failed would say so in gunicorn's log
("Error handling request", a traceback), which the test reads and must find clean.
"""

from __future__ import annotations

import random
import re
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..factories import PASSWORD
from ..load import gunicorn

SEED = 20260601
MUTANTS = 900
CLIENTS = 4
TIMEOUT = 20
#: The 400 page's message, in Chinese (the default) and in English.
BAD_REQUEST_ZH = "无法处理该请求"
BAD_REQUEST_EN = "The request could not be understood"
#: RFC 9112 section 6.1: a server SHOULD answer 501 to a transfer coding it does not know.
#: gunicorn does, before the app sees the request.
GUNICORN_501 = {"Transfer-Encoding: foo", "Transfer-Encoding: chunked;x"}
LONG_LABEL = "a" * 300
#: What an app that failed leaves in gunicorn's log.
LOG_FAILURES = re.compile(r"Traceback|Error handling request|Exception on ")


@dataclass
class Route:
    method: str
    path: str
    #: Form fields of a valid request (with the session's CSRF token), None without a body.
    form: dict[str, str] | None = None
    #: Sent with the signed-in administrator's session cookie.
    admin: bool = False


@dataclass
class World:
    host: str
    port: int
    token: str
    code: str
    receipt: str
    anonymous_cookie: str = ""
    anonymous_csrf: str = ""
    admin_cookie: str = ""
    admin_csrf: str = ""
    routes: list[Route] = field(default_factory=list)


# --- talking raw HTTP ---------------------------------------------------------------


def send_raw(world: World, raw: bytes) -> tuple[int | None, bytes, str]:
    """(status or None, response bytes, what happened to the connection)."""
    with socket.create_connection((world.host, world.port), timeout=TIMEOUT) as connection:
        outcome = "answered"
        try:
            connection.sendall(raw)
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            outcome = "closed while sending"
        received = bytearray()
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except ConnectionResetError:
            outcome = "reset"
        except TimeoutError:
            outcome = "timed out"
    # An interim 100 Continue (Expect: 100-continue) comes before the answer.
    final = re.sub(rb"^(HTTP/1\.1 100 Continue\r\n\r\n)+", b"", bytes(received))
    match = re.match(rb"HTTP/1\.[01] (\d{3})", final)
    if match is None:
        return None, bytes(received), outcome if outcome != "answered" else "no answer"
    return int(match.group(1)), bytes(received), outcome


def request_bytes(
    method: str,
    path: str,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    *,
    version: str = "HTTP/1.1",
    host: str = "127.0.0.1",
    length: bool = True,
) -> bytes:
    lines = [f"{method} {path} {version}", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers or []]
    encoded = [line.encode("latin-1", errors="surrogateescape") for line in lines]
    if length and body:
        encoded.append(b"Content-Length: %d" % len(body))
    encoded.append(b"Connection: close")
    return b"\r\n".join(encoded) + b"\r\n\r\n" + body


def gunicorns(response: bytes) -> bool:
    """Whether gunicorn wrote this answer itself (its fixed error page), not the app."""
    return b"<!doctype html>" not in response and b"Content-Security-Policy" not in response


def exchange(
    world: World, method: str, path: str, cookie: str = "", form: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str, str]:
    """A well-formed request: (status, its cookies, the page, the cookie header to send on)."""
    headers = [("Cookie", cookie)] if cookie else []
    body = b""
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
    status, raw, _ = send_raw(world, request_bytes(method, path, headers, body))
    head, _, page = raw.partition(b"\r\n\r\n")
    cookies = SimpleCookie()
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie":
            cookies.load(value.strip())
    jar = dict(pair.split("=", 1) for pair in cookie.split("; ") if "=" in pair)
    jar.update({name: morsel.value for name, morsel in cookies.items()})
    cookie_header = "; ".join(f"{name}={value}" for name, value in jar.items())
    return status or 0, jar, page.decode(errors="replace"), cookie_header


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(world: World, username: str) -> None:
    """An anonymous session (cookie and CSRF token) and an administrator's, over raw HTTP."""
    status, _, page, cookie = exchange(world, "GET", "/login")
    assert status == 200
    world.anonymous_cookie, world.anonymous_csrf = cookie, csrf_token(page)
    status, _, page, cookie = exchange(world, "GET", "/login")
    form = {"csrf_token": csrf_token(page), "username": username, "password": PASSWORD}
    status, _, _, cookie = exchange(world, "POST", "/login", cookie, form)
    assert status in (302, 303), status
    status, _, page, cookie = exchange(world, "GET", "/admin/campaigns/new", cookie)
    assert status == 200, status
    world.admin_cookie, world.admin_csrf = cookie, csrf_token(page)


# --- the requests -------------------------------------------------------------------


def routes_of(world: World) -> list[Route]:
    anonymous = {"csrf_token": world.anonymous_csrf}
    admin = {"csrf_token": world.admin_csrf}
    return [
        Route("GET", "/login"),
        Route("POST", "/login", {**anonymous, "username": "nobody", "password": "wrong"}),
        # Never with the administrator's cookie: a request that got through would sign out.
        Route("POST", "/logout", anonymous),
        Route("GET", f"/s/{world.token}"),
        Route("POST", f"/s/{world.token}", {**anonymous, "q_overall": "satisfied"}),
        Route("GET", "/admin/campaigns/new"),
        Route("POST", "/admin/campaigns/new", {**anonymous, "code": "x"}),
        Route("GET", "/healthz"),
        Route("GET", f"/api/campaigns/{world.code}/status"),
        Route("GET", "/static/app.css"),
        Route("GET", f"/r/{world.receipt}"),
        Route("GET", "/admin/campaigns/new", admin=True),
        Route("POST", "/admin/campaigns/new", {**admin, "code": "raw-http"}, admin=True),
        Route("GET", f"/admin/campaigns/{world.code}", admin=True),
        Route("GET", f"/api/campaigns/{world.code}/status", admin=True),
        Route("POST", f"/admin/campaigns/{world.code}/targets", admin, admin=True),
        Route("POST", "/admin/organisation", admin, admin=True),
    ]


def base_headers(world: World, route: Route, content_type: str | None = None) -> list:
    cookie = world.admin_cookie if route.admin else world.anonymous_cookie
    headers = [("User-Agent", "RawHttpFuzzer/1.0"), ("Cookie", cookie)]
    if route.form is not None:
        headers.append(("Content-Type", content_type or "application/x-www-form-urlencoded"))
    return headers


def form_body(route: Route) -> bytes:
    return urllib.parse.urlencode(route.form or {}).encode()


def valid_request(world: World, route: Route) -> bytes:
    return request_bytes(route.method, route.path, base_headers(world, route), form_body(route))


def multipart(route: Route, boundary: str = "XyZ") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (route.form or {}).items()
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode()


CHUNKED_BODIES = {
    "bad chunk size": b"zz\r\nabc\r\n0\r\n\r\n",
    "negative chunk size": b"-3\r\nabc\r\n0\r\n\r\n",
    "huge chunk size": b"ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
    "empty chunk size": b"\r\nabc\r\n0\r\n\r\n",
    "chunk size line too long": b"1" * 9000 + b"\r\nabc\r\n0\r\n\r\n",
    "missing chunk terminator": b"3\r\nabcXY0\r\n\r\n",
    "truncated chunk": b"10\r\nabc",
    "no last chunk": b"3\r\nabc\r\n",
    "no trailer terminator": b"3\r\nabc\r\n0\r\n",
    "bad chunk extension": b"3;\x01\r\nabc\r\n0\r\n\r\n",
    "bare CR in extension": b"3;a=\rb\r\nabc\r\n0\r\n\r\n",
    "bad trailer": b"3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n",
    "bare LF": b"3\nabc\n0\n\n",
    "valid chunked form": None,
}


def body_cases(world: World, route: Route) -> Iterator[tuple[str, bytes]]:
    """Broken bodies (chunked, Content-Length, multipart, form encoding) for one route."""
    method, path = route.method, route.path
    headers = base_headers(world, route)
    body = form_body(route)
    for name, chunked in CHUNKED_BODIES.items():
        if chunked is None:
            chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        te = [("Transfer-Encoding", "chunked")]
        yield f"chunked: {name}", request_bytes(method, path, headers + te, chunked, length=False)
    te_values = ["chunked, chunked", "gzip", "gzip, chunked", "identity", "foo", "chunked;x"]
    for value in te_values:
        te = [("Transfer-Encoding", value)]
        yield f"Transfer-Encoding: {value}", request_bytes(method, path, headers + te, body)
    for value in ["abc", "-1", "1e3", "5, 6", "+5", "99999999999999999999", "0x10", " "]:
        cl = [("Content-Length", value)]
        yield (
            f"Content-Length: {value}",
            request_bytes(method, path, headers + cl, body, length=False),
        )
    yield (
        "two Content-Lengths",
        request_bytes(
            method, path, [*headers, ("Content-Length", "1"), ("Content-Length", "2")], body
        ),
    )
    yield (
        "chunked and Content-Length",
        request_bytes(
            method, path, [*headers, ("Transfer-Encoding", "chunked")], b"3\r\nabc\r\n0\r\n\r\n"
        ),
    )
    yield (
        "body shorter than Content-Length",
        request_bytes(
            method, path, [*headers, ("Content-Length", "5000")], body[:10], length=False
        ),
    )
    yield (
        "body over the limit",
        request_bytes(
            method,
            path,
            [*headers, ("Content-Length", str(64 * 1024 * 1024))],
            b"a=b",
            length=False,
        ),
    )
    yield (
        "longer body than Content-Length",
        request_bytes(
            method,
            path,
            [*headers, ("Content-Length", "3")],
            body + b"&GET / HTTP/1.1",
            length=False,
        ),
    )
    plain = [h for h in headers if h[0] != "Content-Type"]
    good = multipart(route)
    multiparts = {
        "multipart without boundary": ("multipart/form-data", good),
        "multipart, wrong boundary": ("multipart/form-data; boundary=other", good),
        "multipart, bad boundary": ('multipart/form-data; boundary="a\x7fb c"', good),
        "multipart, long boundary": ("multipart/form-data; boundary=" + "b" * 300, good),
        "multipart, truncated": ("multipart/form-data; boundary=XyZ", good[: len(good) // 2]),
        "multipart, no end": ("multipart/form-data; boundary=XyZ", good[:-8]),
        "multipart, no part headers": (
            "multipart/form-data; boundary=XyZ",
            b"--XyZ\r\n\r\nvalue\r\n--XyZ--\r\n",
        ),
        "multipart, bad UTF-8": (
            "multipart/form-data; boundary=XyZ",
            b'--XyZ\r\nContent-Disposition: form-data; name="\xff\xfe"\r\n\r\n\xc3\x28\r\n--XyZ--',
        ),
        "multipart, huge part header": (
            "multipart/form-data; boundary=XyZ",
            b"--XyZ\r\nX: " + b"h" * 70000 + b"\r\n\r\nv\r\n--XyZ--\r\n",
        ),
        "multipart, many parts": (
            "multipart/form-data; boundary=XyZ",
            b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n' * 2000 + b"--XyZ--",
        ),
        "multipart, a file": (
            "multipart/form-data; boundary=XyZ",
            good[:-9]
            + b'\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="\xff.csv"'
            + b"\r\nContent-Type: text/csv\r\n\r\n\x00\xff,\r\n--XyZ--\r\n",
        ),
    }
    for name, (content_type, data) in multiparts.items():
        yield name, request_bytes(method, path, [*plain, ("Content-Type", content_type)], data)
    encodings = {
        "form: bad percent-encoding": body + b"&a=%zz%&%",
        "form: bad UTF-8": body + b"&a=%ff%fe&%c3%28=\xff",
        "form: NUL": body + b"&a=%00\x00",
        "form: many fields": body + b"&a=b" * 5000,
        "form: only separators": b"&&&===;;",
    }
    for name, data in encodings.items():
        yield name, request_bytes(method, path, headers, data)
    content_types = [
        "text/plain; charset=foo",
        "application/x-www-form-urlencoded; charset=ebcdic",
        "application/x-www-form-urlencoded; charset=\xff",
        "application/json",
        "application/json; charset=utf-7",
        ";;;",
        "\xff/\xfe",
    ]
    for value in content_types:
        yield (
            f"Content-Type: {value!r}",
            request_bytes(method, path, [*plain, ("Content-Type", value)], b'{"a": [1, ' + body),
        )


def header_cases(world: World, route: Route) -> Iterator[tuple[str, bytes]]:
    """Broken paths, queries, cookies, headers and request lines for one route."""
    method, path = route.method, route.path
    headers = base_headers(world, route)
    body = form_body(route)
    paths = {
        "path: bad percent-encoding": path + "%zz%",
        "path: bad UTF-8": path + "%ff%fe%c3%28",
        "path: raw bytes": path + "\udcff\udcfe",
        "path: NUL": path + "%00",
        "path: dot segments": "/static/../../etc/passwd" if "static" in path else path + "/../x",
        "path: double slashes": "//" + path.lstrip("/") + "//",
        "path: long": path + "/" + "a" * 6000,
        "query: bad encoding": path + "?%ff=%fe&lang=%ff&%zz&&=&a=%",
        "query: NUL": path + "?lang=zh%00&again=%00",
        "query: repeated": path + "?" + "lang=en&" * 500,
        "absolute URI": f"http://127.0.0.1{path}",
        "asterisk": "*",
        "no leading slash": path.lstrip("/"),
    }
    for name, target in paths.items():
        yield name, request_bytes(method, target, headers, body)
    others = [h for h in headers if h[0] != "Cookie"]
    cookies = {
        "cookie: bad UTF-8": "session=\udcff\udcfe; lang=\udcc3(",
        "cookie: junk session": "session=.eJyrVkrOz0nN.junk.sig; lang=en",
        "cookie: bad lang": "lang=\udcff; lang=xx",
        "cookie: huge": "session=" + "a" * 7000,
        "cookie: many": "; ".join(f"c{i}=v" for i in range(400)),
        "cookie: no equals": "session; ;;; =",
        "cookie: quotes": 'session="\\"\\x"; lang="en',
    }
    for name, cookie in cookies.items():
        yield name, request_bytes(method, path, [*others, ("Cookie", cookie)], body)
    values = {
        "Accept-Language": ["\udcff\udcfe", "zh;q=abc, en;q=1e309", "*;q=-1", "x" * 5000],
        "User-Agent": ["\udcff\udcfe", ""],
        "X-Forwarded-For": ["\udcff, not an address, ::::, 1.2.3.4.5", ""],
        "X-Forwarded-Proto": ["gopher"],
        "Referer": ["http://\udcff/", "::::"],
        "Origin": ["null", "http://[::1"],
        "If-Modified-Since": ["not a date", "Mon, 99 Foo 9999 99:99:99 GMT"],
        "If-None-Match": ['"unterminated', "*, W/"],
        "Range": ["bytes=5-1", "bytes=abc", "bytes=" + ",".join(["0-1"] * 500)],
        "Authorization": ["Basic \udcff", "Bearer"],
        "Accept": ["\udcff/*;q=x"],
        "Accept-Encoding": ["gzip;q=\udcff"],
        "X-CSRFToken": ["\udcff\udcfe"],
        "Expect": ["100-continue", "foo"],
        "Upgrade": ["h2c", "websocket"],
        "SCRIPT_NAME": ["/elsewhere"],
        "Content-Encoding": ["gzip"],
        "X" * 200: ["long name"],
        "Bad Name": ["space in the name"],
        "Bad\udcffName": ["byte in the name"],
        "NUL": ["a\x00b"],
        "Control": ["a\x01\x7fb"],
    }
    for name, options in values.items():
        for value in options:
            yield (
                f"header {name[:20]!r}: {value[:20]!r}",
                request_bytes(method, path, [*headers, (name, value)], body),
            )
    yield "header too long", request_bytes(method, path, [*headers, ("X-Big", "v" * 9000)], body)
    yield (
        "too many headers",
        request_bytes(method, path, headers + [(f"X-H{i}", "v") for i in range(150)], body),
    )
    yield (
        "duplicate headers",
        request_bytes(method, path, headers + headers + [("Content-Type", "text/plain")], body),
    )
    yield "header folding", request_bytes(method, path, [*headers, ("X-A", "a\r\n b")], body)
    yield "space before colon", request_bytes(method, path, [*headers, ("X-A ", "b")], body)
    for host in ["", "\udcff\udcfe", "a b", "[::1", "x:99999", LONG_LABEL, "127.0.0.1, evil"]:
        yield f"Host: {host[:20]!r}", request_bytes(method, path, headers, body, host=host)
    yield "two Hosts", request_bytes(method, path, [*headers, ("Host", "evil.example")], body)
    raw = request_bytes(method, path, headers, body)
    yield "no Host", raw.replace(b"Host: 127.0.0.1\r\n", b"", 1)
    yield "bare LF", raw.replace(b"\r\n", b"\n")
    for version in ["HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/1.2", "HTTP/1.1x", "HTTX/1.1"]:
        yield f"version {version}", request_bytes(method, path, headers, body, version=version)
    yield "HTTP/0.9 request", f"GET {path}\r\n".encode()
    yield (
        "HTTP/1.0 without Host",
        (
            request_bytes(method, path, headers, body, version="HTTP/1.0").replace(
                b"Host: 127.0.0.1\r\n", b"", 1
            )
        ),
    )
    for verb in ["FOO", "get", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "HEAD"]:
        yield f"method {verb}", request_bytes(verb, path, headers, body)
    for verb in ["PROPFIND", "M" * 100, "G\x00T", "GET\tPOST", "@#!"]:
        yield f"method {verb[:10]!r}", request_bytes(verb, path, headers, body)
    yield "pipelined", raw + raw
    yield (
        "pipelined, second broken",
        raw
        + request_bytes(
            method, path, [*headers, ("Transfer-Encoding", "chunked")], b"zz\r\n", length=False
        ),
    )
    yield "request line only", raw.split(b"\r\n")[0] + b"\r\n"
    yield "truncated headers", raw[: raw.index(b"\r\n\r\n") // 2]
    yield "empty", b""
    yield "garbage", bytes(range(256)) * 4
    yield "request line with extra spaces", raw.replace(b" HTTP/1.1", b"  HTTP/1.1 x", 1)


def mutate(rng: random.Random, raw: bytes) -> bytes:
    """One to three random damages: byte flips, truncation, CR/LF/NUL and junk bytes,
    random headers."""
    data = bytearray(raw)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(7)
        where = rng.randrange(len(data) + 1)
        if kind == 0 and data:
            data[min(where, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del data[where:]
        elif kind == 2:
            data[where:where] = rng.choice([b"\r", b"\n", b"\x00", b"\r\n", b"\xff", b"%", b";"])
        elif kind == 3:
            data[where:where] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        elif kind == 4:
            header = bytes(rng.choice(b"abcXYZ-_:; \t\x00\x80\xff%") for _ in range(10))
            line = header + b": " + bytes(rng.randrange(32, 256) for _ in range(rng.randint(0, 40)))
            end = data.find(b"\r\n")
            data[end + 2 : end + 2] = line + b"\r\n"
        elif kind == 5 and data:
            start = rng.randrange(len(data))
            data[start:start] = data[start : start + rng.randint(1, 64)]
        elif data:
            del data[min(where, len(data) - 1)]
    return bytes(data)


def all_cases(world: World) -> list[tuple[str, str, bytes]]:
    """(route, case, request bytes): every structured case on its routes, then mutants."""
    cases: list[tuple[str, str, bytes]] = []
    for route in world.routes:
        label = f"{route.method} {route.path}" + (" (admin)" if route.admin else "")
        if route.form is not None:
            cases += [(label, name, raw) for name, raw in body_cases(world, route)]
        cases += [(label, name, raw) for name, raw in header_cases(world, route)]
    rng = random.Random(SEED)
    valid = [(route, valid_request(world, route)) for route in world.routes]
    for number in range(MUTANTS):
        route, raw = rng.choice(valid)
        label = f"{route.method} {route.path}" + (" (admin)" if route.admin else "")
        cases.append((label, f"mutant {number}", mutate(rng, raw)))
    return cases


# --- the test -----------------------------------------------------------------------


@pytest.fixture
def served(database_url, factories, session, tmp_path) -> Iterator[tuple[World, Path]]:
    unit = factories.unit()
    point = factories.service_point(unit=unit)
    campaign = factories.campaign(targets=[unit, point], status="open")
    token = factories.link(campaign, point).token
    receipt = factories.response(campaign, point).receipt_code
    admin = factories.user("admin")
    session.commit()
    env = {
        "APPRAISAL_DATABASE_URL": database_url,
        "APPRAISAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "APPRAISAL_SECRET_KEY": "raw-http-test-secret-key-0123456789abcdef",
        # Limits would answer most requests 429 before the code under test runs.
        "APPRAISAL_RATE_LIMIT_ADDRESS": "1000000 per minute",
        "APPRAISAL_RATE_LIMIT_DEVICE": "1000000 per minute",
        "APPRAISAL_RATE_LIMIT_LINK": "1000000 per minute",
        "APPRAISAL_LOGIN_MAX_FAILURES": "1000000",
        # The fuzzer is a client on the internet, not a trusted proxy: gunicorn trusts
        # forwarding headers (SCRIPT_NAME among them) from loopback by default, and answers
        # a proxy that sends a SCRIPT_NAME the path does not start with 500 itself.
        "GUNICORN_CMD_ARGS": "--forwarded-allow-ips 192.0.2.1",
    }
    log = tmp_path / "gunicorn.log"
    with gunicorn("wsgi:app", env, workers=2, log=log) as base:
        address = urllib.parse.urlsplit(base)
        world = World(address.hostname, address.port, token, campaign.code, receipt)
        sign_in(world, admin.username)
        world.routes = routes_of(world)
        yield world, log


def test_malformed_requests_get_4xx_never_5xx(served):
    world, log = served
    cases = all_cases(world)
    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda case: send_raw(world, case[2]), cases))
    elapsed = time.monotonic() - started

    statuses: Counter[int | None] = Counter()
    closed: Counter[str] = Counter()
    server_errors = []
    admin_pages = 0
    for (route, name, _), (status, response, outcome) in zip(cases, results, strict=True):
        statuses[status] += 1
        if status is None:
            closed[outcome] += 1
        elif status >= 500 and not (name in GUNICORN_501 and gunicorns(response)):
            server_errors.append((route, name, status, response[:300]))
        admin_pages += "(admin)" in route and status == 200
    print(f"\n{len(cases)} raw requests in {elapsed:.1f} s; statuses: {dict(statuses)}")
    print(f"closed without an answer (by gunicorn, before the app): {dict(closed)}")
    kinds = Counter(
        (name.split(" ")[0] if name.startswith("mutant") else name, status)
        for _, name, status, _ in server_errors
    )
    assert not server_errors, f"5xx: {dict(kinds)}; the first: {server_errors[:3]}"
    # The signed-in routes were reached, not just turned away.
    assert admin_pages > 0

    # The server still answers, and the administrator is still signed in.
    assert exchange(world, "GET", "/healthz")[0] == 200
    assert exchange(world, "GET", "/admin/campaigns/new", world.admin_cookie)[0] == 200
    failures = LOG_FAILURES.findall(log.read_text(encoding="utf-8", errors="replace"))
    assert failures == [], log.read_text(encoding="utf-8", errors="replace")[-5000:]


def test_a_broken_body_gets_the_400_page_in_the_visitors_language(served):
    world, _ = served
    login = world.routes[1]
    for name, chunked in CHUNKED_BODIES.items():
        if chunked is None or name == "chunk size line too long":
            continue
        for language, message in (("", BAD_REQUEST_ZH), ("en", BAD_REQUEST_EN)):
            headers = [*base_headers(world, login), ("Transfer-Encoding", "chunked")]
            if language:
                headers.append(("Accept-Language", language))
            raw = request_bytes("POST", "/login", headers, chunked, length=False)
            status, response, _ = send_raw(world, raw)
            assert status == 400, (name, language, response[:300])
            assert message in response.decode(errors="replace"), (name, language)
    # A Host IDNA cannot encode (a label over 63 characters) leaves Werkzeug no URL map.
    for language, message in (("zh", BAD_REQUEST_ZH), ("en", BAD_REQUEST_EN)):
        raw = request_bytes("GET", "/login", [("Accept-Language", language)], host=LONG_LABEL)
        status, response, _ = send_raw(world, raw)
        assert status == 400, (language, response[:300])
        assert message in response.decode(errors="replace"), language


def test_werkzeugs_development_server_gets_400_for_broken_bodies(app):
    """`appraisal run` serves with Werkzeug, whose chunked reader raises OSError."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        world = World("127.0.0.1", server.server_port, "", "", "")
        route = Route("POST", "/login", {"username": "x", "password": "y"})
        headers = base_headers(world, route)
        for name, chunked in CHUNKED_BODIES.items():
            if chunked is None:
                continue
            te = [*headers, ("Transfer-Encoding", "chunked")]
            status, response, _ = send_raw(
                world, request_bytes(route.method, route.path, te, chunked, length=False)
            )
            # The app's 400 page (a chunk it cannot tell is short may end as an expired form).
            assert status == 400, (name, response[:300])
            assert "<h1>400</h1>" in response.decode(errors="replace"), name
        short = [*headers, ("Content-Length", "5000")]
        status, _, _ = send_raw(world, request_bytes("POST", "/login", short, b"a=b", length=False))
        assert status == 400
    finally:
        server.shutdown()
        thread.join()
