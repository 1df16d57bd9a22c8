"""Every route of the app, every method, as every kind of visitor: the server enforces
the policy table (appraisal_engine.blueprints.access.POLICY).

The visitors: anonymous; cadre A and cadre B; a leader of the whole bureau; a leader
scoped to unit A (whose subtree holds cadre A but not cadre B); an administrator. URLs are
built with real codes, ids and tokens of one world of objects (a campaign with targets,
links, a response, a scoring run, a draft questionnaire), made anew for each endpoint.

What counts as what:

- refused, anonymous: 302 to the sign-in page (the API too, for now: it shares the
  sign-in of the pages);
- refused, signed in with the wrong role, or a scoped leader on a whole-bureau endpoint:
  403;
- refused, a cadre asking for another cadre's object (an id in the URL that is cadre
  A's, asked for by cadre B): 404, never their data;
- allowed: a GET answers 2xx or 3xx (but not the sign-in page); a POST may also answer
  400, 409 or 422, since it is sent without a valid body (CSRF protection is off here,
  so that the role checks are what answers).

Beyond the status: a page allowed to cadre B never shows cadre A's name or code; a page
allowed to the scoped leader never shows a unit or cadre outside their subtree; a file
sent as an attachment leaves a "download" entry in the audit log. Every response, allowed
or refused, carries the security headers (appraisal_engine.security), and every response
to a signed-in visitor, and every download, says `Cache-Control: no-store`.

The tests fail when an endpoint is missing from POLICY (or POLICY names one that does not
exist), when a view's decorators disagree with POLICY, and when any visitor gets through
where POLICY says they should not. A new route: decorate its view, add it to POLICY, and,
if it takes an argument not in ARGUMENTS below, add a value for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appraisal_engine import create_app
from appraisal_engine.blueprints.access import (
    LEADER,
    POLICY,
    may_reach,
    role_required,
    visible_target_ids,
    visible_unit_ids,
)
from appraisal_engine.db import get_database
from appraisal_engine.models import (
    PASSWORD_METHOD,
    AuditEntry,
    Campaign,
    CampaignTarget,
    Kiosk,
    Link,
    ScoringRun,
    Unit,
    User,
    utcnow,
)
from appraisal_engine.security import FRAMEABLE_BY_SELF
from appraisal_engine.services.questionnaires import definition_of, new_draft
from appraisal_engine.services.scoring_runs import run_scoring
from appraisal_engine.services.sessions import SIGN_IN_KEY, start_sign_in

from ..conftest import IsolatedClient
from ..factories import PASSWORD, Factories

VISITORS = ("anonymous", "cadre_a", "cadre_b", "leader", "scoped_leader", "admin")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: What a POST without a valid body may answer when the visitor is let in.
POST_REFUSALS_OF_BODY = {400, 409, 422}


@pytest.fixture(scope="module")
def password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD, method=PASSWORD_METHOD)


# The world ---------------------------------------------------------------------------


@dataclass
class World:
    #: Open: its links take responses (the public form, the administration's pages).
    campaign: Campaign
    #: Finalised, its run frozen, its league table published (the results' pages).
    finalised: Campaign
    targets: dict[str, CampaignTarget]
    open_link: Link
    invitation: Link
    receipt: str
    run: ScoringRun
    questionnaire_code: str
    draft_number: int
    question_id: str
    kiosk_id: int
    users: dict[str, User]
    #: Text that only cadre A's data contains (never on cadre B's pages).
    cadre_a_marks: tuple[str, ...]
    #: Text that only data outside unit A's subtree contains (never on the scoped
    #: leader's pages).
    outside_marks: tuple[str, ...]


def make_world(session: Session, factories: Factories, password_hash: str) -> World:
    """The bureau R with units A (A1 below it) and B; cadre A works in A1, cadre B in B."""
    root = factories.unit(code="R", name_zh="市局", name_en="City bureau")
    unit_a = factories.unit(code="UA", name_zh="甲处", name_en="Division A", parent=root)
    unit_a1 = factories.unit(code="UA1", name_zh="甲一科", name_en="Section A1", parent=unit_a)
    # Marks are matched as substrings of whole pages, so they must be long enough that a
    # random token (CSRF, nonce) cannot contain one by chance: "UB" once did.
    unit_b = factories.unit(code="UB-6620", name_zh="乙处独有", name_en="Division Bee", parent=root)
    window = factories.service_point(unit=unit_a1, code="WA1")
    cadre_a = factories.cadre(
        unit=unit_a1, code="CA-7731", name_zh="甲干部七七", name_en="Cadre Alpha Seven"
    )
    cadre_b = factories.cadre(
        unit=unit_b, code="CB-8842", name_zh="乙干部八八", name_en="Cadre Beta Eight"
    )
    campaign = factories.campaign(
        code="c2026", targets=[unit_a, window, cadre_a, cadre_b, unit_b], status="open"
    )
    targets = {t.subject.code: t for t in campaign.targets}
    open_link = factories.link(campaign, window)
    factories.link(campaign, cadre_a)
    invitation = factories.link(campaign, unit_a, category="grassroots", kind="invitation")
    response = factories.response(campaign, window)
    factories.response(campaign, cadre_a)
    factories.response(campaign, cadre_b)

    users = {
        "cadre_a": User(username="cadre-a", role="cadre", cadre=cadre_a),
        "cadre_b": User(username="cadre-b", role="cadre", cadre=cadre_b),
        "leader": User(username="leader", role="leader"),
        "scoped_leader": User(username="leader-a", role="leader", unit=unit_a),
        "admin": User(username="admin", role="admin"),
    }
    for user in users.values():
        user.password_hash = password_hash
    session.add_all(users.values())
    session.flush()
    kiosk = Kiosk(
        link_id=open_link.id, set_up_by_id=users["admin"].id, expires_at=utcnow() + timedelta(1)
    )
    session.add(kiosk)
    session.flush()

    finalised = factories.campaign(
        code="c2025", targets=[unit_a, unit_b, cadre_a, cadre_b], status="closed"
    )
    for category in finalised.categories:
        category.min_responses = 1
    for subject in (unit_a, unit_b, cadre_a, cadre_b):
        for _ in range(2):  # a rating needs two responses in a category
            factories.response(finalised, subject)
    run = run_scoring(session, finalised, user=users["admin"])
    run.frozen = True
    finalised.status = "finalised"
    finalised.league_published_at = utcnow()
    residents = next(c for c in campaign.categories if c.category == "residents")
    questionnaire = residents.questionnaire_version.questionnaire
    draft = new_draft(session, questionnaire)
    question_id = definition_of(draft)["questions"][0]["id"]
    session.commit()
    world = World(
        campaign=campaign,
        finalised=finalised,
        targets=targets,
        open_link=open_link,
        invitation=invitation,
        receipt=response.receipt_code,
        run=run,
        questionnaire_code=questionnaire.code,
        draft_number=draft.number,
        question_id=question_id,
        kiosk_id=kiosk.id,
        users=users,
        cadre_a_marks=(cadre_a.code, cadre_a.name_zh, cadre_a.name_en),
        outside_marks=(
            unit_b.code,
            unit_b.name_zh,
            unit_b.name_en,
            cadre_b.code,
            cadre_b.name_zh,
            cadre_b.name_en,
        ),
    )
    ascii_marks = [m for m in world.cadre_a_marks + world.outside_marks if m.isascii()]
    assert all(len(mark) >= 6 for mark in ascii_marks), "a short mark matches tokens by chance"
    return world


# URL arguments -----------------------------------------------------------------------

#: A value for each URL argument, by its name.
ARGUMENTS: dict[str, Callable[[World], Any]] = {
    # The open campaign, unless ENDPOINT_ARGUMENTS says otherwise.
    "code": lambda w: w.campaign.code,
    "token": lambda w: w.open_link.token,
    # Cadre A's target: for a cadre's route it is the object that is theirs alone.
    "target_id": lambda w: w.targets["CA-7731"].id,
    "link_id": lambda w: w.open_link.id,
    "kiosk_id": lambda w: w.kiosk_id,
    "user_id": lambda w: w.users["leader"].id,
    "run_id": lambda w: w.run.id,
    "number": lambda w: w.draft_number,
    "question_id": lambda w: w.question_id,
    "status": lambda w: "open",
    "what": lambda w: "result",
    "name": lambda w: "posters-a6.pdf",
    "filename": lambda w: "app.css",
}
#: Arguments that mean something else on some endpoints.
ENDPOINT_ARGUMENTS: dict[str, dict[str, Callable[[World], Any]]] = {
    endpoint: {"code": lambda w: w.questionnaire_code}
    for endpoint in POLICY
    if endpoint.startswith("admin.questionnaire")
}
# Results are read from the finalised campaign.
for _endpoint in POLICY:
    if _endpoint.split(".")[0] in ("leadership", "cadre", "public", "api"):
        ENDPOINT_ARGUMENTS[_endpoint] = {"code": lambda w: w.finalised.code}
ENDPOINT_ARGUMENTS["survey.receipt"] = {"code": lambda w: w.receipt}
ENDPOINT_ARGUMENTS["admin.campaign_link_qr"] = {"kind": lambda w: "png"}
ENDPOINT_ARGUMENTS["admin.campaign_ahp"] = {"kind": lambda w: "categories"}
ENDPOINT_ARGUMENTS["admin.questionnaire_export"]["kind"] = lambda w: "json"
ENDPOINT_ARGUMENTS["leadership.chart"].update(level=lambda w: "unit", kind=lambda w: "composite")
ENDPOINT_ARGUMENTS["leadership.report_download"]["fmt"] = lambda w: "csv"
#: Arguments naming an object that belongs to one cadre (cadre A): cadre B asking for it
#: gets a 404.
OWN_OBJECT_ARGUMENTS = {"target_id", "response_id", "rectification_id", "run_id"}


def url_values(endpoint: str, arguments: set[str], world: World) -> dict[str, Any]:
    values = {}
    for name in sorted(arguments):
        choose = ENDPOINT_ARGUMENTS.get(endpoint, {}).get(name) or ARGUMENTS.get(name)
        assert choose is not None, (
            f"{endpoint}: add a value for the URL argument {name!r} to ARGUMENTS (or "
            "ENDPOINT_ARGUMENTS) in tests/appraisal_engine/test_route_access.py"
        )
        values[name] = choose(world)
    return values


# Expectations ------------------------------------------------------------------------


def expectation(endpoint: str, visitor: str, world: World, arguments: set[str]) -> str:
    """ "allowed", "sign_in" (the sign-in page), "unauthorized" (401, the API),
    "forbidden" (403) or "not_found" (404)."""
    access = POLICY[endpoint]
    if access.public:
        return "allowed"
    if visitor == "anonymous":
        return "unauthorized" if endpoint.startswith("api.") else "sign_in"
    user = world.users[visitor]
    if user.role not in access.roles:
        return "forbidden"
    if access.whole_bureau and visitor == "scoped_leader":
        return "forbidden"
    if access.own_data and visitor == "cadre_b" and arguments & OWN_OBJECT_ARGUMENTS:
        return "not_found"
    return "allowed"


def check_headers(response, endpoint: str, visitor: str, where: str) -> None:
    """The security headers of appraisal_engine.security, on any response."""
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    directives = {
        name: value
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
    }
    assert directives.get("default-src") == "'self'", (where, "Content-Security-Policy", policy)
    assert directives.get("style-src") == "'self'", (where, policy)
    assert directives.get("object-src") == "'none'", (where, policy)
    assert "unsafe" not in policy, (where, policy)
    script = directives.get("script-src", "").split()
    assert script[:1] == ["'self'"] and all(s.startswith("'nonce-") for s in script[1:]), (
        where,
        policy,
    )
    framed = "'self'" if endpoint in FRAMEABLE_BY_SELF else "'none'"
    assert directives.get("frame-ancestors") == framed, (where, policy)
    frame_options = "SAMEORIGIN" if endpoint in FRAMEABLE_BY_SELF else "DENY"
    assert headers.get("X-Frame-Options") == frame_options, (where, "X-Frame-Options")
    assert headers.get("X-Content-Type-Options") == "nosniff", (where, "X-Content-Type-Options")
    assert headers.get("Referrer-Policy") == "same-origin", (where, "Referrer-Policy")
    permissions = headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in permissions, (where, "Permissions-Policy", permissions)
    download = headers.get("Content-Disposition", "").startswith("attachment")
    if download or (visitor != "anonymous" and endpoint != "static"):
        assert "no-store" in headers.get("Cache-Control", ""), (where, "Cache-Control: no-store")


def check(response, expected: str, method: str, where: str) -> None:
    status = response.status_code
    location = response.headers.get("Location", "")
    if expected == "sign_in":
        assert status == 302 and location.startswith("/login?next="), (where, status, location)
    elif expected == "unauthorized":
        assert status == 401 and response.is_json, (where, status)
    elif expected == "forbidden":
        assert status == 403, (where, status)
    elif expected == "not_found":
        assert status == 404, (where, status)
    else:
        assert not location.startswith("/login"), (where, "sent to sign in")
        allowed = 200 <= status < 400 or (method == "POST" and status in POST_REFUSALS_OF_BODY)
        assert allowed, (where, status, response.get_data(as_text=True)[:500])


# Fixtures ----------------------------------------------------------------------------


@pytest.fixture
def access_app(database_url, instance_path, monkeypatch) -> Flask:
    """The app with CSRF protection off: the role checks are what answers a POST."""
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", database_url)
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            # (Not RATELIMIT_ENABLED=False: the limiter is one object shared by every app
            # of the process, and would stay off for the tests that come after.)
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    )
    application.test_client_class = IsolatedClient
    yield application
    get_database(application).dispose()


@pytest.fixture
def world(access_app, password_hash) -> World:
    with access_app.app_context():
        session = get_database(access_app).session_factory()
        yield make_world(session, Factories(session), password_hash)
        session.close()


def client_of(application: Flask, world: World, visitor: str):
    """A client signed in as `visitor` (none for "anonymous"), in a session of its own: a
    request that signs it out must not sign out the clients that come after."""
    client = application.test_client()
    user = world.users.get(visitor)
    if user is not None:
        with get_database(application).session_factory() as session:
            token = start_sign_in(session, user, timedelta(days=1))
            session.commit()
        with client.session_transaction() as cookie_session:
            cookie_session["_user_id"] = user.get_id()
            cookie_session["_fresh"] = True
            cookie_session[SIGN_IN_KEY] = token
    return client


def download_count(application: Flask) -> int:
    with get_database(application).session_factory() as session:
        return session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "download")
        )


# The policy table and the app agree --------------------------------------------------


def test_every_endpoint_is_in_the_policy_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - POLICY.keys())
    assert missing == [], (
        "decide who may reach these endpoints: add them to POLICY in "
        "appraisal_engine/blueprints/access.py"
    )
    stale = sorted(POLICY.keys() - endpoints)
    assert stale == [], "POLICY names endpoints the app does not have"


def test_every_view_carries_the_decorators_its_policy_names(app):
    wrong = {}
    for endpoint, view in app.view_functions.items():
        access = POLICY[endpoint]
        declared = (
            getattr(view, "access_roles", frozenset()),
            getattr(view, "whole_bureau", False),
        )
        if declared != (access.roles, access.whole_bureau):
            wrong[endpoint] = (sorted(declared[0]), declared[1], access.name)
    assert wrong == {}, "the view's role_required/whole_bureau_required disagree with POLICY"


# Every endpoint, method and visitor --------------------------------------------------


@pytest.mark.parametrize("endpoint", sorted(POLICY))
def test_route_access(access_app, world, endpoint):
    check_endpoint(access_app, world, endpoint)


def test_a_route_stripped_of_its_decorator_is_caught(access_app, world):
    """What the test above does when someone deletes a role_required line."""
    view = access_app.view_functions["admin.campaign_links"]
    access_app.view_functions["admin.campaign_links"] = view.__wrapped__
    with pytest.raises(AssertionError, match="as anonymous"):
        check_endpoint(access_app, world, "admin.campaign_links")


def test_a_scoped_leader_let_into_a_whole_bureau_file_is_caught(access_app, world):
    """What the test above does when someone deletes a whole_bureau_required line."""
    view = access_app.view_functions["leadership.scoring_download"]
    undecorated = view.__wrapped__.__wrapped__
    access_app.view_functions["leadership.scoring_download"] = role_required("leader", "admin")(
        undecorated
    )
    with pytest.raises(AssertionError, match="as scoped_leader"):
        check_endpoint(access_app, world, "leadership.scoring_download")


@pytest.mark.parametrize("header", ["Content-Security-Policy", "X-Frame-Options", "Cache-Control"])
def test_a_response_without_its_security_headers_is_caught(access_app, world, header):
    """What the route walk does when a header goes missing (here: from one page)."""

    def drop(response):
        if request.endpoint == "admin.campaign_links":
            response.headers.pop(header, None)
        return response

    access_app.after_request_funcs.setdefault(None, []).insert(0, drop)
    with pytest.raises(AssertionError, match=header):
        check_endpoint(access_app, world, "admin.campaign_links")


def check_endpoint(access_app: Flask, world: World, endpoint: str) -> None:
    access = POLICY[endpoint]
    rules = [rule for rule in access_app.url_map.iter_rules() if rule.endpoint == endpoint]
    assert rules, f"{endpoint} is in POLICY but not in the app"
    cases = []
    for rule in rules:
        values = url_values(endpoint, set(rule.arguments), world)
        with access_app.test_request_context():
            url = url_for(endpoint, **values)
        for method in sorted(set(rule.methods) & set(METHODS)):
            for visitor in VISITORS:
                expected = expectation(endpoint, visitor, world, set(rule.arguments))
                cases.append((expected != "allowed", method, visitor, url, expected, rule))
    # Refusals first: an allowed POST may change what later requests find.
    cases.sort(key=lambda case: (not case[0], case[1] != "GET"))
    for _refused, method, visitor, url, expected, _rule in cases:
        client = client_of(access_app, world, visitor)
        where = f"{method} {url} as {visitor} ({access.name})"
        before = download_count(access_app)
        response = client.open(url, method=method)
        response.get_data()  # read it all, then close what was sent from disk (static)
        response.close()
        check(response, expected, method, where)
        check_headers(response, endpoint, visitor, where)
        if expected != "allowed":
            continue
        readable = response.mimetype.startswith("text") or response.mimetype.endswith("json")
        body = response.get_data(as_text=True) if readable else ""
        if access.own_data and visitor == "cadre_b":
            shown = [mark for mark in world.cadre_a_marks if mark in body]
            assert shown == [], f"{where}: cadre B sees cadre A's data"
        if access == LEADER and visitor == "scoped_leader":
            shown = [mark for mark in world.outside_marks if mark in body]
            assert shown == [], f"{where}: a leader scoped to unit A sees outside it"
        disposition = response.headers.get("Content-Disposition", "")
        if disposition.startswith("attachment"):
            assert download_count(access_app) == before + 1, f"{where}: download not audited"


# Leaders scoped to a unit ------------------------------------------------------------


def test_visible_units_are_the_subtree_of_a_scoped_leaders_unit(access_app, world):
    with access_app.app_context():
        from appraisal_engine.db import get_session

        session = get_session()
        units = {u.code: u.id for u in session.scalars(select(Unit))}
        deep = Unit(code="UA1X", name_zh="甲一科一组", parent_id=units["UA1"])
        session.add(deep)
        session.commit()
        users = {name: session.merge(user) for name, user in world.users.items()}

        scoped = visible_unit_ids(users["scoped_leader"])
        assert scoped == {units["UA"], units["UA1"], deep.id}
        assert visible_unit_ids(users["leader"]) is None
        assert visible_unit_ids(users["admin"]) is None
        assert visible_unit_ids(users["cadre_a"]) == set()
        users["leader"].unit_id = units["R"]
        assert visible_unit_ids(users["leader"]) == {*units.values(), deep.id}
        session.rollback()

        targets = visible_target_ids(users["scoped_leader"], world.campaign.id)
        expected = {world.targets[code].id for code in ("UA", "WA1", "CA-7731")}
        assert targets == expected, "unit A, its section's window and its cadre; not B's"
        assert visible_target_ids(users["admin"], world.campaign.id) is None
        assert visible_target_ids(users["cadre_b"], world.campaign.id) == set()


def test_a_scoped_leader_gets_the_campaign_pages_but_not_whole_campaign_files(access_app, world):
    code, run_id = world.finalised.code, world.run.id
    scoped = client_of(access_app, world, "scoped_leader")
    whole = client_of(access_app, world, "leader")
    pages = ["/leadership/", f"/leadership/campaigns/{code}/scoring"]
    files = [
        f"/leadership/campaigns/{code}/scoring/{run_id}/result.json",
        f"/leadership/campaigns/{code}/scoring/{run_id}/input.json",
        f"/api/campaigns/{code}/status",
    ]
    for path in pages:
        assert scoped.get(path).status_code == 200, path
    for path in files:
        assert scoped.get(path).status_code == 403, path
        assert whole.get(path).status_code == 200, path
    assert scoped.post(f"/leadership/campaigns/{code}/scoring").status_code == 403


def test_may_reach_follows_the_policy(access_app, world):
    with access_app.app_context():
        users = world.users
        assert may_reach("public.index", users["cadre_a"])
        assert may_reach("auth.change_password", users["cadre_a"])
        assert not may_reach("leadership.index", users["cadre_a"])
        assert may_reach("leadership.scoring", users["scoped_leader"])
        assert not may_reach("leadership.scoring_download", users["scoped_leader"])
        assert may_reach("leadership.scoring_download", users["leader"])
        assert may_reach("admin.index", users["admin"])
        assert not may_reach("admin.index", users["leader"])
        assert not may_reach("no.such_endpoint", users["admin"])
