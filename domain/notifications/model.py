"""Notifications as the domain sees them: the inbox row, a person's preferences, and the rules of
when a push may go out and when a failed one is tried again. Pure: no I/O, no clock of the machine.

Texts never carry personal data of petitioners nor anything about a sealed inspection before it
is revealed: the services that call the Notifier only notify about what the recipient may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from uuid import UUID

from domain.clock import LOCAL_TZ


class Category(StrEnum):
    MEETING = "meeting"  # meeting notices and reminders
    INSPECTION = "inspection"
    TASK = "task"
    ESCALATION = "escalation"
    DIGEST = "digest"


# How long a push is worth delivering once it may go out: a meeting reminder is stale after the
# evening, a task or an escalation still matters a few days later.
TTL_BY_CATEGORY: dict[Category, timedelta] = {
    Category.MEETING: timedelta(hours=12),
    Category.INSPECTION: timedelta(days=1),
    Category.TASK: timedelta(days=3),
    Category.ESCALATION: timedelta(days=3),
    Category.DIGEST: timedelta(hours=20),
}


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


@dataclass(frozen=True, slots=True)
class Texts:
    title: str
    body: str


@dataclass(slots=True)
class Notification:
    """A row of a person's inbox: it exists even when every push of it was lost."""

    id: UUID
    person_id: UUID
    category: Category
    title: str
    body: str
    data: dict[str, str]  # the deep link; always carries the notification id
    subject: str  # what it is about ("task:<id>"): the collapse key of its pushes
    urgent: bool
    created_at: datetime
    read_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Device:
    id: UUID
    person_id: UUID
    token: str
    platform: Platform
    app_version: str
    locale: str
    session_id: UUID | None
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily local period without pushes; it may run across midnight (21:00-06:30)."""

    start: time = time(21, 0)
    end: time = time(6, 30)

    def __post_init__(self) -> None:
        if self.start == self.end:
            msg = "quiet hours must not start and end at the same time"
            raise ValueError(msg)

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, moment: datetime) -> datetime:
        """``moment`` itself outside the quiet period, else the end of that period (UTC)."""
        local = moment.astimezone(LOCAL_TZ)
        if not self.contains(local.time().replace(tzinfo=None)):
            return moment
        end_day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            end_day += timedelta(days=1)  # in the evening part: the period ends tomorrow
        end = datetime.combine(end_day, self.end, tzinfo=LOCAL_TZ)
        return end.astimezone(moment.tzinfo)


@dataclass(frozen=True, slots=True)
class Preferences:
    person_id: UUID
    disabled: frozenset[Category] = frozenset()
    quiet_hours: QuietHours | None = field(default_factory=QuietHours)
    daily_digest: bool = False  # a leader's scope news comes once a day instead of one by one

    def pushes(self, category: Category) -> bool:
        return category not in self.disabled


def push_time(
    preferences: Preferences,
    category: Category,
    now: datetime,
    *,
    urgent: bool = False,
    digestible: bool = False,
) -> datetime | None:
    """When a push of this notification may go out; None: inbox only, no push.

    A category switched off never pushes; news a leader takes in the daily digest waits for the
    digest; quiet hours hold a push until they end, unless it is urgent."""
    if not preferences.pushes(category):
        return None
    if digestible and preferences.daily_digest and category is not Category.DIGEST:
        return None
    if urgent or preferences.quiet_hours is None:
        return now
    return preferences.quiet_hours.release(now)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits in [d/2, d], d = base * 2^(n-1) <= cap."""

    base_seconds: float = 30.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 12
    after_throttle_seconds: float = 60.0  # never sooner than this after a 429


def retry_delay(
    policy: RetryPolicy,
    attempts: int,
    *,
    retry_after: float | None = None,
    throttled: bool = False,
    rand: Callable[[], float],
) -> timedelta:
    """The wait before the next try, after ``attempts`` (>= 1) failed tries. The server's
    ``Retry-After`` is honoured even above the cap; a throttled send waits at least 60 s."""
    ceiling = min(policy.cap_seconds, policy.base_seconds * 2 ** max(0, attempts - 1))
    delay = ceiling / 2 + rand() * ceiling / 2
    if retry_after is not None:
        delay = max(delay, retry_after)
    if throttled or retry_after is not None:
        delay = max(delay, policy.after_throttle_seconds)
    return timedelta(seconds=delay)
