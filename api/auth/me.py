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
    return await me_reply(actor, org)


async def me_reply(actor: Actor, org: OrgService) -> MeOut:
    """The reply of ``get_me``, also served by api/http/fast_reads.py."""
    me = await org.me(actor)
    return MeOut(
        person=PersonOut.of(me.person),
        grants=[
            MyGrantOut(
                id=g.id,
                role=g.role,
                unit_id=g.unit_id,
                unit_name=g.unit_name,
                unit_level=g.unit_level,
            )
            for g in me.grants
        ],
        cells=[
            MyCellOut(
                membership_id=c.membership_id,
                cell_id=c.cell_id,
                cell_name=c.cell_name,
                kind=c.kind,
                exempt=c.exempt,
            )
            for c in me.cells
        ],
        followed=[
            MyFollowedCellOut(
                assignment_id=f.assignment_id,
                cell_id=f.cell_id,
                cell_name=f.cell_name,
                quota=f.quota,
                period=f.period,
            )
            for f in me.followed
        ],
    )
