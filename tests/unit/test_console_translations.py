"""Every text of the console's pages has its English translation, and the compiled catalogue matches."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

CONSOLE = Path(__file__).resolve().parents[2] / "services" / "console"
CATALOGUE = CONSOLE / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def _texts() -> set[str]:
    found = extract_from_dir(
        str(CONSOLE),
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords=KEYWORDS,
    )
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def test_every_text_has_an_english_translation():
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    english = {message.id: message.string for message in catalogue if message.id}
    missing = sorted(text for text in _texts() if not english.get(text))
    assert not missing, f"add these to {CATALOGUE / 'messages.po'} (docs/console.md, 'Languages'): {missing}"


def test_the_compiled_catalogue_is_the_source_catalogue():
    with (CATALOGUE / "messages.po").open("rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id}
    with (CATALOGUE / "messages.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "recompile messages.mo from messages.po (docs/console.md, 'Languages')"
