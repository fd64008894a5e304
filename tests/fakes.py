"""Fakes for the few ports whose real thing is the machine itself (the clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self._now = now

    def reset(self, now: datetime = START) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta
