"""TaskRepository on Piccolo: tasks with their append-only steps, comments and petitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.query import Select

from db.json_columns import dumps, loads
from db.pagination import Conditions, ListSql, any_prefix, fetch_page, fetch_sql_page
from db.tables import PetitionTable, TaskCommentTable, TaskStepTable, TaskTable
from domain.errors import StaleVersionError
from domain.pagination import Page, PageRequest, PageWithin
from domain.tasks.model import (
    Closing,
    Evidence,
    Priority,
    Resolution,
    Step,
    StepKind,
    Task,
    TaskSource,
    TaskStatus,
)
from domain.tasks.petitions import Channel, Petition, Reply, ReplyState, Satisfaction
from domain.tasks.ports import Comment, PetitionFilter, TaskFilter


def _evidence(value: Any) -> Evidence | None:  # noqa: ANN401
    data = loads(value)
    if not data:
        return None
    return Evidence(
        data["note"], tuple(UUID(a) for a in data["attachments"]), data.get("no_evidence_reason")
    )


# A member by its value: ``Enum(value)`` takes ~350 ns on Python 3.11, four times a task, 84 times
# a page of tasks (issue 15).
_SOURCES = {member.value: member for member in TaskSource}
_PRIORITIES = {member.value: member for member in Priority}
_STATUSES = {member.value: member for member in TaskStatus}
_RESOLUTIONS = {member.value: member for member in Resolution}


def _closing(value: Any) -> Closing | None:  # noqa: ANN401
    data = loads(value)
    if not data:
        return None
    return Closing(_RESOLUTIONS[data["resolution"]], data.get("explanation"), data.get("to"))


def _task(row: dict[str, Any], steps: list[dict[str, Any]] | None = None) -> Task:
    return Task(
        id=row["id"],
        title=row["title"],
        unit_id=row["unit"],
        unit_path=row["unit_path"],
        assignee_id=row["assignee"],
        source=_SOURCES[row["source"]],
        priority=_PRIORITIES[row["priority"]],
        due_on=row["due_on"],
        status=_STATUSES[row["status"]],
        created_at=row["created_at"],
        description=row["description"],
        source_id=row["source_id"],
        evidence=_evidence(row["evidence"]),
        closing=_closing(row["closing"]),
        reply_ready=bool(row["reply_ready"]),
        escalation_level=row["escalation_level"],
        steps=[
            Step(
                StepKind(s["kind"]),
                s["by"],
                s["at"],
                s["note"],
                s["unit"],
                s["person"],
                s["due_on"],
            )
            for s in steps or []
        ],
        version=row["version"],
    )


def _state(task: Task) -> dict[str, Any]:
    evidence = task.evidence
    closing = task.closing
    return {
        "title": task.title,
        "description": task.description,
        "assignee": task.assignee_id,
        "priority": task.priority.value,
        "due_on": task.due_on,
        "status": task.status.value,
        "source_id": task.source_id,
        "evidence": dumps(
            {
                "note": evidence.note,
                "attachments": [str(a) for a in evidence.attachment_ids],
                "no_evidence_reason": evidence.no_evidence_reason,
            }
            if evidence
            else None
        ),
        "closing": dumps(
            {
                "resolution": closing.resolution.value,
                "explanation": closing.explanation,
                "to": closing.transferred_to,
            }
            if closing
            else None
        ),
        "reply_ready": task.reply_ready,
        "escalation_level": task.escalation_level,
        "version": task.version,
    }


def _tasks() -> Select[Any]:
    return TaskTable.select(*TaskTable.all_columns(), TaskTable.unit.path.as_alias("unit_path"))


# The task lists (GET /api/v1/tasks, /mine, /to-verify): one statement written once as SQL.
_TASK_PAGE = ListSql(
    # the columns ``_task`` reads: not "task".*, whose created_by and updated_at are converted
    # for nothing on every row of every page
    '"task"."id", "task"."title", "task"."unit", "task"."assignee", "task"."source",'
    ' "task"."priority", "task"."due_on", "task"."status", "task"."created_at",'
    ' "task"."description", "task"."source_id", "task"."evidence", "task"."closing",'
    ' "task"."reply_ready", "task"."escalation_level", "task"."version",'
    ' "unit"."path" AS "unit_path"',
    '"task" JOIN "unit" ON "unit"."id" = "task"."unit"',
    path='"unit"."path"',
    sort='"task"."created_at"',
    row_id='"task"."id"',
    key="created_at",
    group_key="unit",
)


def _petition(row: dict[str, Any]) -> Petition:
    reply = loads(row["reply"])
    return Petition(
        id=row["id"],
        unit_id=row["unit"],
        unit_path=row["unit_path"],
        task_id=row["task"],
        petitioner_name=row["petitioner_name"],
        petitioner_contact=row["petitioner_contact"],
        channel=Channel(row["channel"]),
        category=row["category"],
        content=row["content"],
        received_at=row["received_at"],
        reply_due_on=row["reply_due_on"],
        created_at=row["created_at"],
        reply=Reply(
            text=reply["text"],
            head_name=reply["head_name"],
            head_title=reply["head_title"],
            by=UUID(reply["by"]),
            at=datetime.fromisoformat(reply["at"]),
            head_person_id=UUID(reply["head_person"]) if reply.get("head_person") else None,
            attachment_ids=tuple(UUID(a) for a in reply["attachments"]),
        )
        if reply
        else None,
        satisfaction=Satisfaction(row["satisfaction"]) if row["satisfaction"] else None,
        version=row["version"],
    )


def _petitions() -> Select[Any]:
    return PetitionTable.select(
        *PetitionTable.all_columns(), PetitionTable.unit.path.as_alias("unit_path")
    )


class PiccoloTaskRepository:
    async def get(self, task_id: UUID) -> Task | None:
        row = await _tasks().where(TaskTable.id == task_id).first()
        if row is None:
            return None
        steps = (
            await TaskStepTable.select()
            .where(TaskStepTable.task == task_id)
            .order_by(TaskStepTable.position)
        )
        return _task(row, steps)

    async def add(self, task: Task) -> None:
        await TaskTable.insert(
            TaskTable(
                id=task.id,
                unit=task.unit_id,
                source=task.source.value,
                created_at=task.created_at,
                updated_at=task.created_at,
                **_state(task),
            )
        )
        await self._add_steps(task, 0)

    async def _add_steps(self, task: Task, known: int) -> None:
        new = task.steps[known:]
        if new:
            await TaskStepTable.insert(
                *(
                    TaskStepTable(
                        id=uuid4(),
                        task=task.id,
                        position=known + i,
                        kind=s.kind.value,
                        by=s.by,
                        at=s.at,
                        note=s.note,
                        unit=s.unit_id,
                        person=s.person_id,
                        due_on=s.due_on,
                    )
                    for i, s in enumerate(new)
                )
            )

    async def save(self, task: Task, expected_version: int) -> None:
        state = _state(task)
        saved = (
            await TaskTable.update({getattr(TaskTable, k): v for k, v in state.items()})
            .where((TaskTable.id == task.id) & (TaskTable.version == expected_version))
            .returning(TaskTable.id)
        )
        if not saved:
            current = (
                await TaskTable.select(TaskTable.version).where(TaskTable.id == task.id).first()
            )
            raise StaleVersionError(
                "version_mismatch", current_version=current["version"] if current else 0
            )
        known = await TaskStepTable.count().where(TaskStepTable.task == task.id)
        await self._add_steps(task, known)

    async def list_tasks(
        self, scopes: tuple[str, ...], where: TaskFilter, page: PageRequest
    ) -> PageWithin[Task]:
        if not scopes and where.within_unit_id is None:
            return PageWithin(Page(items=(), next_cursor=None))
        conditions = Conditions()
        overdue = '"task"."due_on" < {} AND "task"."status" <> {}'
        for used, clause, values in (
            (where.status, '"task"."status" = {}', (where.status and where.status.value,)),
            (where.source, '"task"."source" = {}', (where.source and where.source.value,)),
            (where.priority, '"task"."priority" = {}', (where.priority and where.priority.value,)),
            (where.overdue_on, overdue, (where.overdue_on, TaskStatus.CLOSED.value)),
            (where.escalated, '"task"."escalation_level" > 0', ()),
            (where.escalated is False, '"task"."escalation_level" = 0', ()),
            (where.due_from, '"task"."due_on" >= {}', (where.due_from,)),
            (where.due_until, '"task"."due_on" <= {}', (where.due_until,)),
            (where.assignee_id, '"task"."assignee" = {}', (where.assignee_id,)),
            (where.not_assignee_id, '"task"."assignee" <> {}', (where.not_assignee_id,)),
        ):
            if used:
                conditions.add(clause, *values)
        rows, cursor, within = await fetch_sql_page(
            TaskTable, _TASK_PAGE, scopes, conditions, page, where.within_unit_id
        )
        return PageWithin(Page(tuple(_task(r) for r in rows), cursor), within)

    async def overdue(self, today: date) -> list[Task]:
        rows = await _tasks().where(
            (TaskTable.due_on < today) & (TaskTable.status != TaskStatus.CLOSED.value)
        )
        if not rows:
            return []
        steps = (
            await TaskStepTable.select()
            .where(TaskStepTable.task.is_in([r["id"] for r in rows]))
            .order_by(TaskStepTable.position)
        )
        by_task: dict[UUID, list[dict[str, Any]]] = {r["id"]: [] for r in rows}
        for step in steps:
            by_task[step["task"]].append(step)
        return [_task(r, by_task[r["id"]]) for r in rows]

    async def open_tasks_of(self, unit_id: UUID) -> list[tuple[UUID, str]]:
        rows = (
            await TaskTable.select(TaskTable.id, TaskTable.title)
            .where((TaskTable.unit == unit_id) & (TaskTable.status != TaskStatus.CLOSED.value))
            .order_by(TaskTable.due_on)
        )
        return [(r["id"], r["title"]) for r in rows]

    async def open_count(self, source_id: UUID) -> int:
        return await TaskTable.count().where(  # type: ignore[no-any-return]
            (TaskTable.source_id == source_id) & (TaskTable.status != TaskStatus.CLOSED.value)
        )

    async def add_comment(self, comment: Comment) -> None:
        await TaskCommentTable.insert(
            TaskCommentTable(
                id=comment.id,
                task=comment.task_id,
                by=comment.by,
                text=comment.text,
                created_at=comment.created_at,
            )
        )

    async def comments(self, task_id: UUID) -> list[Comment]:
        rows = (
            await TaskCommentTable.select()
            .where(TaskCommentTable.task == task_id)
            .order_by(TaskCommentTable.created_at)
        )
        return [Comment(r["id"], r["task"], r["by"], r["text"], r["created_at"]) for r in rows]

    async def get_petition(self, petition_id: UUID) -> Petition | None:
        row = await _petitions().where(PetitionTable.id == petition_id).first()
        return _petition(row) if row else None

    async def petition_of_task(self, task_id: UUID) -> Petition | None:
        row = await _petitions().where(PetitionTable.task == task_id).first()
        return _petition(row) if row else None

    async def add_petition(self, petition: Petition) -> None:
        await PetitionTable.insert(
            PetitionTable(
                id=petition.id,
                unit=petition.unit_id,
                task=petition.task_id,
                petitioner_name=petition.petitioner_name,
                petitioner_contact=petition.petitioner_contact,
                channel=petition.channel.value,
                category=petition.category,
                content=petition.content,
                received_at=petition.received_at,
                reply_due_on=petition.reply_due_on,
                created_at=petition.created_at,
                updated_at=petition.created_at,
            )
        )

    async def save_petition(self, petition: Petition) -> None:
        reply = petition.reply
        await PetitionTable.update(
            {
                PetitionTable.reply: dumps(
                    {
                        "text": reply.text,
                        "head_name": reply.head_name,
                        "head_title": reply.head_title,
                        "by": str(reply.by),
                        "at": reply.at.isoformat(),
                        "head_person": str(reply.head_person_id) if reply.head_person_id else None,
                        "attachments": [str(a) for a in reply.attachment_ids],
                    }
                    if reply
                    else None
                ),
                PetitionTable.replied_late: petition.replied_late,
                PetitionTable.satisfaction: petition.satisfaction.value
                if petition.satisfaction
                else None,
                PetitionTable.version: petition.version + 1,
            }
        ).where(PetitionTable.id == petition.id)
        petition.version += 1

    async def list_petitions(
        self, scopes: tuple[str, ...], where: PetitionFilter, page: PageRequest
    ) -> Page[Petition]:
        path = PetitionTable.unit.path
        scope = any_prefix(path, scopes)
        if scope is None:
            return Page(items=(), next_cursor=None)
        query = _petitions().where(scope)
        if where.within_path:
            query = query.where(path.like(f"{where.within_path}%"))
        unanswered = PetitionTable.reply.is_null()
        match where.reply_state:
            case ReplyState.UNANSWERED:
                query = query.where(unanswered)
            case ReplyState.OVERDUE:
                query = query.where(unanswered & (PetitionTable.reply_due_on < where.today))
            case ReplyState.ANSWERED_ON_TIME:
                query = query.where(PetitionTable.replied_late == False)  # noqa: E712 - SQL
            case ReplyState.ANSWERED_LATE:
                query = query.where(PetitionTable.replied_late == True)  # noqa: E712 - SQL
        return await fetch_page(query, PetitionTable, page, _petition)
