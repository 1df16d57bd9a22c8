"""The header leads each signed-in user to every area their role may reach (decided by
the access policy), the home page shows those areas instead of a sign-in link, and the
site's icon is served."""

from __future__ import annotations

import re

import pytest

from appraisal_engine.blueprints.access import areas

from .test_auth import sign_in

AREA_LINKS = re.compile(r'<nav class="areas"[^>]*>(.*?)</nav>', re.S)


def _area_hrefs(page: str) -> list[str]:
    found = AREA_LINKS.search(page)
    return re.findall(r'href="([^"]+)"', found.group(1)) if found else []


@pytest.mark.parametrize(
    ("role", "hrefs"),
    [
        ("admin", ["/admin/", "/leadership/"]),
        ("leader", ["/leadership/"]),
        ("cadre", ["/me/"]),
    ],
)
def test_each_role_sees_its_areas_in_the_header_and_on_the_home_page(
    client, factories, session, role, hrefs
):
    user = factories.user(role)
    session.commit()
    assert [endpoint for endpoint, _label in areas(user)] == [
        {"/admin/": "admin.index", "/leadership/": "leadership.index", "/me/": "cadre.index"}[h]
        for h in hrefs
    ]
    sign_in(client, user.username)
    for path in hrefs:
        page = client.get(path + "?lang=en").get_data(as_text=True)
        assert _area_hrefs(page) == hrefs
        assert "Change password" in page and "Sign out" in page
    home = client.get("/?lang=en").get_data(as_text=True)
    assert _area_hrefs(home) == hrefs
    body = home.split("<main>")[1]
    assert 'href="/login"' not in body and "Sign in" not in body
    assert all(f'href="{h}"' in body for h in hrefs)


def test_the_home_page_invites_anonymous_visitors_to_sign_in(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/login"' in page and not _area_hrefs(page)


def test_the_icon_is_served_and_linked(client):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data().startswith(b"<svg")
    assert 'rel="icon" href="/favicon.ico"' in client.get("/login").get_data(as_text=True)
