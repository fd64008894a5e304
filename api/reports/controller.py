"""Reports made from the records: the cells of a unit's subtree for a period."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from api.http.errors import problems
from api.reports.schemas import CellReportOut
from domain.actors import Actor
from domain.reports.service import ReportService

Me = NamedDependency[Actor]
Reports = NamedDependency[ReportService]
PERIOD = "A month `2026-11`, a quarter `2026-Q1`, a half `2026-H1`, nine months `2026-9M`, a year"


class UnitReportController(Controller):
    path = "/api/v1/reports/units/{unit_id:uuid}"
    tags = ["reports"]

    @get("/cells", operation_id="GetCellReport", responses=problems(401, 404, 422))
    async def cells(
        self,
        unit_id: FromPath[UUID],
        actor: Me,
        reports: Reports,
        period: Annotated[str, QueryParameter(max_length=10, description=PERIOD)],
    ) -> CellReportOut:
        """One row per active cell of the unit's subtree that the caller may view, and a totals
        row per ward (the sum of its cells). 422 `report_period_invalid` for another period."""
        return CellReportOut.of(await reports.cells(actor, unit_id, period))
