"""Memberships: a person in a cell, full or probationary, maybe exempt; ended, never deleted."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from api.org.schemas import EndIn, MembershipIn, MembershipOut, MembershipPatch
from domain.actors import Actor
from domain.org.ports import MembershipFilter
from domain.org.service import NewMembership, OrgService
from domain.pagination import PageRequest


class MembershipController(Controller):
    path = "/api/v1/memberships"
    tags = ["organisation"]

    @get("/", operation_id="ListMemberships", responses=problems(401, 404, 422))
    async def list_memberships(
        self,
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        person_id: Annotated[UUID | None, QueryParameter(name="personId")] = None,
        unit_id: Annotated[
            UUID | None, QueryParameter(name="unitId", description="Cells in this subtree")
        ] = None,
        live: Annotated[
            bool | None, QueryParameter(description="true: not ended; false: ended")
        ] = None,
    ) -> PageOut[MembershipOut]:
        within_path = (await org.unit(actor, unit_id)).path if unit_id else None
        page = await org.list_memberships(
            actor,
            MembershipFilter(person_id=person_id, within_path=within_path, live=live),
            PageRequest(limit, cursor),
        )
        return PageOut(
            items=[MembershipOut.of(m) for m in page.items], next_cursor=page.next_cursor
        )

    @get("/{membership_id:uuid}", operation_id="GetMembership", responses=problems(401, 404))
    async def get_membership(
        self,
        membership_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> MembershipOut:
        return MembershipOut.of(await org.membership(actor, membership_id))

    @post("/", operation_id="CreateMembership", responses=problems(401, 403, 404, 409, 413, 422))
    async def create_membership(
        self,
        data: JSONBody[MembershipIn],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> MembershipOut:
        new = NewMembership(
            person_id=data.person_id,
            cell_id=data.cell_id,
            kind=data.kind,
            joined_on=data.joined_on,
            exempt=data.exempt,
            exempt_resolution_date=data.exempt_resolution_date,
            id=data.id,
        )
        return MembershipOut.of(await org.create_membership(actor, new))

    @patch(
        "/{membership_id:uuid}",
        operation_id="UpdateMembership",
        responses=problems(401, 403, 404, 413, 422),
    )
    async def update_membership(
        self,
        membership_id: FromPath[UUID],
        data: JSONBody[MembershipPatch],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> MembershipOut:
        membership = await org.update_membership(
            actor,
            membership_id,
            kind=data.kind,
            exempt=data.exempt,
            exempt_resolution_date=data.exempt_resolution_date,
        )
        return MembershipOut.of(membership)

    @post(
        "/{membership_id:uuid}/end",
        operation_id="EndMembership",
        status_code=200,
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def end_membership(
        self,
        membership_id: FromPath[UUID],
        data: JSONBody[EndIn],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> MembershipOut:
        """The member left the cell (moved, passed away ...); the row stays as history."""
        return MembershipOut.of(await org.end_membership(actor, membership_id, data.on))
