"""Check-in codes, the check-in window and the location check (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import RuleViolationError
from domain.meetings.checkin import (
    CheckinPolicy,
    check_place,
    check_window,
    distance_m,
    issue_code,
    verify_code,
)

POLICY = CheckinPolicy()
KEY = b"k" * 32
MEETING = uuid4()
START = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
END = START + timedelta(hours=2)
NOW = START + timedelta(minutes=5, seconds=10)
HOAN_KIEM = (21.0288, 105.8525)


def refused(call: object, *args: object) -> str:
    with pytest.raises(RuleViolationError) as error:
        call(*args)  # type: ignore[operator]
    return error.value.code


# -- codes -------------------------------------------------------------------------------------


def test_the_current_code_is_accepted() -> None:
    issued = issue_code(KEY, MEETING, NOW, POLICY)
    verify_code(KEY, MEETING, issued.code, NOW, POLICY)


def test_the_code_expires_at_the_end_of_its_period() -> None:
    issued = issue_code(KEY, MEETING, NOW, POLICY)
    assert NOW < issued.expires_at <= NOW + timedelta(seconds=POLICY.code_ttl_seconds)
    assert int(issued.expires_at.timestamp()) % POLICY.code_ttl_seconds == 0


def test_a_code_asked_again_in_the_same_period_is_the_same() -> None:
    first = issue_code(KEY, MEETING, NOW, POLICY)
    assert issue_code(KEY, MEETING, first.expires_at - timedelta(seconds=1), POLICY) == first
    assert issue_code(KEY, MEETING, first.expires_at, POLICY).code != first.code


def test_the_previous_periods_code_is_still_accepted() -> None:
    issued = issue_code(KEY, MEETING, NOW, POLICY)
    verify_code(KEY, MEETING, issued.code, issued.expires_at, POLICY)
    last_moment = issued.expires_at + timedelta(seconds=POLICY.code_ttl_seconds - 1)
    verify_code(KEY, MEETING, issued.code, last_moment, POLICY)


def test_an_older_code_is_expired() -> None:
    issued = issue_code(KEY, MEETING, NOW, POLICY)
    later = issued.expires_at + timedelta(seconds=POLICY.code_ttl_seconds)
    assert refused(verify_code, KEY, MEETING, issued.code, later, POLICY) == (
        "checkin_code_expired"
    )
    much_later = NOW + timedelta(hours=1)
    assert refused(verify_code, KEY, MEETING, issued.code, much_later, POLICY) == (
        "checkin_code_expired"
    )


def test_a_code_from_the_future_is_expired() -> None:
    future = issue_code(KEY, MEETING, NOW + timedelta(minutes=5), POLICY)
    assert refused(verify_code, KEY, MEETING, future.code, NOW, POLICY) == "checkin_code_expired"


def test_the_code_of_another_meeting_is_invalid() -> None:
    other = issue_code(KEY, uuid4(), NOW, POLICY)
    assert refused(verify_code, KEY, MEETING, other.code, NOW, POLICY) == "checkin_code_invalid"


def test_a_code_made_with_another_key_is_invalid() -> None:
    forged = issue_code(b"x" * 32, MEETING, NOW, POLICY)
    assert refused(verify_code, KEY, MEETING, forged.code, NOW, POLICY) == "checkin_code_invalid"


def test_a_step_changed_under_the_mac_is_invalid() -> None:
    step, _, mac = issue_code(KEY, MEETING, NOW, POLICY).code.partition("-")
    tampered = f"{int(step) + 1}-{mac}"
    assert refused(verify_code, KEY, MEETING, tampered, NOW, POLICY) == "checkin_code_invalid"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "abc",
        "123",
        "123-",
        "-abcdef",
        "x1-abcdef0123456789",
        "²-abcdef",
        "١٢-abc",
        "1 2-ab",
        "123-abcdé",
    ],
)
def test_malformed_codes_are_invalid(code: str) -> None:
    assert refused(verify_code, KEY, MEETING, code, NOW, POLICY) == "checkin_code_invalid"


def test_the_code_period_is_configuration() -> None:
    long_lived = replace(POLICY, code_ttl_seconds=600)
    issued = issue_code(KEY, MEETING, NOW, long_lived)
    verify_code(KEY, MEETING, issued.code, NOW + timedelta(minutes=9), long_lived)


# -- the window --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [
        START - timedelta(minutes=30),
        START,
        END,
        END + timedelta(minutes=60),
    ],
)
def test_the_window_opens_30_minutes_before_and_closes_an_hour_after(at: datetime) -> None:
    check_window(START, END, at, POLICY)


@pytest.mark.parametrize(
    "at",
    [
        START - timedelta(minutes=30, seconds=1),
        START - timedelta(days=1),
        END + timedelta(minutes=60, seconds=1),
        END + timedelta(days=1),
    ],
)
def test_outside_the_window_check_in_is_closed(at: datetime) -> None:
    assert refused(check_window, START, END, at, POLICY) == "checkin_closed"


# -- the place ---------------------------------------------------------------------------------


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return (point[0] + metres / 111_195, point[1])


def test_distance_is_in_metres() -> None:
    assert distance_m(HOAN_KIEM, HOAN_KIEM) == 0
    assert distance_m(HOAN_KIEM, north_of(HOAN_KIEM, 1000)) == pytest.approx(1000, rel=1e-3)


def test_near_the_meeting_place_passes() -> None:
    check_place(HOAN_KIEM, north_of(HOAN_KIEM, 250), POLICY)


def test_too_far_from_the_meeting_place_is_refused() -> None:
    where = north_of(HOAN_KIEM, 350)
    assert refused(check_place, HOAN_KIEM, where, POLICY) == "checkin_too_far"


def test_unknown_place_or_position_passes() -> None:
    far = north_of(HOAN_KIEM, 50_000)
    check_place(None, far, POLICY)
    check_place(HOAN_KIEM, None, POLICY)
    check_place(None, None, POLICY)


def test_the_distance_limit_is_configuration() -> None:
    where = north_of(HOAN_KIEM, 350)
    check_place(HOAN_KIEM, where, replace(POLICY, max_distance_m=400))
