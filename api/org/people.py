"""People: who they are, where their record is kept, whether they may log in."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from api.org.schemas import PersonIn, PersonOut, PersonPatch
from domain.actors import Actor
from domain.org.phones import to_e164
from domain.org.ports import PersonFilter
from domain.org.service import NewPerson, OrgService
from domain.pagination import PageRequest


class PersonController(Controller):
    path = "/api/v1/people"
    tags = ["organisation"]

    @get("/", operation_id="ListPeople", responses=problems(401, 404, 422))
    async def list_people(
        self,
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        unit_id: Annotated[
            UUID | None, QueryParameter(name="unitId", description="Records kept in this subtree")
        ] = None,
        active: FromQuery[bool | None] = None,
        q: Annotated[
            str | None, QueryParameter(max_length=100, description="Name contains")
        ] = None,
        phone: Annotated[str | None, QueryParameter(max_length=30)] = None,
    ) -> PageOut[PersonOut]:
        """People whose records the caller can see."""
        return await people_page(
            actor, org, limit=limit, cursor=cursor, unit_id=unit_id, active=active, q=q, phone=phone
        )

    @get("/{person_id:uuid}", operation_id="GetPerson", responses=problems(401, 404))
    async def get_person(
        self,
        person_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> PersonOut:
        return PersonOut.of(await org.person(actor, person_id))

    @post("/", operation_id="CreatePerson", responses=problems(401, 403, 404, 409, 413, 422))
    async def create_person(
        self,
        data: JSONBody[PersonIn],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> PersonOut:
        """Add a person, kept in a unit the caller manages; a password lets them log in."""
        new = NewPerson(
            home_unit_id=data.home_unit_id,
            full_name=data.full_name.strip(),
            phone=to_e164(data.phone),
            email=data.email,
            locale=data.locale,
            password=data.password,
            id=data.id,
        )
        return PersonOut.of(await org.create_person(actor, new))

    @patch(
        "/{person_id:uuid}",
        operation_id="UpdatePerson",
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def update_person(
        self,
        person_id: FromPath[UUID],
        data: JSONBody[PersonPatch],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> PersonOut:
        person = await org.update_person(
            actor,
            person_id,
            full_name=data.full_name.strip() if data.full_name else None,
            phone=to_e164(data.phone) if data.phone else None,
            email=data.email,
            locale=data.locale,
            home_unit_id=data.home_unit_id,
        )
        return PersonOut.of(person)

    @post(
        "/{person_id:uuid}/deactivate",
        operation_id="DeactivatePerson",
        status_code=200,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def deactivate_person(
        self,
        person_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> PersonOut:
        """Disable a person: they can no longer log in; their history stays."""
        return PersonOut.of(await org.set_person_active(actor, person_id, active=False))

    @post(
        "/{person_id:uuid}/activate",
        operation_id="ActivatePerson",
        status_code=200,
        responses=problems(401, 403, 404, 422),
    )
    async def activate_person(
        self,
        person_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
    ) -> PersonOut:
        return PersonOut.of(await org.set_person_active(actor, person_id, active=True))


async def people_page(
    actor: Actor,
    org: OrgService,
    *,
    limit: int = 50,
    cursor: str | None = None,
    unit_id: UUID | None = None,
    active: bool | None = None,
    q: str | None = None,
    phone: str | None = None,
) -> PageOut[PersonOut]:
    """The reply of ``list_people``, also served by api/http/fast_reads.py."""
    where = PersonFilter(
        within_unit_id=unit_id,
        active=active,
        name_contains=q,
        phone=to_e164(phone) if phone else None,
    )
    page = await org.list_people(actor, where, PageRequest(limit, cursor))
    return PageOut(items=[PersonOut.of(p) for p in page.items], next_cursor=page.next_cursor)
