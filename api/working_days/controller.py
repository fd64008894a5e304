"""The working-day calendar that petition and task deadlines count in: holidays, days off, make-up
working days."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.i18n import negotiate
from api.http.schemas import PageOut, one_page
from api.working_days.schemas import CalendarDayIn, CalendarDayOut
from domain.actors import Actor
from domain.tasks.service import TaskService
from domain.working_days import DaySource, with_weekends

Tasks = NamedDependency[TaskService]
Me = NamedDependency[Actor]


class CalendarDayController(Controller):
    path = "/api/v1/calendar-days"
    tags = ["working-calendar"]

    @get("/", operation_id="ListCalendarExceptions", responses=problems(401, 422))
    async def list_days(
        self,
        actor: Me,
        tasks: Tasks,
        year: Annotated[int, QueryParameter(ge=2000, le=2100)],
        accept_language: Annotated[str | None, HeaderParameter(name="Accept-Language")] = None,
        weekends: Annotated[
            bool, QueryParameter(description="Also list every Saturday and Sunday off")
        ] = False,
    ) -> PageOut[CalendarDayOut]:
        """The year's days that deadlines skip or count unlike an ordinary weekday: statutory
        holidays (lunar Tết included, named in the caller's language), the days admins entered
        (their reason; an entry wins over the statute) and make-up working Saturdays. Weekends
        are off unless listed as working; `weekends=true` lists them too."""
        del actor
        days = await tasks.working_days.days(year, negotiate(accept_language))
        return one_page(
            [
                CalendarDayOut(day=d.day, working=d.working, note=d.name, source=d.source)
                for d in (with_weekends(days, year) if weekends else days)
            ]
        )

    @put(
        "/{day:date}",
        operation_id="SetCalendarDay",
        responses=problems(401, 403, 404, 413, 422),  # 404: a path that is not a date
    )
    async def set_day(
        self, day: FromPath[date], data: JSONBody[CalendarDayIn], actor: Me, tasks: Tasks
    ) -> CalendarDayOut:
        await tasks.set_calendar_day(actor, day, working=data.working, note=data.note)
        return CalendarDayOut(
            day=day, working=data.working, note=data.note, source=DaySource.OVERRIDE
        )
