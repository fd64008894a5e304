from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from domain.actors import Actor, Grant, Role
from domain.errors import ConflictError, ForbiddenError, RuleViolationError
from domain.tasks.model import (
    Closing,
    Evidence,
    Priority,
    Resolution,
    StepKind,
    Task,
    TaskSource,
    TaskStatus,
)

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
WARD = "/" + "a" * 32 + "/"
CELL = WARD + "b" * 32 + "/"
EVIDENCE = Evidence("Đã khắc phục", (uuid4(),))


def actor(role: Role, path: str = WARD, person: UUID | None = None) -> Actor:
    return Actor(person or uuid4(), uuid4(), (Grant(role, uuid4(), path),))


def make_task(**overrides: object) -> Task:
    task = Task(
        id=uuid4(),
        title="Bổ sung sổ biên bản",
        unit_id=uuid4(),
        unit_path=CELL,
        assignee_id=uuid4(),
        source=TaskSource.LEADER,
        priority=Priority.NORMAL,
        due_on=date(2026, 12, 10),
        status=TaskStatus.OPEN,
        created_at=NOW,
    )
    return replace(task, **overrides)  # type: ignore[arg-type]


def assignee_of(task: Task) -> Actor:
    return actor(Role.MEMBER, CELL, task.assignee_id)


def test_the_whole_loop_keeps_every_step() -> None:
    task = make_task()
    inspector = actor(Role.INSPECTOR)
    task.start(assignee_of(task), NOW)
    task.submit(assignee_of(task), EVIDENCE, NOW)
    task.return_(inspector, "Thiếu ảnh", NOW)
    task.submit(assignee_of(task), EVIDENCE, NOW)
    task.close(inspector, Closing(Resolution.RESOLVED), NOW)
    task.reopen(inspector, "Chưa đạt", NOW)
    assert task.status is TaskStatus.IN_PROGRESS
    assert [s.kind for s in task.steps] == [
        StepKind.STARTED,
        StepKind.SUBMITTED,
        StepKind.RETURNED,
        StepKind.SUBMITTED,
        StepKind.CLOSED,
        StepKind.REOPENED,
    ]


@pytest.mark.parametrize("status", [TaskStatus.SUBMITTED, TaskStatus.CLOSED])
def test_only_open_or_in_progress_tasks_can_be_submitted(status: TaskStatus) -> None:
    task = make_task(status=status)
    with pytest.raises(ConflictError):
        task.submit(assignee_of(task), EVIDENCE, NOW)


@pytest.mark.parametrize("status", [TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.CLOSED])
def test_only_submitted_tasks_can_be_closed_or_returned(status: TaskStatus) -> None:
    task = make_task(status=status)
    with pytest.raises(ConflictError):
        task.close(actor(Role.LEADER), Closing(Resolution.RESOLVED), NOW)
    with pytest.raises(ConflictError):
        task.return_(actor(Role.LEADER), "x", NOW)


@pytest.mark.parametrize("status", [TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.SUBMITTED])
def test_only_closed_tasks_can_be_reopened(status: TaskStatus) -> None:
    with pytest.raises(ConflictError):
        make_task(status=status).reopen(actor(Role.LEADER), "x", NOW)


def test_start_only_from_open() -> None:
    task = make_task(status=TaskStatus.IN_PROGRESS)
    with pytest.raises(ConflictError):
        task.start(assignee_of(task), NOW)


def test_assignee_can_never_close_their_own_task() -> None:
    task = make_task(status=TaskStatus.SUBMITTED)
    own = Actor(task.assignee_id, uuid4(), (Grant(Role.LEADER, uuid4(), WARD),))
    with pytest.raises(ForbiddenError):
        task.close(own, Closing(Resolution.RESOLVED), NOW)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARY, Role.DEPUTY_SECRETARY])
def test_only_inspectors_and_leaders_over_the_unit_verify(role: Role) -> None:
    with pytest.raises(ForbiddenError):
        make_task(status=TaskStatus.SUBMITTED).close(
            actor(role, CELL), Closing(Resolution.RESOLVED), NOW
        )


def test_a_leader_of_another_ward_cannot_verify() -> None:
    other = actor(Role.LEADER, "/" + "c" * 32 + "/")
    with pytest.raises(ForbiddenError):
        make_task(status=TaskStatus.SUBMITTED).close(other, Closing(Resolution.RESOLVED), NOW)


