"""Time as the domain sees it: injected (the ``Clock`` port), never read from the machine inside
a rule; the system clock and the Hà Nội day arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def local_at(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` in Hà Nội, as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in Hà Nội, as UTC."""
    return local_at(day, 0)


def local_day(moment: datetime) -> date:
    """The calendar day in Hà Nội at ``moment``."""
    return moment.astimezone(LOCAL_TZ).date()
