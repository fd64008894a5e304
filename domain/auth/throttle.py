"""The failed-login throttle, after NIST SP 800-63B §5.2.2 and OWASP's authentication guidance:
no lockout anyone else can trigger, but a wait that doubles with each failure in a row.

Attempts are counted under two keys: the account from one client address, and the account from
anywhere. Each key lets a few failures through freely; after that every attempt must wait
``first_delay`` × 2^(extra failures), never more than ``max_delay``. The account-and-address key
slows a guesser at one address quickly; the account key, with more free failures, slows guessing
spread over many addresses without stopping its owner after a few strangers' tries. An address
alone is no key: many people share one behind a carrier's NAT. A success clears the
account-and-address key and does not count against the account. Nothing here concerns a phone
that holds a session: refreshing and using access tokens are never throttled.

The counting itself is one statement per key (db/repositories/auth.py) that takes the attempt
before the password is checked, so parallel attempts can never check more than the rules allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    free_failures_per_client: int = 5  # on one account from one address, before waits start
    free_failures_per_account: int = 20  # on one account from anywhere
    first_delay_seconds: int = 1
    max_delay_seconds: int = 15 * 60
    forget_after_hours: int = 24  # a key without attempts this long starts again from zero

    def __post_init__(self) -> None:
        if min(self.free_failures_per_client, self.free_failures_per_account) < 1:
            msg = "at least one free failure per key"
            raise ValueError(msg)
        if not 1 <= self.first_delay_seconds <= self.max_delay_seconds:
            msg = "the first delay must be at least 1 s and at most the longest delay"
            raise ValueError(msg)

    def keys(self, phone: str, client: str) -> tuple[ThrottleKey, ThrottleKey]:
        """The account's key first: every login takes its keys in the same order (no deadlock)."""
        return (
            ThrottleKey(f"account:{phone}", self.schedule(self.free_failures_per_account)),
            ThrottleKey(
                f"account:{phone}|client:{client}", self.schedule(self.free_failures_per_client)
            ),
        )

    def schedule(self, free: int) -> DelaySchedule:
        return DelaySchedule(
            free,
            timedelta(seconds=self.first_delay_seconds),
            timedelta(seconds=self.max_delay_seconds),
        )

    @property
    def forget_after(self) -> timedelta:
        return timedelta(hours=self.forget_after_hours)


@dataclass(frozen=True, slots=True)
class DelaySchedule:
    free: int
    first_delay: timedelta
    max_delay: timedelta

    def delay_after(self, failures: int) -> timedelta:
        """How long the next attempt waits after ``failures`` attempts in a row failed."""
        if failures < self.free:
            return timedelta(0)
        doublings = failures - self.free
        if 2 ** min(doublings, 64) >= self.max_delay / self.first_delay:
            return self.max_delay
        return self.first_delay * (1 << doublings)

    def steps(self) -> tuple[timedelta, ...]:
        """``delay_after(n)`` for n = 1, 2, … up to the first that reaches the longest delay:
        every later count waits that long too."""
        delays = [self.delay_after(1)]
        while delays[-1] < self.max_delay:
            delays.append(self.delay_after(len(delays) + 1))
        return tuple(delays)


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    name: str
    schedule: DelaySchedule

    def next_attempts(self, now: datetime) -> tuple[datetime, ...]:
        """When the attempt after this one may start, if this one is the n-th in a row (index
        n - 1; the last stands for every later n)."""
        return tuple(now + delay for delay in self.schedule.steps())


def retry_after(next_attempt_at: datetime, now: datetime) -> int:
    """Whole seconds to wait, rounded up, at least 1 (the Retry-After header)."""
    wait = (next_attempt_at - now).total_seconds()
    return max(1, int(wait) + (0 if wait == int(wait) else 1))
