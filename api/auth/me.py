"""GET /api/v1/me: who I am, my grants, my cells, the cells I follow."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from api.auth.schemas import MeOut, MyCellOut, MyFollowedCellOut, MyGrantOut
from api.http.auth import WITH_TEMPORARY_PASSWORD
from api.http.errors import problems
from api.org.schemas import PersonOut
from domain.actors import Actor
from domain.org.service import OrgService


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
