"""The quality of a cell's meeting (xếp loại chất lượng sinh hoạt chi bộ): criteria sets kept as
versioned configuration per unit, a meeting's score and band, its confirmation by the attending
upper-level cadre, and a cell's annual band.

The numbers (points, band thresholds, the annual rule) belong to the criteria set, never to the
code: provinces publish different sheets, and a meeting keeps the version it was scored with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.errors import ConflictError, ForbiddenError, RuleViolationError


class Band(StrEnum):
    """Best first: Tốt, Khá, Trung bình, Kém."""

    GOOD = "good"
    FAIR = "fair"
    AVERAGE = "average"
    POOR = "poor"

    @property
    def rank(self) -> int:
        return list(Band).index(self)

    def at_least(self, other: Band) -> bool:
        return self.rank <= other.rank


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    group: str  # preparation, attendance, conduct, closing …: a heading of the sheet
    title: str
    max_points: int
    must_be_full: bool = False  # "Tốt" needs the full points of this criterion


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The least total of each band above Kém."""

    good: int = 90
    fair: int = 70
    average: int = 50

    def band(self, total: int) -> Band:
        if total >= self.good:
            return Band.GOOD
        if total >= self.fair:
            return Band.FAIR
        if total >= self.average:
            return Band.AVERAGE
        return Band.POOR


@dataclass(frozen=True, slots=True)
class AnnualStep:
    """A cell's year earns ``band`` when at least ``meetings`` of its scored meetings are rated
    ``band`` or better and none is rated below ``none_below`` (when given)."""

    band: Band
    meetings: int
    none_below: Band | None = None

    def holds(self, bands: list[Band]) -> bool:
        enough = sum(b.at_least(self.band) for b in bands) >= self.meetings
        floor = self.none_below
        return enough and (floor is None or all(b.at_least(floor) for b in bands))


@dataclass(frozen=True, slots=True)
class Score:
    total: int
    band: Band
    capped: bool  # the total reached Tốt but a must-be-full criterion was not full


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    id: UUID
    unit_id: UUID | None  # None: the service's default, used where no unit up the tree chose one
    version: int
    name: str
    criteria: tuple[Criterion, ...]
    thresholds: Thresholds
    annual: tuple[AnnualStep, ...]  # tried in order; a year none of them fits is Kém
    created_at: datetime
    created_by: UUID | None = None

    def check(self) -> None:
        """A set that can be used: distinct codes, positive points, bands in order."""
        errors: list[tuple[str, str]] = []
        codes = [c.code for c in self.criteria]
        if not self.criteria:
            errors.append(("criteria", "at least one criterion"))
        if len(set(codes)) != len(codes):
            errors.append(("criteria", "codes must be distinct"))
        errors += [
            (f"criteria[{n}].maxPoints", "must be positive")
            for n, c in enumerate(self.criteria)
            if c.max_points <= 0
        ]
        t = self.thresholds
        if not 0 < t.average < t.fair < t.good <= self.max_total:
            errors.append(("thresholds", "0 < average < fair < good <= the total of the points"))
        bands = [step.band for step in self.annual]
        if len(set(bands)) != len(bands) or Band.POOR in bands:
            errors.append(("annual", "one step per band above poor"))
        if bands != sorted(bands, key=lambda b: b.rank):
            errors.append(("annual", "steps from the best band down"))
        if errors:
            raise RuleViolationError("quality_criteria_invalid", errors=errors)

    @property
    def max_total(self) -> int:
        return sum(c.max_points for c in self.criteria)

    def score(self, points: Mapping[str, int]) -> Score:
        """Every criterion scored, within its points; Tốt needs the must-be-full ones full."""
        by_code = {c.code: c for c in self.criteria}
        errors = [
            (f"points.{code}", "not a criterion of the set") for code in points.keys() - by_code
        ]
        errors += [(f"points.{code}", "not scored") for code in by_code.keys() - points.keys()]
        errors += [
            (f"points.{code}", f"between 0 and {by_code[code].max_points}")
            for code, value in points.items()
            if code in by_code and not 0 <= value <= by_code[code].max_points
        ]
        if errors:
            raise RuleViolationError("quality_points_invalid", errors=sorted(errors))
        total = sum(points.values())
        band = self.thresholds.band(total)
        capped = band is Band.GOOD and any(
            points[c.code] < c.max_points for c in self.criteria if c.must_be_full
        )
        return Score(total, Band.FAIR if capped else band, capped)

    def annual_band(self, bands: Iterable[Band]) -> Band | None:
        """The year's band from its meetings' bands; None for a year without a scored meeting."""
        scored = list(bands)
        if not scored:
            return None
        return next((step.band for step in self.annual if step.holds(scored)), Band.POOR)


@dataclass(slots=True)
class MeetingQuality:
    """A meeting's score on the criteria set version it was first scored with."""

    meeting_id: UUID
    cell_path: str
    criteria_set_id: UUID
    points: dict[str, int]
    total: int
    band: Band
    scored_by: UUID
    scored_at: datetime
    confirmed_by: UUID | None = None
    confirmed_at: datetime | None = None
    version: int = 1

    def rescore(
        self, criteria: CriteriaSet, points: dict[str, int], by: UUID, at: datetime
    ) -> None:
        if self.confirmed_at is not None:
            raise ConflictError("quality_already_confirmed")
        self.apply(criteria, points, by, at)

    def apply(self, criteria: CriteriaSet, points: dict[str, int], by: UUID, at: datetime) -> None:
        score = criteria.score(points)
        self.points, self.total, self.band = points, score.total, score.band
        self.scored_by, self.scored_at = by, at

    def confirm(self, by: UUID, attended: bool, at: datetime) -> None:
        """Only an upper-level cadre who attended the meeting as a leader's visit, and not the
        person who entered the score."""
        if self.confirmed_at is not None:
            raise ConflictError("quality_already_confirmed")
        if not attended or by == self.scored_by:
            raise ForbiddenError("quality_confirm_forbidden")
        self.confirmed_by, self.confirmed_at = by, at


def scored(
    meeting_id: UUID,
    cell_path: str,
    criteria: CriteriaSet,
    points: dict[str, int],
    by: UUID,
    at: datetime,
) -> MeetingQuality:
    score = criteria.score(points)
    return MeetingQuality(
        meeting_id, cell_path, criteria.id, points, score.total, score.band, by, at
    )


def ancestor_ids(path: str) -> list[UUID]:
    """The units of a materialized path, the root first and the unit itself last."""
    return [UUID(hex=part) for part in path.strip("/").split("/") if part]


def nearest(sets: Iterable[CriteriaSet], path: str) -> CriteriaSet | None:
    """The latest version of the set of the nearest unit up the tree that chose one; the default
    (no unit) when none did."""
    depth = {unit: n for n, unit in enumerate(ancestor_ids(path))}
    candidates = [s for s in sets if s.unit_id is None or s.unit_id in depth]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (-1 if s.unit_id is None else depth[s.unit_id], s.version))
