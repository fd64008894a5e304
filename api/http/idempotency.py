"""``Idempotency-Key`` on POST: a phone that retries after a lost reply gets the first reply.

Same key and same request: the stored reply, marked ``Idempotent-Replayed: true``. Same key with
another request: 422. Same key while the first is still running: 409 (PostgreSQL; on SQLite, where
writes run one at a time, the duplicate waits for the first and gets its reply). Keys are per
person.

Exactly once: the key's claim, the handler's writes and the stored reply are one transaction, and
the caller hears the reply only once it has committed. A crash before the commit leaves nothing
(the re-sent request runs on a clean slate), a crash after it leaves the reply to replay.

An error reply (4xx) keeps none of the handler's writes, and is itself kept and replayed: the same
request would fail the same way. Replies that ask to retry later (429, 5xx) are not kept.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import suppress
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from api.http.errors import problem_response
from db.engine import Database
from db.repositories.idempotency import Claim, ClaimOutcome, IdempotencyStore, StoredReply
from domain.actors import Actor
from domain.ports import Clock

HEADER = "idempotency-key"
# Set on the scope of an operation the sync push runs on a phone's behalf (api/sync/inner.py):
# a mutation id keys a PUT or PATCH the same way as a POST.
KEYED_ANY_METHOD = "chibo.keyed_any_method"
VALID_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")
CLIENT_ERROR = 400
TOO_MANY_REQUESTS = 429
INTERNAL_ERROR = 500


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


class _Reply:
    """A reply held back until the transaction that made it has committed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status = INTERNAL_ERROR  # if the app never answers
        self.content_type = ""
        self.body = b""

    async def capture(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = dict(message.get("headers", []))
            self.content_type = headers.get(b"content-type", b"").decode()
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
        self.messages.append(message)

    @property
    def kept(self) -> bool:
        return self.status != TOO_MANY_REQUESTS and self.status < INTERNAL_ERROR

    async def send(self, send: Send) -> None:
        for message in self.messages:
            await send(message)


class _ErrorReply(Exception):  # noqa: N818 - not an error: unwinds the handler's savepoint
    pass


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
        if scope["type"] != ScopeType.HTTP or (
            scope["method"] != "POST" and not scope.get(KEYED_ANY_METHOD)
        ):
            await self.app(scope, receive, send)
            return
        key = MutableScopeHeaders(scope).get(HEADER)
        user = scope.get("user")
        if (
            key is None
            or not isinstance(user, Actor)
            # refused until the password is changed: a state of the caller, not of the request,
            # so the refusal must not be kept and replayed after the change
            or user.password_temporary
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
        claim, reply = await self._once(scope, replay_receive, user.person_id, key, digest)
        if claim.outcome is ClaimOutcome.CLAIMED:
            await reply.send(send)
        elif claim.outcome is ClaimOutcome.MISMATCH:
            await _problem(request, 422, "idempotency_key_reused", send)
        elif claim.outcome is ClaimOutcome.IN_FLIGHT:
            await _problem(request, 409, "idempotency_request_in_flight", send)
        elif claim.reply is not None:
            await _send_stored(send, claim.reply)

    async def _once(
        self, scope: Scope, receive: Receive, person: UUID, key: str, digest: str
    ) -> tuple[Claim, _Reply]:
        """Claim, run and keep in one transaction; the reply is sent once it has committed."""
        reply = _Reply()
        async with self.database.atomic():
            claimed_at = self.clock.now()
            claim = await self.store.claim(person, key, digest, claimed_at)
            if claim.outcome is ClaimOutcome.CLAIMED:
                await self._run(scope, receive, reply)
                if reply.kept:
                    stored = StoredReply(reply.status, reply.content_type, reply.body.decode())
                    await self.store.keep(person, key, digest, stored, claimed_at, self.clock.now())
        return claim, reply

    async def _run(self, scope: Scope, receive: Receive, reply: _Reply) -> None:
        """The handler on a savepoint of the request's transaction, undone if it answers an
        error, so a failed request leaves nothing of itself but its (error) reply."""
        with suppress(_ErrorReply):
            async with self.database.atomic():
                await self.app(scope, receive, reply.capture)
                if reply.status >= CLIENT_ERROR:
                    raise _ErrorReply


async def _problem(request: Request[Any, Any, Any], status: int, code: str, send: Send) -> None:
    response = problem_response(request, status, code).to_asgi_response(app=None, request=request)
    await response(request.scope, request.receive, send)


async def _send_stored(send: Send, reply: StoredReply) -> None:
    headers = [(b"idempotent-replayed", b"true")]
    if reply.content_type:
        headers.append((b"content-type", reply.content_type.encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body.encode(), "more_body": False})
