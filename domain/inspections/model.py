"""Inspections: checklist templates, the visit, findings, conclusion, recommendations.

Status: planned -> in_progress (lead inspector checks in) -> concluded (conclusion issued, every
required item answered) -> closed (every follow-up task closed). Durations are configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.actors import is_within
from domain.errors import ConflictError, ForbiddenError, RuleViolationError
from domain.inspections.sealing import SealFacts
from domain.tasks.model import Priority


class InspectionKind(StrEnum):
    PERIODIC = "periodic"
    THEMATIC = "thematic"
    SURPRISE = "surprise"


class InspectionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    CONCLUDED = "concluded"
    CLOSED = "closed"


class AnswerKind(StrEnum):
    YES_NO = "yes_no"
    SCORE = "score"
    TEXT = "text"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class InspectionFlag(StrEnum):
    TOO_LONG = "too_long"


@dataclass(frozen=True, slots=True)
class InspectionPolicy:
    grassroots_max_days: int = 20
    extension_ratio: float = 1 / 3


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    question: str
    answer_kind: AnswerKind
    guidance: str | None = None
    max_score: int | None = None
    required: bool = True
    photo_required: bool = False


@dataclass(frozen=True, slots=True)
class ChecklistTemplate:
    id: UUID
    name: str
    version: int
    items: tuple[ChecklistItem, ...]
    created_at: datetime
    unit_id: UUID  # the owner: its subtree uses the template, its planners publish versions
    unit_path: str
    family_id: UUID | None = None  # the first version's id; None before it is stored

    def check(self) -> None:
        keys = [i.key for i in self.items]
        if not keys or len(set(keys)) != len(keys):
            raise RuleViolationError("checklist_items_invalid")
        for item in self.items:
            if (item.answer_kind is AnswerKind.SCORE) != (item.max_score is not None):
                raise RuleViolationError("checklist_items_invalid", item=item.key)


@dataclass(frozen=True, slots=True)
class TemplateOwners:
    """Whose checklist templates a caller may list: owners on the way from the root down to a
    unit of the caller's scope (``at``), or inside that scope (``within``)."""

    at: frozenset[str]
    within: tuple[str, ...]

    @classmethod
    def of(cls, scopes: tuple[str, ...]) -> TemplateOwners:
        return cls(frozenset(a for s in scopes for a in units_above(s)), scopes)

    def admit(self, owner_path: str) -> bool:
        return owner_path in self.at or any(is_within(owner_path, s) for s in self.within)


def units_above(path: str) -> list[str]:
    """ "/a/b/c/" -> ["/a/", "/a/b/", "/a/b/c/"]: the units containing a unit, itself included."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@dataclass(slots=True)
class Answer:
    item_key: str
    value: str | int | bool
    note: str | None = None
    photo_ids: tuple[UUID, ...] = ()


@dataclass(slots=True)
class Finding:
    id: UUID
    text: str
    severity: Severity


@dataclass(slots=True)
class Recommendation:
    id: UUID
    text: str
    due_on: date
    responsible_unit_id: UUID | None = None
    responsible_person_id: UUID | None = None
    task_id: UUID | None = None
    priority: Priority = Priority.NORMAL  # its task's: urgent ones escalate sooner


@dataclass(slots=True)
class Inspection:
    id: UUID
    target_id: UUID
    target_path: str
    kind: InspectionKind
    status: InspectionStatus
    window_start: datetime
    window_end: datetime
    topic: str
    lead_id: UUID
    member_ids: tuple[UUID, ...]
    template: ChecklistTemplate
    created_by: UUID
    created_at: datetime
    updated_at: datetime
    plan_id: UUID | None = None
    lead_checked_in_at: datetime | None = None
    check_in_location: tuple[float, float] | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    conclusion: str | None = None
    concluded_at: datetime | None = None
    recommendations: list[Recommendation] = field(default_factory=list)
    override_reason: str | None = None
    version: int = 1

    @property
    def team(self) -> frozenset[UUID]:
        return frozenset({self.lead_id, *self.member_ids})

    @property
    def seal(self) -> SealFacts:
        return SealFacts(
            target_path=self.target_path,
            surprise=self.kind is InspectionKind.SURPRISE,
            window_start=self.window_start,
            lead_checked_in_at=self.lead_checked_in_at,
            created_by=self.created_by,
            team=self.team,
        )

    @property
    def window(self) -> tuple[datetime, datetime]:
        return self.window_start, self.window_end

    def _require_team(self, person_id: UUID) -> None:
        if person_id not in self.team:
            raise ForbiddenError("inspection_team_only")

    def _require_status(self, *allowed: InspectionStatus) -> None:
        if self.status not in allowed:
            raise ConflictError("inspection_status_invalid", status=self.status.value)

    def check_in(self, person_id: UUID, at: datetime, where: tuple[float, float] | None) -> None:
        """The lead's check-in starts the visit (and reveals a sealed inspection)."""
        self._require_team(person_id)
        self._require_status(InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
        if person_id == self.lead_id and self.lead_checked_in_at is None:
            self.lead_checked_in_at = at
            self.check_in_location = where
            self.status = InspectionStatus.IN_PROGRESS

    def answer(self, person_id: UUID, answer: Answer) -> None:
        self._require_team(person_id)
        self._require_status(InspectionStatus.IN_PROGRESS)
        item = next((i for i in self.template.items if i.key == answer.item_key), None)
        if item is None:
            raise RuleViolationError("checklist_item_unknown", item=answer.item_key)
        _check_value(item, answer)
        self.answers[item.key] = answer

    def add_finding(self, person_id: UUID, finding: Finding) -> None:
        self._require_team(person_id)
        self._require_status(InspectionStatus.IN_PROGRESS)
        self.findings.append(finding)

    def unanswered(self) -> list[str]:
        return [i.key for i in self.template.items if i.required and i.key not in self.answers]

    def conclude(
        self, person_id: UUID, text: str, recommendations: list[Recommendation], at: datetime
    ) -> None:
        if person_id != self.lead_id:
            raise ForbiddenError("inspection_lead_only")
        self._require_status(InspectionStatus.IN_PROGRESS)
        missing = self.unanswered()
        if missing:
            raise ConflictError("checklist_incomplete", missing=missing)
        self.conclusion, self.concluded_at = text, at
        self.recommendations = recommendations
        self.status = InspectionStatus.CONCLUDED

    def close(self, open_tasks: int) -> None:
        self._require_status(InspectionStatus.CONCLUDED)
        if open_tasks:
            raise ConflictError("inspection_tasks_open", open=open_tasks)
        self.status = InspectionStatus.CLOSED

    def flags(self, policy: InspectionPolicy) -> list[InspectionFlag]:
        days = (self.window_end - self.window_start) / timedelta(days=1)
        allowed = policy.grassroots_max_days * (1 + policy.extension_ratio)
        return [InspectionFlag.TOO_LONG] if days > allowed else []


def _check_value(item: ChecklistItem, answer: Answer) -> None:
    value = answer.value
    valid = {
        AnswerKind.YES_NO: isinstance(value, bool),
        AnswerKind.SCORE: isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value <= (item.max_score or 0),
        AnswerKind.TEXT: isinstance(value, str) and bool(value.strip()),
    }[item.answer_kind]
    if not valid:
        raise RuleViolationError("answer_invalid", item=item.key)
    if item.photo_required and not answer.photo_ids:
        raise RuleViolationError("answer_photo_required", item=item.key)
