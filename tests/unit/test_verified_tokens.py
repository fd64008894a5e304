"""Access tokens verified once, then known by their text until they expire (api/http/auth.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.security.jwt import Token

from api.http.auth import VerifiedTokens

EXP = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)  # Token wants a future exp
SECRET = "s" * 40


def token(sub: str) -> Token:
    return Token(exp=EXP, sub=sub)


def test_a_known_token_is_known_until_its_exp_and_only_with_its_secret() -> None:
    now = [EXP.timestamp() - 1]
    known = VerifiedTokens(now=lambda: now[0])
    verified = token("a")
    known.keep("a.b.c", SECRET, verified)
    assert known.get("a.b.c", SECRET) is verified
    assert known.get("a.b.c", "another secret") is None
    assert known.get("a.b.d", SECRET) is None
    now[0] = EXP.timestamp()  # PyJWT refuses it from its exp on: so does the cache
    assert known.get("a.b.c", SECRET) is None
    now[0] = EXP.timestamp() - 1  # and it was dropped, not kept for a clock going back
    assert known.get("a.b.c", SECRET) is None


def test_past_its_size_the_oldest_token_is_forgotten() -> None:
    known = VerifiedTokens(size=2, now=lambda: EXP.timestamp() - 60)
    for text in ("t1", "t2", "t3"):
        known.keep(text, SECRET, token(text))
    assert known.get("t1", SECRET) is None
    assert known.get("t2", SECRET) is not None
    assert known.get("t3", SECRET) is not None
