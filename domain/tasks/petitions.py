"""Citizens' petitions: recorded with personal data kept in scope, answered in writing within
N working days by a reply naming the responsible head; their task closes only after that."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from domain.clock import local_day
from domain.errors import ConflictError, RuleViolationError


class Channel(StrEnum):
    CELL_MEETING = "cell_meeting"
    DIALOGUE = "dialogue"
    RECEPTION_DAY = "reception_day"
    OTHER = "other"


class ReplyState(StrEnum):
    """Where a petition stands against its written-reply deadline (a list filter)."""

    UNANSWERED = "unanswered"
    OVERDUE = "overdue"  # unanswered and past the deadline
    ANSWERED_ON_TIME = "answered_on_time"
    ANSWERED_LATE = "answered_late"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"


@dataclass(frozen=True, slots=True)
class PetitionPolicy:
    reply_within_working_days: int = 10


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    head_name: str
    head_title: str
    by: UUID
    at: datetime
    head_person_id: UUID | None = None
    attachment_ids: tuple[UUID, ...] = ()

    def check(self) -> None:
        if not self.text.strip():
            raise RuleViolationError("reply_text_required")
        if not self.head_name.strip() or not self.head_title.strip():
            raise RuleViolationError("reply_head_required")


@dataclass(slots=True)
class Petition:
    id: UUID
    unit_id: UUID
    unit_path: str
    task_id: UUID
    petitioner_name: str
    petitioner_contact: str | None
    channel: Channel
    category: str
    content: str
    received_at: datetime
    reply_due_on: date
    created_at: datetime
    reply: Reply | None = None
    satisfaction: Satisfaction | None = None
    version: int = 1

    @property
    def replied_late(self) -> bool | None:
        """None while unanswered; late when the reply's Hà Nội day is after the deadline."""
        if self.reply is None:
            return None
        return local_day(self.reply.at) > self.reply_due_on

    def answer(self, reply: Reply) -> None:
        if self.reply is not None:
            raise ConflictError("petition_already_replied")
        reply.check()
        self.reply = reply

    def record_satisfaction(self, value: Satisfaction) -> None:
        if self.reply is None:
            raise RuleViolationError("petition_not_replied")
        self.satisfaction = value
