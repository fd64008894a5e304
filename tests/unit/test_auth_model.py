"""Refresh-token rotation with reuse detection: no I/O."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.auth.model import (
    DeviceSession,
    RevokeReason,
    RotationOutcome,
    new_salt,
    parse_refresh_token,
    refresh_token,
    rotate,
)
from domain.auth.service import AuthService
from domain.auth.throttle import LoginPolicy
from domain.errors import UnauthenticatedError
from tests.fakes import START, FakeClock

KEY = b"k" * 32
LIFETIME = timedelta(days=60)
GRACE = timedelta(seconds=10)


def make_session(**overrides: object) -> DeviceSession:
    fields: dict[str, object] = {
        "id": uuid4(),
        "person_id": uuid4(),
        "device_name": "phone",
        "generation": 0,
        "salt": new_salt(),
        "created_at": START,
        "last_used_at": START,
        "expires_at": START + LIFETIME,
    }
    fields.update(overrides)
    return DeviceSession(**fields)  # type: ignore[arg-type]


def _rotate(session: DeviceSession | None, token: str, minutes: float = 1) -> RotationOutcome:
    at = START + timedelta(minutes=minutes)
    return rotate(KEY, session, parse_refresh_token(token), at, LIFETIME, GRACE)


def _refused(session: DeviceSession | None, token: str, code: str, minutes: float = 1) -> None:
    with pytest.raises(UnauthenticatedError) as raised:
        _rotate(session, token, minutes)
    assert raised.value.code == code


def test_rotate_advances_generation_and_extends_the_session() -> None:
    session = make_session()
    first = refresh_token(KEY, session)
    assert _rotate(session, first, minutes=5) is RotationOutcome.ROTATED
    assert session.generation == 1
    assert session.last_used_at == START + timedelta(minutes=5)
    assert session.expires_at == START + timedelta(minutes=5) + LIFETIME
    second = refresh_token(KEY, session)
    assert second != first
    assert _rotate(session, second) is RotationOutcome.ROTATED
    assert session.generation == 2
    assert session.live


def test_replaying_an_old_genuine_token_is_reuse_and_revokes_the_session() -> None:
    session = make_session()
    old = refresh_token(KEY, session)
    _rotate(session, old)
    current = refresh_token(KEY, session)
    assert _rotate(session, old, minutes=2) is RotationOutcome.REUSED
    assert not session.live
    assert session.revoked_reason is RevokeReason.REUSE
    assert session.revoked_at == START + timedelta(minutes=2)
    # the family is dead: the newest token no longer works either
    _refused(session, current, "session_expired")


def test_a_duplicate_within_the_grace_window_gets_the_same_next_token() -> None:
    session = make_session()
    old = refresh_token(KEY, session)
    assert _rotate(session, old, minutes=1) is RotationOutcome.ROTATED
    issued = refresh_token(KEY, session)
    # the phone never got the reply and sends the same token again, 9 s later
    assert _rotate(session, old, minutes=1 + 9 / 60) is RotationOutcome.REPEATED
    assert session.generation == 1
    assert session.live
    assert refresh_token(KEY, session) == issued


def test_a_duplicate_after_the_grace_window_is_reuse() -> None:
    session = make_session()
    old = refresh_token(KEY, session)
    _rotate(session, old, minutes=1)
    assert _rotate(session, old, minutes=1 + 10 / 60) is RotationOutcome.REUSED
    assert not session.live


def test_only_the_token_just_rotated_is_repeated_not_older_ones() -> None:
    session = make_session()
    first = refresh_token(KEY, session)
    _rotate(session, first, minutes=1)
    _rotate(session, refresh_token(KEY, session), minutes=1)
    # two generations behind, even within the window: reuse
    assert _rotate(session, first, minutes=1) is RotationOutcome.REUSED
    assert session.revoked_reason is RevokeReason.REUSE


def test_forged_mac_is_invalid_and_changes_nothing() -> None:
    session = make_session(generation=3)
    genuine = refresh_token(KEY, session)
    forged = genuine[:-1] + ("0" if genuine[-1] != "0" else "1")
    _refused(session, forged, "refresh_token_invalid")
    for older_forged in (f"{session.id.hex}.1.{'a' * 64}", f"{session.id.hex}.2.{'0' * 64}"):
        _refused(session, older_forged, "refresh_token_invalid")
    assert session.generation == 3
    assert session.live


def test_token_signed_with_another_key_is_invalid() -> None:
    session = make_session()
    _refused(session, refresh_token(b"other-key" * 4, session), "refresh_token_invalid")


def test_future_generation_is_invalid() -> None:
    session = make_session()
    ahead = make_session(id=session.id, salt=session.salt, generation=1)
    _refused(session, refresh_token(KEY, ahead), "refresh_token_invalid")
    assert session.live


def test_missing_or_other_session_is_invalid() -> None:
    session = make_session()
    token = refresh_token(KEY, session)
    _refused(None, token, "refresh_token_invalid")
    _refused(make_session(), token, "refresh_token_invalid")


def test_expired_session_is_refused() -> None:
    session = make_session(expires_at=START + timedelta(minutes=1))
    _refused(session, refresh_token(KEY, session), "session_expired", minutes=1)
    assert session.generation == 0


def test_revoked_session_is_refused_even_with_the_current_token() -> None:
    session = make_session()
    session.revoke(RevokeReason.LOGOUT, START)
    _refused(session, refresh_token(KEY, session), "session_expired")
    assert session.generation == 0


def test_revoke_keeps_the_first_reason() -> None:
    session = make_session()
    session.revoke(RevokeReason.LOGOUT, START)
    session.revoke(RevokeReason.REUSE, START + timedelta(hours=1))
    assert session.revoked_reason is RevokeReason.LOGOUT
    assert session.revoked_at == START


# A fixed id: test ids must be the same in every collection (pytest-xdist compares them).
ANY_ID = "5f0c2f1e9d4b4a7e8c3d2b1a09876543"


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", f"{ANY_ID}.x.mac", "not-a-uuid.1.mac", f"{ANY_ID}.1.mac.extra"],
)
def test_malformed_tokens_do_not_parse(token: str) -> None:
    with pytest.raises(UnauthenticatedError) as raised:
        parse_refresh_token(token)
    assert raised.value.code == "refresh_token_invalid"


def test_token_round_trips_through_parse() -> None:
    session = make_session(generation=7)
    presented = parse_refresh_token(refresh_token(KEY, session))
    assert (presented.session_id, presented.generation) == (session.id, 7)


class CountingHasher:
    def __init__(self) -> None:
        self.hashed = 0

    def hash(self, password: str) -> str:
        self.hashed += 1
        return f"h:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == f"h:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        del password_hash
        return False


def test_the_dummy_hash_is_made_once_per_hasher_not_per_request() -> None:
    # The app builds an AuthService for every request; an argon2 hash each time doubled the
    # cost of every auth request.
    hasher = CountingHasher()
    unused: Any = None
    for _ in range(3):
        AuthService(
            unused, unused, unused, FakeClock(), hasher, KEY, LoginPolicy(), LIFETIME, GRACE, unused
        )
    assert hasher.hashed == 1
