"""The gettext catalogs a translator edits: complete in vi and en, every entry used, placeholders
kept, headers Poedit needs.

That every raisable code has a title is tests/unit/test_error_titles.py; that every push kind
renders in both languages is tests/unit/notifications/test_texts.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from api.http.error_texts import TITLES
from domain.org.model import Locale
from notifications.catalogs import IncompleteCatalogError, read_catalogs
from notifications.texts import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "api", "db", "notifications", "schedules")
CATALOGS = [
    ROOT / "api" / "http" / "locale" / locale.value / "LC_MESSAGES" / "errors.po"
    for locale in Locale
] + [
    ROOT / "notifications" / "locale" / locale.value / "LC_MESSAGES" / "pushes.po"
    for locale in Locale
]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _source_strings() -> set[str]:
    return {
        node.value
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_every_catalog_entry_is_used_by_the_code() -> None:
    """The texts live only in the catalogs, so a code or kind that no source file names is dead."""
    named = _source_strings()
    assert sorted(set(TITLES) - named) == []
    assert sorted(set(TEMPLATES) - named) == []


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_both_languages_fill_the_same_placeholders(kind: str) -> None:
    fields = {
        locale: [set(PLACEHOLDER.findall(text)) for text in TEMPLATES[kind][locale]]
        for locale in Locale
    }
    assert fields[Locale.VI] == fields[Locale.EN]


def test_error_titles_have_no_placeholders() -> None:
    """title() does not format: a brace in a title would reach the user as written."""
    assert [
        code for code, texts in TITLES.items() if any(PLACEHOLDER.search(t) for t in texts)
    ] == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_catalog_headers_tell_a_translators_tool_the_language_and_encoding(path: Path) -> None:
    with path.open("rb") as file:
        catalog = read_po(file)
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == path.parents[1].name
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Plural-Forms"].startswith("nplurals=")
    assert not [message.id for message in catalog if message.id and message.fuzzy]


def _write(directory: Path, locale: str, entries: str) -> None:
    folder = directory / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    head = (
        f'msgid ""\nmsgstr ""\n"Language: {locale}\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    )
    (folder / "demo.po").write_text(head + entries, encoding="utf-8")


def test_a_catalog_reads_as_id_to_text_per_language(tmp_path: Path) -> None:
    _write(tmp_path, "vi", 'msgid "push.x.title"\nmsgstr "Nhắc \\"lịch\\"\\n{cell}"\n')
    _write(tmp_path, "en", 'msgid "push.x.title"\nmsgstr "Reminder"\n')
    assert read_catalogs(tmp_path, "demo") == {
        Locale.VI: {"push.x.title": 'Nhắc "lịch"\n{cell}'},
        Locale.EN: {"push.x.title": "Reminder"},
    }


@pytest.mark.parametrize(
    ("vi", "missing"),
    [
        ('msgid "error.a"\nmsgstr "A"\n', "vi: error.b"),  # id only in the other language
        ('msgid "error.a"\nmsgstr "A"\n\nmsgid "error.b"\nmsgstr ""\n', "vi: error.b"),  # empty
        ('msgid "error.a"\nmsgstr "A"\n\n#, fuzzy\nmsgid "error.b"\nmsgstr "B?"\n', "vi: error.b"),
    ],
)
def test_an_incomplete_catalog_stops_the_import(tmp_path: Path, vi: str, missing: str) -> None:
    _write(tmp_path, "vi", vi)
    _write(tmp_path, "en", 'msgid "error.a"\nmsgstr "A"\n\nmsgid "error.b"\nmsgstr "B"\n')
    with pytest.raises(IncompleteCatalogError, match=missing):
        read_catalogs(tmp_path, "demo")
