"""WorkingDays on Piccolo: Vietnam's public holidays from the `holidays` library (lunar Tết and
Hùng Kings' day included) and the exceptions admins enter (extra days off, make-up work days)."""

from __future__ import annotations

import functools
from datetime import date
from uuid import uuid4

import holidays

from db.tables import CalendarDayTable
from domain.calendar import WorkingCalendar


@functools.cache
def _public_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Public days off, and Saturdays worked in exchange for a bridging day off (22 August 2026
    for 31 August). The library computes lunar dates on each call: once a year per process."""
    vietnam = holidays.country_holidays("VN", years=year)
    worked = frozenset(d for d in vietnam.weekend_workdays if d.year == year)
    return frozenset(vietnam.keys()), worked


class PiccoloWorkingDays:
    async def calendar(self, years: range) -> WorkingCalendar:
        public: set[date] = set()
        swapped: set[date] = set()
        for year in years:
            year_off, year_worked = _public_year(year)
            public |= year_off
            swapped |= year_worked
        rows = await CalendarDayTable.select().where(
            (CalendarDayTable.day >= date(years.start, 1, 1))
            & (CalendarDayTable.day < date(years.stop, 1, 1))
        )
        off = {r["day"] for r in rows if not r["working"]}
        worked = {r["day"] for r in rows if r["working"]}
        return WorkingCalendar.of((public | off) - worked, (swapped - off) | worked)

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
