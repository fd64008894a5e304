"""Follow-up tasks: open -> in progress -> submitted -> closed by a verifier who is not the
assignee, or returned -> in progress; a closed task can be reopened. Every step is kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from domain.actors import Actor, Permission, Role, is_within
from domain.errors import ConflictError, ForbiddenError, RuleViolationError


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CLOSED = "closed"


class TaskSource(StrEnum):
    MEETING_RESOLUTION = "meeting_resolution"
    INSPECTION_RECOMMENDATION = "inspection_recommendation"
    PETITION = "petition"
    LEADER = "leader"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class Resolution(StrEnum):
    RESOLVED = "resolved"
    CANNOT_RESOLVE = "cannot_resolve"
    TRANSFERRED = "transferred"


class StepKind(StrEnum):
    CREATED = "created"
    STARTED = "started"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    CLOSED = "closed"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    REASSIGNED = "reassigned"
    EXTENDED = "extended"


@dataclass(frozen=True, slots=True)
class Evidence:
    note: str
    attachment_ids: tuple[UUID, ...] = ()
    no_evidence_reason: str | None = None

    def check(self) -> None:
        if not self.note.strip():
            raise RuleViolationError("evidence_note_required")
        if not self.attachment_ids and not (self.no_evidence_reason or "").strip():
            raise RuleViolationError("evidence_required")


@dataclass(frozen=True, slots=True)
class Closing:
    resolution: Resolution
    explanation: str | None = None
    transferred_to: str | None = None

    def check(self) -> None:
        if self.resolution is Resolution.CANNOT_RESOLVE and not (self.explanation or "").strip():
            raise RuleViolationError("explanation_required")
        if self.resolution is Resolution.TRANSFERRED and not (self.transferred_to or "").strip():
            raise RuleViolationError("transferee_required")


@dataclass(frozen=True, slots=True)
class Step:
    kind: StepKind
    by: UUID | None
    at: datetime
    note: str | None = None
    unit_id: UUID | None = None  # escalation: the unit whose head it reached
    person_id: UUID | None = None  # reassignment: the new assignee
    due_on: date | None = None  # extension: the new due date


@dataclass(slots=True)
class Task:
    id: UUID
    title: str
    unit_id: UUID
    unit_path: str
    assignee_id: UUID
    source: TaskSource
    priority: Priority
    due_on: date
    status: TaskStatus
    created_at: datetime
    description: str | None = None
    source_id: UUID | None = None
    evidence: Evidence | None = None
    closing: Closing | None = None
    reply_ready: bool = True  # a petition's task waits for the written reply
    escalation_level: int = 0
    steps: list[Step] = field(default_factory=list)
    version: int = 1

    def _step(self, kind: StepKind, by: UUID | None, at: datetime, note: str | None = None) -> None:
        self.steps.append(Step(kind, by, at, note))

    def _require(self, *allowed: TaskStatus) -> None:
        if self.status not in allowed:
            raise ConflictError("task_status_invalid", status=self.status.value)

    def start(self, by: Actor, at: datetime) -> None:
        self._require_assignee(by)
        self._require(TaskStatus.OPEN)
        self.status = TaskStatus.IN_PROGRESS
        self._step(StepKind.STARTED, by.person_id, at)

    def submit(self, by: Actor, evidence: Evidence, at: datetime) -> None:
        self._require_assignee(by)
        self._require(TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
        evidence.check()
        self.evidence, self.status = evidence, TaskStatus.SUBMITTED
        self._step(StepKind.SUBMITTED, by.person_id, at, evidence.note)

    def return_(self, by: Actor, reason: str, at: datetime) -> None:
        self._require_verifier(by)
        self._require(TaskStatus.SUBMITTED)
        if not reason.strip():
            raise RuleViolationError("return_reason_required")
        self.status = TaskStatus.IN_PROGRESS
        self._step(StepKind.RETURNED, by.person_id, at, reason)

    def close(self, by: Actor, closing: Closing, at: datetime) -> None:
        self._require_verifier(by)
        self._require(TaskStatus.SUBMITTED)
        closing.check()
        if not self.reply_ready:
            raise RuleViolationError("petition_reply_required")
        self.closing, self.status = closing, TaskStatus.CLOSED
        self._step(StepKind.CLOSED, by.person_id, at, closing.resolution.value)

    def reopen(self, by: Actor | None, reason: str, at: datetime) -> None:
        """By a verifier, or (``by`` None) because the petitioner is not satisfied."""
        if by is not None:
            self._require_verifier(by)
        self._require(TaskStatus.CLOSED)
        self.status, self.closing = TaskStatus.IN_PROGRESS, None
        self._step(StepKind.REOPENED, by.person_id if by else None, at, reason)

    def reassign(self, by: Actor, to: UUID, reason: str, at: datetime) -> UUID:
        """Handed to someone else by the unit's head or a verifier; returns the previous
        assignee. The assignee never hands off her own task."""
        self._require_planner(by, reason)
        if to == self.assignee_id:
            raise RuleViolationError("assignee_unchanged")
        previous, self.assignee_id = self.assignee_id, to
        self.steps.append(Step(StepKind.REASSIGNED, by.person_id, at, reason, person_id=to))
        return previous

    def extend(self, by: Actor, due_on: date, reason: str, at: datetime) -> None:
        """A later due date, with a reason; the escalation ladder starts again from the bottom
        should the new date pass too. The assignee never extends her own deadline."""
        self._require_planner(by, reason)
        if due_on <= self.due_on:
            raise RuleViolationError("due_date_not_later")
        self.due_on, self.escalation_level = due_on, 0
        self.steps.append(Step(StepKind.EXTENDED, by.person_id, at, reason, due_on=due_on))

    def _require_planner(self, by: Actor, reason: str) -> None:
        """Who changes a task's owner or date: whoever manages tasks over its unit (the unit's
        head, a leader, an inspector), never its assignee; not once it is closed; with a reason."""
        if by.person_id == self.assignee_id or not by.may(Permission.MANAGE_TASKS, self.unit_path):
            raise ForbiddenError("task_plan_forbidden")
        self._require(TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.SUBMITTED)
        if not reason.strip():
            raise RuleViolationError("change_reason_required")

    def escalate_to(self, level: int, unit_id: UUID, at: datetime) -> None:
        self.escalation_level = level
        self.steps.append(Step(StepKind.ESCALATED, None, at, f"level {level}", unit_id))

    def _require_assignee(self, by: Actor) -> None:
        if by.person_id != self.assignee_id:
            raise ForbiddenError("task_assignee_only")

    def _require_verifier(self, by: Actor) -> None:
        """An inspector or leader over the task's unit who is not its assignee."""
        if by.person_id == self.assignee_id or not may_verify(by, self.unit_path):
            raise ForbiddenError("task_verify_forbidden")


def may_verify(actor: Actor, unit_path: str) -> bool:
    return any(
        g.role in {Role.INSPECTOR, Role.LEADER, Role.ADMIN} and is_within(unit_path, g.unit_path)
        for g in actor.grants
    ) and actor.may(Permission.VIEW_UNIT, unit_path)
