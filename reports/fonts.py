"""A font with Simplified Chinese glyphs, shipped as a Python package so that reports
and posters render Chinese the same on every machine (Noto Sans SC, SIL OFL)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def chinese_font_path() -> Path:
    """Path of Noto Sans SC from the `pylopdf-fonts-zh-cn` package."""
    path = Path(str(resources.files("pylopdf_fonts_zh_cn") / "NotoSansSC-Regular.otf"))
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall pylopdf-fonts-zh-cn")
    return path


@cache
def chinese_font_codepoints() -> frozenset[int]:
    """The code points Noto Sans SC has a glyph for."""
    from fontTools.ttLib import TTFont  # fpdf2's dependency; loaded only when needed

    with TTFont(str(chinese_font_path()), lazy=True) as font:
        return frozenset(font.getBestCmap())


def drawable(text: str, replacement: str = "?") -> str:
    """`text` with every character that Noto Sans SC cannot draw replaced by `replacement`
    (line breaks and tabs become spaces), so that a name from the data (an emoji, a rare
    script) never renders as an empty box or a missing-glyph warning in a PDF or a chart.
    Spreadsheets and CSV keep the text as it is."""
    covered = chinese_font_codepoints()
    if all(ord(character) in covered and character >= " " for character in text):
        return text
    return "".join(
        " "
        if character in "\t\r\n"
        else character
        if ord(character) in covered and character >= " "
        else replacement
        for character in text
    )
