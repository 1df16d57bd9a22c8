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
