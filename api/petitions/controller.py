"""Citizens' petitions: recorded, answered in writing by the responsible head, rated."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from api.petitions.schemas import PetitionIn, PetitionOut, ReplyIn, SatisfactionIn
from domain.actors import Actor
from domain.org.service import OrgService
from domain.pagination import PageRequest
from domain.tasks.petitions import Petition, Reply, ReplyState
from domain.tasks.service import NewPetition, TaskService

Tasks = NamedDependency[TaskService]
Me = NamedDependency[Actor]


def _out(tasks: TaskService, actor: Actor, petition: Petition) -> PetitionOut:
    return PetitionOut.of(petition, personal=tasks.petitioner_visible(actor, petition))


class PetitionController(Controller):
    path = "/api/v1/petitions"
    tags = ["petitions"]

    @post("/", operation_id="RecordPetition", responses=problems(401, 403, 404, 413, 422))
    async def record(self, data: JSONBody[PetitionIn], actor: Me, tasks: Tasks) -> PetitionOut:
        """Record a petition; its task is due in 10 working days (configurable)."""
        petition = await tasks.record_petition(
            actor,
            NewPetition(
                unit_id=data.unit_id,
                assignee_id=data.assignee_id,
                petitioner_name=data.petitioner_name,
                petitioner_contact=data.petitioner_contact,
                channel=data.channel,
                category=data.category,
                content=data.content,
                received_at=data.received_at,
                id=data.id,
            ),
        )
        return _out(tasks, actor, petition)

    @get("/", operation_id="ListPetitions", responses=problems(401, 404, 422))
    async def list_petitions(
        self,
        actor: Me,
        tasks: Tasks,
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None,
        reply_state: Annotated[ReplyState | None, QueryParameter(name="replyState")] = None,
    ) -> PageOut[PetitionOut]:
        """Petitions in scope; `replyState` keeps the unanswered, the overdue (unanswered past
        the deadline), or those answered on time or late."""
        within = (await org.unit(actor, unit_id)).path if unit_id else None
        page = await tasks.list_petitions(actor, within, reply_state, PageRequest(limit, cursor))
        return PageOut(
            items=[_out(tasks, actor, p) for p in page.items], next_cursor=page.next_cursor
        )

    @get("/{petition_id:uuid}", operation_id="GetPetition", responses=problems(401, 404))
    async def get_petition(
        self, petition_id: FromPath[UUID], actor: Me, tasks: Tasks
    ) -> PetitionOut:
        return _out(tasks, actor, await tasks.petition(actor, petition_id))

    @post(
        "/{petition_id:uuid}/reply",
        operation_id="ReplyToPetition",
        status_code=200,
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def reply(
        self, petition_id: FromPath[UUID], data: JSONBody[ReplyIn], actor: Me, tasks: Tasks
    ) -> PetitionOut:
        """The written reply, naming the responsible head; the task may close after it."""
        reply = Reply(
            text=data.text,
            head_name=data.head_name,
            head_title=data.head_title,
            by=actor.person_id,
            at=tasks.clock.now(),
            head_person_id=data.head_person_id,
            attachment_ids=tuple(data.attachment_ids),
        )
        return _out(tasks, actor, await tasks.reply(actor, petition_id, reply))

    @post(
        "/{petition_id:uuid}/satisfaction",
        operation_id="RecordPetitionSatisfaction",
        status_code=200,
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def satisfaction(
        self, petition_id: FromPath[UUID], data: JSONBody[SatisfactionIn], actor: Me, tasks: Tasks
    ) -> PetitionOut:
        """ "Not satisfied" reopens the petition's task."""
        petition = await tasks.satisfaction(actor, petition_id, data.satisfaction)
        return _out(tasks, actor, petition)
