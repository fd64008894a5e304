"""WorkingDays on Piccolo: Vietnam's public holidays from the `holidays` library (lunar Tết and
Hùng Kings' day included) and the exceptions admins enter (extra days off, make-up work days)."""

from __future__ import annotations

import functools
from datetime import date
from uuid import uuid4

import holidays

from db.tables import CalendarDayTable
from domain.org.model import Locale
from domain.working_days import CalendarDay, WorkingCalendar, special_days

LANGUAGES = {Locale.VI: "vi", Locale.EN: "en_US"}
SWAPPED_WORKDAY = {Locale.VI: "Làm bù", Locale.EN: "Make-up working day"}


@functools.cache
def _public_year(year: int, locale: Locale) -> tuple[dict[date, str], dict[date, str]]:
    """Public days off, and Saturdays worked in exchange for a bridging day off (22 August 2026
    for 31 August), with their names. The library computes lunar dates on each call: once a year
    and language per process."""
    vietnam = holidays.country_holidays("VN", years=year, language=LANGUAGES[locale])
    worked = {d: SWAPPED_WORKDAY[locale] for d in vietnam.weekend_workdays if d.year == year}
    return dict(vietnam.items()), worked


class PiccoloWorkingDays:
    async def calendar(self, years: range) -> WorkingCalendar:
        days: list[CalendarDay] = []
        for year in years:
            days += await self.days(year, Locale.VI)
        return WorkingCalendar.from_days(days)

    async def days(self, year: int, locale: Locale) -> list[CalendarDay]:
        off, worked = _public_year(year, locale)
        return special_days(off, worked, await self.exceptions(year))

    async def set_day(self, day: date, *, working: bool, note: str | None) -> None:
        await CalendarDayTable.insert(
            CalendarDayTable(id=uuid4(), day=day, working=working, note=note)
        ).on_conflict(
            target=CalendarDayTable.day,
            action="DO UPDATE",
            values=[CalendarDayTable.working, CalendarDayTable.note],
        )

    async def exceptions(self, year: int) -> list[tuple[date, bool, str | None]]:
        rows = (
            await CalendarDayTable.select()
            .where(
                (CalendarDayTable.day >= date(year, 1, 1))
                & (CalendarDayTable.day < date(year + 1, 1, 1))
            )
            .order_by(CalendarDayTable.day)
        )
        return [(r["day"], bool(r["working"]), r["note"]) for r in rows]
