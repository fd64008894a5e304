from __future__ import annotations

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
