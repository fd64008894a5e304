from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import uuid4

import pytest

from domain.clock import LOCAL_TZ
from domain.notifications.model import (
    Category,
    Preferences,
    QuietHours,
    RetryPolicy,
    push_time,
    retry_delay,
)

PREFS = Preferences(uuid4())  # defaults: everything on, quiet 21:00-06:30


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(3, 20, 59), local(3, 20, 59)),  # a minute before: goes now
        (local(3, 21, 0), local(4, 6, 30)),  # the start is quiet: waits until tomorrow 06:30
        (local(3, 23, 45), local(4, 6, 30)),
        (local(4, 0, 0), local(4, 6, 30)),  # after midnight: the same night's end
        (local(4, 6, 29), local(4, 6, 30)),
        (local(4, 6, 30), local(4, 6, 30)),  # the end itself is not quiet
        (local(4, 12, 0), local(4, 12, 0)),
    ],
)
def test_quiet_hours_across_midnight_hold_a_push_until_they_end(
    now: datetime, expected: datetime
) -> None:
    assert push_time(PREFS, Category.MEETING, now) == expected


def test_quiet_hours_within_a_day() -> None:
    prefs = Preferences(uuid4(), quiet_hours=QuietHours(time(12, 0), time(13, 30)))
    assert push_time(prefs, Category.TASK, local(3, 11, 59)) == local(3, 11, 59)
    assert push_time(prefs, Category.TASK, local(3, 12, 0)) == local(3, 13, 30)
    assert push_time(prefs, Category.TASK, local(3, 13, 30)) == local(3, 13, 30)
    assert push_time(prefs, Category.TASK, local(3, 22, 0)) == local(3, 22, 0)


def test_urgent_bypasses_quiet_hours() -> None:
    assert push_time(PREFS, Category.ESCALATION, local(3, 23, 0), urgent=True) == local(3, 23, 0)


def test_no_quiet_hours_means_now() -> None:
    prefs = Preferences(uuid4(), quiet_hours=None)
    assert push_time(prefs, Category.MEETING, local(3, 23, 0)) == local(3, 23, 0)


def test_a_category_switched_off_goes_to_the_inbox_only() -> None:
    prefs = Preferences(uuid4(), disabled=frozenset({Category.TASK}))
    assert push_time(prefs, Category.TASK, local(3, 12, 0)) is None
    assert push_time(prefs, Category.TASK, local(3, 12, 0), urgent=True) is None
    assert push_time(prefs, Category.MEETING, local(3, 12, 0)) == local(3, 12, 0)


def test_a_leader_on_the_digest_gets_scope_news_only_in_the_digest() -> None:
    prefs = Preferences(uuid4(), daily_digest=True)
    assert push_time(prefs, Category.MEETING, local(3, 12, 0), digestible=True) is None
    assert push_time(prefs, Category.MEETING, local(3, 12, 0)) == local(3, 12, 0)
    assert push_time(prefs, Category.DIGEST, local(3, 12, 0), digestible=True) == local(3, 12, 0)


def test_quiet_hours_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="same time"):
        QuietHours(time(21, 0), time(21, 0))


POLICY = RetryPolicy(base_seconds=30, cap_seconds=3600, max_attempts=12)


@pytest.mark.parametrize("attempts", [1, 2, 3, 5, 8, 12, 30])
def test_backoff_stays_within_half_and_full_exponential_step(attempts: int) -> None:
    ceiling = min(3600, 30 * 2 ** (attempts - 1))
    low = retry_delay(POLICY, attempts, rand=lambda: 0.0)
    high = retry_delay(POLICY, attempts, rand=lambda: 0.999999)
    assert low == timedelta(seconds=ceiling / 2)
    assert timedelta(seconds=ceiling / 2) <= high <= timedelta(seconds=ceiling)


def test_backoff_grows() -> None:
    delays = [retry_delay(POLICY, n, rand=lambda: 0.5) for n in range(1, 8)]
    assert delays == sorted(delays)
    assert len(set(delays)) == len(delays)


def test_retry_after_is_honoured_even_above_the_cap() -> None:
    assert retry_delay(POLICY, 1, retry_after=120, rand=lambda: 0.0) == timedelta(seconds=120)
    assert retry_delay(POLICY, 1, retry_after=7200, rand=lambda: 1.0) == timedelta(seconds=7200)


def test_never_sooner_than_60_seconds_after_a_429() -> None:
    assert retry_delay(POLICY, 1, throttled=True, rand=lambda: 0.0) == timedelta(seconds=60)
    assert retry_delay(POLICY, 1, retry_after=1, rand=lambda: 0.0) == timedelta(seconds=60)
    assert retry_delay(POLICY, 1, rand=lambda: 0.0) == timedelta(seconds=15)  # not throttled
