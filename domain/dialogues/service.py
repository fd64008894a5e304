"""Dialogue use cases: announce, record the questions and what became of each, publish the
results; reception days. A deferred question becomes a petition through the task service, with
its rules (owner in the ward, written-reply deadline in working days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.audit import audited, bump_version, require_version
from domain.clock import local_day
from domain.dialogues.model import (
    Answer,
    CoChair,
    Deferral,
    Dialogue,
    DialogueFormat,
    DialogueKind,
    DialoguePolicy,
    Question,
    ReceptionDay,
    require_holder,
)
from domain.dialogues.ports import DialogueRepository
from domain.documents.model import DocumentPolicy
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.notifications.model import Category
from domain.notifications.service import Message, Notifier
from domain.org.model import Unit
from domain.org.ports import OrgRepository
from domain.pagination import Page, PageRequest
from domain.ports import AuditLog, Clock, UnitOfWork
from domain.references import References
from domain.tasks.petitions import Channel, Petition
from domain.tasks.service import NewPetition, TaskService

# the petition of a question whose asker gave no name; never shown outside the ward's scope
ANONYMOUS_ASKER = "Cử tri tại buổi đối thoại"
PETITION_CATEGORY = "Đối thoại với Nhân dân"


@dataclass(frozen=True, slots=True)
class NewDialogue:
    ward_id: UUID
    title: str
    kind: DialogueKind
    format: DialogueFormat
    place: str
    starts_at: datetime
    cell_ids: tuple[UUID, ...]
    co_chairs: tuple[CoChair, ...]
    id: UUID | None = None


@dataclass(frozen=True, slots=True)
class QuestionOutcome:
    """A question as the results notice lists it: a deferred one with its owner and where its
    written reply stands now."""

    question: Question
    owner_name: str | None = None
    replied_at: datetime | None = None
    reply_text: str | None = None


@dataclass(frozen=True, slots=True)
class DialogueResults:
    dialogue: Dialogue
    ward_name: str
    upper_body: str  # the unit above the ward
    outcomes: tuple[QuestionOutcome, ...]


@dataclass(frozen=True, slots=True)
class ReceptionMonth:
    days: list[ReceptionDay]
    required: int

    @property
    def short(self) -> bool:
        return len(self.days) < self.required


class DialogueService:
    def __init__(
        self,
        repo: DialogueRepository,
        org: OrgRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        references: References,
        notifier: Notifier,
        tasks: TaskService,
        policy: DialoguePolicy,
        document_policy: DocumentPolicy,
    ) -> None:
        self.repo, self.org, self.uow, self.audit, self.clock = repo, org, uow, audit, clock
        self.references, self.notifier, self.tasks = references, notifier, tasks
        self.policy, self.document_policy = policy, document_policy

    # -- reading --------------------------------------------------------------------------------

    async def dialogue(self, actor: Actor, dialogue_id: UUID) -> Dialogue:
        """Seen within the caller's unit scope (the ward's leaders and above); otherwise exactly
        like a missing dialogue."""
        found = await self.repo.get(dialogue_id)
        if found is None or not actor.may(Permission.VIEW_UNIT, found.ward_path):
            raise NotFoundError("dialogue_not_found")
        return found

    async def list_dialogues(
        self, actor: Actor, within_path: str | None, page: PageRequest
    ) -> Page[Dialogue]:
        return await self.repo.list_dialogues(actor.scopes(Permission.VIEW_UNIT), within_path, page)

    def asker_visible(self, actor: Actor, dialogue: Dialogue) -> bool:
        """An asker's name: only to who may see the ward's people."""
        return actor.may(Permission.VIEW_PEOPLE, dialogue.ward_path)

    # -- announcing -----------------------------------------------------------------------------

    async def _ward(self, actor: Actor, ward_id: UUID) -> Unit:
        ward = await self.references.unit(actor, ward_id)
        require_holder(actor, ward.path)
        if ward.is_cell or not ward.active:
            raise RuleViolationError("dialogue_unit_not_ward")
        return ward

    async def announce(self, actor: Actor, new: NewDialogue) -> Dialogue:
        """The dialogue, announced now to the members of the cells it covers (a push each)."""
        async with self.uow.atomic():
            ward = await self._ward(actor, new.ward_id)
            for cell_id in dict.fromkeys(new.cell_ids):
                cell = await self.references.unit(actor, cell_id)
                if not cell.is_cell or not cell.path.startswith(ward.path) or not cell.active:
                    raise NotFoundError("unit_not_found")
            if new.id is not None and await self.repo.get(new.id) is not None:
                raise ConflictError("id_conflict")
            now = self.clock.now()
            dialogue = Dialogue(
                id=new.id or uuid4(),
                ward_id=ward.id,
                ward_path=ward.path,
                title=new.title,
                kind=new.kind,
                format=new.format,
                place=new.place,
                starts_at=new.starts_at,
                announced_at=now,
                cell_ids=tuple(dict.fromkeys(new.cell_ids)),
                co_chairs=new.co_chairs,
                created_by=actor.person_id,
            )
            await self.repo.add(dialogue)
            await self._audit(actor, "dialogue.announce", dialogue)
            await self._tell(dialogue, ward, "dialogue_announced")
            return dialogue

    async def _tell(self, dialogue: Dialogue, ward: Unit, template: str) -> None:
        """The covered cells' members: the ward, the time and the place, never an asker."""
        members = await self.repo.members_of(dialogue.cell_ids, local_day(self.clock.now()))
        await self.notifier.notify(
            members,
            Category.MEETING,
            f"dialogue:{dialogue.id}",
            Message(
                template=template,
                params={
                    "unit": ward.name,
                    "title": dialogue.title,
                    "start": dialogue.starts_at,
                    "place": dialogue.place,
                },
            ),
            data={"dialogueId": str(dialogue.id)},
        )

    # -- the questions --------------------------------------------------------------------------

    async def _changing(self, actor: Actor, dialogue_id: UUID, version: int | None) -> Dialogue:
        dialogue = await self.dialogue(actor, dialogue_id)
        require_holder(actor, dialogue.ward_path)
        require_version(dialogue, version)
        return dialogue

    async def _save(self, actor: Actor, action: str, dialogue: Dialogue) -> Dialogue:
        await self.repo.save(dialogue, bump_version(dialogue))
        await self._audit(actor, action, dialogue)
        return dialogue

    async def raise_question(
        self,
        actor: Actor,
        dialogue_id: UUID,
        version: int | None,
        content: str,
        asker_name: str | None,
    ) -> Dialogue:
        async with self.uow.atomic():
            dialogue = await self._changing(actor, dialogue_id, version)
            name = (asker_name or "").strip() or None
            dialogue.raise_question(Question(uuid4(), content, self.clock.now(), name))
            return await self._save(actor, "dialogue.question", dialogue)

    async def answer(
        self,
        actor: Actor,
        dialogue_id: UUID,
        question_id: UUID,
        version: int | None,
        by_name: str,
        by_title: str,
        text: str,
    ) -> Dialogue:
        async with self.uow.atomic():
            dialogue = await self._changing(actor, dialogue_id, version)
            dialogue.answer(question_id, Answer(by_name, by_title, text, self.clock.now()))
            return await self._save(actor, "dialogue.answer", dialogue)

    async def defer(
        self,
        actor: Actor,
        dialogue_id: UUID,
        question_id: UUID,
        version: int | None,
        owner_id: UUID,
    ) -> Dialogue:
        """A petition of the ward, owned by ``owner_id``, due in the petitions' working days."""
        async with self.uow.atomic():
            dialogue = await self._changing(actor, dialogue_id, version)
            question = dialogue.check_deferrable(question_id)
            petition = await self.tasks.record_petition(
                actor,
                NewPetition(
                    unit_id=dialogue.ward_id,
                    assignee_id=owner_id,
                    petitioner_name=question.asker_name or ANONYMOUS_ASKER,
                    petitioner_contact=None,
                    channel=Channel.DIALOGUE,
                    category=PETITION_CATEGORY,
                    content=question.content,
                    received_at=question.asked_at,
                ),
            )
            question.deferral = Deferral(petition.id, owner_id, petition.reply_due_on)
            return await self._save(actor, "dialogue.defer", dialogue)

    async def record_participants(
        self, actor: Actor, dialogue_id: UUID, version: int | None, participants: int
    ) -> Dialogue:
        async with self.uow.atomic():
            dialogue = await self._changing(actor, dialogue_id, version)
            dialogue.record_participants(participants, self.clock.now())
            return await self._save(actor, "dialogue.participants", dialogue)

    # -- the results ----------------------------------------------------------------------------

    async def publish(self, actor: Actor, dialogue_id: UUID, version: int | None) -> Dialogue:
        async with self.uow.atomic():
            dialogue = await self._changing(actor, dialogue_id, version)
            dialogue.publish(self.clock.now())
            saved = await self._save(actor, "dialogue.publish", dialogue)
            ward = await self.org.get_unit(dialogue.ward_id)
            if ward is not None:
                await self._tell(dialogue, ward, "dialogue_results")
            return saved

    async def results(self, actor: Actor, dialogue_id: UUID) -> DialogueResults:
        """What the results notice lists; 409 ``dialogue_not_published`` before publishing."""
        dialogue = await self.dialogue(actor, dialogue_id)
        if dialogue.published_at is None:
            raise ConflictError("dialogue_not_published")
        ward = await self.org.get_unit(dialogue.ward_id)
        upper = await self.org.get_unit(ward.parent_id) if ward and ward.parent_id else None
        outcomes = []
        for question in dialogue.questions:
            if question.deferral is None:
                outcomes.append(QuestionOutcome(question))
                continue
            petition: Petition = await self.tasks.petition(actor, question.deferral.petition_id)
            owner = await self.org.get_person(question.deferral.owner_id)
            reply = petition.reply
            outcomes.append(
                QuestionOutcome(
                    question,
                    owner.full_name if owner else None,
                    reply.at if reply else None,
                    reply.text if reply else None,
                )
            )
        return DialogueResults(
            dialogue,
            ward.name if ward else "",
            upper.name if upper else "",
            tuple(outcomes),
        )

    async def _audit(self, actor: Actor, action: str, dialogue: Dialogue) -> None:
        after: dict[str, Any] = {
            "title": dialogue.title,
            "startsAt": dialogue.starts_at.isoformat(),
            "questions": {str(q.id): q.state.value for q in dialogue.questions},
            "participants": dialogue.participants,
            "published": dialogue.published_at is not None,
            "version": dialogue.version,
        }
        await audited(
            self.audit,
            actor.person_id,
            action,
            "Dialogue",
            dialogue.id,
            dialogue.ward_path,
            after=after,
        )

    # -- reception days -------------------------------------------------------------------------

    async def record_reception_day(
        self,
        actor: Actor,
        ward_id: UUID,
        day: date,
        head_name: str,
        citizens: int,
        note: str | None,
    ) -> ReceptionDay:
        async with self.uow.atomic():
            ward = await self._ward(actor, ward_id)
            if day > local_day(self.clock.now()):
                raise RuleViolationError("reception_day_in_future")
            if not head_name.strip():
                raise RuleViolationError("reception_head_required")
            reception = ReceptionDay(
                uuid4(),
                ward.id,
                ward.path,
                day,
                head_name,
                citizens,
                actor.person_id,
                self.clock.now(),
                note,
            )
            await self.repo.add_reception_day(reception)
            await audited(
                self.audit,
                actor.person_id,
                "reception_day.record",
                "ReceptionDay",
                reception.id,
                ward.path,
                after={"day": day.isoformat(), "citizens": citizens},
            )
            return reception

    async def reception_month(self, actor: Actor, ward_id: UUID, month: date) -> ReceptionMonth:
        """The ward's reception days of the month of ``month``, short when fewer than required."""
        ward = await self.references.unit(actor, ward_id)
        first = month.replace(day=1)
        after = (first + timedelta(days=31)).replace(day=1)
        days = await self.repo.reception_days(ward.id, first, after - timedelta(days=1))
        return ReceptionMonth(days, self.policy.reception_days_per_month)
