"""Printable posters for service windows and sheets of invitation codes (PDF).

A poster says what is appraised (window, unit, campaign), carries the QR code, the short
URL for typing by hand and a one-line instruction in Chinese and English. Layouts: A6, one
per page, and A4 with four A6 posters per page, to cut along the marks. fpdf2 takes most
of a second to import: it loads when the first document is made, not with this module.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .fonts import chinese_font_path
from .qr import qr_png

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "NotoSansSC"
A6 = (105.0, 148.0)
A4 = (210.0, 297.0)
INSTRUCTION = ("请扫码，对我们的服务作出评价", "Scan the code to rate our service")
INVITATION_INSTRUCTION = (
    "请扫码，或在首页输入邀请码评议（仅限一次）",
    "Scan the code, or type the invitation code on the home page (one use only)",
)


@dataclass(frozen=True)
class Poster:
    """One public link as it is printed."""

    url: str
    title_zh: str
    title_en: str = ""
    unit_zh: str = ""
    unit_en: str = ""
    #: Where a service window is ("一楼大厅 1号窗口"), in both languages.
    location_zh: str = ""
    location_en: str = ""
    campaign_zh: str = ""
    campaign_en: str = ""
    note: str = ""
    #: An invitation's code to type, in groups ("K7QMX-4TZPQ"), and where to type it.
    code: str = ""
    home_url: str = ""


def _document(page_format: tuple[float, float]) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=page_format)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FONT, "", str(chinese_font_path()))
    pdf.set_creator("appraisal-engine")
    return pdf


def _centred(
    pdf: FPDF, x: float, width: float, y: float, text: str, size: float, height: float
) -> float:
    """Write `text` centred in [x, x+width] from y, wrapping; returns the next y."""
    if not text:
        return y
    pdf.set_font(FONT, size=size)
    pdf.set_xy(x, y)
    pdf.multi_cell(width, height, text, align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf.get_y()


def _draw_poster(
    pdf: FPDF,
    poster: Poster,
    x: float,
    y: float,
    *,
    instruction: Sequence[str],
    width: float = A6[0],
    height: float = A6[1],
) -> None:
    inner_x, inner_width = x + 8, width - 16
    cursor = _centred(pdf, inner_x, inner_width, y + 9, poster.campaign_zh, 8.5, 4.2)
    cursor = _centred(pdf, inner_x, inner_width, cursor, poster.campaign_en, 7, 3.6)
    cursor = _centred(pdf, inner_x, inner_width, cursor + 3, poster.title_zh, 15, 7)
    cursor = _centred(pdf, inner_x, inner_width, cursor, poster.title_en, 9.5, 4.6)
    unit = " · ".join(t for t in (poster.unit_zh, poster.unit_en) if t)
    cursor = _centred(pdf, inner_x, inner_width, cursor + 1, unit, 8, 4)
    location = " · ".join(t for t in (poster.location_zh, poster.location_en) if t)
    cursor = _centred(pdf, inner_x, inner_width, cursor, location, 8, 4)
    size = 62.0
    pdf.image(
        io.BytesIO(qr_png(poster.url)), x=x + (width - size) / 2, y=cursor + 3, w=size, h=size
    )
    cursor += size + 5
    cursor = _centred(pdf, inner_x, inner_width, cursor, instruction[0], 10.5, 5)
    cursor = _centred(pdf, inner_x, inner_width, cursor, instruction[1], 8, 4)
    if poster.code:
        cursor = _centred(pdf, inner_x, inner_width, cursor + 1.5, poster.code, 16, 7)
        _centred(pdf, inner_x, inner_width, cursor, poster.home_url, 7.5, 3.8)
    else:
        _centred(pdf, inner_x, inner_width, cursor + 1.5, poster.url, 7.5, 3.8)
    if poster.note:
        _centred(pdf, inner_x, inner_width, y + height - 10, poster.note, 9, 4.5)


def posters_a6(posters: Iterable[Poster]) -> bytes:
    """One A6 poster per page."""
    pdf = _document(A6)
    for poster in posters:
        pdf.add_page()
        _draw_poster(pdf, poster, 0, 0, instruction=INSTRUCTION)
    return bytes(pdf.output())


def _cut_marks(pdf: FPDF) -> None:
    pdf.set_draw_color(170, 170, 170)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.line(A4[0] / 2, 0, A4[0] / 2, A4[1])
    pdf.line(0, A4[1] / 2, A4[0], A4[1] / 2)
    pdf.set_dash_pattern()


def _four_up(posters: Sequence[Poster], instruction: Sequence[str]) -> bytes:
    pdf = _document(A4)
    for start in range(0, len(posters), 4):
        pdf.add_page()
        _cut_marks(pdf)
        for offset, poster in enumerate(posters[start : start + 4]):
            column, row = offset % 2, offset // 2
            x = column * A4[0] / 2
            y = row * A4[1] / 2
            _draw_poster(
                pdf, poster, x, y, instruction=instruction, width=A4[0] / 2, height=A4[1] / 2
            )
    return bytes(pdf.output())


def posters_a4(posters: Iterable[Poster]) -> bytes:
    """Four A6 posters on each A4 page, with dashed cut marks."""
    return _four_up(list(posters), INSTRUCTION)


def invitation_sheet(invitations: Iterable[Poster]) -> bytes:
    """Invitation codes four to an A4 page: each with its QR code, the code to type in
    groups and the home page's address, and its `note` (the category)."""
    return _four_up(list(invitations), INVITATION_INSTRUCTION)
