"""Bad input gets a clear answer, never a 500: every route, as a visitor it lets in, is
sent junk in every query argument and form field the app reads.

The field names come from the code of the view's module (each `request.args.get("…")`,
`request.form.get("…")`) and from the forms on the route's own page, so a new field is
covered without editing this test. The app runs with TESTING on, so an exception in a
view fails the test with its traceback instead of turning into a 500 page.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from flask import Flask, url_for

from appraisal_engine.blueprints.access import POLICY

from .test_route_access import METHODS, World, client_of, expectation, url_values

READ_IN_CODE = re.compile(r"request\.(?:args|form|values)\.(?:get|getlist)\(\s*\"(\w+)\"")
FIELD_ON_PAGE = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")

#: Values a careless, curious or hostile visitor might send, to every field at once.
JUNK = [
    "",
    "-1",
    "99999999999999999999",
    "1e309",
    "１２",  # full-width digits
    "x" * 3000,
    "<script>alert(1)</script>' OR 1=1 --",
    "a\x00b😀\u202e",
]
#: The values most likely to break a parser, to one field at a time.
SHARP_JUNK = ["1e309", "99999999999999999999", "a\x00b"]


def names_read_by(view) -> set[str]:
    """The query and form fields the module of `view` reads."""
    module = sys.modules[inspect.unwrap(view).__module__]
    return set(READ_IN_CODE.findall(Path(module.__file__).read_text(encoding="utf-8")))


def visitor_let_in(endpoint: str, world: World, arguments: set[str]) -> str | None:
    """A visitor the policy lets reach `endpoint` (the most powerful one)."""
    for visitor in ("admin", "leader", "cadre_a", "anonymous"):
        if expectation(endpoint, visitor, world, arguments) == "allowed":
            return visitor
    return None


def plain_page(client, url: str) -> tuple[set[str], bool]:
    """The fields of the forms on the page at `url`, and whether it is a page (not a file)."""
    page = client.get(url)
    html = page.mimetype.startswith("text/html")
    body = page.get_data(as_text=True) if html else ""
    page.get_data()  # read it all, then close what was sent from disk (static)
    page.close()
    return (set(FIELD_ON_PAGE.findall(body)) if page.status_code == 200 else set()), html


def test_junk_input_never_gives_a_server_error(access_app: Flask, world: World):
    """One world for every route (a world per route would cost more than the requests):
    a junk POST that gets through may change what later routes find, which is fine here."""
    for endpoint in sorted(POLICY):
        for rule in access_app.url_map.iter_rules(endpoint):
            try_junk(access_app, world, endpoint, rule)


def try_junk(access_app: Flask, world: World, endpoint: str, rule) -> None:
    arguments = set(rule.arguments)
    visitor = visitor_let_in(endpoint, world, arguments)
    if visitor is None:
        return
    with access_app.test_request_context():
        url = url_for(endpoint, **url_values(endpoint, arguments, world))
    client = client_of(access_app, world, visitor)
    on_page, html = plain_page(client, url)
    names = names_read_by(access_app.view_functions[endpoint]) | on_page
    # Every field junk at once, then each field alone (the others left out), so that a
    # check of one field cannot shield the code that reads another. Files (posters,
    # reports) take long to make and read few fields: junk at once only.
    attempts = [{name: junk for name in names} for junk in JUNK]
    if html or "POST" in rule.methods:
        attempts += [{name: junk} for name in sorted(names) for junk in SHARP_JUNK]
    for method in sorted(set(rule.methods) & set(METHODS)):
        reached = 0
        for values in attempts:
            # A fresh client for each POST: one that got through may have signed the
            # visitor out (kiosk set-up, sign-out), which would shield the rest.
            if method != "GET":
                client = client_of(access_app, world, visitor)
            if method == "GET":
                response = client.get(url, query_string=values)
            else:
                response = client.open(url, method=method, data=values)
            response.get_data()
            response.close()
            assert response.status_code < 500, (endpoint, method, visitor, values)
            reached += not turned_away(response)
        # Junk that never got past the door would prove nothing about the view.
        assert reached, (endpoint, method, visitor, "every attempt was turned away")


def turned_away(response) -> bool:
    """Refused before the view ran: sent to sign in, or not allowed."""
    location = response.headers.get("Location", "")
    return response.status_code in (401, 403) or location.startswith("/login")
