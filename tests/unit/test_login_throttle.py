"""The failed-login throttle's rules, no I/O: free failures, then a doubling wait up to a cap;
which keys an attempt counts under; the Retry-After it answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.auth.throttle import DelaySchedule, LoginPolicy, retry_after
from tests.fakes import START

SECOND = timedelta(seconds=1)


def test_a_few_failures_are_free_then_the_wait_doubles_up_to_the_cap() -> None:
    schedule = LoginPolicy().schedule(5)
    waits = [schedule.delay_after(n) for n in range(1, 17)]
    assert waits == [
        *[timedelta(0)] * 4,
        *(s * SECOND for s in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)),
        15 * 60 * SECOND,
        15 * 60 * SECOND,
    ]
    assert schedule.delay_after(10_000) == 15 * 60 * SECOND


def test_steps_list_every_count_up_to_the_first_capped_one() -> None:
    schedule = DelaySchedule(free=3, first_delay=10 * SECOND, max_delay=60 * SECOND)
    assert schedule.steps() == (
        timedelta(0),
        timedelta(0),
        10 * SECOND,
        20 * SECOND,
        40 * SECOND,
        60 * SECOND,
    )
    assert all(schedule.delay_after(n) == 60 * SECOND for n in range(6, 50))


def test_one_free_failure_and_a_first_wait_at_the_cap_is_one_step() -> None:
    assert DelaySchedule(1, 5 * SECOND, 5 * SECOND).steps() == (5 * SECOND,)


def test_next_attempts_are_the_steps_from_now() -> None:
    key = LoginPolicy(free_failures_per_client=2, max_delay_seconds=4).keys("+84912345678", "a")[1]
    assert key.next_attempts(START) == (
        START,
        START + SECOND,
        START + 2 * SECOND,
        START + 4 * SECOND,
    )


def test_an_attempt_counts_under_the_account_and_the_account_from_its_address() -> None:
    policy = LoginPolicy()
    account, pair = policy.keys("+84912345678", "10.0.0.7")
    assert account.name == "account:+84912345678"
    assert pair.name == "account:+84912345678|client:10.0.0.7"
    # the account from anywhere lets more through before waiting than one address does
    assert account.schedule.free == policy.free_failures_per_account == 20
    assert pair.schedule.free == policy.free_failures_per_client == 5
    # an address alone is no key: neighbours behind one NAT do not slow each other
    other_account, other_pair = policy.keys("+84987654321", "10.0.0.7")
    assert {account.name, pair.name}.isdisjoint({other_account.name, other_pair.name})


def test_nothing_ever_locks_for_good() -> None:
    policy = LoginPolicy()
    worst = max(
        key.schedule.delay_after(n) for key in policy.keys("p", "c") for n in range(1, 1000)
    )
    assert worst == timedelta(seconds=policy.max_delay_seconds) == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("wait", "seconds"),
    [(timedelta(0), 1), (timedelta(milliseconds=1), 1), (SECOND, 1), (1.5 * SECOND, 2),
     (timedelta(minutes=15), 900), (-SECOND, 1)],
)  # fmt: skip
def test_retry_after_is_whole_seconds_rounded_up_at_least_one(
    wait: timedelta, seconds: int
) -> None:
    assert retry_after(START + wait, START) == seconds


@pytest.mark.parametrize(
    "changes",
    [
        {"free_failures_per_client": 0},
        {"free_failures_per_account": 0},
        {"first_delay_seconds": 0},
        {"first_delay_seconds": 10, "max_delay_seconds": 5},
    ],
)
def test_a_policy_that_would_lock_out_or_never_wait_is_refused(changes: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"free failure|first delay"):
        LoginPolicy(**changes)
