"""Bodies of the signed-in person's push devices, inbox and notification preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.http.schemas import In, Out
from domain.notifications.model import (
    Category,
    Device,
    Notification,
    Platform,
    Preferences,
)

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
