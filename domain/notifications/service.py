"""Use cases: the Notifier the other services call, and a person's devices, inbox, preferences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from domain.actors import Actor, Role
from domain.errors import NotFoundError, RuleViolationError
from domain.notifications.model import (
    TTL_BY_CATEGORY,
    Category,
    Device,
    Notification,
    Platform,
    Preferences,
    Texts,
    push_time,
)
from domain.notifications.ports import NotificationStore, Recipient, Renderer, Scheduled
from domain.org.model import Locale
from domain.pagination import Page, PageRequest
from domain.ports import Clock, UnitOfWork

MAX_SUBJECT_LENGTH = 200
DIGEST_ROLES = frozenset({Role.LEADER, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Message:
    """What to say: fixed texts per language, or a template of notifications/texts.py."""

    vi: Texts | None = None
    en: Texts | None = None
    template: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.template is None) == (self.vi is None):
            msg = "a message has either a template or its texts"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Notice:
    """One message to some people, as Notifier.notify takes it."""

    person_ids: tuple[UUID, ...]
    category: Category
    subject: str
    message: Message
    urgent: bool = False
    digestible: bool = False
    data: Mapping[str, str] = field(default_factory=dict)
    until: datetime | None = None


class Notifier:
    """The port every service calls to tell people something. Call it inside the transaction of
    the change that causes it: the inbox rows and their deliveries commit with that change or not
    at all (a transactional outbox), and a dispatcher sends them afterwards.

    Callers must not notify anyone about a sealed inspection before it is revealed, and must not
    put a petitioner's personal data in params or texts."""

    def __init__(
        self, store: NotificationStore, uow: UnitOfWork, clock: Clock, renderer: Renderer
    ) -> None:
        self.store, self.uow, self.clock, self.renderer = store, uow, clock, renderer

    async def notify(
        self,
        person_ids: Iterable[UUID],
        category: Category,
        subject: str,
        message: Message,
        *,
        urgent: bool = False,
        digestible: bool = False,
        data: Mapping[str, str] | None = None,
        until: datetime | None = None,
    ) -> list[Notification]:
        """One inbox row per (active, distinct) person and one delivery per live device of each.
        ``subject`` ("task:<id>") collapses pushes about the same thing on the phone;
        ``digestible`` news waits for the daily digest of a leader who took it; a push that
        could only go out at or after ``until`` (a meeting's start) is not sent at all."""
        notice = Notice(
            tuple(person_ids), category, subject, message, urgent, digestible, data or {}, until
        )
        return await self.notify_many([notice])

    async def notify_many(self, notices: Sequence[Notice]) -> list[Notification]:
        """Several notices in one go: one look-up of the recipients, one insert."""
        for notice in notices:
            if not notice.subject or len(notice.subject) > MAX_SUBJECT_LENGTH:
                msg = "subject must be 1-200 characters"
                raise ValueError(msg)
        now = self.clock.now()
        everyone = list(dict.fromkeys(p for n in notices for p in n.person_ids))
        recipients = {r.person_id: r for r in await self.store.recipients(everyone)}
        scheduled = []
        for notice in notices:
            for person_id in dict.fromkeys(notice.person_ids):
                recipient = recipients.get(person_id)
                if recipient is not None:
                    scheduled.append(self._scheduled(notice, recipient, now))
        async with self.uow.atomic():
            await self.store.enqueue(scheduled)
        return [s.notification for s in scheduled]

    def _scheduled(self, notice: Notice, recipient: Recipient, now: datetime) -> Scheduled:
        texts = self._texts(notice.message, recipient.locale)
        notification_id = uuid4()
        notification = Notification(
            id=notification_id,
            person_id=recipient.person_id,
            category=notice.category,
            title=texts.title,
            body=texts.body,
            data={
                **notice.data,
                "notificationId": str(notification_id),
                "category": notice.category.value,
                "subject": notice.subject,
            },
            subject=notice.subject,
            urgent=notice.urgent,
            created_at=now,
        )
        at = push_time(
            recipient.preferences,
            notice.category,
            now,
            urgent=notice.urgent,
            digestible=notice.digestible,
        )
        expires = (at or now) + TTL_BY_CATEGORY[notice.category]
        if notice.until is not None:
            expires = min(expires, notice.until)
            if at is not None and at >= notice.until:
                at = None  # too late to be of use: the inbox keeps it
        return Scheduled(notification, at, expires)

    def _texts(self, message: Message, locale: Locale) -> Texts:
        if message.template is not None:
            return self.renderer.render(message.template, message.params, locale)
        chosen = message.en if locale is Locale.EN else message.vi
        return chosen or message.vi or Texts("", "")


