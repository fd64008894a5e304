"""The signed-in person's push devices, notification inbox and notification preferences."""

from __future__ import annotations

from datetime import time
from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from api.notifications.schemas import (
    DeviceIn,
    DeviceOut,
    MarkedOut,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    UnreadCountOut,
)
from domain.actors import Actor
from domain.errors import RuleViolationError
from domain.notifications.model import (
    Category,
    Preferences,
    QuietHours,
)
from domain.notifications.service import NotificationService
from domain.pagination import PageRequest

Me = NamedDependency[Actor]
Notifications = NamedDependency[NotificationService]


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
        "/notifications/{notification_id:uuid}",
        operation_id="GetMyNotification",
        responses=problems(401, 404),
    )
    async def get_notification(
        self, notification_id: FromPath[UUID], actor: Me, notifications: Notifications
    ) -> NotificationOut:
        """One notification of my inbox (offline sync reads each through this)."""
        return NotificationOut.of(await notifications.notification(actor, notification_id))

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
