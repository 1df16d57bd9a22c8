"""Invitation codes people can type: ten characters of Crockford's base-32 in two groups,
entered on the home page however they are typed; guessing is limited per address."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from appraisal_engine.models import Link
from appraisal_engine.services.campaigns import issue_invitations
from appraisal_engine.services.codes import (
    RECEIPT_ALPHABET,
    grouped_code,
    new_link_token,
    typed_invitation_code,
)
from reports.posters import Poster, invitation_sheet


@pytest.fixture
def codes(factories, session):
    admin = factories.user("admin")
    unit = factories.unit(name_zh="基层单位")
    campaign = factories.campaign(targets=[unit], status="open")
    session.flush()
    issue_invitations(session, campaign, "grassroots", None, 3, admin)
    session.commit()
    return session.scalars(select(Link.token).where(Link.kind == "invitation")).all()


def test_invitation_codes_are_ten_unambiguous_characters_in_two_groups(codes):
    assert len(codes) == 3 and len(set(codes)) == 3
    for code in codes:
        assert len(code) == 10 and set(code) <= set(RECEIPT_ALPHABET)
        assert not set(code) & set("ILOU"), "no letter that reads as a digit or another"
        assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", grouped_code(code))
    open_token = new_link_token()
    assert grouped_code(open_token) == open_token, "an open link's token is left alone"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("K7QMX-4TZPQ", "K7QMX4TZPQ"),
        (" k7qmx 4tzpq ", "K7QMX4TZPQ"),
        ("K7QMX.4TZPQ", "K7QMX4TZPQ"),
        ("KOQMI-4TZPL", "K0QM1-4TZP1".replace("-", "")),
        ("K7QMX-4TZP", None),
        ("K7QMX-4TZPQ-1", None),
        ("K7QMU-4TZPQ", None),
        ("", None),
    ],
)
def test_a_typed_code_is_read_as_people_type_it(typed, stored):
    assert typed_invitation_code(typed) == stored


def test_the_home_page_takes_a_code_and_opens_its_form(client, codes):
    home = client.get("/").get_data(as_text=True)
    assert 'name="code"' in home and 'action="/code"' in home
    code = codes[0]
    typed = grouped_code(code).lower().replace("0", "o").replace("1", "l")
    went = client.get("/code", query_string={"code": typed})
    assert went.status_code == 303 and went.headers["Location"].endswith(f"/s/{code}")
    assert client.get(f"/s/{code}").status_code == 200
    lower = client.get(f"/s/{grouped_code(code).lower()}")
    assert lower.status_code == 301 and lower.headers["Location"].endswith(f"/s/{code}")
    refused = client.get("/code", query_string={"code": "not a code"})
    assert refused.status_code == 404 and "邀请码" in refused.get_data(as_text=True)


def test_guessing_codes_is_limited_per_address(app, client, codes):
    app.config["RATE_LIMIT_GUESS"] = "3 per minute"
    guesser = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    assert client.get("/code", query_string={"code": "nonsense"}, **guesser).status_code == 404
    tries = [client.get(f"/s/AAAAAAAA{n}{n}", **guesser).status_code for n in range(3)]
    assert tries == [404, 404, 429], "unknown codes asked for are counted, and then refused"
    assert client.get(f"/s/{codes[0]}", **guesser).status_code == 429, "this address waits"
    other = {"environ_base": {"REMOTE_ADDR": "198.51.100.10"}}
    assert client.get(f"/s/{codes[0]}", **other).status_code == 200, "others do not"
    for _ in range(5):
        assert client.get(f"/s/{codes[1]}", **other).status_code == 200, "known codes count not"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_invitation_sheet_prints_the_code_to_type_and_where(tmp_path):
    poster = Poster(
        url="https://pingyi.example.gov.cn/s/K7QMX4TZPQ",
        title_zh="基层单位",
        code="K7QMX-4TZPQ",
        home_url="https://pingyi.example.gov.cn/",
    )
    path = tmp_path / "sheet.pdf"
    path.write_bytes(invitation_sheet([poster]))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "K7QMX-4TZPQ" in text and "https://pingyi.example.gov.cn/" in text
    assert "输入邀请码" in text