class NotificationService:
    """The signed-in person's devices, inbox and preferences (always their own)."""

    def __init__(
        self, store: NotificationStore, uow: UnitOfWork, clock: Clock, unseen_days: int = 270
    ) -> None:
        self.store, self.uow, self.clock = store, uow, clock
        self.unseen = timedelta(days=unseen_days)

    async def register_device(
        self, actor: Actor, token: str, platform: Platform, app_version: str, locale: str
    ) -> Device:
        """Register or refresh a token; a token registered by another person moves to this one
        and their pending pushes on it are cancelled (they are not for this person)."""
        now = self.clock.now()
        async with self.uow.atomic():
            known = await self.store.device(token)
            if known is not None and known.person_id != actor.person_id:
                await self.store.cancel_pending(token)
            device = Device(
                id=known.id if known else uuid4(),
                person_id=actor.person_id,
                token=token,
                platform=platform,
                app_version=app_version,
                locale=locale,
                session_id=actor.session_id,
                created_at=known.created_at if known else now,
                last_seen_at=now,
            )
            await self.store.save_device(device)
        return device

    async def unregister_device(self, actor: Actor, token: str) -> None:
        async with self.uow.atomic():
            known = await self.store.device(token)
            if known is None or known.person_id != actor.person_id:
                raise NotFoundError("device_not_found")
            await self.store.delete_device(token)

    async def drop_unseen_devices(self) -> int:
        """Tokens not refreshed for 270 days (configurable) are dead on FCM's side too."""
        async with self.uow.atomic():
            return await self.store.delete_devices_unseen_since(self.clock.now() - self.unseen)

    async def inbox(
        self, actor: Actor, page: PageRequest, *, unread_only: bool = False
    ) -> Page[Notification]:
        return await self.store.inbox(actor.person_id, page, unread_only=unread_only)

    async def notification(self, actor: Actor, notification_id: UUID) -> Notification:
        """One notification of the caller's inbox; anyone else's reads as missing."""
        found = await self.store.notification(actor.person_id, notification_id)
        if found is None:
            raise NotFoundError("notification_not_found")
        return found

    async def unread_count(self, actor: Actor) -> int:
        return await self.store.unread_count(actor.person_id)

    async def mark_read(self, actor: Actor, notification_id: UUID) -> None:
        async with self.uow.atomic():
            if not await self.store.mark_read(actor.person_id, notification_id, self.clock.now()):
                raise NotFoundError("notification_not_found")

    async def mark_all_read(self, actor: Actor) -> int:
        async with self.uow.atomic():
            return await self.store.mark_all_read(actor.person_id, self.clock.now())

    async def preferences(self, actor: Actor) -> Preferences:
        return await self.store.preferences(actor.person_id)

    async def set_preferences(self, actor: Actor, preferences: Preferences) -> Preferences:
        if preferences.person_id != actor.person_id:
            raise NotFoundError("notification_preferences_not_found")
        if preferences.daily_digest and not any(g.role in DIGEST_ROLES for g in actor.grants):
            raise RuleViolationError("digest_leaders_only")
        async with self.uow.atomic():
            await self.store.save_preferences(preferences, self.clock.now())
        return preferences
