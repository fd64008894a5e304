"""What leaders read: the cells they follow with quota progress, members to review."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from api.http.errors import problems
from api.http.schemas import PageOut, one_page
from api.meetings.schemas import FollowedCellOversightOut, MeetingOut, QuotaOut, ReviewFlagOut
from domain.actors import Actor
from domain.meetings.oversight import OversightService


@get(
    "/api/v1/me/followed-cells",
    operation_id="ListMyFollowedCells",
    tags=["meetings"],
    responses=problems(401),
)
async def followed_cells(
    actor: NamedDependency[Actor], oversight: NamedDependency[OversightService]
) -> PageOut[FollowedCellOversightOut]:
    """For a leader: each cell followed, visits confirmed both ways against the quota (pro rata),
    and the next meetings."""
    policy, now = oversight.meetings.policy, oversight.meetings.clock.now()
    cells = [
        FollowedCellOversightOut(
            assignment_id=f.assignment.id,
            cell_id=f.assignment.cell_id,
            cell_name=f.cell_name,
            quota=QuotaOut(
                period=f.assignment.period,
                period_start=f.progress.period_start,
                period_end=f.progress.period_end,
                quota=f.progress.quota,
                attended=f.progress.attended,
                expected_by_now=f.progress.expected_by_now,
                behind=f.progress.behind,
            ),
            upcoming=[MeetingOut.of(m, policy, now, sheet=False) for m in f.upcoming],
        )
        for f in await oversight.followed(actor)
    ]
    return one_page(cells)


@get(
    "/api/v1/units/{cell_id:uuid}/absence-flags",
    operation_id="ListAbsenceReviewFlags",
    tags=["meetings"],
    responses=problems(401, 403, 404, 422),
)
async def absence_flags(
    cell_id: FromPath[UUID],
    actor: NamedDependency[Actor],
    oversight: NamedDependency[OversightService],
    year: Annotated[int, QueryParameter(ge=2000, le=2100, description="Calendar year")],
) -> PageOut[ReviewFlagOut]:
    """Members with unexcused absences in 3 (configurable) months of the year: to review."""
    flags = await oversight.review_flags(actor, cell_id, year)
    return one_page(
        [
            ReviewFlagOut(person_id=f.person_id, full_name=f.full_name, months=f.months)
            for f in flags
        ]
    )
