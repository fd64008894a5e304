"""What the dispatcher hands a sender, and what it gets back: one result per push, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Push:
    delivery_id: UUID
    notification_id: UUID
    token: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)  # always carries the notification id
    collapse_key: str | None = None
    ttl_seconds: int = 86_400
    urgent: bool = False


class Outcome(StrEnum):
    SENT = "sent"
    # unregistered or invalid: delete the token, never retry
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - an outcome, not a secret
    RETRY = "retry"  # quota, server or transport trouble: try again later


@dataclass(frozen=True, slots=True)
class Result:
    delivery_id: UUID
    outcome: Outcome
    retry_after_seconds: float | None = None  # from the server (429 Retry-After), if any
    error: str | None = None


class Sender(Protocol):
    async def send(self, pushes: list[Push]) -> list[Result]:
        """Send one batch (at most 500); a batch-wide failure answers RETRY for every push."""

    async def close(self) -> None: ...
