"""Follow-up tasks: create, the lifecycle, comments, reading."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.etag import ETAG_HEADER, IfMatch, expected_version, tagged
from api.http.schemas import Cursor, Limit, PageOut, one_page
from api.tasks.schemas import (
    CloseIn,
    CommentIn,
    CommentOut,
    EvidenceIn,
    ExtendIn,
    ReasonIn,
    ReassignIn,
    TaskIn,
    TaskOut,
)
from domain.actors import Actor
from domain.pagination import PageRequest
from domain.tasks.model import Closing, Evidence, Priority, TaskSource, TaskStatus
from domain.tasks.ports import TaskFilter
from domain.tasks.service import NewTask, TaskService

Tasks = NamedDependency[TaskService]
Me = NamedDependency[Actor]
UPDATE_PROBLEMS = problems(401, 403, 404, 409, 412, 413, 422, 428)


def _tagged(task: object) -> Response[TaskOut]:
    out = TaskOut.of(task)  # type: ignore[arg-type]
    return tagged(out, out.version)


class TaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["tasks"]

    @post(
        "/",
        operation_id="CreateTask",
        responses=problems(401, 403, 404, 409, 413, 422),
        response_headers=ETAG_HEADER,
    )
    async def create(self, data: JSONBody[TaskIn], actor: Me, tasks: Tasks) -> Response[TaskOut]:
        """A task created by a leader, inspector or secretary of the unit (the client may give
        its id)."""
        task = await tasks.create(
            actor,
            NewTask(
                title=data.title,
                unit_id=data.unit_id,
                assignee_id=data.assignee_id,
                priority=data.priority,
                due_on=data.due_on,
                description=data.description,
                id=data.id,
            ),
        )
        out = TaskOut.of(task)
        return tagged(out, out.version, 201)

    @get("/", operation_id="ListTasks", responses=problems(401, 404, 422))
    async def list_tasks(
        self,
        actor: Me,
        tasks: Tasks,
        limit: Limit = 50,
        cursor: Cursor = None,
        unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None,
        status: Annotated[TaskStatus | None, QueryParameter()] = None,
        source: Annotated[TaskSource | None, QueryParameter()] = None,
        priority: Annotated[Priority | None, QueryParameter()] = None,
        overdue: Annotated[bool | None, QueryParameter()] = None,
        escalated: Annotated[bool | None, QueryParameter()] = None,
        due_from: Annotated[date | None, QueryParameter(name="dueFrom")] = None,
        due_until: Annotated[date | None, QueryParameter(name="dueUntil")] = None,
    ) -> PageOut[TaskOut]:
        """A unit subtree's tasks with filters."""
        return await tasks_page(
            actor,
            tasks,
            limit=limit,
            cursor=cursor,
            unit_id=unit_id,
            status=status,
            source=source,
            priority=priority,
            overdue=overdue,
            escalated=escalated,
            due_from=due_from,
            due_until=due_until,
        )

    @get("/mine", operation_id="ListMyTasks", responses=problems(401, 422))
    async def mine(
        self,
        actor: Me,
        tasks: Tasks,
        limit: Limit = 50,
        cursor: Cursor = None,
        status: Annotated[TaskStatus | None, QueryParameter()] = None,
        overdue: Annotated[bool | None, QueryParameter()] = None,
        due_until: Annotated[date | None, QueryParameter(name="dueUntil")] = None,
    ) -> PageOut[TaskOut]:
        """Tasks assigned to me: `dueUntil` for those due soon, `overdue=true` for late ones."""
        where = TaskFilter(
            status=status, overdue_on=tasks.today() if overdue else None, due_until=due_until
        )
        page = await tasks.mine(actor, where, PageRequest(limit, cursor))
        return PageOut(items=[TaskOut.of(t) for t in page.items], next_cursor=page.next_cursor)

    @get("/to-verify", operation_id="ListTasksToVerify", responses=problems(401, 422))
    async def to_verify(
        self, actor: Me, tasks: Tasks, limit: Limit = 50, cursor: Cursor = None
    ) -> PageOut[TaskOut]:
        """Submitted tasks I may close or return (never my own), oldest first."""
        page = await tasks.to_verify(actor, PageRequest(limit, cursor))
        return PageOut(items=[TaskOut.of(t) for t in page.items], next_cursor=page.next_cursor)

    @get(
        "/{task_id:uuid}",
        operation_id="GetTask",
        responses=problems(401, 404),
        response_headers=ETAG_HEADER,
    )
    async def get_task(self, task_id: FromPath[UUID], actor: Me, tasks: Tasks) -> Response[TaskOut]:
        """One task with its whole history."""
        return _tagged(await tasks.task(actor, task_id))

    @post(
        "/{task_id:uuid}/start",
        operation_id="StartTask",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def start(
        self, task_id: FromPath[UUID], actor: Me, tasks: Tasks, if_match: IfMatch = None
    ) -> Response[TaskOut]:
        return _tagged(await tasks.start(actor, task_id, expected_version(if_match)))

    @post(
        "/{task_id:uuid}/submit",
        operation_id="SubmitTask",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def submit(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[EvidenceIn],
        actor: Me,
        tasks: Tasks,
        if_match: IfMatch = None,
    ) -> Response[TaskOut]:
        """The assignee submits evidence: a note and a photo or document, or why none exists."""
        evidence = Evidence(data.note, tuple(data.attachment_ids), data.no_evidence_reason)
        return _tagged(await tasks.submit(actor, task_id, expected_version(if_match), evidence))

    @post(
        "/{task_id:uuid}/return",
        operation_id="ReturnTask",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def return_task(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[ReasonIn],
        actor: Me,
        tasks: Tasks,
        if_match: IfMatch = None,
    ) -> Response[TaskOut]:
        """A verifier sends it back with a reason."""
        return _tagged(await tasks.return_(actor, task_id, expected_version(if_match), data.reason))

    @post(
        "/{task_id:uuid}/close",
        operation_id="CloseTask",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def close(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[CloseIn],
        actor: Me,
        tasks: Tasks,
        if_match: IfMatch = None,
    ) -> Response[TaskOut]:
        """An inspector or leader over the unit, never the assignee, closes it with a resolution."""
        closing = Closing(data.resolution, data.explanation, data.transferred_to)
        return _tagged(await tasks.close(actor, task_id, expected_version(if_match), closing))

    @post(
        "/{task_id:uuid}/reopen",
        operation_id="ReopenTask",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def reopen(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[ReasonIn],
        actor: Me,
        tasks: Tasks,
        if_match: IfMatch = None,
    ) -> Response[TaskOut]:
        return _tagged(await tasks.reopen(actor, task_id, expected_version(if_match), data.reason))

    @post(
        "/{task_id:uuid}/reassign",
        operation_id="ReassignTask",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def reassign(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[ReassignIn],
        actor: Me,
        tasks: Tasks,
        if_match: IfMatch = None,
    ) -> Response[TaskOut]:
        """The unit's head or a verifier, never the assignee, hands the task to someone else."""
        task = await tasks.reassign(
            actor, task_id, expected_version(if_match), data.assignee_id, data.reason
        )
        return _tagged(task)

    @post(
        "/{task_id:uuid}/extend",
        operation_id="ExtendTask",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def extend(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[ExtendIn],
        actor: Me,
        tasks: Tasks,
        if_match: IfMatch = None,
    ) -> Response[TaskOut]:
        """The unit's head or a verifier, never the assignee, moves the due date later."""
        task = await tasks.extend(
            actor, task_id, expected_version(if_match), data.due_on, data.reason
        )
        return _tagged(task)

    @post(
        "/{task_id:uuid}/comments",
        operation_id="CommentOnTask",
        responses=problems(401, 404, 413, 422),
    )
    async def comment(
        self, task_id: FromPath[UUID], data: JSONBody[CommentIn], actor: Me, tasks: Tasks
    ) -> CommentOut:
        return CommentOut.of(await tasks.comment(actor, task_id, data.text))

    @get("/{task_id:uuid}/comments", operation_id="ListTaskComments", responses=problems(401, 404))
    async def comments(
        self, task_id: FromPath[UUID], actor: Me, tasks: Tasks
    ) -> PageOut[CommentOut]:
        return one_page([CommentOut.of(c) for c in await tasks.comments(actor, task_id)])


async def tasks_page(
    actor: Actor,
    tasks: TaskService,
    *,
    limit: int = 50,
    cursor: str | None = None,
    unit_id: UUID | None = None,
    status: TaskStatus | None = None,
    source: TaskSource | None = None,
    priority: Priority | None = None,
    overdue: bool | None = None,
    escalated: bool | None = None,
    due_from: date | None = None,
    due_until: date | None = None,
) -> PageOut[TaskOut]:
    """The reply of ``list_tasks``, also served by api/http/fast_reads.py."""
    page = await tasks.list_tasks(
        actor,
        TaskFilter(
            within_unit_id=unit_id,
            status=status,
            source=source,
            priority=priority,
            overdue_on=tasks.today() if overdue else None,
            escalated=escalated,
            due_from=due_from,
            due_until=due_until,
        ),
        PageRequest(limit, cursor),
    )
    return PageOut(items=[TaskOut.of(t) for t in page.items], next_cursor=page.next_cursor)
