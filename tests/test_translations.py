"""Every user-facing string has a Chinese translation, and the compiled catalogue is
the one in the .po file."""

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "appraisal_engine" / "translations" / "zh" / "LC_MESSAGES"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
}


def source_messages() -> set[str]:
    method_map = [
        ("appraisal_engine/**.py", "python"),
        ("reports/**.py", "python"),
        ("forms/**.py", "python"),
        ("scoring/**.py", "python"),
        ("appraisal_engine/templates/**.html", "jinja2"),
    ]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map=method_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_is_translated_into_chinese():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="zh")
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert missing == [], "run pybabel extract/update (see README) and translate these"


def test_compiled_catalogue_matches_po_file():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        po = {m.id: m.string for m in read_po(handle, locale="zh") if m.id}
    mo = {
        m.id: m.string
        for m in read_mo(io.BytesIO((CATALOGUE / "messages.mo").read_bytes()))
        if m.id
    }
    assert mo == po, "run pybabel compile -d appraisal_engine/translations"
