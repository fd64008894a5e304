"""Push and inbox texts per template, in Vietnamese (default) and English, with local dates.

Rules for every template (the callers keep them): no personal data of petitioners (name, phone,
address) — a petition is named by its subject or its task only; nothing about a surprise
(sealed) inspection before it is revealed — "inspection_revealed" is sent only once it starts,
"inspection_scheduled" only for inspections the recipient may already see.

Params: a ``datetime`` is shown as local time and date ("19:30 thứ Năm, 03/12/2026"), a ``date``
as "thứ Năm, 03/12/2026"; anything else as text. The texts live in the gettext catalogs
notifications/locale/<language>/LC_MESSAGES/pushes.po: ``push.<kind>.title`` and ``.body``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from domain.clock import LOCAL_TZ
from domain.notifications.model import Texts
from domain.org.model import Locale
from notifications.catalogs import read_catalogs

WEEKDAYS: dict[Locale, tuple[str, ...]] = {
    Locale.VI: ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"),
    Locale.EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

_PUSHES = read_catalogs(Path(__file__).parent / "locale", "pushes")
# template -> {locale: (title, body)}; placeholders are str.format fields.
TEMPLATES: dict[str, dict[Locale, tuple[str, str]]] = {
    kind: {
        locale: (_PUSHES[locale][f"push.{kind}.title"], _PUSHES[locale][f"push.{kind}.body"])
        for locale in Locale
    }
    for kind in dict.fromkeys(key.split(".")[1] for key in _PUSHES[Locale.VI])
}


def format_date(day: date, locale: Locale) -> str:
    """ "thứ Năm, 03/12/2026" / "Thursday, 03/12/2026": day first, as in Vietnam."""
    return f"{WEEKDAYS[locale][day.weekday()]}, {day:%d/%m/%Y}"


def format_when(moment: datetime, locale: Locale) -> str:
    """ "19:30 thứ Năm, 03/12/2026" in Hà Nội time, whatever zone ``moment`` is in."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%H:%M} {format_date(local.date(), locale)}"


def _shown(value: object, locale: Locale) -> str:
    if isinstance(value, datetime):
        return format_when(value, locale)
    if isinstance(value, date):
        return format_date(value, locale)
    return str(value)


class TemplateTexts:
    """The Renderer the Notifier uses."""

    def render(self, template: str, params: Mapping[str, object], locale: Locale) -> Texts:
        title, body = TEMPLATES[template][locale]
        shown = {key: _shown(value, locale) for key, value in params.items()}
        return Texts(title.format(**shown), body.format(**shown))
