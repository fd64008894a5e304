"""Storage the inspection use cases need (implemented in db/repositories/inspections.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from domain.actors import Actor
from domain.inspections.model import (
    ChecklistTemplate,
    Inspection,
    InspectionKind,
    InspectionStatus,
    TemplateOwners,
)
from domain.inspections.planning import Interval
from domain.pagination import Page, PageRequest
from domain.tasks.model import Priority


@dataclass(frozen=True, slots=True)
class InspectionFilter:
    within_path: str | None = None
    target_id: UUID | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    status: InspectionStatus | None = None
    kind: InspectionKind | None = None
    inspector_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class SealedRead:
    inspection_id: UUID
    person_id: UUID
    endpoint: str
    at: datetime


class FollowUps(Protocol):
    async def open_follow_up(
        self,
        actor: Actor,
        unit_id: UUID,
        assignee_id: UUID | None,
        title: str,
        due_on: date,
        priority: Priority,
        source_id: UUID,
    ) -> UUID:
        """Open the follow-up task of a recommendation; returns the task's id."""


class InspectionRepository(Protocol):
    async def template(self, template_id: UUID) -> ChecklistTemplate | None: ...
    async def latest_template(self, family_id: UUID) -> ChecklistTemplate | None: ...
    async def add_template(self, family_id: UUID, template: ChecklistTemplate) -> None: ...
    async def list_templates(
        self, owners: TemplateOwners, page: PageRequest
    ) -> Page[ChecklistTemplate]:
        """Every version of the templates ``owners`` admits, oldest first."""

    async def get(self, inspection_id: UUID) -> Inspection | None: ...
    async def overlapping(self, target_id: UUID, window: Interval) -> list[Inspection]:
        """The target unit's inspections whose window overlaps ``window``, sealed ones too."""

    async def of_plan(self, plan_id: UUID) -> list[Inspection]:
        """The inspections a campaign plan created, by window start."""

    async def add(self, inspection: Inspection) -> None: ...
    async def save(self, inspection: Inspection, expected_version: int) -> None: ...
    async def bookings(
        self, inspector_ids: list[UUID], window: Interval, excluding: list[UUID]
    ) -> dict[UUID, list[Interval]]:
        """The windows the inspectors are booked in that overlap ``window``, leaving out the
        inspections ``excluding`` names."""

    async def visible(
        self, actor: Actor, now: datetime, where: InspectionFilter, page: PageRequest
    ) -> Page[Inspection]:
        """Inspections the actor may see, sealing applied inside the query."""

    async def sealed(self, now: datetime) -> list[Inspection]:
        """Every inspection sealed at ``now`` (surprise, not started, lead not checked in)."""

    async def log_sealed_read(self, read: SealedRead) -> None: ...
    async def sealed_reads(self, inspection_id: UUID) -> list[SealedRead]: ...
