"""gettext catalogs (``<dir>/<language>/LC_MESSAGES/<domain>.po``), read with Babel at import.

The .po files are what a translator opens (Poedit) and what the app reads: no compiled .mo is
committed or built. A catalog must be complete — every id in every language, none empty or fuzzy
— or the import fails, so a missing text stops the app at startup instead of reaching a phone
as an empty push or title.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from domain.org.model import Locale


class IncompleteCatalogError(ValueError):
    pass


def _messages(path: Path, locale: Locale, domain: str) -> dict[str, str]:
    with path.open("rb") as file:
        catalog = read_po(file, locale=locale.value, domain=domain)
    return {
        message.id: message.string if isinstance(message.string, str) and not message.fuzzy else ""
        for message in catalog
        if message.id and isinstance(message.id, str)
    }


def read_catalogs(directory: Path, domain: str) -> dict[Locale, dict[str, str]]:
    """Message id -> text, per language."""
    catalogs = {
        locale: _messages(directory / locale.value / "LC_MESSAGES" / f"{domain}.po", locale, domain)
        for locale in Locale
    }
    ids = {message_id for messages in catalogs.values() for message_id in messages}
    missing = sorted(
        f"{locale.value}: {message_id}"
        for locale, messages in catalogs.items()
        for message_id in ids
        if not messages.get(message_id, "").strip()
    )
    if missing:
        raise IncompleteCatalogError(f"{domain} catalog has no text for {', '.join(missing)}")
    return catalogs
