"""Units of the organisation tree."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from api.org.schemas import UnitIn, UnitMoveIn, UnitOut, UnitPatch
from domain.actors import Actor
from domain.org.ports import UnitFilter
from domain.org.service import OrgService
from domain.pagination import PageRequest


class UnitController(Controller):
    path = "/api/v1/units"
    tags = ["organisation"]

    @get("/", operation_id="ListUnits", responses=problems(401, 404, 422))
    async def list_units(
        self,
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        parent_id: Annotated[UUID | None, QueryParameter(name="parentId")] = None,
        within: Annotated[
            UUID | None, QueryParameter(description="Only this unit's subtree")
        ] = None,
        level: Annotated[str | None, QueryParameter(max_length=50)] = None,
        active: FromQuery[bool | None] = None,
        q: Annotated[
            str | None, QueryParameter(max_length=100, description="Name contains")
        ] = None,
    ) -> PageOut[UnitOut]:
        """Units the caller can see, oldest first."""
        within_path = (await org.unit(actor, within)).path if within else None
        page = await org.list_units(
            actor,
            UnitFilter(
                parent_id=parent_id,
                within_path=within_path,
                level=level,
                active=active,
                name_contains=q,
            ),
            PageRequest(limit, cursor),
        )
        return PageOut(items=[UnitOut.of(u) for u in page.items], next_cursor=page.next_cursor)

    @get("/{unit_id:uuid}", operation_id="GetUnit", responses=problems(401, 404))
    async def get_unit(
        self,
        unit_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> UnitOut:
        return UnitOut.of(await org.unit(actor, unit_id))

    @post("/", operation_id="CreateUnit", responses=problems(401, 403, 404, 409, 413, 422))
    async def create_unit(
        self,
        data: JSONBody[UnitIn],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> UnitOut:
        """Add a unit under a parent the caller manages (admin)."""
        unit = await org.create_unit(
            actor, data.parent_id, data.name, data.level, is_cell=data.is_cell, unit_id=data.id
        )
        return UnitOut.of(unit)

    @patch(
        "/{unit_id:uuid}", operation_id="UpdateUnit", responses=problems(401, 403, 404, 413, 422)
    )
    async def update_unit(
        self,
        unit_id: FromPath[UUID],
        data: JSONBody[UnitPatch],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> UnitOut:
        return UnitOut.of(await org.update_unit(actor, unit_id, data.name, data.level))

    @post(
        "/{unit_id:uuid}/move",
        operation_id="MoveUnit",
        status_code=200,
        responses=problems(401, 403, 404, 413, 422),
    )
    async def move_unit(
        self,
        unit_id: FromPath[UUID],
        data: JSONBody[UnitMoveIn],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> UnitOut:
        """Move a unit, with its whole subtree, under another parent."""
        return UnitOut.of(await org.move_unit(actor, unit_id, data.parent_id))

    @post(
        "/{unit_id:uuid}/deactivate",
        operation_id="DeactivateUnit",
        status_code=200,
        responses=problems(401, 403, 404, 409),
    )
    async def deactivate_unit(
        self,
        unit_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> UnitOut:
        """Deactivate a unit with no active children and no members; history stays."""
        return UnitOut.of(await org.deactivate_unit(actor, unit_id))
