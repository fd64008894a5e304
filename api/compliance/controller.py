"""GET /api/v1/compliance/flags: what the compliance checks raised, for those who oversee."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.compliance.schemas import ComplianceFlagOut
from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from domain.actors import Actor
from domain.compliance.model import FlagFilter, FlagKind
from domain.compliance.service import ComplianceService
from domain.org.service import OrgService
from domain.pagination import PageRequest

Period = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^20\d{2}(-(0[1-9]|1[0-2]|Q[1-4]))?$",
        description="A month (2026-11), a quarter (2026-Q4) or a year (2026)",
    ),
]


@get(
    "/api/v1/compliance/flags",
    operation_id="ListComplianceFlags",
    tags=["compliance"],
    responses=problems(401, 404, 422),
)
async def list_compliance_flags(
    actor: NamedDependency[Actor],
    compliance: NamedDependency[ComplianceService],
    org: NamedDependency[OrgService],
    limit: Limit = 50,
    cursor: Cursor = None,
    unit_id: Annotated[
        UUID | None, QueryParameter(name="unitId", description="Flags of cells in this subtree")
    ] = None,
    kind: Annotated[FlagKind | None, QueryParameter()] = None,
    period: Period = None,
) -> PageOut[ComplianceFlagOut]:
    """Flags raised by the scheduled compliance checks, oldest first, of the cells where the
    caller may see people (a secretary: their cell; a leader or inspector: their subtree; a plain
    member: none). Each is raised once per kind, cell, subject and period:

    - `no_regular_meeting`: no regular meeting held by the 20th of the month (period `2026-11`);
    - `no_thematic_meeting`: no thematic meeting held in a quarter (period `2026-Q4`);
    - `leader_behind_quota`: a leader following the cell behind their quota pro rata at the end
      of a month (subject: the leader; detail: `attended`, `expected`);
    - `unexcused_absence`: a member absent without excuse in 3 months of a year (subject: the
      member; detail: `fullName`, `months`).
    """
    within = (await org.unit(actor, unit_id)).path if unit_id else None
    page = await compliance.list_flags(
        actor, FlagFilter(within_path=within, kind=kind, period=period), PageRequest(limit, cursor)
    )
    return PageOut(
        items=[ComplianceFlagOut.of(f) for f in page.items], next_cursor=page.next_cursor
    )
