"""Bodies of the working-day calendar endpoints."""

from __future__ import annotations

from datetime import date

from api.http.schemas import DayNote, In, Out
from domain.working_days import DaySource


class CalendarDayIn(In):
    working: bool
    note: DayNote | None = None


class CalendarDayOut(Out):
    day: date
    working: bool
    note: str | None  # the holiday's name or the admin's reason
    source: DaySource