def test_only_the_assignee_starts_or_submits() -> None:
    task = make_task()
    with pytest.raises(ForbiddenError):
        task.submit(actor(Role.LEADER), EVIDENCE, NOW)


def test_evidence_needs_a_file_or_a_reason() -> None:
    task = make_task()
    with pytest.raises(RuleViolationError, match="evidence_required"):
        task.submit(assignee_of(task), Evidence("Đã làm"), NOW)
    task.submit(assignee_of(task), Evidence("Đã làm", no_evidence_reason="Không có"), NOW)
    assert task.status is TaskStatus.SUBMITTED


@pytest.mark.parametrize(
    ("closing", "code"),
    [
        (Closing(Resolution.CANNOT_RESOLVE), "explanation_required"),
        (Closing(Resolution.TRANSFERRED), "transferee_required"),
    ],
)
def test_closing_needs_what_its_resolution_says(closing: Closing, code: str) -> None:
    with pytest.raises(RuleViolationError, match=code):
        make_task(status=TaskStatus.SUBMITTED).close(actor(Role.INSPECTOR), closing, NOW)


def test_a_petition_task_waits_for_the_reply() -> None:
    task = make_task(status=TaskStatus.SUBMITTED, reply_ready=False)
    with pytest.raises(RuleViolationError, match="petition_reply_required"):
        task.close(actor(Role.LEADER), Closing(Resolution.RESOLVED), NOW)


def test_petitioner_dissatisfaction_reopens_without_a_verifier() -> None:
    task = make_task(status=TaskStatus.CLOSED)
    task.reopen(None, "petitioner_not_satisfied", NOW)
    assert task.status is TaskStatus.IN_PROGRESS
    assert task.steps[-1].by is None


# -- reassigning and extending: the unit's head or a verifier, never the assignee --------------


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.LEADER, Role.INSPECTOR])
def test_whoever_manages_tasks_over_the_unit_reassigns_with_a_reason(role: Role) -> None:
    task = make_task(status=TaskStatus.SUBMITTED)
    before, to = task.assignee_id, uuid4()
    head = actor(role, CELL)
    assert task.reassign(head, to, "Đi công tác", NOW) == before
    assert task.assignee_id == to
    step = task.steps[-1]
    assert (step.kind, step.by, step.person_id, step.note) == (
        StepKind.REASSIGNED,
        head.person_id,
        to,
        "Đi công tác",
    )


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(lambda t: actor(Role.SECRETARY, CELL, t.assignee_id), id="the-assignee-head"),
        pytest.param(lambda _: actor(Role.MEMBER, CELL), id="a-member"),
        pytest.param(lambda _: actor(Role.LEADER, "/" + "c" * 32 + "/"), id="another-ward"),
    ],
)
def test_nobody_else_reassigns_or_extends(who: Callable[[Task], Actor]) -> None:
    task = make_task()
    by = who(task)
    with pytest.raises(ForbiddenError):
        task.reassign(by, uuid4(), "Lý do", NOW)
    with pytest.raises(ForbiddenError):
        task.extend(by, date(2026, 12, 31), "Lý do", NOW)
    assert len(task.steps) == 0


def test_reassign_needs_another_person_a_reason_and_a_live_task() -> None:
    head = actor(Role.SECRETARY, CELL)
    task = make_task()
    with pytest.raises(RuleViolationError, match="assignee_unchanged"):
        task.reassign(head, task.assignee_id, "Lý do", NOW)
    with pytest.raises(RuleViolationError, match="change_reason_required"):
        task.reassign(head, uuid4(), "  ", NOW)
    closed = make_task(status=TaskStatus.CLOSED)
    with pytest.raises(ConflictError):
        closed.reassign(head, uuid4(), "Lý do", NOW)


def test_an_extension_is_later_and_starts_the_escalation_again() -> None:
    head = actor(Role.LEADER, WARD)
    task = make_task(escalation_level=2)
    with pytest.raises(RuleViolationError, match="due_date_not_later"):
        task.extend(head, task.due_on, "Chờ vật tư", NOW)
    task.extend(head, date(2026, 12, 31), "Chờ vật tư", NOW)
    assert (task.due_on, task.escalation_level) == (date(2026, 12, 31), 0)
    assert (task.steps[-1].kind, task.steps[-1].due_on) == (StepKind.EXTENDED, date(2026, 12, 31))
