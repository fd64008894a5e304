"""Dialogues (đối thoại) between a ward's Party committee and the residents of the cells it
covers, after Quy định 11-QĐi/TW and art. 43 of the 2025 Law on local government: announced
ahead, every question raised answered on the spot or deferred to a written reply, results
published. Reception days (tiếp công dân) of the ward's Party head. Pure: no I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.actors import Actor, Role, is_within
from domain.clock import local_day
from domain.errors import ConflictError, ForbiddenError, NotFoundError, RuleViolationError


class DialogueKind(StrEnum):
    PERIODIC = "periodic"
    AD_HOC = "ad_hoc"


class DialogueFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    BOTH = "both"


class QuestionState(StrEnum):
    OPEN = "open"  # raised, neither answered nor deferred yet
    ANSWERED = "answered"  # on the spot
    DEFERRED = "deferred"  # to a written reply: a petition task with an owner and a deadline


@dataclass(frozen=True, slots=True)
class DialoguePolicy:
    """The numbers of the dialogue rules (CHIBO_DIALOGUE_*)."""

    notice_days: int = 7  # announced at least this many days ahead, else flagged
    results_within_days: int = 10  # results published within this many days of the dialogue
    per_year: int = 1  # a ward holds at least this many dialogues a year
    reception_days_per_month: int = 2  # the ward's Party head receives citizens this often

    def __post_init__(self) -> None:
        for name in ("notice_days", "results_within_days", "per_year", "reception_days_per_month"):
            if getattr(self, name) < 0:
                msg = f"{name.upper()} must not be negative"
                raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class CoChair:
    """Co-chairs by role: the ward's Party secretary, the chair of the people's committee …"""

    role: str
    name: str


@dataclass(frozen=True, slots=True)
class Answer:
    by_name: str
    by_title: str
    text: str
    at: datetime

    def check(self) -> None:
        if not self.text.strip():
            raise RuleViolationError("answer_text_required")
        if not self.by_name.strip() or not self.by_title.strip():
            raise RuleViolationError("answer_by_required")


@dataclass(frozen=True, slots=True)
class Deferral:
    """Deferred to a written reply: the petition (and its task) opened for it."""

    petition_id: UUID
    owner_id: UUID
    reply_due_on: date


@dataclass(slots=True)
class Question:
    id: UUID
    content: str
    asked_at: datetime
    asker_name: str | None = None  # personal: never in a notice, a push or the results notice
    answer: Answer | None = None
    deferral: Deferral | None = None

    @property
    def state(self) -> QuestionState:
        if self.answer is not None:
            return QuestionState.ANSWERED
        return QuestionState.DEFERRED if self.deferral is not None else QuestionState.OPEN


@dataclass(slots=True)
class Dialogue:
    id: UUID
    ward_id: UUID
    ward_path: str
    title: str
    kind: DialogueKind
    format: DialogueFormat
    place: str
    starts_at: datetime
    announced_at: datetime
    cell_ids: tuple[UUID, ...]  # the residential area covered
    co_chairs: tuple[CoChair, ...]
    created_by: UUID
    participants: int | None = None
    questions: list[Question] = field(default_factory=list)
    published_at: datetime | None = None
    version: int = 1

    def short_notice(self, policy: DialoguePolicy) -> bool:
        """Announced fewer than ``notice_days`` (Hà Nội) days before it starts."""
        return (local_day(self.starts_at) - local_day(self.announced_at)).days < policy.notice_days

    def results_due_on(self, policy: DialoguePolicy) -> date:
        return local_day(self.starts_at) + timedelta(days=policy.results_within_days)

    def _require_open(self) -> None:
        if self.published_at is not None:
            raise ConflictError("dialogue_published")

    def _require_started(self, at: datetime) -> None:
        if at < self.starts_at:
            raise RuleViolationError("dialogue_not_started")

    def question(self, question_id: UUID) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise NotFoundError("question_not_found")

    def raise_question(self, question: Question) -> None:
        self._require_open()
        self._require_started(question.asked_at)
        if not question.content.strip():
            raise RuleViolationError("question_content_required")
        self.questions.append(question)

    def _open_question(self, question_id: UUID) -> Question:
        self._require_open()
        question = self.question(question_id)
        if question.state is not QuestionState.OPEN:
            raise ConflictError("question_already_handled", state=question.state.value)
        return question

    def answer(self, question_id: UUID, answer: Answer) -> Question:
        question = self._open_question(question_id)
        answer.check()
        question.answer = answer
        return question

    def check_deferrable(self, question_id: UUID) -> Question:
        return self._open_question(question_id)

    def record_participants(self, participants: int, at: datetime) -> None:
        self._require_open()
        self._require_started(at)
        self.participants = participants

    def publish(self, at: datetime) -> None:
        """Refused while a question has neither an answer nor an owner with a deadline."""
        self._require_open()
        self._require_started(at)
        pending = [str(q.id) for q in self.questions if q.state is QuestionState.OPEN]
        if pending:
            raise RuleViolationError("dialogue_questions_pending", questions=pending)
        if self.participants is None:
            raise RuleViolationError("dialogue_participants_required")
        self.published_at = at


def may_hold_dialogue(actor: Actor, ward_path: str) -> bool:
    """A leader or an admin over the ward holds its dialogues and records its reception days."""
    return any(
        g.role in {Role.LEADER, Role.ADMIN} and is_within(ward_path, g.unit_path)
        for g in actor.grants
    )


def require_holder(actor: Actor, ward_path: str) -> None:
    if not may_hold_dialogue(actor, ward_path):
        raise ForbiddenError("dialogue_manage_forbidden")


@dataclass(frozen=True, slots=True)
class ReceptionDay:
    """A day the ward's Party head received citizens (Luật Tiếp công dân 2013)."""

    id: UUID
    ward_id: UUID
    ward_path: str
    day: date
    head_name: str
    citizens: int  # how many citizens were received
    recorded_by: UUID
    recorded_at: datetime
    note: str | None = None


def month_short(count: int, policy: DialoguePolicy) -> bool:
    return count < policy.reception_days_per_month
