"""What login and sessions need from outside the domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.auth.model import Credentials, DeviceSession, RevokeReason


class AuthRepository(Protocol):
    async def credentials_by_phone(self, phone: str) -> Credentials | None: ...
    async def credentials_of(self, person_id: UUID) -> Credentials | None: ...
    async def set_password_hash(self, person_id: UUID, password_hash: str) -> None:
        """The person's own new password: a temporary one ends with it."""

    async def get_session(self, session_id: UUID) -> DeviceSession | None: ...
    async def add_session(self, session: DeviceSession) -> None: ...
    async def advance_session(self, session: DeviceSession, from_generation: int) -> bool:
        """Store the rotated session if it is still live at ``from_generation``; False when a
        concurrent rotation (or revocation) came first."""

    async def revoke_sessions(
        self, session_ids: Sequence[UUID], reason: RevokeReason, at: datetime
    ) -> None: ...
    async def live_sessions_of(self, person_id: UUID) -> list[DeviceSession]: ...
    async def reserve_attempt(
        self, key: str, next_attempts: Sequence[datetime], now: datetime, forget_before: datetime
    ) -> bool:
        """Count an attempt under the key unless it must still wait (False), in one atomic
        step; ``next_attempts[n - 1]`` is when the next may start if this is the n-th in a row
        (the last for every later n). A key quiet since ``forget_before`` starts from zero."""

    async def next_attempt_at(self, key: str) -> datetime | None: ...
    async def clear_attempts(self, key: str) -> None: ...
    async def forgive_attempt(self, key: str) -> None:
        """Take back one counted attempt (it succeeded)."""

    async def cancel_pushes_of(self, session_ids: Sequence[UUID], reason: RevokeReason) -> int:
        """Cancel the pending pushes of the devices these sessions registered, saying why; the
        number cancelled. In the current transaction."""

    async def forget_devices_of(self, person_id: UUID) -> int:
        """Delete the person's push devices, cancelling their pending pushes; in the current
        transaction."""


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...
