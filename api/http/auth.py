"""Access tokens (short JWT, header only) -> the Actor behind them, and the guard every route
passes."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Self
from uuid import UUID

import jwt
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Operation
from litestar.security.jwt import JWTAuth, Token
from litestar.security.jwt.token import JWTDecodeOptions

from db.repositories.auth import load_actor
from domain.actors import Actor
from domain.errors import ForbiddenError


class VerifiedTokens:
    """Access tokens already verified, by their text, each until its ``exp``: a phone sends the
    same token with every request for its whole life (minutes), and checking its signature and
    claims again each time was a third of a cheap read's CPU. Safe because a token carries no
    right of its own: its session row (revoked, expired, its person disabled) is still read in
    SQL on every request (``load_actor``). Bounded: past ``size`` tokens, the oldest is dropped
    (a token dropped is only verified again)."""

    def __init__(self, size: int = 4096, now: Callable[[], float] = time.time) -> None:
        self._size = size
        self._now = now
        self._tokens: dict[tuple[str, str], tuple[float, Token]] = {}

    def get(self, encoded: str, secret: str) -> Token | None:
        found = self._tokens.get((encoded, secret))
        if found is None:
            return None
        if self._now() >= found[0]:  # PyJWT refuses a token whose exp is now or past
            del self._tokens[encoded, secret]
            return None
        return found[1]

    def keep(self, encoded: str, secret: str, token: Token) -> None:
        if len(self._tokens) >= self._size:
            del self._tokens[next(iter(self._tokens))]
        self._tokens[encoded, secret] = (token.exp.timestamp(), token)


VERIFIED = VerifiedTokens()


class AccessToken(Token):
    """Litestar's token, checked by PyJWT as before, against a key prepared once (given the
    secret as text, PyJWT prepares it on every decode: it tries it as a PEM, SSH and DER key
    before using it as an HMAC secret), and only the first time it is seen (``VERIFIED``)."""

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        # the app checks every token with one set of options (make_jwt_auth): the secret and
        # the text decide
        known = VERIFIED.get(encoded_token, secret)
        if isinstance(known, cls):
            return known
        token = super().decode(
            encoded_token,
            secret,
            algorithm,
            audience,
            issuer,
            require_claims,
            verify_exp,
            verify_nbf,
            strict_audience,
        )
        VERIFIED.keep(encoded_token, secret, token)
        return token

    @classmethod
    def decode_payload(
        cls,
        encoded_token: str,
        secret: str,
        algorithms: list[str],
        issuer: str | Sequence[str] | None = None,
        audience: str | Sequence[str] | None = None,
        options: JWTDecodeOptions | None = None,
    ) -> Any:  # noqa: ANN401 - the claims, as PyJWT decodes them
        return jwt.decode(
            jwt=encoded_token,
            key=_prepared_key(secret, algorithms[0]),
            algorithms=algorithms,
            issuer=issuer,
            audience=audience,
            options=options,  # type: ignore[arg-type]
        )


@lru_cache(maxsize=4)
def _prepared_key(secret: str, algorithm: str) -> jwt.PyJWK:
    encoded = jwt.utils.base64url_encode(secret.encode()).decode()
    return jwt.PyJWK({"kty": "oct", "k": encoded}, algorithm)


async def retrieve_actor(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> Actor | None:
    del connection
    return await actor_of(token)


async def actor_of(token: Token) -> Actor | None:
    """The Actor behind a verified token, or None when its session or person is not live."""
    try:
        person_id, session_id = UUID(token.sub), UUID(str(token.extras.get("sid")))
    except ValueError:
        return None
    return await load_actor(person_id, session_id)


# A handler open to a person still holding a temporary password carries this in its opt.
WITH_TEMPORARY_PASSWORD = "allowed_with_temporary_password"  # noqa: S105 - an opt key


async def temporary_password_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Until a password an administrator set is changed, every operation except changing it,
    logging out and reading /me is refused, whatever route is added later (the whole app).
    A coroutine: Litestar runs a plain function guard on a worker thread, a hop per request."""
    actor = connection.scope.get("user")
    if (
        isinstance(actor, Actor)
        and actor.password_temporary
        and not handler.opt.get(WITH_TEMPORARY_PASSWORD)
    ):
        raise ForbiddenError("password_change_required")


def make_jwt_auth(secret: str, exclude: list[str]) -> JWTAuth[Actor, Token]:
    return JWTAuth[Actor, Token](
        retrieve_user_handler=retrieve_actor,
        token_cls=AccessToken,
        token_secret=secret,
        exclude=exclude,
        description="Access token from POST /api/v1/auth/login or /auth/refresh",
    )


@dataclass
class PublicOperation(Operation):
    """An operation open without a bearer token. JWTAuth puts its security requirement on the
    whole document, and Litestar drops a handler's ``security=[]`` as empty."""

    def __post_init__(self) -> None:
        self.security = []
