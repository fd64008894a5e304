"""Check-in codes that the secretary's phone shows and members scan, and the location check.

A code is ``<step>-<mac>``: the step is the current period of ``ttl`` seconds and the mac binds it
to one meeting under the server key. The code of the previous period is still accepted (a scan
that straddles the change); anything older, or made for another meeting, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.errors import RuleViolationError

EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True, slots=True)
class CheckinPolicy:
    code_ttl_seconds: int = 60
    opens_before_minutes: int = 30
    closes_after_minutes: int = 60
    max_distance_m: int = 300


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str
    expires_at: datetime


def _mac(key: bytes, meeting_id: UUID, step: int) -> str:
    message = f"checkin:{meeting_id.hex}:{step}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def _step(at: datetime, policy: CheckinPolicy) -> int:
    return int(at.timestamp()) // policy.code_ttl_seconds


def issue_code(key: bytes, meeting_id: UUID, at: datetime, policy: CheckinPolicy) -> IssuedCode:
    step = _step(at, policy)
    expires = datetime.fromtimestamp((step + 1) * policy.code_ttl_seconds, tz=UTC)
    return IssuedCode(code=f"{step}-{_mac(key, meeting_id, step)}", expires_at=expires)


def verify_code(
    key: bytes, meeting_id: UUID, code: str, at: datetime, policy: CheckinPolicy
) -> None:
    step_text, _, mac = code.partition("-")
    if not (step_text.isascii() and step_text.isdigit()) or not hmac.compare_digest(
        mac.encode(), _mac(key, meeting_id, int(step_text)).encode()
    ):
        raise RuleViolationError("checkin_code_invalid")
    if _step(at, policy) - int(step_text) not in {0, 1}:
        raise RuleViolationError("checkin_code_expired")


def check_window(
    planned_start: datetime, end: datetime, at: datetime, policy: CheckinPolicy
) -> None:
    opens = planned_start - timedelta(minutes=policy.opens_before_minutes)
    closes = end + timedelta(minutes=policy.closes_after_minutes)
    if not opens <= at <= closes:
        raise RuleViolationError("checkin_closed")


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def check_place(
    place: tuple[float, float] | None, where: tuple[float, float] | None, policy: CheckinPolicy
) -> None:
    """Only when both the meeting place and the phone's position are known."""
    if place is not None and where is not None and distance_m(place, where) > policy.max_distance_m:
        raise RuleViolationError("checkin_too_far")
