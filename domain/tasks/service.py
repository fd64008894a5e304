"""Task use cases: create, the lifecycle, comments, escalation sweep, petitions, calendar days."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from domain.actors import Actor, Permission, Role
from domain.audit import audited, bump_version, require_version
from domain.clock import LOCAL_TZ
from domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RuleViolationError,
)
from domain.notifications.model import Category
from domain.notifications.service import Message, Notifier
from domain.org.ports import GrantFilter, OrgRepository
from domain.pagination import Page, PageRequest
from domain.ports import AuditLog, Clock, UnitOfWork
from domain.references import References
from domain.surveys.model import Contact, ContactKind
from domain.surveys.ports import ContactLog
from domain.tasks.escalation import EscalationPolicy, due_level, ladder
from domain.tasks.model import (
    Closing,
    Evidence,
    Priority,
    Step,
    StepKind,
    Task,
    TaskSource,
    TaskStatus,
)
from domain.tasks.petitions import (
    Channel,
    Petition,
    PetitionPolicy,
    Reply,
    ReplyState,
    Satisfaction,
)
from domain.tasks.ports import (
    Comment,
    FollowUpSources,
    PetitionFilter,
    TaskFilter,
    TaskRepository,
    WorkingDays,
)


@dataclass(frozen=True, slots=True)
class NewTask:
    title: str
    unit_id: UUID
    assignee_id: UUID
    priority: Priority
    due_on: date
    description: str | None = None
    source: TaskSource = TaskSource.LEADER
    source_id: UUID | None = None
    id: UUID | None = None


@dataclass(frozen=True, slots=True)
class NewPetition:
    unit_id: UUID
    assignee_id: UUID
    petitioner_name: str
    petitioner_contact: str | None
    channel: Channel
    category: str
    content: str
    received_at: datetime
    id: UUID | None = None


# phones' clocks drift; a few minutes ahead of the server is not "in the future"
CLOCK_SKEW = timedelta(minutes=5)


TASK_TEMPLATES = {
    "task.return": "task_returned",
    "task.close": "task_closed",
    "task.reopen": "task_reopened",
    "task.extend": "task_extended",
}


def petition_task_title(category: str, received_at: datetime) -> str:
    """Told apart by when the petition came in, not by who brought it: the title shows in pushes,
    which never carry a petitioner's personal data."""
    local = received_at.astimezone(LOCAL_TZ)
    return f"Trả lời phản ánh: {category} (nhận {local:%H:%M %d/%m/%Y})"


def units_up(path: str) -> list[UUID]:
    """The unit of a path and its ancestors, nearest first."""
    return [UUID(hex=part) for part in reversed(path.strip("/").split("/"))]


