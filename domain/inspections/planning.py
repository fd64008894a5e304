"""Spread a campaign of inspections over a period and staff it evenly, never double-booking.

Targets are visited one after another at even intervals over the period; each visit takes the
least-loaded inspectors who are free for its whole window (ties broken by the order given, so the
same input always gives the same plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from domain.clock import LOCAL_TZ
from domain.errors import RuleViolationError

Interval = tuple[datetime, datetime]


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    target_id: UUID
    window: Interval
    lead_id: UUID | None
    member_ids: tuple[UUID, ...]

    @property
    def staffed(self) -> bool:
        return self.lead_id is not None


@dataclass(slots=True)
class _Inspector:
    id: UUID
    busy: list[Interval] = field(default_factory=list)

    def free(self, window: Interval) -> bool:
        return not any(overlaps(window, b) for b in self.busy)


def spread_days(first: date, last: date, count: int) -> list[date]:
    """``count`` days from ``first`` to ``last`` at even intervals, the first on ``first``."""
    if last < first:
        raise RuleViolationError("plan_period_invalid")
    span = (last - first).days + 1
    return [first + timedelta(days=i * span // count) for i in range(count)]


def plan_campaign(
    targets: list[UUID],
    first: date,
    last: date,
    inspectors: list[UUID],
    booked: dict[UUID, list[Interval]],
    *,
    visit_days: int = 1,
    team_size: int = 1,
    start_at: time = time(8, 0),
) -> list[PlannedVisit]:
    if not targets:
        raise RuleViolationError("plan_without_targets")
    if team_size < 1 or not inspectors:
        raise RuleViolationError("plan_without_inspectors")
    staff = [_Inspector(i, list(booked.get(i, []))) for i in inspectors]
    load = dict.fromkeys(inspectors, 0)
    visits = []
    for target, day in zip(targets, spread_days(first, last, len(targets)), strict=True):
        start = datetime.combine(day, start_at, tzinfo=LOCAL_TZ)
        window = (start, start + timedelta(days=visit_days))
        free = sorted((s for s in staff if s.free(window)), key=lambda s: load[s.id])
        chosen = free[:team_size]
        for inspector in chosen:
            inspector.busy.append(window)
            load[inspector.id] += 1
        visits.append(
            PlannedVisit(
                target_id=target,
                window=window,
                lead_id=chosen[0].id if chosen else None,
                member_ids=tuple(s.id for s in chosen[1:]),
            )
        )
    return visits
