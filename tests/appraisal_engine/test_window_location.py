"""A service window's location ("一楼大厅 1号窗口") is printed on its poster and shown on
its public form, in the form's language, so residents know the code is this window's."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from appraisal_engine.services.printing import print_set
from reports.posters import posters_a4, posters_a6


@pytest.fixture
def window(factories, session):
    unit = factories.unit(name_zh="政务服务中心", name_en="Service Centre")
    point = factories.service_point(
        unit=unit,
        name_zh="户籍窗口",
        name_en="Household registration",
        location_zh="一楼大厅 1号窗口",
        location_en="Ground floor hall, window 1",
    )
    bare = factories.service_point(unit=unit, name_zh="无位置窗口")
    campaign = factories.campaign(targets=[unit, point, bare], status="open")
    links = {
        "point": factories.link(campaign, point),
        "bare": factories.link(campaign, bare),
        "unit": factories.link(campaign, unit),
    }
    session.commit()
    return campaign, links


def _pdf_text(pdf: bytes, tmp_path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("this test needs pdftotext (apt-get install -y poppler-utils)")
    path = tmp_path / "posters.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([pdftotext, str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_the_poster_prints_the_windows_location(window, session, tmp_path):
    campaign, _links = window
    posters = [
        poster for _link, poster in print_set(session, campaign, "https://x.test").open_links
    ]
    for pdf in (posters_a6(posters), posters_a4(posters)):
        text = " ".join(_pdf_text(pdf, tmp_path).split())
        assert "一楼大厅 1号窗口" in text and "Ground floor hall, window 1" in text
        assert text.count("一楼大厅") == 1, "only the window with a location has one"


def test_the_form_shows_the_location_in_its_language(client, window):
    _campaign, links = window
    chinese = client.get(f"/s/{links['point'].token}").get_data(as_text=True)
    assert '<span class="location">一楼大厅 1号窗口</span>' in chinese
    english = client.get(f"/s/{links['point'].token}?lang=en").get_data(as_text=True)
    assert '<span class="location">Ground floor hall, window 1</span>' in english
    for other in ("bare", "unit"):
        assert 'class="location"' not in client.get(f"/s/{links[other].token}").get_data(
            as_text=True
        )
