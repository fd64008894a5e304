"""Meeting quality use cases: the criteria set a unit uses (and a new version of it), a meeting's
score and its confirmation, a cell's annual band."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.audit import audited, bump_version, require_version
from domain.clock import LOCAL_TZ
from domain.errors import NotFoundError, RuleViolationError, StaleVersionError
from domain.meetings.model import MeetingStatus
from domain.meetings.reading import MeetingReadingService
from domain.org.model import Unit
from domain.quality.model import (
    AnnualStep,
    Band,
    CriteriaSet,
    Criterion,
    MeetingQuality,
    Thresholds,
    ancestor_ids,
    nearest,
    scored,
)
from domain.quality.ports import QualityRepository
from domain.snapshots import snapshot


@dataclass(frozen=True, slots=True)
class CriteriaDraft:
    name: str
    criteria: tuple[Criterion, ...]
    thresholds: Thresholds
    annual: tuple[AnnualStep, ...]


@dataclass(frozen=True, slots=True)
class AnnualBand:
    cell_id: UUID
    year: int
    band: Band | None  # None: no scored meeting that year
    meetings: dict[Band, int]
    criteria: CriteriaSet


class QualityService:
    def __init__(self, repo: QualityRepository, meetings: MeetingReadingService) -> None:
        self.repo = repo
        self.meetings = meetings

    async def _unit(self, actor: Actor, unit_id: UUID) -> Unit:
        unit = await self.meetings.org.get_unit(unit_id)
        if unit is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, unit.path, "unit_not_found")
        return unit

    async def _applying(self, path: str) -> CriteriaSet:
        found = nearest(await self.repo.sets_of(ancestor_ids(path)), path)
        if found is None:
            raise NotFoundError("quality_criteria_not_found")
        return found

    async def criteria(self, actor: Actor, unit_id: UUID) -> CriteriaSet:
        """The set the unit's meetings are scored with: its own or the nearest one up the tree."""
        return await self._applying((await self._unit(actor, unit_id)).path)

    async def add_criteria(self, actor: Actor, unit_id: UUID, draft: CriteriaDraft) -> CriteriaSet:
        """A new version of the unit's own set; meetings already scored keep theirs."""
        async with self.meetings.uow.atomic():
            unit = await self._unit(actor, unit_id)
            actor.require(Permission.MANAGE_ORG, unit.path, "quality_criteria_forbidden")
            if unit.is_cell:
                raise RuleViolationError("quality_criteria_on_cell")
            criteria = CriteriaSet(
                id=uuid4(),
                unit_id=unit.id,
                version=await self.repo.latest_version(unit.id) + 1,
                name=draft.name,
                criteria=draft.criteria,
                thresholds=draft.thresholds,
                annual=draft.annual,
                created_at=self.meetings.clock.now(),
                created_by=actor.person_id,
            )
            criteria.check()
            await self.repo.add_set(criteria)
            await audited(
                self.meetings.audit, actor.person_id, "quality.criteria", "CriteriaSet",
                criteria.id, unit.path, after=snapshot(criteria),
            )  # fmt: skip
            return criteria

    async def score_of(self, actor: Actor, meeting_id: UUID) -> tuple[MeetingQuality, CriteriaSet]:
        await self.meetings.meeting(actor, meeting_id)
        quality = await self.repo.get_score(meeting_id)
        if quality is None:
            raise NotFoundError("quality_score_not_found")
        return quality, await self._set_of(quality)

    async def _set_of(self, quality: MeetingQuality) -> CriteriaSet:
        criteria = await self.repo.get_set(quality.criteria_set_id)
        if criteria is None:  # sets are never deleted (a foreign key keeps them)
            raise NotFoundError("quality_criteria_not_found")
        return criteria

    async def score(
        self, actor: Actor, meeting_id: UUID, version: int, points: dict[str, int]
    ) -> tuple[MeetingQuality, CriteriaSet]:
        """The cell's committee enters the score the members agreed on (version 0: the first
        time); a new score replaces it until the attending cadre confirms it."""
        async with self.meetings.uow.atomic():
            meeting = await self.meetings.meeting(actor, meeting_id)
            actor.require(Permission.MANAGE_MEETINGS, meeting.cell_path, "quality_score_forbidden")
            if meeting.status not in {MeetingStatus.HELD, MeetingStatus.FINALIZED}:
                raise RuleViolationError("quality_meeting_not_held")
            now = self.meetings.clock.now()
            quality = await self.repo.get_score(meeting_id)
            if quality is None:
                if version != 0:  # no score yet: the phone's copy must be "none" too
                    raise StaleVersionError("version_mismatch", current_version=0)
                criteria = await self._applying(meeting.cell_path)
                quality = scored(
                    meeting.id, meeting.cell_path, criteria, points, actor.person_id, now
                )
                await self.repo.add_score(quality)
                before = None
            else:
                require_version(quality, version)
                before = snapshot(quality)
                criteria = await self._set_of(quality)
                quality.rescore(criteria, points, actor.person_id, now)
                await self.repo.save_score(quality, bump_version(quality))
            await self._audit(actor, "quality.score", quality, before)
            return quality, criteria

    async def confirm(
        self, actor: Actor, meeting_id: UUID, version: int
    ) -> tuple[MeetingQuality, CriteriaSet]:
        async with self.meetings.uow.atomic():
            meeting = await self.meetings.meeting(actor, meeting_id)
            quality = await self.repo.get_score(meeting_id)
            if quality is None:
                raise NotFoundError("quality_score_not_found")
            require_version(quality, version)
            visit = await self.meetings.repo.visit(meeting.id, actor.person_id)
            attended = (
                visit is not None
                and visit.leader_confirmed_at is not None
                and actor.may(Permission.VISIT_MEETINGS, meeting.cell_path)
            )
            before = snapshot(quality)
            quality.confirm(actor.person_id, attended, self.meetings.clock.now())
            await self.repo.save_score(quality, bump_version(quality))
            await self._audit(actor, "quality.confirm", quality, before)
            return quality, await self._set_of(quality)

    async def _audit(
        self, actor: Actor, action: str, quality: MeetingQuality, before: dict[str, object] | None
    ) -> None:
        await audited(
            self.meetings.audit, actor.person_id, action, "MeetingQuality", quality.meeting_id,
            quality.cell_path, before=before, after=snapshot(quality),
        )  # fmt: skip

    async def annual(self, actor: Actor, cell_id: UUID, year: int) -> AnnualBand:
        """The year's band of a cell by the rule of the set that applies to it now."""
        cell = await self._unit(actor, cell_id)
        criteria = await self._applying(cell.path)
        since = datetime(year, 1, 1, tzinfo=LOCAL_TZ)
        until = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)
        bands = await self.repo.bands_of(cell.id, since, until)
        return AnnualBand(
            cell.id,
            year,
            criteria.annual_band(bands),
            {band: bands.count(band) for band in Band},
            criteria,
        )
