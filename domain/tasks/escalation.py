"""The escalation ladder: overdue by N working days (per priority) reaches the head of the
responsible unit, then every M more working days the next unit up, never past the top."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.tasks.model import Priority
from domain.working_days import WorkingCalendar


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    urgent_after: int = 1  # working days overdue before the first rung
    normal_after: int = 3
    step_every: int = 3
    top_depth: int = 0  # the highest unit reached: 0 = the root


def ladder(unit_ids_up: list[UUID], policy: EscalationPolicy) -> list[UUID]:
    """Units whose heads are reached, in order: the responsible unit first (the list given runs
    from the responsible unit to the root); none above the configured top."""
    depth = len(unit_ids_up) - 1  # depth of the responsible unit
    allowed = max(0, depth - policy.top_depth) + 1
    return unit_ids_up[:allowed]


def due_level(
    due_on: date,
    priority: Priority,
    today: date,
    calendar: WorkingCalendar,
    policy: EscalationPolicy,
) -> int:
    """How many rungs of the ladder an overdue task should have climbed by ``today``."""
    late = calendar.working_days_between(due_on, today)
    first = policy.urgent_after if priority is Priority.URGENT else policy.normal_after
    if late < first:
        return 0
    return 1 + (late - first) // policy.step_every
