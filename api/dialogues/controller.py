"""Dialogues with residents (announce, the questions and what became of each, the results and
their notice as .docx) and the ward head's reception days."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.dialogues.notice import results_docx
from api.dialogues.schemas import (
    DeferIn,
    DialogueAnswerIn,
    DialogueIn,
    DialogueOut,
    ParticipantsIn,
    QuestionIn,
    ReceptionDayIn,
    ReceptionDayOut,
    ReceptionMonthOut,
)
from api.documents.controller import DOCX, DocxOperation
from api.http.errors import problems
from api.http.etag import ETAG_HEADER, IfMatch, expected_version, tagged
from api.http.schemas import Cursor, Limit, Month, PageOut
from domain.actors import Actor
from domain.clock import local_day
from domain.dialogues.model import Dialogue
from domain.dialogues.service import DialogueService, NewDialogue
from domain.org.service import OrgService
from domain.pagination import PageRequest

Me = NamedDependency[Actor]
Dialogues = NamedDependency[DialogueService]
UPDATE_PROBLEMS = problems(401, 403, 404, 409, 412, 413, 422, 428)


def _out(dialogues: DialogueService, actor: Actor, dialogue: Dialogue) -> DialogueOut:
    personal = dialogues.asker_visible(actor, dialogue)
    return DialogueOut.of(dialogue, dialogues.policy, personal=personal)


def _tagged(
    dialogues: DialogueService, actor: Actor, dialogue: Dialogue, status: int = 200
) -> Response[DialogueOut]:
    return tagged(_out(dialogues, actor, dialogue), dialogue.version, status)


class DialogueController(Controller):
    path = "/api/v1/dialogues"
    tags = ["dialogues"]

    @post(
        "/",
        operation_id="AnnounceDialogue",
        responses=problems(401, 403, 404, 409, 413, 422),
        response_headers=ETAG_HEADER,
    )
    async def announce(
        self, data: JSONBody[DialogueIn], actor: Me, dialogues: Dialogues
    ) -> Response[DialogueOut]:
        """A ward's dialogue, announced now to the members of the cells it covers;
        `shortNotice` when fewer than 7 days (configurable) ahead."""
        dialogue = await dialogues.announce(
            actor,
            NewDialogue(
                ward_id=data.ward_id,
                title=data.title,
                kind=data.kind,
                format=data.format,
                place=data.place,
                starts_at=data.starts_at,
                cell_ids=tuple(data.cell_ids),
                co_chairs=data.chairs(),
                id=data.id,
            ),
        )
        return _tagged(dialogues, actor, dialogue, 201)

    @get("/", operation_id="ListDialogues", responses=problems(401, 404, 422))
    async def list_dialogues(
        self,
        actor: Me,
        dialogues: Dialogues,
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None,
    ) -> PageOut[DialogueOut]:
        """Dialogues of the wards in scope, by start."""
        within = (await org.unit(actor, unit_id)).path if unit_id else None
        page = await dialogues.list_dialogues(actor, within, PageRequest(limit, cursor))
        return PageOut(
            items=[_out(dialogues, actor, d) for d in page.items], next_cursor=page.next_cursor
        )

    @get(
        "/{dialogue_id:uuid}",
        operation_id="GetDialogue",
        responses=problems(401, 404),
        response_headers=ETAG_HEADER,
    )
    async def get_dialogue(
        self, dialogue_id: FromPath[UUID], actor: Me, dialogues: Dialogues
    ) -> Response[DialogueOut]:
        return _tagged(dialogues, actor, await dialogues.dialogue(actor, dialogue_id))

    @post(
        "/{dialogue_id:uuid}/questions",
        operation_id="RaiseDialogueQuestion",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def raise_question(
        self,
        dialogue_id: FromPath[UUID],
        data: JSONBody[QuestionIn],
        actor: Me,
        dialogues: Dialogues,
        if_match: IfMatch = None,
    ) -> Response[DialogueOut]:
        """A question raised once the dialogue started; the asker's name is optional."""
        dialogue = await dialogues.raise_question(
            actor,
            dialogue_id,
            expected_version(if_match),
            data.content,
            data.asker_name,
        )
        return _tagged(dialogues, actor, dialogue)

    @post(
        "/{dialogue_id:uuid}/questions/{question_id:uuid}/answer",
        operation_id="AnswerDialogueQuestion",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def answer(
        self,
        dialogue_id: FromPath[UUID],
        question_id: FromPath[UUID],
        data: JSONBody[DialogueAnswerIn],
        actor: Me,
        dialogues: Dialogues,
        if_match: IfMatch = None,
    ) -> Response[DialogueOut]:
        """Answered on the spot: who answered (name, title) and what."""
        dialogue = await dialogues.answer(
            actor,
            dialogue_id,
            question_id,
            expected_version(if_match),
            data.by_name,
            data.by_title,
            data.text,
        )
        return _tagged(dialogues, actor, dialogue)

    @post(
        "/{dialogue_id:uuid}/questions/{question_id:uuid}/defer",
        operation_id="DeferDialogueQuestion",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def defer(
        self,
        dialogue_id: FromPath[UUID],
        question_id: FromPath[UUID],
        data: JSONBody[DeferIn],
        actor: Me,
        dialogues: Dialogues,
        if_match: IfMatch = None,
    ) -> Response[DialogueOut]:
        """Deferred to a written reply: a petition of the ward (channel `dialogue`) whose task
        the owner carries, due in the petitions' working days."""
        dialogue = await dialogues.defer(
            actor, dialogue_id, question_id, expected_version(if_match), data.owner_id
        )
        return _tagged(dialogues, actor, dialogue)

    @post(
        "/{dialogue_id:uuid}/participants",
        operation_id="RecordDialogueParticipants",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def participants(
        self,
        dialogue_id: FromPath[UUID],
        data: JSONBody[ParticipantsIn],
        actor: Me,
        dialogues: Dialogues,
        if_match: IfMatch = None,
    ) -> Response[DialogueOut]:
        dialogue = await dialogues.record_participants(
            actor, dialogue_id, expected_version(if_match), data.participants
        )
        return _tagged(dialogues, actor, dialogue)

    @post(
        "/{dialogue_id:uuid}/publish",
        operation_id="PublishDialogueResults",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def publish(
        self,
        dialogue_id: FromPath[UUID],
        actor: Me,
        dialogues: Dialogues,
        if_match: IfMatch = None,
    ) -> Response[DialogueOut]:
        """Refused (`dialogue_questions_pending`) while a question has neither an answer nor an
        owner with a deadline; the covered cells' members are told."""
        dialogue = await dialogues.publish(actor, dialogue_id, expected_version(if_match))
        return _tagged(dialogues, actor, dialogue)

    @get(
        "/{dialogue_id:uuid}/results.docx",
        operation_id="GetDialogueResultsNotice",
        operation_class=DocxOperation,
        responses=problems(401, 404, 409),
    )
    async def results(
        self, dialogue_id: FromPath[UUID], actor: Me, dialogues: Dialogues
    ) -> Response[bytes]:
        """The results notice: every question with its answer or where its written reply
        stands; askers are never named."""
        found = await dialogues.results(actor, dialogue_id)
        day = local_day(found.dialogue.starts_at)
        return Response(
            results_docx(found, dialogues.document_policy),
            media_type=DOCX,
            headers={
                "Content-Disposition": f'attachment; filename="ket-qua-doi-thoai-{day}.docx"',
                "Cache-Control": "private, no-store",
            },
        )


class ReceptionDayController(Controller):
    path = "/api/v1/units/{ward_id:uuid}/reception-days"
    tags = ["dialogues"]

    @post(
        "/",
        operation_id="RecordReceptionDay",
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def record(
        self,
        ward_id: FromPath[UUID],
        data: JSONBody[ReceptionDayIn],
        actor: Me,
        dialogues: Dialogues,
    ) -> ReceptionDayOut:
        """A day the ward's Party head received citizens (one per day)."""
        day = await dialogues.record_reception_day(
            actor, ward_id, data.day, data.head_name, data.citizens, data.note
        )
        return ReceptionDayOut.of(day)

    @get("/", operation_id="GetReceptionMonth", responses=problems(401, 404, 422))
    async def month(
        self,
        ward_id: FromPath[UUID],
        actor: Me,
        dialogues: Dialogues,
        month: Month = None,
    ) -> ReceptionMonthOut:
        """The month's reception days (this month by default); `short` below the required
        number (2 by default)."""
        first = date.fromisoformat(f"{month}-01") if month else local_day(dialogues.clock.now())
        return ReceptionMonthOut.of(await dialogues.reception_month(actor, ward_id, first))
