"""Satisfaction surveys (khảo sát mức độ hài lòng): after each contact a resident has with the
Party's officials — a petition's written reply, a dialogue, the closing of a petition's task —
one short answer through a single-use link: a 5-point scale, whether the matter was resolved,
and a reason for the two lowest scores. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from uuid import UUID

from domain.errors import ConflictError, RuleViolationError


class ContactKind(StrEnum):
    PETITION_REPLY = "petition_reply"  # the written reply to a petition (after a delay)
    DIALOGUE = "dialogue"  # a dialogue whose results are published; one survey per participant
    TASK_CLOSED = "task_closed"  # a petition's task closed


class Score(IntEnum):
    VERY_DISSATISFIED = 1
    DISSATISFIED = 2
    NEUTRAL = 3
    SATISFIED = 4
    VERY_SATISFIED = 5


SCORE_LABELS: dict[Score, str] = {
    Score.VERY_SATISFIED: "Rất hài lòng",
    Score.SATISFIED: "Hài lòng",
    Score.NEUTRAL: "Bình thường",
    Score.DISSATISFIED: "Không hài lòng",
    Score.VERY_DISSATISFIED: "Rất không hài lòng",
}
REASON_BELOW = Score.NEUTRAL  # a score under this needs a reason
SATISFIED_FROM = Score.SATISFIED  # "satisfied" in the figures: 4 and 5


class Resolved(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"  # "don't know"


@dataclass(frozen=True, slots=True)
class SurveyPolicy:
    """The numbers of the survey rules (CHIBO_SURVEY_*)."""

    delay_hours: int = 48  # a petition's reply is rated this long after it was given
    link_days: int = 14  # a link works this many days after it was issued
    low_sample: int = 30  # figures over fewer answers are marked low-sample

    def __post_init__(self) -> None:
        if self.link_days < 1 or self.low_sample < 1:
            msg = "SURVEY_LINK_DAYS and SURVEY_LOW_SAMPLE must be at least 1"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact worth a survey: what it was about, the unit that handled it, and the task a
    "not resolved" answer reopens (a petition's)."""

    kind: ContactKind
    subject_id: UUID  # the petition, the dialogue or the task
    unit_id: UUID
    unit_path: str
    at: datetime
    task_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class Attribution:
    """Whom an answer counts for, as things stood when it was given: later moves of the unit or
    a new head leave it where it was."""

    unit_id: UUID
    unit_path: str
    head_person_id: UUID | None
    head_name: str


@dataclass(frozen=True, slots=True)
class Rating:
    score: Score
    resolved: Resolved
    reason: str | None = None

    def check(self) -> None:
        if self.score < REASON_BELOW and not (self.reason or "").strip():
            raise RuleViolationError("survey_reason_required")

    @property
    def satisfied(self) -> bool:
        return self.score >= SATISFIED_FROM


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """One answer; who gave it is never kept. ``entered_by`` is the staff member of an assisted
    answer (kept for the audit, never shown), None for one given through the link."""

    id: UUID
    survey_id: UUID
    rating: Rating
    attribution: Attribution
    answered_at: datetime
    entered_by: UUID | None = None

    @property
    def assisted(self) -> bool:
        return self.entered_by is not None


class LinkState(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"  # no such link, or replaced by a newer one
    EXPIRED = "expired"
    ANSWERED = "answered"


@dataclass(slots=True)
class Survey:
    id: UUID
    contact: Contact
    opens_at: datetime
    created_at: datetime
    link_hash: str | None = None
    link_expires_at: datetime | None = None
    answered_at: datetime | None = None
    slot: int | None = None  # a dialogue's: its place among the participants, from 1

    @property
    def unit_path(self) -> str:
        return self.contact.unit_path

    def link_state(self, at: datetime) -> LinkState:
        if self.answered_at is not None:
            return LinkState.ANSWERED
        if self.link_expires_at is None or at >= self.link_expires_at:
            return LinkState.EXPIRED
        return LinkState.OPEN

    def issue_link(self, link_hash: str, at: datetime, policy: SurveyPolicy) -> None:
        """A new link replaces any earlier one; not before the survey opens, not once answered."""
        self._require_unanswered()
        if at < self.opens_at:
            raise ConflictError("survey_not_open", opensAt=self.opens_at.isoformat())
        self.link_hash = link_hash
        self.link_expires_at = at + timedelta(days=policy.link_days)

    def answer(self, rating: Rating, at: datetime) -> None:
        self._require_unanswered()
        if at < self.opens_at:
            raise ConflictError("survey_not_open", opensAt=self.opens_at.isoformat())
        rating.check()
        self.answered_at = at

    def _require_unanswered(self) -> None:
        if self.answered_at is not None:
            raise ConflictError("survey_already_answered")


def opens_at(contact: Contact, policy: SurveyPolicy) -> datetime:
    """A reply is rated once the resident has had time to read and act on it; the rest at once."""
    if contact.kind is ContactKind.PETITION_REPLY:
        return contact.at + timedelta(hours=policy.delay_hours)
    return contact.at


def reopen_reason(rating: Rating) -> str:
    """The step note of a task reopened by a "not resolved" answer: the answer's own words."""
    said = (rating.reason or "").strip()
    head = f"Người dân đánh giá: chưa được giải quyết ({SCORE_LABELS[rating.score]})"
    return f"{head}: {said}" if said else head


# -- the figures ------------------------------------------------------------------------------


def percent(part: int, whole: int) -> float | None:
    """In percent with one decimal, as the cell report's rates; None over nothing."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True, slots=True)
class Tally:
    """Answers of one group. The headline figures count only answers given through the link;
    assisted answers (entered by staff) are counted apart."""

    answers: int = 0
    satisfied: int = 0
    not_resolved: int = 0
    assisted: int = 0

    def add(self, answer: SurveyAnswer) -> Tally:
        if answer.assisted:
            return Tally(self.answers, self.satisfied, self.not_resolved, self.assisted + 1)
        return Tally(
            self.answers + 1,
            self.satisfied + answer.rating.satisfied,
            self.not_resolved + (answer.rating.resolved is Resolved.NO),
            self.assisted,
        )

    @property
    def satisfied_rate(self) -> float | None:
        return percent(self.satisfied, self.answers)

    @property
    def not_resolved_rate(self) -> float | None:
        return percent(self.not_resolved, self.answers)

    def low_sample(self, policy: SurveyPolicy) -> bool:
        return self.answers < policy.low_sample


@dataclass(frozen=True, slots=True)
class Reach:
    """Surveys that opened in the period, and how many of them got an answer through the link."""

    opened: int = 0
    answered: int = 0

    @property
    def response_rate(self) -> float | None:
        return percent(self.answered, self.opened)


@dataclass(frozen=True, slots=True)
class OpenedSurvey:
    """A survey opened in the period, for the response rate: its unit, and whether it was
    answered through its link."""

    unit_id: UUID
    answered_by_link: bool


def tally(answers: Iterable[SurveyAnswer]) -> Tally:
    total = Tally()
    for answer in answers:
        total = total.add(answer)
    return total


def reach(opened: Iterable[OpenedSurvey]) -> Reach:
    surveys = list(opened)
    return Reach(len(surveys), sum(s.answered_by_link for s in surveys))
