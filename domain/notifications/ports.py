"""What notifications need from storage and from the text catalogue (implemented in db/ and
notifications/)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.notifications.model import Category, Device, Notification, Preferences, Texts
from domain.org.model import Locale
from domain.pagination import Page, PageRequest


@dataclass(frozen=True, slots=True)
class Recipient:
    person_id: UUID
    locale: Locale
    preferences: Preferences


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A notification to store, and when its pushes may go out (None: inbox only)."""

    notification: Notification
    not_before: datetime | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery a dispatcher holds under a lease, with what its push says."""

    delivery_id: UUID
    notification_id: UUID
    token: str
    attempts: int
    expires_at: datetime
    category: Category
    title: str
    body: str
    data: dict[str, str]
    subject: str
    urgent: bool


@dataclass(frozen=True, slots=True)
class Retry:
    delivery_id: UUID
    next_attempt_at: datetime
    error: str | None


@dataclass(frozen=True, slots=True)
class Failure:
    delivery_id: UUID
    error: str


@dataclass(frozen=True, slots=True)
class Settlement:
    """What became of one claimed batch."""

    sent: tuple[UUID, ...] = ()
    retry: tuple[Retry, ...] = ()
    failed: tuple[Failure, ...] = ()
    invalid_tokens: tuple[str, ...] = ()  # their devices are deleted, their pending cancelled


class Renderer(Protocol):
    def render(self, template: str, params: Mapping[str, object], locale: Locale) -> Texts:
        """The title and body of ``template`` in ``locale``; KeyError for an unknown one."""


class NotificationStore(Protocol):
    async def recipients(self, person_ids: Sequence[UUID]) -> list[Recipient]:
        """Active people among ``person_ids``, with their language and preferences."""

    async def enqueue(self, scheduled: Sequence[Scheduled]) -> int:
        """Insert the inbox rows and one pending delivery per live device of each person whose
        push may go out, in the current transaction; the number of deliveries."""

    async def inbox(
        self, person_id: UUID, page: PageRequest, *, unread_only: bool
    ) -> Page[Notification]: ...

    async def notification(self, person_id: UUID, notification_id: UUID) -> Notification | None:
        """None when the person has no such notification."""

    async def unread_count(self, person_id: UUID) -> int: ...

    async def mark_read(self, person_id: UUID, notification_id: UUID, at: datetime) -> bool:
        """False when the person has no such notification."""

    async def mark_all_read(self, person_id: UUID, at: datetime) -> int: ...

    async def preferences(self, person_id: UUID) -> Preferences: ...

    async def save_preferences(self, preferences: Preferences, at: datetime) -> None: ...

    async def device(self, token: str) -> Device | None: ...

    async def save_device(self, device: Device) -> None:
        """Insert, or update the row with this token (moving it to ``device.person_id``)."""

    async def delete_device(self, token: str) -> None:
        """Delete the device and cancel its pending deliveries."""

    async def cancel_pending(self, token: str) -> int: ...

    async def delete_devices_unseen_since(self, before: datetime) -> int: ...


class Outbox(Protocol):
    async def claim(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Claimed]:
        """Due pending deliveries not leased by another worker, leased to ``worker``; in a short
        transaction of its own (PostgreSQL: FOR UPDATE SKIP LOCKED)."""

    async def renew(self, worker: str, ids: Sequence[UUID], lease_until: datetime) -> None:
        """Extend ``worker``'s lease on those of ``ids`` it still holds (pending)."""

    async def settle(self, settlement: Settlement, now: datetime) -> None:
        """Record a batch's outcome in one transaction."""
