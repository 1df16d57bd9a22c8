"""QR codes for public links, as PNG and SVG.

Error correction M (15 % of the code may be damaged or dirty) with a 4-module quiet zone,
as scanners expect; short URLs keep the code coarse, so a cheap phone reads it at a glance.
qrcode (and Pillow, for PNG) load on the first code made, not when this module is imported.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import qrcode


def _code(data: str) -> qrcode.QRCode:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    """A black-on-white PNG of `data`; each module `box_size` pixels wide."""
    code = _code(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    """An SVG of `data` drawn as one path, scalable for print shops."""
    import qrcode.image.svg

    image = _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def qr_modules(data: str) -> int:
    """Modules per side (without the quiet zone): fewer means a coarser, easier code."""
    return _code(data).modules_count
