"""Who may see an inspection, as a pure function of (actor, inspection, now).

A surprise inspection is sealed until its window starts or its lead inspector checks in, whichever
comes first. While sealed, nobody in the inspected unit or below it sees it in any way — a member
of the inspected cell included, whatever they also hold above it; the creator, the team and
leaders above the target do. Everything else follows the unit scope.

Every read derived from an inspection follows this function: by id and lists
(db/repositories/inspections.py writes the same rule as SQL), the audit trail and bookings
(InspectionService.hidden_from).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.actors import Actor, Permission, Role, is_within


@dataclass(frozen=True, slots=True)
class SealFacts:
    """The few facts of an inspection that decide visibility."""

    target_path: str
    surprise: bool
    window_start: datetime
    lead_checked_in_at: datetime | None
    created_by: UUID
    team: frozenset[UUID]


def is_sealed(facts: SealFacts, now: datetime) -> bool:
    if not facts.surprise:
        return False
    revealed_by_check_in = facts.lead_checked_in_at is not None and facts.lead_checked_in_at <= now
    return now < facts.window_start and not revealed_by_check_in


def _above_target(actor: Actor, target_path: str) -> bool:
    """A leader (or admin) whose granted unit strictly contains the target."""
    return any(
        g.role in {Role.LEADER, Role.ADMIN}
        and is_within(target_path, g.unit_path)
        and g.unit_path != target_path
        for g in actor.grants
    )


def _inside_target(actor: Actor, target_path: str) -> bool:
    """Any grant or membership on the target unit or below it: the inspected side, whatever
    the person also holds above it."""
    return any(is_within(path, target_path) for path in actor.footholds())


def may_see(actor: Actor, facts: SealFacts, now: datetime) -> bool:
    insider = actor.person_id == facts.created_by or actor.person_id in facts.team
    if is_sealed(facts, now):
        if insider:
            return True
        return _above_target(actor, facts.target_path) and not _inside_target(
            actor, facts.target_path
        )
    return insider or actor.may(Permission.VIEW_UNIT, facts.target_path)
