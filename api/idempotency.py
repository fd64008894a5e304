"""``Idempotency-Key`` on POST: a phone that retries after a lost reply gets the first reply.

Same key and same request: the stored reply, marked ``Idempotent-Replayed: true``. Same key with
another request: 422. Same key while the first is still running: 409. Replies of 5xx are not kept,
so the request can be retried. Keys are per person.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from api.errors import problem_response
from db.engine import Database
from db.repositories.idempotency import ClaimOutcome, IdempotencyStore
from domain.actors import Actor
from domain.clock import Clock

HEADER = "idempotency-key"
VALID_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")
SERVER_ERROR = 500


def fingerprint(path: str, query: bytes, body: bytes) -> str:
    """What makes two requests "the same" for one key."""
    return hashlib.sha256(b"\n".join([path.encode(), query, body])).hexdigest()


async def _read_body(receive: Receive, limit: int) -> tuple[list[ReceiveMessage], bytes, bool]:
    """Buffer the request body up to ``limit`` bytes; the messages are replayed to the app."""
    messages: list[ReceiveMessage] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, body, False
        body += message.get("body", b"")
        if len(body) > limit:
            return messages, body, False
        if not message.get("more_body", False):
            return messages, body, True


class IdempotencyMiddleware:
    def __init__(
        self, app: ASGIApp, database: Database, store: IdempotencyStore, clock: Clock, max_body: int
    ) -> None:
        self.app = app
        self.database = database
        self.store = store
        self.clock = clock
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = MutableScopeHeaders(scope).get(HEADER)
        user = scope.get("user")
        if (
            scope["type"] != ScopeType.HTTP
            or scope["method"] != "POST"
            or key is None
            or not isinstance(user, Actor)
        ):
            await self.app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive)
        if not VALID_KEY.match(key):
            await _problem(request, 422, "idempotency_key_invalid", send)
            return
        messages, body, complete = await _read_body(receive, self.max_body)
        pending = iter(messages)

        async def replay_receive() -> ReceiveMessage:
            return next(pending, None) or await receive()

        if not complete:  # too large or disconnected: the app answers as it would
            await self.app(scope, replay_receive, send)
            return
        digest = fingerprint(scope["path"], scope.get("query_string", b""), body)
        async with self.database.atomic():
            claim = await self.store.claim(user.person_id, key, digest, self.clock.now())
        if claim.outcome is ClaimOutcome.MISMATCH:
            await _problem(request, 422, "idempotency_key_reused", send)
        elif claim.outcome is ClaimOutcome.IN_FLIGHT:
            await _problem(request, 409, "idempotency_request_in_flight", send)
        elif claim.outcome is ClaimOutcome.REPLAY:
            await _send_stored(send, claim.status or 200, claim.content_type, claim.body or "")
        else:
            await self._run_and_keep(scope, replay_receive, send, user.person_id, key)

    async def _run_and_keep(
        self, scope: Scope, receive: Receive, send: Send, person: UUID, key: str
    ) -> None:
        status, content_type, body = SERVER_ERROR, b"", b""

        async def capture(message: Message) -> None:
            nonlocal status, content_type, body
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
            elif message["type"] == "http.response.body":
                body += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            async with self.database.atomic():
                if status >= SERVER_ERROR:
                    await self.store.release(person, key)
                else:
                    await self.store.complete(
                        person, key, status, content_type.decode(), body.decode(), self.clock.now()
                    )


async def _problem(request: Request[Any, Any, Any], status: int, code: str, send: Send) -> None:
    response = problem_response(request, status, code).to_asgi_response(app=None, request=request)
    await response(request.scope, request.receive, send)


async def _send_stored(send: Send, status: int, content_type: str | None, body: str) -> None:
    headers = [(b"idempotent-replayed", b"true")]
    if content_type:
        headers.append((b"content-type", content_type.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode(), "more_body": False})
