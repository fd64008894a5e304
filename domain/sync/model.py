"""Offline sync: where a phone's last pull stopped, and what makes its view of the data.

A pull reads the change log (one row per object and unit, moved forward by every change) past a
``Position``; what it hands out is decided by the same reads as the REST API (decision 0016).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

from domain.actors import Actor, Permission


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A place in the change log: the writing transaction (0 on SQLite), then the change."""

    tx: int
    pos: int


START = Position(0, 0)


@dataclass(frozen=True, slots=True)
class Change:
    entity: str
    entity_id: UUID
    position: Position


@dataclass(frozen=True, slots=True)
class SyncCursor:
    """Signed and bound to the person (domain/sync/cursor.py). ``view`` names the set of objects
    handed to this phone since its last reset, ``scope`` the units it was computed for, ``at`` the
    time of the pull (sealed inspections revealed since then are re-read)."""

    person_id: UUID
    view: UUID
    scope: str
    position: Position
    at: datetime


def view_scopes(actor: Actor) -> tuple[str, ...]:
    """The subtrees whose objects a pull looks at: where the caller may view units."""
    return actor.scopes(Permission.VIEW_UNIT)


def scope_digest(actor: Actor, epoch: int) -> str:
    """What the phone's store was built for: the caller's grants and cells, and the unit tree's
    epoch (bumped when a unit moves). A different digest resets the phone's store."""
    parts = sorted(f"{g.role}:{g.unit_path}" for g in actor.grants)
    parts += sorted(f"cell:{c}" for c in actor.cells)
    parts.append(f"epoch:{epoch}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def first_view(actor: Actor, scope: str) -> UUID:
    """The view a first sync (or a reset) starts: one per device session and scope, so the same
    request answers the same bytes, and a phone that starts over drops what it was handed."""
    return uuid5(actor.session_id, scope)
