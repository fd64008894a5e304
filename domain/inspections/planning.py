"""Spread a campaign of inspections over a period and staff it evenly, never double-booking.

Targets are visited one after another at even intervals over the working days of the period
(weekends and Vietnamese public holidays skipped: the calendar of deadlines); each visit takes the
least-loaded inspectors who are free for its whole window (ties broken by the order given, so the
same input always gives the same plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from domain.clock import LOCAL_TZ
from domain.errors import RuleViolationError
from domain.working_days import WorkingCalendar

Interval = tuple[datetime, datetime]
MAX_PLAN_DAYS = 731  # a campaign covers at most two years


def check_period(first: date, last: date) -> None:
    if last < first or (last - first).days >= MAX_PLAN_DAYS:
        raise RuleViolationError("plan_period_invalid")


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


def spread_days(first: date, last: date, count: int, calendar: WorkingCalendar) -> list[date]:
    """``count`` working days from ``first`` to ``last`` at even intervals over the working days,
    the first on the first working day."""
    check_period(first, last)
    days = [
        first + timedelta(days=i)
        for i in range((last - first).days + 1)
        if calendar.is_working_day(first + timedelta(days=i))
    ]
    if not days:
        raise RuleViolationError("plan_without_working_days")
    return [days[i * len(days) // count] for i in range(count)]


def plan_campaign(
    targets: list[UUID],
    first: date,
    last: date,
    inspectors: list[UUID],
    booked: dict[UUID, list[Interval]],
    calendar: WorkingCalendar,
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
    for target, day in zip(targets, spread_days(first, last, len(targets), calendar), strict=True):
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
