"""The first administrator: the one write that has no actor to check."""

from __future__ import annotations

from uuid import uuid4

from domain.actors import Role
from domain.audit import audited
from domain.errors import ConflictError
from domain.org.model import Locale, Person, RoleGrant, Unit, unit_path
from domain.org.service import OrgService
from domain.snapshots import snapshot


async def create_admin(
    org: OrgService, phone: str, full_name: str, password: str, root_name: str, root_level: str
) -> tuple[Person, Unit]:
    """Create the root unit if there is none, and an admin of it (an existing person or new)."""
    async with org.uow.atomic():
        now = org.clock.now()
        root = await org.repo.root_unit()
        if root is None:
            root_id = uuid4()
            root = Unit(
                id=root_id,
                parent_id=None,
                path=unit_path(None, root_id),
                name=root_name,
                level=root_level,
                is_cell=False,
                active=True,
                created_at=now,
                updated_at=now,
            )
            await org.repo.add_unit(root)
            await _audit(org, "unit.create", root, root.path)
        person = await org.repo.person_by_phone(phone)
        if person is None:
            org.passwords.check(password, phone, full_name, temporary=False)  # their own
            person = Person(
                id=uuid4(),
                home_unit_id=root.id,
                home_unit_path=root.path,
                full_name=full_name,
                phone=phone,
                email=None,
                locale=Locale.VI,
                active=True,
                created_at=now,
                updated_at=now,
            )
            await org.repo.add_person(person, org.hasher.hash(password))
            await _audit(org, "person.create", person, root.path)
        grants = await org.repo.live_grants_of(person.id)
        if any(g.role is Role.ADMIN and g.unit_id == root.id for g in grants):
            raise ConflictError("grant_exists")
        grant = RoleGrant(uuid4(), person.id, root.id, root.path, Role.ADMIN, None, now, now)
        await org.repo.add_grant(grant)
        await _audit(org, "grant.create", grant, root.path)
        return person, root


async def _audit(org: OrgService, action: str, obj: Unit | Person | RoleGrant, path: str) -> None:
    await audited(org.audit, None, action, type(obj).__name__, obj.id, path, after=snapshot(obj))
