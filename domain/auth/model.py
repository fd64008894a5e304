"""Device sessions with rotating refresh tokens. Pure rules.

A refresh token is ``<session id>.<generation>.<mac>`` where the mac is an HMAC of the three
session facts under the server key. Each refresh moves the session to the next generation, so the
previous token stops working. Because every generation's mac can be recomputed, a genuine token of
an older generation is recognised: that is reuse (a copy was stolen, or the phone replayed it) and
the whole session, the token family, is revoked.

The token of each generation is derived, not random, so a phone on a bad network that sends the
same refresh twice (the first reply lost) gets the same next token again, as long as the
duplicate comes within a short grace window of the rotation and the next token was not used yet:
one session never has two live refresh tokens. After the window the duplicate is reuse.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.errors import UnauthenticatedError


class RevokeReason(StrEnum):
    LOGOUT = "logout"
    REVOKED = "revoked"
    REUSE = "reuse"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
    DISABLED = "disabled"


@dataclass(slots=True)
class DeviceSession:
    id: UUID
    person_id: UUID
    device_name: str
    generation: int
    salt: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: RevokeReason | None = None

    @property
    def live(self) -> bool:
        return self.revoked_at is None

    def revoke(self, reason: RevokeReason, at: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = at
            self.revoked_reason = reason


def new_salt() -> str:
    return secrets.token_hex(16)


def _mac(key: bytes, session_id: UUID, generation: int, salt: str) -> str:
    message = f"{session_id.hex}:{generation}:{salt}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def refresh_token(key: bytes, session: DeviceSession) -> str:
    mac = _mac(key, session.id, session.generation, session.salt)
    return f"{session.id.hex}.{session.generation}.{mac}"


@dataclass(frozen=True, slots=True)
class PresentedToken:
    session_id: UUID
    generation: int
    mac: str


def parse_refresh_token(token: str) -> PresentedToken:
    try:
        sid, generation, mac = token.split(".")
        return PresentedToken(UUID(hex=sid), int(generation), mac)
    except ValueError as error:
        raise UnauthenticatedError("refresh_token_invalid") from error


class RotationOutcome(StrEnum):
    ROTATED = "rotated"  # moved to the next generation: store it only if nobody else did first
    REPEATED = "repeated"  # a duplicate of the token rotated just now: answer the current token
    REUSED = "reused"  # an old token replayed: the session is revoked


def rotate(
    key: bytes,
    session: DeviceSession | None,
    token: PresentedToken,
    now: datetime,
    lifetime: timedelta,
    grace: timedelta,
) -> RotationOutcome:
    """Advance the session to the next generation, or revoke it when an old token is replayed.

    Raises UnauthenticatedError for anything that is not a genuine live token. ROTATED must be
    stored as a compare-and-swap from ``token.generation`` (a concurrent duplicate may have moved
    the session already: judge again); REUSED must be stored (it revoked the session) and refused.
    """
    if session is None or session.id != token.session_id:
        raise UnauthenticatedError("refresh_token_invalid")
    if token.generation > session.generation or not hmac.compare_digest(
        token.mac, _mac(key, session.id, token.generation, session.salt)
    ):
        raise UnauthenticatedError("refresh_token_invalid")
    if not session.live or session.expires_at <= now:
        raise UnauthenticatedError("session_expired")
    if token.generation < session.generation:
        if token.generation == session.generation - 1 and now - session.last_used_at < grace:
            return RotationOutcome.REPEATED
        session.revoke(RevokeReason.REUSE, now)
        return RotationOutcome.REUSED
    session.generation += 1
    session.last_used_at = now
    session.expires_at = now + lifetime
    return RotationOutcome.ROTATED


@dataclass(frozen=True, slots=True)
class Credentials:
    person_id: UUID
    home_unit_path: str
    password_hash: str | None
    active: bool
    phone: str
    full_name: str
    password_temporary: bool
