"""End-to-end fixtures: the app served over HTTP on a free local port, and Debian's
headless Chromium driven by Playwright. Without Chromium or Playwright these tests skip
with the reason; .ci/run installs both.

Every page of every browser context is watched for what the app's Content-Security-Policy
and Permissions-Policy refuse or reject: a test whose pages log any of it fails."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test's app at http://127.0.0.1:<port>, served from a thread."""
    before = set(threading.enumerate())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    # Requests still in flight (an image the browser fetched late) run in daemon threads
    # the server does not wait for: wait for them, so that their database sessions are
    # closed before the app's engine is disposed.
    for request_thread in set(threading.enumerate()) - before:
        if getattr(getattr(request_thread, "_target", None), "__self__", None) is server:
            request_thread.join(timeout=10)
    server.server_close()


#: Logged, in the page, for each `securitypolicyviolation` event (in every frame).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("securitypolicyviolation: " + event.violatedDirective + " " + event.blockedURI);
});
"""
#: Console messages of a refusal by the policies: Chromium's own and the listener's.
REFUSALS = (
    "Refused to",
    "Content Security Policy",
    "securitypolicyviolation",
    "Permissions-Policy",
)

#: What the pages of the current test logged of REFUSALS.
policy_refusals: list[str] = []


class WatchedBrowser:
    """The browser, whose new contexts report policy refusals to `policy_refusals`."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def __getattr__(self, name: str):
        return getattr(self._browser, name)

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", _note_refusal)
        return context


def _note_refusal(message) -> None:
    if any(refusal in message.text for refusal in REFUSALS):
        policy_refusals.append(f"{message.location.get('url', '')}: {message.text}")


@pytest.fixture(autouse=True)
def no_policy_refusals() -> Iterator[None]:
    """Fails the test whose pages broke the Content-Security-Policy (or logged a problem
    with the Permissions-Policy)."""
    policy_refusals.clear()
    yield
    refused = "\n".join(policy_refusals)
    assert not policy_refusals, f"the pages logged what the security policies refused:\n{refused}"


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("browser tests need Debian's chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield WatchedBrowser(browser)
        browser.close()


def _page(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    return context, context.new_page()


@pytest.fixture
def phone(chromium):
    """A page the size of a small phone (360×640)."""
    context, page = _page(chromium, 360, 640)
    yield page
    context.close()


@pytest.fixture
def desktop(chromium):
    context, page = _page(chromium, 1280, 900)
    yield page
    context.close()
