"""The hottest reads answered before Litestar's per-route pipeline (decision 0022).

A phone opens the app on ``GET /api/v1/me`` and its lists; each such request went through
Litestar's exception layer, router, authentication middleware, our two middlewares, the guard
(which copies the handler), the ``before_request`` hook, the kwargs model, the dependencies and
the response object: about half the CPU of a ``/me`` on SQLite. Here a request for one of those
routes, in the shape a phone sends it, is answered by the same function the route's handler
calls, without that pipeline:

- a ``GET`` of a listed path, no body;
- a query of known names, each once, each value in a narrow form accepted as is by the route's own
  parameter (``limit`` 1-100 in plain digits, a cursor of its pattern and length, a UUID in
  lower-case canonical form, an enum's value, …): no percent-escapes, no ``+``, no repeats;
- ``Authorization: Bearer <token>`` (once), verified with the app's own ``JWTAuth`` settings and
  ``AccessToken`` (so the same tokens pass), and a live session (``load_actor``);
- a person still holding a temporary password only where the route allows it.

Anything else, and any exception while answering, is *declined*: the request goes on to Litestar
untouched (nothing was sent, a read changes nothing), which answers it as always — the 401, the
422, the 403, the 404 and the 503 all come from there, in the caller's language. So this layer
only ever says 200, with the bytes Litestar would send (tests/api/test_fast_reads.py holds the
replies of both ways equal, headers included, over generated requests; and fails if the app gains
a middleware, a guard or a hook that this layer would skip). Declines are counted by route
(``chibo_fast_reads_declined_total``)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from litestar.enums import ScopeType
from litestar.security.jwt import JWTAuth, Token
from litestar.serialization import encode_json
from litestar.types import ASGIApp, HTTPResponseStartEvent, Receive, Scope, Send
from prometheus_client import Counter

from api.http.auth import actor_of
from domain.actors import Actor

DECLINED = Counter(
    "chibo_fast_reads_declined_total",
    "Requests for a fast-read route left to the full pipeline (an unusual query, no valid "
    "token, an error: Litestar answers them)",
    ["route"],
)
JSON_HEADERS = ((b"content-type", b"application/json"),)

Parse = Callable[[str], Any]  # a query value -> the handler's argument; ValueError declines


def pattern(regex: str, then: Callable[[str], Any] = str) -> Parse:
    """A value matching ``regex`` whole, turned into the argument by ``then``."""
    compiled = re.compile(regex)

    def parse(value: str) -> Any:  # noqa: ANN401 - the handler's argument
        if compiled.fullmatch(value) is None:
            raise ValueError(value)
        return then(value)

    return parse


def one_of(enum: type[StrEnum]) -> Parse:
    values = {member.value: member for member in enum}

    def parse(value: str) -> StrEnum:
        return values[value]  # KeyError is a LookupError: declined below

    return parse


LIMIT = pattern(r"[1-9][0-9]?|100", int)  # api.http.schemas.Limit: 1-100
CURSOR = pattern(r"[A-Za-z0-9_-]{1,200}")  # api.http.schemas.Cursor
MONTH = pattern(r"20\d{2}-(0[1-9]|1[0-2])")  # api.http.schemas.Month
ID = pattern(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", UUID)


@dataclass(frozen=True, slots=True)
class FastRead:
    """A route answered here: its path (Litestar's path template, as metrics and logs name it),
    the service its answer needs (built for the request's id, as the handler's dependency is),
    the query parameters served (query name -> the answer's keyword and how to read it) and the
    answer itself, the function the Litestar handler calls."""

    path: str
    service: Callable[[str | None], Any]
    answer: Callable[..., Awaitable[Any]]
    query: Mapping[str, tuple[str, Parse]] = field(default_factory=dict)
    with_temporary_password: bool = False


class Declined(Exception):  # noqa: N818 - a decision, not a fault
    """The request goes on to Litestar."""


def fast_reads(
    app: ASGIApp, routes: tuple[FastRead, ...], jwt_auth: JWTAuth[Actor, Token]
) -> ASGIApp:
    """``app`` (Litestar's handler) behind the fast reads of ``routes``."""
    by_path = {route.path: route for route in routes}

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
            await app(scope, receive, send)
            return
        route = by_path.get(scope["path"])
        if route is None:
            await app(scope, receive, send)
            return
        try:
            body = await _answer(route, scope, jwt_auth)
        except Exception:  # noqa: BLE001 - whatever it is, Litestar answers it as always
            DECLINED.labels(route.path).inc()
            await app(scope, receive, send)
            return
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 200,
            "headers": [*JSON_HEADERS, (b"content-length", str(len(body)).encode())],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return middleware


async def _answer(route: FastRead, scope: Scope, jwt_auth: JWTAuth[Any, Any]) -> bytes:
    arguments = _arguments(route, scope["query_string"])
    token = _token(scope, jwt_auth)
    actor = await actor_of(token)
    if actor is None or (actor.password_temporary and not route.with_temporary_password):
        raise Declined
    service = route.service(scope.get("state", {}).get("request_id"))
    reply = encode_json(await route.answer(actor, service, **arguments))
    # answered: what the request's log line reads (on a decline Litestar sets them)
    scope["user"], scope["auth"], scope["path_template"] = actor, token, route.path
    return reply


def _arguments(route: FastRead, query: bytes) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    for part in query.decode("ascii").split("&") if query else ():
        name, equals, value = part.partition("=")
        keyword, parse = route.query[name]  # KeyError: a name not served here
        if not equals or keyword in arguments:
            raise Declined
        arguments[keyword] = parse(value)
    return arguments


def _token(scope: Scope, jwt_auth: JWTAuth[Any, Any]) -> Token:
    headers = [value for name, value in scope["headers"] if name == b"authorization"]
    if len(headers) != 1:
        raise Declined
    scheme, _, encoded = headers[0].decode("latin-1").partition(" ")
    if scheme != "Bearer" or not encoded:
        raise Declined
    return jwt_auth.token_cls.decode(
        encoded_token=encoded,
        secret=jwt_auth.token_secret,
        algorithm=jwt_auth.algorithm,
        audience=jwt_auth.accepted_audiences,
        issuer=jwt_auth.accepted_issuers,
        require_claims=jwt_auth.require_claims,
        verify_exp=jwt_auth.verify_expiry,
        verify_nbf=jwt_auth.verify_not_before,
        strict_audience=jwt_auth.strict_audience,
    )