class TaskService:
    def __init__(
        self,
        repo: TaskRepository,
        org: OrgRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        working_days: WorkingDays,
        escalation: EscalationPolicy,
        petitions: PetitionPolicy,
        references: References,
        notifier: Notifier,
        sources: FollowUpSources,
        contacts: ContactLog,
    ) -> None:
        self.references = references
        self.contacts = contacts  # the satisfaction surveys of petitions
        self.notifier = notifier
        self.sources = sources
        self.repo = repo
        self.org = org
        self.uow = uow
        self.audit = audit
        self.clock = clock
        self.working_days = working_days
        self.escalation = escalation
        self.petitions = petitions

    async def _audit(self, actor: Actor | None, action: str, task: Task) -> None:
        await audited(
            self.audit,
            actor.person_id if actor else None,
            action,
            "Task",
            task.id,
            task.unit_path,
            after={"status": task.status.value, "version": task.version},
        )

    def today(self) -> date:
        return self.clock.now().astimezone(LOCAL_TZ).date()

    # -- reading --------------------------------------------------------------------------------

    @staticmethod
    def _sees(actor: Actor, task: Task) -> bool:
        return task.assignee_id == actor.person_id or actor.may(
            Permission.VIEW_UNIT, task.unit_path
        )

    async def task(self, actor: Actor, task_id: UUID) -> Task:
        task = await self.repo.get(task_id)
        if task is None or not self._sees(actor, task):
            raise NotFoundError("task_not_found")
        return task

    async def list_tasks(self, actor: Actor, where: TaskFilter, page: PageRequest) -> Page[Task]:
        found = await self.repo.list_tasks(actor.scopes(Permission.VIEW_UNIT), where, page)
        return actor.page_within(where.within_unit_id, found)

    async def mine(self, actor: Actor, where: TaskFilter, page: PageRequest) -> Page[Task]:
        """Tasks assigned to me (in any unit), oldest first."""
        mine = dataclasses.replace(where, assignee_id=actor.person_id)
        return (await self.repo.list_tasks(("/",), mine, page)).page

    async def to_verify(self, actor: Actor, page: PageRequest) -> Page[Task]:
        """Submitted tasks waiting for me: in units I may verify, assigned to someone else."""
        scopes = tuple(
            g.unit_path for g in actor.grants if g.role in {Role.INSPECTOR, Role.LEADER, Role.ADMIN}
        )
        where = TaskFilter(status=TaskStatus.SUBMITTED, not_assignee_id=actor.person_id)
        return (await self.repo.list_tasks(scopes, where, page)).page

    # -- creating -------------------------------------------------------------------------------

    async def create(self, actor: Actor, new: NewTask) -> Task:
        async with self.uow.atomic():
            task = await self._new(actor, new, reply_ready=True)
            await self._audit(actor, "task.create", task)
            await self._tell([task.assignee_id], "task_assigned", task)
            return task

    async def _new(self, actor: Actor, new: NewTask, *, reply_ready: bool) -> Task:
        unit = await self.references.unit(actor, new.unit_id)
        actor.require(Permission.MANAGE_TASKS, unit.path, "task_manage_forbidden")
        assignee = await self.references.person(actor, new.assignee_id, unit.path)
        if new.id is not None and await self.repo.get(new.id) is not None:
            raise ConflictError("id_conflict")
        now = self.clock.now()
        task = Task(
            id=new.id or uuid4(),
            title=new.title,
            unit_id=unit.id,
            unit_path=unit.path,
            assignee_id=assignee.id,
            source=new.source,
            priority=new.priority,
            due_on=new.due_on,
            status=TaskStatus.OPEN,
            created_at=now,
            description=new.description,
            source_id=new.source_id,
            reply_ready=reply_ready,
            steps=[Step(StepKind.CREATED, actor.person_id, now)],
        )
        await self.repo.add(task)
        return task

    async def open_follow_up(
        self,
        actor: Actor,
        unit_id: UUID,
        assignee_id: UUID | None,
        title: str,
        due_on: date,
        priority: Priority,
        source_id: UUID,
    ) -> UUID:
        """An inspection's recommendation becomes a task; with no person named, the unit's
        secretary (else the author of the recommendation) carries it."""
        if assignee_id is None:
            unit = await self.org.get_unit(unit_id)
            secretaries = await self.org.list_grants(
                (unit.path,) if unit else (),
                GrantFilter(
                    role=Role.SECRETARY, within_path=unit.path if unit else None, live=True
                ),
                PageRequest(limit=1),
            )
            assignee_id = secretaries.items[0].person_id if secretaries.items else actor.person_id
        task = await self._new(
            actor,
            NewTask(
                title=title[:300],
                unit_id=unit_id,
                assignee_id=assignee_id,
                priority=priority,
                due_on=due_on,
                source=TaskSource.INSPECTION_RECOMMENDATION,
                source_id=source_id,
            ),
            reply_ready=True,
        )
        await self._audit(actor, "task.create", task)
        await self._tell([task.assignee_id], "task_assigned", task)
        return task.id

    # -- the lifecycle --------------------------------------------------------------------------

    async def _changing(self, actor: Actor, task_id: UUID, version: int | None) -> Task:
        task = await self.task(actor, task_id)
        require_version(task, version)
        return task

    async def _save(self, actor: Actor | None, action: str, task: Task) -> Task:
        await self.repo.save(task, bump_version(task))
        await self._audit(actor, action, task)
        template = TASK_TEMPLATES.get(action)
        if template is not None:
            await self._tell([task.assignee_id], template, task)
        return task

    async def _tell(self, people: list[UUID], template: str, task: Task, **params: object) -> None:
        """Push and inbox, in this transaction; never a petitioner's personal data."""
        if not people:
            return
        last = task.steps[-1] if task.steps else None
        await self.notifier.notify(
            people,
            Category.ESCALATION if template == "task_escalated" else Category.TASK,
            f"task:{task.id}",
            Message(
                template=template,
                params={
                    "title": task.title,
                    "due": task.due_on,
                    "reason": (last.note if last else None) or "",
                    **params,
                },
            ),
            urgent=task.priority is Priority.URGENT,
            digestible=template == "task_escalated",  # scope news: a leader may take it daily
            data={"taskId": str(task.id)},
        )

    async def start(self, actor: Actor, task_id: UUID, version: int | None) -> Task:
        async with self.uow.atomic():
            task = await self._changing(actor, task_id, version)
            task.start(actor, self.clock.now())
            return await self._save(actor, "task.start", task)

    async def submit(
        self, actor: Actor, task_id: UUID, version: int | None, evidence: Evidence
    ) -> Task:
        async with self.uow.atomic():
            task = await self._changing(actor, task_id, version)
            task.submit(actor, evidence, self.clock.now())
            await self.references.attachments_for(actor, evidence.attachment_ids, task.unit_path)
            return await self._save(actor, "task.submit", task)

    async def return_(self, actor: Actor, task_id: UUID, version: int | None, reason: str) -> Task:
        async with self.uow.atomic():
            task = await self._changing(actor, task_id, version)
            task.return_(actor, reason, self.clock.now())
            return await self._save(actor, "task.return", task)

    async def close(
        self, actor: Actor, task_id: UUID, version: int | None, closing: Closing
    ) -> Task:
        async with self.uow.atomic():
            task = await self._changing(actor, task_id, version)
            task.close(actor, closing, self.clock.now())
            saved = await self._save(actor, "task.close", task)
            if task.source is TaskSource.INSPECTION_RECOMMENDATION and task.source_id:
                still_open = await self.repo.open_count(task.source_id)
                await self.sources.follow_up_closed(task.source_id, still_open)
            if task.source is TaskSource.PETITION:
                await self.contacts.contacted(
                    Contact(
                        ContactKind.TASK_CLOSED,
                        task.id,
                        task.unit_id,
                        task.unit_path,
                        self.clock.now(),
                        task.id,
                    )
                )
            return saved

    async def reopen(self, actor: Actor, task_id: UUID, version: int | None, reason: str) -> Task:
        async with self.uow.atomic():
            task = await self._changing(actor, task_id, version)
            task.reopen(actor, reason, self.clock.now())
            return await self._save(actor, "task.reopen", task)

    async def reopen_unresolved(self, task_id: UUID, reason: str) -> Task | None:
        """A resident's survey answer says "not resolved": the task, if closed, reopens with
        that answer as its reason (and its assignee is told); None when it was not closed."""
        async with self.uow.atomic():
            task = await self.repo.get(task_id)
            if task is None or task.status is not TaskStatus.CLOSED:
                return None
            task.reopen(None, reason, self.clock.now())
            return await self._save(None, "task.reopen", task)

    async def reassign(
        self, actor: Actor, task_id: UUID, version: int | None, assignee_id: UUID, reason: str
    ) -> Task:
        """The new assignee is told as of a new task; the previous one that it moved on."""
        async with self.uow.atomic():
            task = await self._changing(actor, task_id, version)
            previous = task.reassign(actor, assignee_id, reason, self.clock.now())
            # after the rule: who may not reassign learns nothing of the person named
            await self.references.person(actor, assignee_id, task.unit_path)
            saved = await self._save(actor, "task.reassign", task)
            await self._tell([task.assignee_id], "task_assigned", task)
            await self._tell([previous], "task_reassigned", task, reason=reason)
            return saved

    async def extend(
        self, actor: Actor, task_id: UUID, version: int | None, due_on: date, reason: str
    ) -> Task:
        async with self.uow.atomic():
            task = await self._changing(actor, task_id, version)
            task.extend(actor, due_on, reason, self.clock.now())
            return await self._save(actor, "task.extend", task)

    # -- comments -------------------------------------------------------------------------------

    async def comment(self, actor: Actor, task_id: UUID, text: str) -> Comment:
        async with self.uow.atomic():
            task = await self.task(actor, task_id)
            comment = Comment(uuid4(), task.id, actor.person_id, text, self.clock.now())
            await self.repo.add_comment(comment)
            return comment

    async def comments(self, actor: Actor, task_id: UUID) -> list[Comment]:
        task = await self.task(actor, task_id)
        return await self.repo.comments(task.id)

    # -- escalation (called by the scheduler; safe to run any number of times) -------------------

    async def escalate_overdue(self) -> int:
        today = self.today()
        calendar = await self.working_days.calendar(range(today.year - 1, today.year + 1))
        steps = 0
        async with self.uow.atomic():
            for task in await self.repo.overdue(today):
                up = units_up(task.unit_path)
                rungs = ladder(up, self.escalation)
                level = min(
                    due_level(task.due_on, task.priority, today, calendar, self.escalation),
                    len(rungs),
                )
                if level <= task.escalation_level:
                    continue
                for rung in range(task.escalation_level + 1, level + 1):
                    task.escalate_to(rung, rungs[rung - 1], self.clock.now())
                    steps += 1
                    await self._tell_heads(task, up[up.index(rungs[rung - 1]) :])
                await self._save(None, "task.escalate", task)
        return steps

    async def _tell_heads(self, task: Task, units_from_rung: list[UUID]) -> None:
        """The heads of the rung's unit (its leaders, or a cell's secretary), never the assignee:
        when she is the only head there, the next unit up that has another head is told. The
        text names the task's own unit, wherever the rung is."""
        for unit_id in units_from_rung:
            heads = [p for p in await self.org.heads_of(unit_id) if p != task.assignee_id]
            if heads:
                own = await self.org.get_unit(task.unit_id)
                await self._tell(heads, "task_escalated", task, unit=own.name if own else "")
                return

    # -- petitions ------------------------------------------------------------------------------

    def petitioner_visible(self, actor: Actor, petition: Petition) -> bool:
        """Name and contact: only within the unit's scope and to leaders above."""
        return actor.may(Permission.VIEW_PEOPLE, petition.unit_path)

    async def petition(self, actor: Actor, petition_id: UUID) -> Petition:
        """Seen by whoever sees its task; otherwise exactly like a missing petition."""
        petition = await self.repo.get_petition(petition_id)
        task = await self.repo.get(petition.task_id) if petition else None
        if petition is None or task is None or not self._sees(actor, task):
            raise NotFoundError("petition_not_found")
        return petition

    async def list_petitions(
        self,
        actor: Actor,
        within_path: str | None,
        reply_state: ReplyState | None,
        page: PageRequest,
    ) -> Page[Petition]:
        where = PetitionFilter(self.today(), within_path, reply_state)
        return await self.repo.list_petitions(actor.scopes(Permission.VIEW_UNIT), where, page)

    async def record_petition(self, actor: Actor, new: NewPetition) -> Petition:
        """The petition and its task, due in N working days from receipt."""
        async with self.uow.atomic():
            if new.received_at > self.clock.now() + CLOCK_SKEW:
                raise RuleViolationError("petition_received_in_future")
            received = new.received_at.astimezone(LOCAL_TZ).date()
            calendar = await self.working_days.calendar(range(received.year, received.year + 2))
            due = calendar.add_working_days(received, self.petitions.reply_within_working_days)
            task = await self._new(
                actor,
                NewTask(
                    title=petition_task_title(new.category, new.received_at),
                    unit_id=new.unit_id,
                    assignee_id=new.assignee_id,
                    priority=Priority.NORMAL,
                    due_on=due,
                    description=new.content,
                    source=TaskSource.PETITION,
                ),
                reply_ready=False,
            )
            if new.id is not None and await self.repo.get_petition(new.id) is not None:
                raise ConflictError("id_conflict")
            petition = Petition(
                id=new.id or uuid4(),
                unit_id=task.unit_id,
                unit_path=task.unit_path,
                task_id=task.id,
                petitioner_name=new.petitioner_name,
                petitioner_contact=new.petitioner_contact,
                channel=new.channel,
                category=new.category,
                content=new.content,
                received_at=new.received_at,
                reply_due_on=due,
                created_at=self.clock.now(),
            )
            task.source_id = petition.id
            await self.repo.add_petition(petition)
            await self.repo.save(task, task.version)
            await self._audit(actor, "petition.create", task)
            await self._tell([task.assignee_id], "task_assigned", task)
            return petition

    async def reply(self, actor: Actor, petition_id: UUID, reply: Reply) -> Petition:
        async with self.uow.atomic():
            petition = await self.petition(actor, petition_id)
            actor.require(Permission.MANAGE_TASKS, petition.unit_path, "task_manage_forbidden")
            if reply.head_person_id is not None:
                await self.references.person(actor, reply.head_person_id, petition.unit_path)
            await self.references.attachments_for(actor, reply.attachment_ids, petition.unit_path)
            petition.answer(reply)
            task = await self.task(actor, petition.task_id)
            task.reply_ready = True
            await self.repo.save_petition(petition)
            await self._save(actor, "petition.reply", task)
            await self.contacts.contacted(
                Contact(
                    ContactKind.PETITION_REPLY,
                    petition.id,
                    petition.unit_id,
                    petition.unit_path,
                    reply.at,
                    task.id,
                )
            )
            return petition

    async def satisfaction(self, actor: Actor, petition_id: UUID, value: Satisfaction) -> Petition:
        """Recorded by whoever manages the unit's tasks; "not satisfied" reopens a closed task."""
        async with self.uow.atomic():
            petition = await self.petition(actor, petition_id)
            actor.require(Permission.MANAGE_TASKS, petition.unit_path, "task_manage_forbidden")
            petition.record_satisfaction(value)
            await self.repo.save_petition(petition)
            task = await self.task(actor, petition.task_id)
            if value is Satisfaction.NOT_SATISFIED and task.status is TaskStatus.CLOSED:
                task.reopen(None, "petitioner_not_satisfied", self.clock.now())
                await self._save(actor, "task.reopen", task)
            return petition

    # -- the calendar ---------------------------------------------------------------------------

    async def set_calendar_day(
        self, actor: Actor, day: date, *, working: bool, note: str | None
    ) -> None:
        """Admins of the whole tree enter extra days off and make-up working days."""
        root = await self.org.root_unit()
        if root is None or not actor.may(Permission.MANAGE_ORG, root.path):
            raise ForbiddenError("calendar_manage_forbidden")
        async with self.uow.atomic():
            await self.working_days.set_day(day, working=working, note=note)
            await audited(
                self.audit,
                actor.person_id,
                "calendar.day",
                "CalendarDay",
                root.id,
                root.path,
                after={"day": day.isoformat(), "working": working, "note": note},
            )
