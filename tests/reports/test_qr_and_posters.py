"""QR codes and posters as a real client reads them: decoded with zbarimg."""

import logging
import shutil
import subprocess

import pytest

from reports.posters import Poster, invitation_sheet, posters_a4, posters_a6
from reports.qr import qr_modules, qr_png, qr_svg

URL = "https://pingyi.example.gov.cn/s/4K4cqeY-HtIfFj3Y"
POSTER = Poster(
    URL,
    "“办不成事”反映窗口",
    "Complaints window",
    "效能监督科",
    "Performance Supervision Section",
    "2026年度满意度测评",
    "2026 appraisal",
)


def decode(path):
    if shutil.which("zbarimg") is None:
        pytest.skip("decoding needs zbarimg (apt-get install -y zbar-tools)")
    run = subprocess.run(
        ["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, timeout=60
    )
    return run.stdout.split()


def rasterise(pdf, tmp_path, page=1):
    if shutil.which("pdftoppm") is None:
        pytest.skip("rasterising a PDF needs pdftoppm (apt-get install -y poppler-utils)")
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            str(path),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    return next(tmp_path.glob("page-*.png"))


def test_png_decodes_to_the_url(tmp_path):
    path = tmp_path / "code.png"
    path.write_bytes(qr_png(URL))
    assert decode(path) == [URL]


def test_short_links_give_a_coarse_code():
    assert qr_modules(URL) <= 37, "a version-5 code or smaller scans from a cheap phone"


def test_svg_is_a_single_scalable_drawing():
    svg = qr_svg(URL)
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert "<path" in svg


@pytest.mark.parametrize("render", [posters_a6, posters_a4, invitation_sheet])
def test_posters_decode_and_render_chinese(render, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        pdf = render([POSTER, POSTER])
    assert pdf.startswith(b"%PDF")
    assert not [r for r in caplog.records if "glyph" in r.getMessage().lower()]
    assert URL in decode(rasterise(pdf, tmp_path))
