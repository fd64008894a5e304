"""Ids a caller names inside a request body: each resolved through the caller's scope.

A path id is checked by the use case that loads the object; an id inside a body (an assignee, a
lead inspector, a responsible unit, a template, an attached file) is checked here, once for every
use case. Whatever makes such an id unusable — it does not exist, the caller may not see it, or
it makes no sense for the object it is attached to (the assignee of a cell's task who cannot act
in that cell) — the reply is the one a random id gets: the same ``NotFoundError`` code.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from domain.actors import Actor, Permission, Role, is_within
from domain.attachments.model import Attachment
from domain.attachments.ports import AttachmentRepository
from domain.errors import NotFoundError
from domain.org.model import Person, Unit
from domain.org.ports import OrgRepository


def on_line(path: str, unit_path: str) -> bool:
    """``path`` is the unit itself, above it or below it: someone there may act in the unit."""
    return is_within(unit_path, path) or is_within(path, unit_path)


class References:
    def __init__(self, org: OrgRepository, attachments: AttachmentRepository) -> None:
        self.org = org
        self.attachments = attachments

    async def unit(self, actor: Actor, unit_id: UUID, line: str | None = None) -> Unit:
        """A unit the caller may see; with ``line``, one on the line of the unit at that path."""
        unit = await self.org.get_unit(unit_id)
        if (
            unit is None
            or not actor.may(Permission.VIEW_UNIT, unit.path)
            or (line is not None and not on_line(unit.path, line))
        ):
            raise NotFoundError("unit_not_found")
        return unit

    async def person(
        self, actor: Actor, person_id: UUID, unit_path: str, role: Role | None = None
    ) -> Person:
        """A live person the caller may see who may act in the unit at ``unit_path``: with
        ``role``, through a grant of that role holding there; without, through any grant or
        membership on the unit, above it or below it."""
        person = await self.org.get_person(person_id)
        if (
            person is None
            or not person.active
            or not actor.sees_person(person.id, person.home_unit_path)
            or not await self._acts_in(person, unit_path, role)
        ):
            raise NotFoundError("person_not_found")
        return person

    async def _acts_in(self, person: Person, unit_path: str, role: Role | None) -> bool:
        grants = await self.org.live_grants_of(person.id)
        if role is not None:
            return any(g.role is role and is_within(unit_path, g.unit_path) for g in grants)
        memberships = await self.org.live_memberships_of(person.id)
        lines = [g.unit_path for g in grants] + [m.cell_path for m in memberships]
        return any(on_line(path, unit_path) for path in lines)

    async def attachments_for(
        self, actor: Actor, attachment_ids: Iterable[UUID], unit_path: str
    ) -> list[Attachment]:
        """Files the caller may see, kept by the unit at ``unit_path`` or a unit on its line,
        in the order given, each once."""
        ids = list(dict.fromkeys(attachment_ids))
        found = {
            a.id: a
            for a in await self.attachments.get_many(ids)
            if actor.may(Permission.VIEW_UNIT, a.unit_path) and on_line(a.unit_path, unit_path)
        }
        if any(i not in found for i in ids):
            raise NotFoundError("attachment_not_found")
        return [found[i] for i in ids]
