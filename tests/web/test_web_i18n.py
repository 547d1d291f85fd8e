"""Every interface string of the pages is in the English catalogue, translated: extracted
the way `pybabel extract` would (Python views and Jinja templates)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from webapp.i18n import SOURCE

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# Other helpers' areas (the plan import and the report downloads) carry their own checks.
OTHERS = ("pages/imports.py", "pages/reports.py", "templates/imports/", "templates/reports/")


def sources() -> list[tuple[object, Path]]:
    found = []
    for path in sorted((WEBAPP / "pages").glob("*.py")):
        found.append(("python", path))
    for path in sorted((WEBAPP / "templates").rglob("*.html")):
        found.append((babel_extract, path))
    return [(m, p) for m, p in found if not str(p.relative_to(WEBAPP)).startswith(OTHERS)]


def extracted() -> dict[str, str]:
    messages = {}
    for method, path in sources():
        for _line, message, _comments, _context in extract_from_file(
            method, str(path), keywords=KEYWORDS
        ):
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                if msgid:
                    messages.setdefault(msgid, str(path.relative_to(WEBAPP)))
    return messages


def test_every_page_string_is_translated():
    with (SOURCE / "en/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id}
    messages = extracted()
    assert len(messages) > 300  # the extraction found the pages' strings
    missing = {m: where for m, where in messages.items() if not catalog.get(m)}
    assert missing == {}
