"""GET /api/v1/me: who I am, my grants, my cells, the cells I follow."""

from __future__ import annotations

from uuid import UUID

from litestar import get
from litestar.di import NamedDependency

from api.auth import WITH_TEMPORARY_PASSWORD
from api.errors import problems
from api.org.people import PersonOut
from api.schemas import Out
from domain.actors import Actor, Role
from domain.org.model import MembershipKind, QuotaPeriod
from domain.org.service import OrgService


class MyGrantOut(Out):
    id: UUID
    role: Role
    unit_id: UUID
    unit_name: str
    unit_level: str


class MyCellOut(Out):
    membership_id: UUID
    cell_id: UUID
    cell_name: str
    kind: MembershipKind
    exempt: bool


class MyFollowedCellOut(Out):
    assignment_id: UUID
    cell_id: UUID
    cell_name: str
    quota: int
    period: QuotaPeriod


class MeOut(Out):
    person: PersonOut
    grants: list[MyGrantOut]
    cells: list[MyCellOut]
    followed: list[MyFollowedCellOut]


@get(
    "/api/v1/me",
    operation_id="GetMe",
    tags=["auth"],
    responses=problems(401, 404),
    opt={WITH_TEMPORARY_PASSWORD: True},
)
async def get_me(actor: NamedDependency[Actor], org: NamedDependency[OrgService]) -> MeOut:
    me = await org.me(actor)
    return MeOut(
        person=PersonOut.of(me.person),
        grants=[
            MyGrantOut(
                id=g.id,
                role=g.role,
                unit_id=g.unit_id,
                unit_name=me.units[g.unit_id].name,
                unit_level=me.units[g.unit_id].level,
            )
            for g in me.grants
        ],
        cells=[
            MyCellOut(
                membership_id=m.id,
                cell_id=m.cell_id,
                cell_name=me.units[m.cell_id].name,
                kind=m.kind,
                exempt=m.exempt,
            )
            for m in me.memberships
        ],
        followed=[
            MyFollowedCellOut(
                assignment_id=a.id,
                cell_id=a.cell_id,
                cell_name=me.units[a.cell_id].name,
                quota=a.quota,
                period=a.period,
            )
            for a in me.followed
        ],
    )
