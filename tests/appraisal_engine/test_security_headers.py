"""Security headers (appraisal_engine.security) beyond the route walk of
test_route_access.py, which checks them on every route for every visitor: the public
form's script nonce, pages outside any route, signing in and out, and templates that
the policy can serve unchanged (no inline style, script or event handler)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response

from appraisal_engine import create_app
from appraisal_engine.security import content_security_policy

from .test_auth import csrf_token, sign_in

TEMPLATES = Path(__file__).resolve().parents[2] / "appraisal_engine" / "templates"
STATIC = Path(__file__).resolve().parents[2] / "appraisal_engine" / "static"


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_the_policy_is_strict():
    policy = content_security_policy(None)
    assert "unsafe" not in policy
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'nonce-abc';" in content_security_policy("abc")


def test_the_public_forms_script_carries_the_nonce_of_its_own_response(client, factories, session):
    campaign = factories.campaign(targets=[factories.unit()], status="open")
    link = factories.link(campaign, campaign.targets[0].subject)
    session.commit()
    nonces = []
    for _ in range(2):
        response = client.get(f"/s/{link.token}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        scripts = re.findall(r"<script[^>]*>", page)
        assert len(scripts) == 1, scripts
        nonce = re.fullmatch(r'<script nonce="([A-Za-z0-9_-]{20,})">', scripts[0]).group(1)
        assert directives(response)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
        assert "no-store" in response.headers["Cache-Control"], "the form keeps its no-store"
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "a nonce is used for one response only"


def test_a_page_without_inline_script_gets_no_nonce(client):
    response = client.get("/login")
    assert directives(response)["script-src"] == ["'self'"]


def test_pages_outside_any_route_carry_the_headers(client):
    for response in (client.get("/no/such/page"), client.put("/login")):
        assert response.status_code in (404, 405)
        assert "default-src" in directives(response)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_signing_in_and_out_are_not_stored(client, factories, session):
    user = factories.user("leader")
    session.commit()
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    signed_in = sign_in(client, user.username)
    assert signed_in.status_code == 302
    assert signed_in.headers["Cache-Control"] == "no-store", "signed in as it leaves"
    page = client.get("/leadership/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    token = csrf_token(client, "/leadership/")
    signed_out = client.post("/logout", data={"csrf_token": token})
    assert signed_out.status_code == 302
    assert signed_out.headers["Cache-Control"] == "no-store", "signed in as it came"


def test_static_files_keep_their_caching_for_a_signed_in_visitor(client, factories, session):
    user = factories.user("admin")
    session.commit()
    sign_in(client, user.username)
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_any_download_is_not_stored_even_to_an_anonymous_visitor(database_url, monkeypatch):
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", database_url)
    application = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key"})

    @application.get("/test-download")
    def download():
        return Response("a,b\n", headers={"Content-Disposition": 'attachment; filename="x.csv"'})

    response = application.test_client().get("/test-download")
    assert response.headers["Cache-Control"] == "no-store"


def test_templates_need_no_inline_style_script_or_handler():
    """What the policy forbids is not written in any template: inline style (attributes
    or <style>), event handlers, javascript: URLs, scripts without the nonce, and
    anything loaded from another site."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        for pattern, what in (
            (r"\sstyle\s*=", "a style attribute"),
            (r"<style", "a <style> element"),
            (r"\son[a-z]+\s*=", "an event handler attribute"),
            (r"javascript:", "a javascript: URL"),
            (r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", "a resource of another site"),
        ):
            if re.search(pattern, text, re.IGNORECASE):
                problems.append(f"{name}: {what}")
        for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
            if 'nonce="{{ csp_nonce() }}"' not in tag and "src=" not in tag:
                problems.append(f"{name}: {tag} without the nonce")
    for path in sorted(STATIC.rglob("*.css")):
        if re.search(r"url\(\s*['\"]?(?:data:|https?:|//)", path.read_text(encoding="utf-8")):
            problems.append(f"{path.name}: url() outside this site")
    assert problems == []
