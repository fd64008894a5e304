"""The organisation: units as a tree of any depth, people, memberships, grants, assignments.

Level names are data ("thành ủy", "đảng ủy phường", "chi bộ" ...); only ``is_cell`` matters to the
rules: a cell is a leaf that people are members of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from domain.actors import Role, is_within
from domain.errors import ConflictError, RuleViolationError


class MembershipKind(StrEnum):
    FULL = "full"
    PROBATIONARY = "probationary"


class QuotaPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Locale(StrEnum):
    VI = "vi"
    EN = "en"


def unit_path(parent_path: str | None, unit_id: UUID) -> str:
    return f"{parent_path or '/'}{unit_id.hex}/"


@dataclass(slots=True)
class Unit:
    id: UUID
    parent_id: UUID | None
    path: str
    name: str
    level: str
    is_cell: bool
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def check_may_hold_children(self) -> None:
        if self.is_cell:
            raise RuleViolationError("cell_cannot_have_children", unit=self.id)
        if not self.active:
            raise RuleViolationError("unit_inactive", unit=self.id)

    def check_move_under(self, new_parent: Unit) -> None:
        if is_within(new_parent.path, self.path):
            raise RuleViolationError("unit_move_cycle", unit=self.id)
        new_parent.check_may_hold_children()


@dataclass(slots=True)
class Person:
    id: UUID
    home_unit_id: UUID
    home_unit_path: str
    full_name: str
    phone: str
    email: str | None
    locale: Locale
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int = 1


@dataclass(slots=True)
class Membership:
    id: UUID
    person_id: UUID
    cell_id: UUID
    cell_path: str
    kind: MembershipKind
    exempt: bool
    exempt_resolution_date: date | None
    joined_on: date
    left_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def check(self) -> None:
        if self.exempt and self.exempt_resolution_date is None:
            raise RuleViolationError("exempt_resolution_date_required", membership=self.id)
        if self.left_on is not None and self.left_on < self.joined_on:
            raise RuleViolationError("membership_dates_invalid", membership=self.id)

    def end(self, on: date) -> None:
        if self.left_on is not None:
            raise ConflictError("membership_already_ended", membership=self.id)
        self.left_on = on
        self.check()


@dataclass(slots=True)
class RoleGrant:
    id: UUID
    person_id: UUID
    unit_id: UUID
    unit_path: str
    role: Role
    revoked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def revoke(self, at: datetime) -> None:
        if self.revoked_at is not None:
            raise ConflictError("grant_already_revoked", grant=self.id)
        self.revoked_at = at


@dataclass(slots=True)
class LeaderAssignment:
    id: UUID
    leader_id: UUID
    cell_id: UUID
    cell_path: str
    quota: int
    period: QuotaPeriod
    started_on: date
    ended_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def end(self, on: date) -> None:
        if self.ended_on is not None:
            raise ConflictError("assignment_already_ended", assignment=self.id)
        if on < self.started_on:
            raise RuleViolationError("assignment_dates_invalid", assignment=self.id)
        self.ended_on = on


# What GET /me shows, read in one statement: each live grant, membership and followed cell with
# the name of its unit, not the whole objects (db/repositories/org.py, profile_of).
@dataclass(frozen=True, slots=True)
class MyGrant:
    id: UUID
    role: Role
    unit_id: UUID
    unit_name: str
    unit_level: str


@dataclass(frozen=True, slots=True)
class MyCell:
    membership_id: UUID
    cell_id: UUID
    cell_name: str
    kind: MembershipKind
    exempt: bool


@dataclass(frozen=True, slots=True)
class MyFollowedCell:
    assignment_id: UUID
    cell_id: UUID
    cell_name: str
    quota: int
    period: QuotaPeriod


@dataclass(frozen=True, slots=True)
class MyProfile:
    person: Person
    grants: tuple[MyGrant, ...]
    cells: tuple[MyCell, ...]
    followed: tuple[MyFollowedCell, ...]


def check_cell(unit: Unit) -> None:
    if not unit.is_cell:
        raise RuleViolationError("unit_not_cell", unit=unit.id)
    if not unit.active:
        raise RuleViolationError("unit_inactive", unit=unit.id)


def check_leader_may_follow(leader_grants: list[RoleGrant], cell: Unit) -> None:
    """A leader follows only cells inside a unit they lead."""
    if not any(g.role is Role.LEADER and is_within(cell.path, g.unit_path) for g in leader_grants):
        raise RuleViolationError("leader_grant_required", cell=cell.id)


OrgObject = Unit | Person | Membership | RoleGrant | LeaderAssignment
