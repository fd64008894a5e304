"""Request and response shapes of tasks and petitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import In, Out, Text, Title
from domain.tasks.model import Priority, Resolution, StepKind, Task, TaskSource, TaskStatus
from domain.tasks.ports import Comment

LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


class TaskIn(In):
    title: Title
    unit_id: UUID
    assignee_id: UUID
    due_on: date
    priority: Priority = Priority.NORMAL
    description: LongText | None = None
    id: UUID | None = None


class EvidenceIn(In):
    note: LongText
    attachment_ids: Annotated[list[UUID], msgspec.Meta(max_length=20)] = []
    no_evidence_reason: Text | None = None


class ReasonIn(In):
    reason: Text


class ReassignIn(In):
    assignee_id: UUID
    reason: Text


class ExtendIn(In):
    due_on: date
    reason: Text


class CloseIn(In):
    resolution: Resolution
    explanation: LongText | None = None
    transferred_to: Text | None = None


class CommentIn(In):
    text: LongText


class StepOut(Out):
    kind: StepKind
    by: UUID | None
    at: datetime
    note: str | None
    unit_id: UUID | None
    person_id: UUID | None  # reassigned: the new assignee
    due_on: date | None  # extended: the new due date


class TaskOut(Out):
    id: UUID
    title: str
    description: str | None
    unit_id: UUID
    assignee_id: UUID
    source: TaskSource
    source_id: UUID | None
    priority: Priority
    due_on: date
    status: TaskStatus
    evidence_note: str | None
    evidence_attachment_ids: list[UUID]
    no_evidence_reason: str | None
    resolution: Resolution | None
    explanation: str | None
    transferred_to: str | None
    waiting_for_reply: bool
    escalation_level: int
    history: list[StepOut]
    created_at: datetime
    version: int

    @classmethod
    def of(cls, t: Task) -> TaskOut:
        return cls(
            id=t.id,
            title=t.title,
            description=t.description,
            unit_id=t.unit_id,
            assignee_id=t.assignee_id,
            source=t.source,
            source_id=t.source_id,
            priority=t.priority,
            due_on=t.due_on,
            status=t.status,
            evidence_note=t.evidence.note if t.evidence else None,
            evidence_attachment_ids=list(t.evidence.attachment_ids) if t.evidence else [],
            no_evidence_reason=t.evidence.no_evidence_reason if t.evidence else None,
            resolution=t.closing.resolution if t.closing else None,
            explanation=t.closing.explanation if t.closing else None,
            transferred_to=t.closing.transferred_to if t.closing else None,
            waiting_for_reply=not t.reply_ready,
            escalation_level=t.escalation_level,
            history=[
                StepOut(
                    kind=s.kind,
                    by=s.by,
                    at=s.at,
                    note=s.note,
                    unit_id=s.unit_id,
                    person_id=s.person_id,
                    due_on=s.due_on,
                )
                for s in t.steps
            ],
            created_at=t.created_at,
            version=t.version,
        )


class CommentOut(Out):
    id: UUID
    by: UUID
    text: str
    created_at: datetime

    @classmethod
    def of(cls, c: Comment) -> CommentOut:
        return cls(id=c.id, by=c.by, text=c.text, created_at=c.created_at)
