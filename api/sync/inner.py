"""The app's own operations run on the caller's behalf, inside a sync request.

A pull reads each object through its REST ``Get…`` operation and a push runs each mutation as its
REST operation, with the caller's own credentials and language: the same scope rules, sealing,
audit of sealed reads, validation, problem codes, If-Match and idempotency as the REST API, with
no second copy of any of them (decision 0016).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Litestar, Request
from litestar.types import Message, ReceiveMessage, Scope

from api.http.idempotency import KEYED_ANY_METHOD

PASSED_HEADERS = {b"authorization", b"accept-language", b"user-agent"}
PATH_PARAMETER = re.compile(r"\{(\w+):\w+\}")
OK_MIN, OK_MAX = 200, 300


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str  # "/api/v1/meetings/{meeting_id:uuid}"

    def parameters(self) -> list[str]:
        return PATH_PARAMETER.findall(self.path)

    def url(self, params: dict[str, str]) -> str | None:
        """The path with ``params`` filled in (named as in the route, ``meeting_id``, or as in
        the OpenAPI document, ``meetingId``); None when one is missing."""
        values = {}
        for name in self.parameters():
            value = params.get(name, params.get(_camel(name)))
            if value is None:
                return None
            values[name] = value
        return PATH_PARAMETER.sub(lambda m: quote(values[m.group(1)], safe=""), self.path)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@cache
def operations(app: Litestar) -> dict[str, Operation]:
    """Every operation of the app by its operation id."""
    found: dict[str, Operation] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            operation_id = getattr(handler, "operation_id", None)
            if isinstance(operation_id, str):
                method = min(handler.http_methods - {"HEAD", "OPTIONS"})
                found[operation_id] = Operation(method, route.path)
    return found


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        return OK_MIN <= self.status < OK_MAX

    def json(self) -> Any:  # noqa: ANN401 - whatever the operation answers
        return msgspec.json.decode(self.body) if self.body else None

    def version(self) -> int | None:
        """The version the reply names: its ETag, else a ``version`` field of its body."""
        etag = self.headers.get("etag", "").strip('W/"')
        if etag.isdigit():
            return int(etag)
        body = self.json()
        version = body.get("version") if isinstance(body, dict) else None
        return version if isinstance(version, int) else None


class InnerClient:
    """Calls the app as the caller of ``request``."""

    def __init__(self, request: Request[Any, Any, Any]) -> None:
        self.app = request.app
        self.outer: Scope = request.scope
        self.headers = [(k, v) for k, v in request.scope["headers"] if k in PASSED_HEADERS]

    def operation(self, operation_id: str) -> Operation:
        return operations(self.app)[operation_id]

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: tuple[tuple[str, str], ...] = (),
        keyed: bool = False,
    ) -> Reply:
        extra = [(k.encode(), v.encode()) for k, v in headers]
        if body:
            extra += [(b"content-type", b"application/json")]
            extra += [(b"content-length", str(len(body)).encode())]
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": self.outer.get("scheme", "http"),
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [*self.headers, *extra],
            "client": self.outer.get("client"),
            "server": self.outer.get("server"),
            "state": {},
            KEYED_ANY_METHOD: keyed,
        }
        sent = False

        async def receive() -> ReceiveMessage:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status, reply_headers, chunks = 500, {}, []

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for key, value in message.get("headers", []):
                    reply_headers[key.decode().lower()] = value.decode()
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)  # type: ignore[arg-type]
        return Reply(status, reply_headers, b"".join(chunks))
