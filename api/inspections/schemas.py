"""Request and response shapes of inspections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import In, Name, Out, Text
from domain.inspections.model import (
    AnswerKind,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionFlag,
    InspectionKind,
    InspectionPolicy,
    InspectionStatus,
    Recommendation,
    Severity,
)
from domain.inspections.planning import PlannedVisit
from domain.inspections.ports import SealedRead
from domain.tasks.model import Priority

LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=50_000)]
Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]


class ChecklistItemIn(In):
    key: Key
    question: Text
    answer_kind: AnswerKind
    guidance: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    max_score: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    required: bool = True
    photo_required: bool = False

    def to_domain(self) -> ChecklistItem:
        return ChecklistItem(
            key=self.key,
            question=self.question,
            answer_kind=self.answer_kind,
            guidance=self.guidance,
            max_score=self.max_score,
            required=self.required,
            photo_required=self.photo_required,
        )


class TemplateIn(In):
    name: Name
    items: Annotated[list[ChecklistItemIn], msgspec.Meta(min_length=1, max_length=200)]


class NewTemplateIn(TemplateIn):
    # the owner; left out, the one unit where the caller plans inspections
    unit_id: UUID | None = None


class ChecklistItemOut(Out):
    key: str
    question: str
    answer_kind: AnswerKind
    guidance: str | None
    max_score: int | None
    required: bool
    photo_required: bool


class TemplateOut(Out):
    id: UUID
    family_id: UUID | None  # the id of version 1; every version of a template shares it
    name: str
    version: int
    items: list[ChecklistItemOut]
    created_at: datetime
    unit_id: UUID  # the owner

    @classmethod
    def of(cls, t: ChecklistTemplate) -> TemplateOut:
        return cls(
            id=t.id,
            unit_id=t.unit_id,
            family_id=t.family_id,
            name=t.name,
            version=t.version,
            items=[
                ChecklistItemOut(
                    key=i.key,
                    question=i.question,
                    answer_kind=i.answer_kind,
                    guidance=i.guidance,
                    max_score=i.max_score,
                    required=i.required,
                    photo_required=i.photo_required,
                )
                for i in t.items
            ],
            created_at=t.created_at,
        )


class PlanIn(In):
    unit_id: UUID
    first_day: date
    last_day: date
    topic: Text
    kind: InspectionKind
    template_id: UUID
    inspector_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=100)]
    team_size: Annotated[int, msgspec.Meta(ge=1, le=10)] = 1
    visit_days: Annotated[int, msgspec.Meta(ge=1, le=27)] = 1


class PlannedVisitOut(Out):
    target_id: UUID
    window_start: datetime
    window_end: datetime
    lead_id: UUID | None
    member_ids: list[UUID]
    staffed: bool

    @classmethod
    def of(cls, v: PlannedVisit) -> PlannedVisitOut:
        return cls(
            target_id=v.target_id,
            window_start=v.window[0],
            window_end=v.window[1],
            lead_id=v.lead_id,
            member_ids=list(v.member_ids),
            staffed=v.staffed,
        )


class InspectionIn(In):
    target_id: UUID
    kind: InspectionKind
    window_start: datetime
    window_end: datetime
    topic: Text
    lead_id: UUID
    template_id: UUID
    member_ids: Annotated[list[UUID], msgspec.Meta(max_length=20)] = []
    override_reason: Text | None = None
    id: UUID | None = None


class LocationIn(In):
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class InspectionCheckInIn(In):
    location: LocationIn | None = None


class AnswerIn(In):
    value: bool | int | Annotated[str, msgspec.Meta(max_length=10_000)]
    note: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None
    photo_ids: Annotated[list[UUID], msgspec.Meta(max_length=20)] = []


class FindingIn(In):
    text: LongText
    severity: Severity


class RecommendationIn(In):
    text: LongText
    due_on: date
    responsible_unit_id: UUID | None = None
    responsible_person_id: UUID | None = None
    priority: Priority = Priority.NORMAL


class ConclusionIn(In):
    text: LongText
    recommendations: Annotated[list[RecommendationIn], msgspec.Meta(max_length=100)] = []


class AnswerOut(Out):
    item_key: str
    value: bool | int | str
    note: str | None
    photo_ids: list[UUID]


class FindingOut(Out):
    id: UUID
    text: str
    severity: Severity


class RecommendationOut(Out):
    id: UUID
    text: str
    due_on: date
    responsible_unit_id: UUID | None
    responsible_person_id: UUID | None
    task_id: UUID | None
    priority: Priority

    @classmethod
    def of(cls, r: Recommendation) -> RecommendationOut:
        return cls(
            id=r.id,
            text=r.text,
            due_on=r.due_on,
            responsible_unit_id=r.responsible_unit_id,
            responsible_person_id=r.responsible_person_id,
            task_id=r.task_id,
            priority=r.priority,
        )


class InspectionOut(Out):
    id: UUID
    target_id: UUID
    kind: InspectionKind
    status: InspectionStatus
    window_start: datetime
    window_end: datetime
    topic: str
    lead_id: UUID
    member_ids: list[UUID]
    template: TemplateOut
    created_by: UUID
    plan_id: UUID | None
    lead_checked_in_at: datetime | None
    answers: list[AnswerOut]
    unanswered: list[str]
    findings: list[FindingOut]
    conclusion: str | None
    concluded_at: datetime | None
    recommendations: list[RecommendationOut]
    override_reason: str | None
    flags: list[InspectionFlag]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, i: Inspection, policy: InspectionPolicy) -> InspectionOut:
        return cls(
            id=i.id,
            target_id=i.target_id,
            kind=i.kind,
            status=i.status,
            window_start=i.window_start,
            window_end=i.window_end,
            topic=i.topic,
            lead_id=i.lead_id,
            member_ids=list(i.member_ids),
            template=TemplateOut.of(i.template),
            created_by=i.created_by,
            plan_id=i.plan_id,
            lead_checked_in_at=i.lead_checked_in_at,
            answers=[
                AnswerOut(
                    item_key=a.item_key, value=a.value, note=a.note, photo_ids=list(a.photo_ids)
                )
                for a in i.answers.values()
            ],
            unanswered=i.unanswered(),
            findings=[FindingOut(id=f.id, text=f.text, severity=f.severity) for f in i.findings],
            conclusion=i.conclusion,
            concluded_at=i.concluded_at,
            recommendations=[RecommendationOut.of(r) for r in i.recommendations],
            override_reason=i.override_reason,
            flags=i.flags(policy),
            created_at=i.created_at,
            updated_at=i.updated_at,
            version=i.version,
        )


class SealedReadOut(Out):
    person_id: UUID
    endpoint: str
    at: datetime

    @classmethod
    def of(cls, r: SealedRead) -> SealedReadOut:
        return cls(person_id=r.person_id, endpoint=r.endpoint, at=r.at)
