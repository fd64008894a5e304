"""Storage the organisation use cases need (implemented in db/repositories/org.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.actors import Role
from domain.org.model import LeaderAssignment, Membership, MyProfile, Person, RoleGrant, Unit
from domain.pagination import Page, PageRequest, PageWithin


@dataclass(frozen=True, slots=True)
class UnitFilter:
    parent_id: UUID | None = None
    within_path: str | None = None
    level: str | None = None
    active: bool | None = None
    name_contains: str | None = None


@dataclass(frozen=True, slots=True)
class PersonFilter:
    within_unit_id: UUID | None = None  # the subtree of this unit, found in the same query
    active: bool | None = None
    name_contains: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class MembershipFilter:
    person_id: UUID | None = None
    within_path: str | None = None
    live: bool | None = None


@dataclass(frozen=True, slots=True)
class GrantFilter:
    person_id: UUID | None = None
    within_path: str | None = None
    role: Role | None = None
    live: bool | None = None


@dataclass(frozen=True, slots=True)
class AssignmentFilter:
    leader_id: UUID | None = None
    within_path: str | None = None
    live: bool | None = None


class OrgRepository(Protocol):
    async def get_unit(self, unit_id: UUID) -> Unit | None: ...
    async def list_units(
        self, scopes: tuple[str, ...], where: UnitFilter, page: PageRequest
    ) -> Page[Unit]: ...
    async def add_unit(self, unit: Unit) -> None: ...
    async def save_unit(self, unit: Unit) -> None: ...
    async def move_subtree(self, old_path: str, new_path: str) -> None: ...
    async def count_active_children(self, unit_id: UUID) -> int: ...
    async def count_live_members(self, cell_id: UUID) -> int: ...

    async def get_person(self, person_id: UUID) -> Person | None: ...
    async def profile_of(self, person_id: UUID) -> MyProfile | None:
        """The person with their live grants, memberships and followed cells (GET /me)."""

    async def person_by_phone(self, phone: str) -> Person | None: ...
    async def list_people(
        self, scopes: tuple[str, ...], where: PersonFilter, page: PageRequest
    ) -> PageWithin[Person]: ...
    async def add_person(
        self, person: Person, password_hash: str | None, *, password_temporary: bool = False
    ) -> None: ...
    async def save_person(self, person: Person) -> None: ...

    async def get_membership(self, membership_id: UUID) -> Membership | None: ...
    async def list_memberships(
        self, scopes: tuple[str, ...], where: MembershipFilter, page: PageRequest
    ) -> Page[Membership]: ...
    async def add_membership(self, membership: Membership) -> None: ...
    async def save_membership(self, membership: Membership) -> None: ...

    async def get_grant(self, grant_id: UUID) -> RoleGrant | None: ...
    async def list_grants(
        self, scopes: tuple[str, ...], where: GrantFilter, page: PageRequest
    ) -> Page[RoleGrant]: ...
    async def live_grants_of(self, person_id: UUID) -> list[RoleGrant]: ...
    async def heads_of(self, unit_id: UUID) -> list[UUID]:
        """The people leading the unit itself: live leader or secretary grants on it."""

    async def active_admin_grants_over(self, unit_path: str) -> list[RoleGrant]:
        """Live admin grants held by active people on the unit or one of its ancestors."""

    async def add_grant(self, grant: RoleGrant) -> None: ...
    async def save_grant(self, grant: RoleGrant) -> None: ...

    async def get_assignment(self, assignment_id: UUID) -> LeaderAssignment | None: ...
    async def list_assignments(
        self, scopes: tuple[str, ...], where: AssignmentFilter, page: PageRequest
    ) -> Page[LeaderAssignment]: ...
    async def add_assignment(self, assignment: LeaderAssignment) -> None: ...
    async def save_assignment(self, assignment: LeaderAssignment) -> None: ...
    async def units_by_ids(self, unit_ids: set[UUID]) -> list[Unit]: ...
    async def live_memberships_of(self, person_id: UUID) -> list[Membership]: ...
    async def live_assignments_of(self, leader_id: UUID) -> list[LeaderAssignment]: ...
    async def root_unit(self) -> Unit | None: ...


class Sessions(Protocol):
    async def shut_out(self, person_id: UUID, at: datetime) -> None:
        """End every session of the person and forget their push devices, in the current
        transaction (domain/auth/service.SessionEnding)."""
