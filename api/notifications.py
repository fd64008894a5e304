"""The signed-in person's push devices, notification inbox and notification preferences."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.errors import problems
from api.schemas import Cursor, In, Limit, Out, PageOut
from domain.actors import Actor
from domain.errors import RuleViolationError
from domain.notifications.model import (
    Category,
    Device,
    Notification,
    Platform,
    Preferences,
    QuietHours,
)
from domain.notifications.service import NotificationService
from domain.pagination import PageRequest

Me = NamedDependency[Actor]
Notifications = NamedDependency[NotificationService]

Token = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"^[\x21-\x7e]+$")]
HourMinute = Annotated[
    str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Local time, HH:MM")
]


class DeviceIn(In):
    token: Token
    platform: Platform
    app_version: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    locale: Annotated[  # varchar(20)
        str, msgspec.Meta(max_length=20, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
    ] = "vi"


class DeviceOut(Out):
    id: UUID
    platform: Platform
    app_version: str
    locale: str
    created_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, device: Device) -> DeviceOut:
        return cls(
            id=device.id,
            platform=device.platform,
            app_version=device.app_version,
            locale=device.locale,
            created_at=device.created_at,
            last_seen_at=device.last_seen_at,
        )


class NotificationOut(Out):
    id: UUID
    category: Category
    title: str
    body: str
    data: dict[str, str]
    urgent: bool
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, notification: Notification) -> NotificationOut:
        return cls(
            id=notification.id,
            category=notification.category,
            title=notification.title,
            body=notification.body,
            data=notification.data,
            urgent=notification.urgent,
            created_at=notification.created_at,
            read_at=notification.read_at,
        )


class UnreadCountOut(Out):
    unread: int


class MarkedOut(Out):
    marked: int


class CategoriesIn(In):
    meeting: bool = True
    inspection: bool = True
    task: bool = True
    escalation: bool = True
    digest: bool = True


class QuietHoursIn(In):
    start: HourMinute
    end: HourMinute


class PreferencesIn(In):
    categories: CategoriesIn
    quiet_hours: QuietHoursIn | None = None  # null: pushes at any hour
    daily_digest: bool = False


class CategoriesOut(Out):
    meeting: bool
    inspection: bool
    task: bool
    escalation: bool
    digest: bool


class QuietHoursOut(Out):
    start: str
    end: str


class PreferencesOut(Out):
    categories: CategoriesOut
    quiet_hours: QuietHoursOut | None
    daily_digest: bool

    @classmethod
    def of(cls, preferences: Preferences) -> PreferencesOut:
        quiet = preferences.quiet_hours
        return cls(
            categories=CategoriesOut(**{c.value: preferences.pushes(c) for c in Category}),
            quiet_hours=QuietHoursOut(start=f"{quiet.start:%H:%M}", end=f"{quiet.end:%H:%M}")
            if quiet
            else None,
            daily_digest=preferences.daily_digest,
        )


def _preferences(actor: Actor, data: PreferencesIn) -> Preferences:
    quiet = None
    if data.quiet_hours is not None:
        start, end = (
            time.fromisoformat(data.quiet_hours.start),
            time.fromisoformat(data.quiet_hours.end),
        )
        if start == end:
            raise RuleViolationError("quiet_hours_invalid")
        quiet = QuietHours(start, end)
    return Preferences(
        person_id=actor.person_id,
        disabled=frozenset(c for c in Category if not getattr(data.categories, c.value)),
        quiet_hours=quiet,
        daily_digest=data.daily_digest,
    )


class MyNotificationsController(Controller):
    path = "/api/v1/me"
    tags = ["notifications"]

    @post(
        "/devices",
        operation_id="RegisterDevice",
        status_code=200,
        responses=problems(401, 409, 413, 422),
    )
    async def register_device(
        self, data: JSONBody[DeviceIn], actor: Me, notifications: Notifications
    ) -> DeviceOut:
        """Register this phone's FCM token, or refresh it (call at every start and on token
        refresh). A token registered by someone else moves to the caller. Pushes stop when the
        session that registered it logs out; unregister explicitly before logging out to be sure."""
        device = await notifications.register_device(
            actor, data.token, data.platform, data.app_version, data.locale
        )
        return DeviceOut.of(device)

    @delete("/devices/{token:str}", operation_id="UnregisterDevice", responses=problems(401, 404))
    async def unregister_device(
        self, token: FromPath[str], actor: Me, notifications: Notifications
    ) -> None:
        """Stop pushes to this token; pending ones are cancelled."""
        await notifications.unregister_device(actor, token)

    @get("/notifications", operation_id="ListMyNotifications", responses=problems(401, 422))
    async def list_notifications(
        self,
        actor: Me,
        notifications: Notifications,
        limit: Limit = 50,
        cursor: Cursor = None,
        unread_only: Annotated[bool, QueryParameter(name="unreadOnly")] = False,
    ) -> PageOut[NotificationOut]:
        """My inbox, newest first."""
        page = await notifications.inbox(actor, PageRequest(limit, cursor), unread_only=unread_only)
        return PageOut(
            items=[NotificationOut.of(n) for n in page.items], next_cursor=page.next_cursor
        )

    @get(
        "/notifications/unread-count",
        operation_id="CountMyUnreadNotifications",
        responses=problems(401),
    )
    async def unread_count(self, actor: Me, notifications: Notifications) -> UnreadCountOut:
        return UnreadCountOut(unread=await notifications.unread_count(actor))

    @post(
        "/notifications/{notification_id:uuid}/read",
        operation_id="MarkNotificationRead",
        status_code=204,
        responses=problems(401, 404),
    )
    async def mark_read(
        self, notification_id: FromPath[UUID], actor: Me, notifications: Notifications
    ) -> None:
        await notifications.mark_read(actor, notification_id)

    @post(
        "/notifications/read-all",
        operation_id="MarkAllNotificationsRead",
        status_code=200,
        responses=problems(401),
    )
    async def mark_all_read(self, actor: Me, notifications: Notifications) -> MarkedOut:
        return MarkedOut(marked=await notifications.mark_all_read(actor))

    @get(
        "/notification-preferences",
        operation_id="GetNotificationPreferences",
        responses=problems(401),
    )
    async def get_preferences(self, actor: Me, notifications: Notifications) -> PreferencesOut:
        return PreferencesOut.of(await notifications.preferences(actor))

    @put(
        "/notification-preferences",
        operation_id="SetNotificationPreferences",
        responses=problems(401, 409, 413, 422),
    )
    async def set_preferences(
        self, data: JSONBody[PreferencesIn], actor: Me, notifications: Notifications
    ) -> PreferencesOut:
        """Categories on or off, quiet hours (default 21:00-06:30 Hà Nội time; pushes wait until
        they end unless urgent) and, for leaders, the daily digest instead of single pushes."""
        preferences = await notifications.set_preferences(actor, _preferences(actor, data))
        return PreferencesOut.of(preferences)
