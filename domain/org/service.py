"""Organisation use cases: load through the port, apply the rule, save, audit: one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid4

from domain.actors import Actor, Permission, Role
from domain.audit import audited, bump_version
from domain.auth.passwords import PasswordPolicy
from domain.auth.ports import PasswordHasher
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.org.model import (
    LeaderAssignment,
    Locale,
    Membership,
    MembershipKind,
    MyProfile,
    OrgObject,
    Person,
    QuotaPeriod,
    RoleGrant,
    Unit,
    check_cell,
    check_leader_may_follow,
    unit_path,
)
from domain.org.ports import (
    AssignmentFilter,
    GrantFilter,
    MembershipFilter,
    OrgRepository,
    PersonFilter,
    Sessions,
    UnitFilter,
)
from domain.pagination import Page, PageRequest
from domain.ports import AuditLog, Clock, UnitOfWork
from domain.snapshots import snapshot

Touched = TypeVar("Touched", Unit, Person, Membership, RoleGrant, LeaderAssignment)


@dataclass(frozen=True, slots=True)
class NewPerson:
    home_unit_id: UUID
    full_name: str
    phone: str
    email: str | None = None
    locale: Locale = Locale.VI
    password: str | None = None
    # set by an administrator, so to be changed at the first login; the demo seed's are not
    password_temporary: bool = True
    id: UUID | None = None


@dataclass(frozen=True, slots=True)
class NewMembership:
    person_id: UUID
    cell_id: UUID
    kind: MembershipKind
    joined_on: date
    exempt: bool = False
    exempt_resolution_date: date | None = None
    id: UUID | None = None


class OrgService:
    def __init__(
        self,
        repo: OrgRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        hasher: PasswordHasher,
        sessions: Sessions,
        passwords: PasswordPolicy,
    ) -> None:
        self.repo = repo
        self.uow = uow
        self.audit = audit
        self.clock = clock
        self.hasher = hasher
        self.sessions = sessions
        self.passwords = passwords

    async def _audit(
        self,
        actor: Actor,
        action: str,
        obj: OrgObject,
        path: str,
        before: dict[str, Any] | None,
    ) -> None:
        await audited(
            self.audit,
            actor.person_id,
            action,
            type(obj).__name__,
            obj.id,
            path,
            before=before,
            after=snapshot(obj),
        )

    async def _touch(
        self,
        actor: Actor,
        action: str,
        obj: Touched,
        path: str,
        before: dict[str, Any],
        save: Callable[[Touched], Awaitable[None]],
    ) -> Touched:
        """Every change to an existing org object: stamped, next version, saved, audited."""
        obj.updated_at = self.clock.now()
        bump_version(obj)
        await save(obj)
        await self._audit(actor, action, obj, path, before)
        return obj

    async def me(self, actor: Actor) -> MyProfile:
        profile = await self.repo.profile_of(actor.person_id)
        if profile is None:
            raise NotFoundError("person_not_found")
        return profile

    # -- units ----------------------------------------------------------------------------------

    async def unit(self, actor: Actor, unit_id: UUID) -> Unit:
        unit = await self.repo.get_unit(unit_id)
        if unit is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, unit.path, "unit_not_found")
        return unit

    async def _managed_unit(self, actor: Actor, unit_id: UUID) -> Unit:
        unit = await self.unit(actor, unit_id)
        actor.require(Permission.MANAGE_ORG, unit.path, "org_manage_forbidden")
        return unit

    async def list_units(self, actor: Actor, where: UnitFilter, page: PageRequest) -> Page[Unit]:
        return await self.repo.list_units(actor.scopes(Permission.VIEW_UNIT), where, page)

    async def create_unit(
        self,
        actor: Actor,
        parent_id: UUID,
        name: str,
        level: str,
        *,
        is_cell: bool,
        unit_id: UUID | None = None,
    ) -> Unit:
        async with self.uow.atomic():
            parent = await self._managed_unit(actor, parent_id)
            parent.check_may_hold_children()
            new_id = unit_id or uuid4()
            if await self.repo.get_unit(new_id) is not None:
                raise ConflictError("id_conflict")
            now = self.clock.now()
            unit = Unit(
                id=new_id,
                parent_id=parent.id,
                path=unit_path(parent.path, new_id),
                name=name,
                level=level,
                is_cell=is_cell,
                active=True,
                created_at=now,
                updated_at=now,
            )
            await self.repo.add_unit(unit)
            await self._audit(actor, "unit.create", unit, unit.path, None)
            return unit

    async def update_unit(
        self, actor: Actor, unit_id: UUID, name: str | None, level: str | None
    ) -> Unit:
        async with self.uow.atomic():
            unit = await self._managed_unit(actor, unit_id)
            before = snapshot(unit)
            unit.name = name if name is not None else unit.name
            unit.level = level if level is not None else unit.level
            await self._touch(actor, "unit.update", unit, unit.path, before, self.repo.save_unit)
            return unit

    async def move_unit(self, actor: Actor, unit_id: UUID, new_parent_id: UUID) -> Unit:
        async with self.uow.atomic():
            unit = await self._managed_unit(actor, unit_id)
            if unit.parent_id is None:
                raise RuleViolationError("root_unit_immovable")
            new_parent = await self._managed_unit(actor, new_parent_id)
            unit.check_move_under(new_parent)
            before = snapshot(unit)
            old_path = unit.path
            unit.parent_id = new_parent.id
            unit.path = unit_path(new_parent.path, unit.id)
            await self.repo.move_subtree(old_path, unit.path)
            await self._touch(actor, "unit.move", unit, unit.path, before, self.repo.save_unit)
            return unit

    async def deactivate_unit(self, actor: Actor, unit_id: UUID) -> Unit:
        async with self.uow.atomic():
            unit = await self._managed_unit(actor, unit_id)
            if not unit.active:
                raise ConflictError("unit_inactive")
            if await self.repo.count_active_children(unit.id):
                raise ConflictError("unit_has_active_children")
            if await self.repo.count_live_members(unit.id):
                raise ConflictError("unit_has_members")
            before = snapshot(unit)
            unit.active = False
            await self._touch(
                actor, "unit.deactivate", unit, unit.path, before, self.repo.save_unit
            )
            return unit

    # -- people ---------------------------------------------------------------------------------

    async def person(self, actor: Actor, person_id: UUID) -> Person:
        person = await self.repo.get_person(person_id)
        if person is None or not actor.sees_person(person.id, person.home_unit_path):
            raise NotFoundError("person_not_found")
        return person

    async def _managed_person(self, actor: Actor, person_id: UUID) -> Person:
        person = await self.person(actor, person_id)
        actor.require(Permission.MANAGE_ORG, person.home_unit_path, "org_manage_forbidden")
        return person

    async def list_people(
        self, actor: Actor, where: PersonFilter, page: PageRequest
    ) -> Page[Person]:
        found = await self.repo.list_people(actor.scopes(Permission.VIEW_PEOPLE), where, page)
        return actor.page_within(where.within_unit_id, found)

    async def create_person(self, actor: Actor, new: NewPerson) -> Person:
        async with self.uow.atomic():
            home = await self._managed_unit(actor, new.home_unit_id)
            person = await self._add_person(new, home)
            await self._audit(actor, "person.create", person, home.path, None)
            return person

    async def _add_person(self, new: NewPerson, home: Unit) -> Person:
        if new.password is not None:
            self.passwords.check(
                new.password, new.phone, new.full_name, temporary=new.password_temporary
            )
        if await self.repo.person_by_phone(new.phone) is not None:
            raise ConflictError("phone_taken")
        if new.id is not None and await self.repo.get_person(new.id) is not None:
            raise ConflictError("id_conflict")
        now = self.clock.now()
        person = Person(
            id=new.id or uuid4(),
            home_unit_id=home.id,
            home_unit_path=home.path,
            full_name=new.full_name,
            phone=new.phone,
            email=new.email,
            locale=new.locale,
            active=True,
            created_at=now,
            updated_at=now,
        )
        password_hash = self.hasher.hash(new.password) if new.password is not None else None
        await self.repo.add_person(
            person,
            password_hash,
            password_temporary=password_hash is not None and new.password_temporary,
        )
        return person

    async def update_person(
        self,
        actor: Actor,
        person_id: UUID,
        *,
        full_name: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        locale: Locale | None = None,
        home_unit_id: UUID | None = None,
    ) -> Person:
        async with self.uow.atomic():
            person = await self._managed_person(actor, person_id)
            before = snapshot(person)
            if phone is not None and phone != person.phone:
                if await self.repo.person_by_phone(phone) is not None:
                    raise ConflictError("phone_taken")
                person.phone = phone
            if home_unit_id is not None and home_unit_id != person.home_unit_id:
                home = await self._managed_unit(actor, home_unit_id)
                person.home_unit_id, person.home_unit_path = home.id, home.path
            person.full_name = full_name if full_name is not None else person.full_name
            person.email = email if email is not None else person.email
            person.locale = locale if locale is not None else person.locale
            return await self._touch(
                actor, "person.update", person, person.home_unit_path, before, self.repo.save_person
            )

    async def set_person_active(self, actor: Actor, person_id: UUID, *, active: bool) -> Person:
        async with self.uow.atomic():
            person = await self._managed_person(actor, person_id)
            if person.id == actor.person_id:
                raise RuleViolationError("cannot_deactivate_self")
            if not active:
                for grant in await self.repo.live_grants_of(person.id):
                    await self._keep_an_admin(grant, lambda g: g.person_id != person.id)
            before = snapshot(person)
            person.active = active
            if not active:
                await self.sessions.shut_out(person.id, self.clock.now())
            action = "person.activate" if active else "person.deactivate"
            return await self._touch(
                actor, action, person, person.home_unit_path, before, self.repo.save_person
            )

    # -- memberships ----------------------------------------------------------------------------

    async def membership(self, actor: Actor, membership_id: UUID) -> Membership:
        membership = await self.repo.get_membership(membership_id)
        if membership is None or (
            membership.person_id != actor.person_id
            and not actor.may(Permission.VIEW_PEOPLE, membership.cell_path)
        ):
            raise NotFoundError("membership_not_found")
        return membership

    async def list_memberships(
        self, actor: Actor, where: MembershipFilter, page: PageRequest
    ) -> Page[Membership]:
        return await self.repo.list_memberships(actor.scopes(Permission.VIEW_PEOPLE), where, page)

    async def create_membership(self, actor: Actor, new: NewMembership) -> Membership:
        async with self.uow.atomic():
            cell = await self._managed_unit(actor, new.cell_id)
            person = await self.person(actor, new.person_id)
            membership = await self._add_membership(new, cell, person)
            await self._audit(actor, "membership.create", membership, cell.path, None)
            return membership

    async def _add_membership(self, new: NewMembership, cell: Unit, person: Person) -> Membership:
        check_cell(cell)
        if new.id is not None and await self.repo.get_membership(new.id) is not None:
            raise ConflictError("id_conflict")
        now = self.clock.now()
        membership = Membership(
            id=new.id or uuid4(),
            person_id=person.id,
            cell_id=cell.id,
            cell_path=cell.path,
            kind=new.kind,
            exempt=new.exempt,
            exempt_resolution_date=new.exempt_resolution_date,
            joined_on=new.joined_on,
            left_on=None,
            created_at=now,
            updated_at=now,
        )
        membership.check()
        await self.repo.add_membership(membership)
        return membership

    async def update_membership(
        self,
        actor: Actor,
        membership_id: UUID,
        *,
        kind: MembershipKind | None = None,
        exempt: bool | None = None,
        exempt_resolution_date: date | None = None,
    ) -> Membership:
        async with self.uow.atomic():
            membership = await self._managed_membership(actor, membership_id)
            before = snapshot(membership)
            membership.kind = kind if kind is not None else membership.kind
            if exempt is not None:
                membership.exempt = exempt
                membership.exempt_resolution_date = exempt_resolution_date if exempt else None
            membership.check()
            return await self._touch(
                actor,
                "membership.update",
                membership,
                membership.cell_path,
                before,
                self.repo.save_membership,
            )

    async def end_membership(self, actor: Actor, membership_id: UUID, on: date) -> Membership:
        async with self.uow.atomic():
            membership = await self._managed_membership(actor, membership_id)
            before = snapshot(membership)
            membership.end(on)
            return await self._touch(
                actor,
                "membership.end",
                membership,
                membership.cell_path,
                before,
                self.repo.save_membership,
            )

    async def _managed_membership(self, actor: Actor, membership_id: UUID) -> Membership:
        membership = await self.membership(actor, membership_id)
        actor.require(Permission.MANAGE_ORG, membership.cell_path, "org_manage_forbidden")
        return membership

    # -- role grants ----------------------------------------------------------------------------

    async def grant(self, actor: Actor, grant_id: UUID) -> RoleGrant:
        grant = await self.repo.get_grant(grant_id)
        if grant is None or (
            grant.person_id != actor.person_id
            and not actor.may(Permission.VIEW_PEOPLE, grant.unit_path)
        ):
            raise NotFoundError("grant_not_found")
        return grant

    async def list_grants(
        self, actor: Actor, where: GrantFilter, page: PageRequest
    ) -> Page[RoleGrant]:
        return await self.repo.list_grants(actor.scopes(Permission.VIEW_PEOPLE), where, page)

    async def create_grant(
        self, actor: Actor, person_id: UUID, unit_id: UUID, role: Role
    ) -> RoleGrant:
        async with self.uow.atomic():
            unit = await self._managed_unit(actor, unit_id)
            if not unit.active:
                raise RuleViolationError("unit_inactive")
            person = await self.person(actor, person_id)
            now = self.clock.now()
            grant = RoleGrant(
                id=uuid4(),
                person_id=person.id,
                unit_id=unit.id,
                unit_path=unit.path,
                role=role,
                revoked_at=None,
                created_at=now,
                updated_at=now,
            )
            await self.repo.add_grant(grant)
            await self._audit(actor, "grant.create", grant, unit.path, None)
            return grant

    async def revoke_grant(self, actor: Actor, grant_id: UUID) -> RoleGrant:
        async with self.uow.atomic():
            grant = await self.grant(actor, grant_id)
            actor.require(Permission.MANAGE_ORG, grant.unit_path, "org_manage_forbidden")
            before = snapshot(grant)
            grant.revoke(self.clock.now())
            await self._keep_an_admin(grant, lambda g: g.id != grant.id)
            return await self._touch(
                actor, "grant.revoke", grant, grant.unit_path, before, self.repo.save_grant
            )

    async def _keep_an_admin(self, grant: RoleGrant, remains: Callable[[RoleGrant], bool]) -> None:
        """Refuse a change that would leave the grant's unit with no active person able to
        administer it (admin there or above): nobody could then grant the role again."""
        if grant.role is not Role.ADMIN:
            return
        if not any(remains(g) for g in await self.repo.active_admin_grants_over(grant.unit_path)):
            raise ConflictError("last_admin", unit=grant.unit_id)

    # -- leader assignments ---------------------------------------------------------------------

    async def assignment(self, actor: Actor, assignment_id: UUID) -> LeaderAssignment:
        assignment = await self.repo.get_assignment(assignment_id)
        if assignment is None or (
            assignment.leader_id != actor.person_id
            and not actor.may(Permission.VIEW_PEOPLE, assignment.cell_path)
        ):
            raise NotFoundError("assignment_not_found")
        return assignment

    async def list_assignments(
        self, actor: Actor, where: AssignmentFilter, page: PageRequest
    ) -> Page[LeaderAssignment]:
        return await self.repo.list_assignments(actor.scopes(Permission.VIEW_PEOPLE), where, page)

    async def create_assignment(
        self,
        actor: Actor,
        leader_id: UUID,
        cell_id: UUID,
        quota: int,
        period: QuotaPeriod,
        started_on: date,
    ) -> LeaderAssignment:
        async with self.uow.atomic():
            cell = await self._managed_unit(actor, cell_id)
            check_cell(cell)
            leader = await self.person(actor, leader_id)
            check_leader_may_follow(await self.repo.live_grants_of(leader.id), cell)
            now = self.clock.now()
            assignment = LeaderAssignment(
                id=uuid4(),
                leader_id=leader.id,
                cell_id=cell.id,
                cell_path=cell.path,
                quota=quota,
                period=period,
                started_on=started_on,
                ended_on=None,
                created_at=now,
                updated_at=now,
            )
            await self.repo.add_assignment(assignment)
            await self._audit(actor, "assignment.create", assignment, cell.path, None)
            return assignment

    async def update_assignment(
        self,
        actor: Actor,
        assignment_id: UUID,
        *,
        quota: int | None = None,
        period: QuotaPeriod | None = None,
        ended_on: date | None = None,
    ) -> LeaderAssignment:
        async with self.uow.atomic():
            assignment = await self.assignment(actor, assignment_id)
            actor.require(Permission.MANAGE_ORG, assignment.cell_path, "org_manage_forbidden")
            before = snapshot(assignment)
            assignment.quota = quota if quota is not None else assignment.quota
            assignment.period = period if period is not None else assignment.period
            if ended_on is not None:
                assignment.end(ended_on)
            return await self._touch(
                actor,
                "assignment.update",
                assignment,
                assignment.cell_path,
                before,
                self.repo.save_assignment,
            )
