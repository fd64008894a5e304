"""Role grants (a role on a unit holds on its subtree); leader assignments (who follows a cell)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from api.org.schemas import AssignmentIn, AssignmentOut, AssignmentPatch, GrantIn, GrantOut
from domain.actors import Actor, Role
from domain.org.ports import AssignmentFilter, GrantFilter
from domain.org.service import OrgService
from domain.pagination import PageRequest

PersonQuery = Annotated[UUID | None, QueryParameter(name="personId")]
UnitQuery = Annotated[
    UUID | None, QueryParameter(name="unitId", description="Units in this subtree")
]
LiveQuery = Annotated[bool | None, QueryParameter(description="true: in force; false: ended")]


class GrantController(Controller):
    path = "/api/v1/grants"
    tags = ["organisation"]

    @get("/", operation_id="ListGrants", responses=problems(401, 404, 422))
    async def list_grants(
        self,
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        person_id: PersonQuery = None,
        unit_id: UnitQuery = None,
        role: FromQuery[Role | None] = None,
        live: LiveQuery = None,
    ) -> PageOut[GrantOut]:
        within_path = (await org.unit(actor, unit_id)).path if unit_id else None
        page = await org.list_grants(
            actor,
            GrantFilter(person_id=person_id, within_path=within_path, role=role, live=live),
            PageRequest(limit, cursor),
        )
        return PageOut(items=[GrantOut.of(g) for g in page.items], next_cursor=page.next_cursor)

    @get("/{grant_id:uuid}", operation_id="GetGrant", responses=problems(401, 404))
    async def get_grant(
        self,
        grant_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> GrantOut:
        return GrantOut.of(await org.grant(actor, grant_id))

    @post("/", operation_id="CreateGrant", responses=problems(401, 403, 404, 409, 413, 422))
    async def create_grant(
        self,
        data: JSONBody[GrantIn],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> GrantOut:
        """Give a person a role on a unit the caller manages."""
        return GrantOut.of(await org.create_grant(actor, data.person_id, data.unit_id, data.role))

    @post(
        "/{grant_id:uuid}/revoke",
        operation_id="RevokeGrant",
        status_code=200,
        responses=problems(401, 403, 404, 409),
    )
    async def revoke_grant(
        self,
        grant_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> GrantOut:
        return GrantOut.of(await org.revoke_grant(actor, grant_id))


class AssignmentController(Controller):
    path = "/api/v1/leader-assignments"
    tags = ["organisation"]

    @get("/", operation_id="ListLeaderAssignments", responses=problems(401, 404, 422))
    async def list_assignments(
        self,
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        leader_id: Annotated[UUID | None, QueryParameter(name="leaderId")] = None,
        unit_id: UnitQuery = None,
        live: LiveQuery = None,
    ) -> PageOut[AssignmentOut]:
        within_path = (await org.unit(actor, unit_id)).path if unit_id else None
        page = await org.list_assignments(
            actor,
            AssignmentFilter(leader_id=leader_id, within_path=within_path, live=live),
            PageRequest(limit, cursor),
        )
        return PageOut(
            items=[AssignmentOut.of(a) for a in page.items], next_cursor=page.next_cursor
        )

    @get("/{assignment_id:uuid}", operation_id="GetLeaderAssignment", responses=problems(401, 404))
    async def get_assignment(
        self,
        assignment_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> AssignmentOut:
        return AssignmentOut.of(await org.assignment(actor, assignment_id))

    @post(
        "/", operation_id="CreateLeaderAssignment", responses=problems(401, 403, 404, 409, 413, 422)
    )
    async def create_assignment(
        self,
        data: JSONBody[AssignmentIn],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> AssignmentOut:
        """A leader follows a cell, with an attendance quota per period."""
        assignment = await org.create_assignment(
            actor, data.leader_id, data.cell_id, data.quota, data.period, data.started_on
        )
        return AssignmentOut.of(assignment)

    @patch(
        "/{assignment_id:uuid}",
        operation_id="UpdateLeaderAssignment",
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def update_assignment(
        self,
        assignment_id: FromPath[UUID],
        data: JSONBody[AssignmentPatch],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> AssignmentOut:
        """Change the quota or period, or end the assignment (endedOn)."""
        assignment = await org.update_assignment(
            actor, assignment_id, quota=data.quota, period=data.period, ended_on=data.ended_on
        )
        return AssignmentOut.of(assignment)
