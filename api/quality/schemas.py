"""Request and response shapes of meeting quality: criteria sets, scores, the annual band."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import In, Out, ShortText, Title
from domain.quality.model import (
    AnnualStep,
    Band,
    CriteriaSet,
    Criterion,
    MeetingQuality,
    Thresholds,
)
from domain.quality.service import AnnualBand, CriteriaDraft

Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$", max_length=40)]
Points = Annotated[int, msgspec.Meta(ge=0, le=1000)]
Meetings = Annotated[int, msgspec.Meta(ge=0, le=366)]


class CriterionIn(In):
    code: Code
    group: ShortText
    title: Title
    max_points: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    must_be_full: bool = False


class ThresholdsIn(In):
    """The least total of each band above Kém (poor)."""

    good: Points
    fair: Points
    average: Points


class AnnualStepIn(In):
    band: Band
    meetings: Meetings
    none_below: Band | None = None


class CriteriaSetIn(In):
    name: Title
    criteria: Annotated[list[CriterionIn], msgspec.Meta(min_length=1, max_length=100)]
    thresholds: ThresholdsIn
    annual: Annotated[list[AnnualStepIn], msgspec.Meta(max_length=3)]

    def to_domain(self) -> CriteriaDraft:
        t = self.thresholds
        return CriteriaDraft(
            name=self.name,
            criteria=tuple(
                Criterion(c.code, c.group, c.title, c.max_points, c.must_be_full)
                for c in self.criteria
            ),
            thresholds=Thresholds(t.good, t.fair, t.average),
            annual=tuple(AnnualStep(s.band, s.meetings, s.none_below) for s in self.annual),
        )


class CriterionOut(Out):
    code: str
    group: str
    title: str
    max_points: int
    must_be_full: bool


class ThresholdsOut(Out):
    good: int
    fair: int
    average: int


class AnnualStepOut(Out):
    band: Band
    meetings: int
    none_below: Band | None


class CriteriaSetOut(Out):
    id: UUID
    unit_id: UUID | None  # null: the service's default set
    version: int
    name: str
    criteria: list[CriterionOut]
    thresholds: ThresholdsOut
    annual: list[AnnualStepOut]
    max_total: int
    created_at: datetime

    @classmethod
    def of(cls, s: CriteriaSet) -> CriteriaSetOut:
        t = s.thresholds
        return cls(
            id=s.id,
            unit_id=s.unit_id,
            version=s.version,
            name=s.name,
            criteria=[
                CriterionOut(
                    code=c.code,
                    group=c.group,
                    title=c.title,
                    max_points=c.max_points,
                    must_be_full=c.must_be_full,
                )
                for c in s.criteria
            ],
            thresholds=ThresholdsOut(good=t.good, fair=t.fair, average=t.average),
            annual=[
                AnnualStepOut(band=a.band, meetings=a.meetings, none_below=a.none_below)
                for a in s.annual
            ],
            max_total=s.max_total,
            created_at=s.created_at,
        )


class ScoreIn(In):
    points: Annotated[dict[Code, Points], msgspec.Meta(max_length=100)]


class MeetingQualityOut(Out):
    meeting_id: UUID
    criteria_set_id: UUID
    criteria_version: int
    points: dict[str, int]
    total: int
    max_total: int
    band: Band
    scored_by: UUID
    scored_at: datetime
    confirmed_by: UUID | None
    confirmed_at: datetime | None
    version: int

    @classmethod
    def of(cls, q: MeetingQuality, s: CriteriaSet) -> MeetingQualityOut:
        return cls(
            meeting_id=q.meeting_id,
            criteria_set_id=s.id,
            criteria_version=s.version,
            points=q.points,
            total=q.total,
            max_total=s.max_total,
            band=q.band,
            scored_by=q.scored_by,
            scored_at=q.scored_at,
            confirmed_by=q.confirmed_by,
            confirmed_at=q.confirmed_at,
            version=q.version,
        )


class AnnualQualityOut(Out):
    cell_id: UUID
    year: int
    band: Band | None  # null: no scored meeting that year
    meetings: dict[Band, int]  # scored meetings by band
    criteria_set_id: UUID
    criteria_version: int

    @classmethod
    def of(cls, a: AnnualBand) -> AnnualQualityOut:
        return cls(
            cell_id=a.cell_id,
            year=a.year,
            band=a.band,
            meetings=a.meetings,
            criteria_set_id=a.criteria.id,
            criteria_version=a.criteria.version,
        )
