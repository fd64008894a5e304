"""Who is calling and what they may do where.

A role granted on a unit holds on that unit's whole subtree. Units are addressed by their
materialized path ("/<root>/<child>/.../"), so "is X inside the scope" is a prefix test, both here
and in SQL (``path LIKE prefix || '%'``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from domain.errors import ForbiddenError, NotFoundError
from domain.pagination import Page, PageWithin

T = TypeVar("T")


class Role(StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    INSPECTOR = "inspector"
    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    MEMBER = "member"


class Permission(StrEnum):
    VIEW_UNIT = "view_unit"
    VIEW_PEOPLE = "view_people"
    MANAGE_ORG = "manage_org"
    READ_AUDIT = "read_audit"
    MANAGE_MEETINGS = "manage_meetings"
    VISIT_MEETINGS = "visit_meetings"
    PLAN_INSPECTIONS = "plan_inspections"
    INSPECT = "inspect"
    MANAGE_TASKS = "manage_tasks"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.LEADER: frozenset(
        {
            Permission.VIEW_UNIT,
            Permission.VIEW_PEOPLE,
            Permission.READ_AUDIT,
            Permission.VISIT_MEETINGS,
            Permission.PLAN_INSPECTIONS,
            Permission.MANAGE_TASKS,
        }
    ),
    Role.INSPECTOR: frozenset(
        {Permission.VIEW_UNIT, Permission.VIEW_PEOPLE, Permission.INSPECT, Permission.MANAGE_TASKS}
    ),
    Role.SECRETARY: frozenset(
        {
            Permission.VIEW_UNIT,
            Permission.VIEW_PEOPLE,
            Permission.MANAGE_MEETINGS,
            Permission.MANAGE_TASKS,
        }
    ),
    Role.DEPUTY_SECRETARY: frozenset(
        {
            Permission.VIEW_UNIT,
            Permission.VIEW_PEOPLE,
            Permission.MANAGE_MEETINGS,
            Permission.MANAGE_TASKS,
        }
    ),
    Role.MEMBER: frozenset({Permission.VIEW_UNIT}),
}


def is_within(path: str, scope: str) -> bool:
    """True when the unit at ``path`` lies in the subtree rooted at ``scope``."""
    return path.startswith(scope)


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    unit_id: UUID
    unit_path: str


@dataclass(frozen=True, slots=True)
class Actor:
    person_id: UUID
    session_id: UUID
    grants: tuple[Grant, ...]
    # Paths of the cells the person is a live member of: the member's own view of each (what a
    # member grant gives), and a place inside the cell (see domain/inspections/sealing.py).
    cells: tuple[str, ...] = ()
    # logged in with a password an administrator set: only changing it is allowed until then
    password_temporary: bool = False

    def footholds(self) -> tuple[str, ...]:
        """Every unit the person stands in: granted units and member cells."""
        return (*(g.unit_path for g in self.grants), *self.cells)

    def scopes(self, permission: Permission) -> tuple[str, ...]:
        """Unit paths whose subtrees carry ``permission``, without paths nested in others. A live
        membership of a cell gives there what a member grant gives: the member's own view."""
        granted = {g.unit_path for g in self.grants if permission in ROLE_PERMISSIONS[g.role]}
        if permission in ROLE_PERMISSIONS[Role.MEMBER]:
            granted.update(self.cells)
        paths = sorted(granted)
        kept: list[str] = []
        for path in paths:
            if not any(is_within(path, k) for k in kept):
                kept.append(path)
        return tuple(kept)

    def may(self, permission: Permission, unit_path: str) -> bool:
        return any(is_within(unit_path, scope) for scope in self.scopes(permission))

    def sees_person(self, person_id: UUID, home_unit_path: str) -> bool:
        """Oneself, or someone whose record is kept in a unit where one may view people."""
        return person_id == self.person_id or self.may(Permission.VIEW_PEOPLE, home_unit_path)

    def require_visible(self, permission: Permission, unit_path: str, code: str) -> None:
        """Outside the scope reads exactly like missing."""
        if not self.may(permission, unit_path):
            raise NotFoundError(code)

    def page_within(self, unit_id: UUID | None, found: PageWithin[T]) -> Page[T]:
        """A list asked within a unit's subtree: a unit missing or outside the caller's view
        reads as missing (``unit_not_found``), as when it is read on its own."""
        if unit_id is not None:
            if found.unit_path is None:
                raise NotFoundError("unit_not_found")
            self.require_visible(Permission.VIEW_UNIT, found.unit_path, "unit_not_found")
        return found.page

    def require(self, permission: Permission, unit_path: str, code: str) -> None:
        """Seen but not allowed: the caller learns only that it is forbidden."""
        if not self.may(permission, unit_path):
            raise ForbiddenError(code)


ROOT_PATH_SLASHES = 2  # "/<root id>/"


def is_root_admin(actor: Actor) -> bool:
    """An admin of the root unit: the whole service's operator (the scheduled jobs' state)."""
    return any(
        g.role is Role.ADMIN and g.unit_path.count("/") == ROOT_PATH_SLASHES for g in actor.grants
    )
