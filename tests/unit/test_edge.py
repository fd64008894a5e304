"""The outer ASGI layer (api/http/edge.py) around a small ASGI app, for what the whole-app tests
(tests/api/test_reply_envelope.py, test_logs.py, test_metrics_api.py) do not reach: a reply
that sets the layer's headers itself, repeated request headers, ids that are not sane, a failure
before the reply starts."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

import pytest
from prometheus_client import REGISTRY

from api.http.edge import edge_middleware

Headers = list[tuple[bytes, bytes]]
NEW_ID = re.compile(r"[0-9a-f]{32}")


def replying(headers: Headers) -> Callable[..., Awaitable[None]]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


async def call(
    request_headers: Headers,
    reply_headers: Headers | None = None,
) -> tuple[dict[str, Any], Headers]:
    """The scope after the request and the reply's headers as they left the layer."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope: dict[str, Any] = {"type": "http", "method": "GET", "headers": request_headers}
    await edge_middleware(replying(reply_headers or []))(scope, receive, send)  # type: ignore[arg-type]
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    return scope, sent[0]["headers"]


def values(headers: Headers, name: bytes) -> list[bytes]:
    return [value for key, value in headers if key.lower() == name]


async def test_a_plain_reply_gets_the_id_the_language_and_vary() -> None:
    scope, headers = await call([(b"x-request-id", b"phone-42"), (b"accept-language", b"en")])
    assert scope["state"]["request_id"] == "phone-42"
    assert headers == [
        (b"content-language", b"en"),
        (b"vary", b"Accept-Language"),
        (b"x-request-id", b"phone-42"),
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Origin", "Origin, Accept-Language"),
        (" Origin ,Cookie,, ", "Origin, Cookie, Accept-Language"),
        ("Origin, accept-LANGUAGE", "Origin, accept-LANGUAGE"),  # named already: left as it is
    ],
)
async def test_the_apps_vary_is_merged(given: str, expected: str) -> None:
    _, headers = await call([], [(b"Vary", given.encode())])
    assert values(headers, b"vary") == [expected.encode()]


async def test_several_vary_headers_become_one_keeping_every_value() -> None:
    _, headers = await call([], [(b"vary", b"Origin"), (b"vary", b"Cookie")])
    assert values(headers, b"vary") == [b"Origin, Cookie, Accept-Language"]


async def test_the_apps_own_request_id_and_language_are_replaced_not_repeated() -> None:
    reply = [
        (b"content-type", b"application/json"),
        (b"X-Request-Id", b"inner"),
        (b"content-language", b"fr"),
        (b"content-language", b"de"),
    ]
    scope, headers = await call([(b"x-request-id", b"outer")], reply)
    assert values(headers, b"x-request-id") == [b"outer"]
    assert values(headers, b"content-language") == [b"vi"]
    assert values(headers, b"content-type") == [b"application/json"]
    assert scope["state"]["request_id"] == "outer"


async def test_the_first_of_repeated_request_headers_counts() -> None:
    scope, headers = await call(
        [
            (b"accept-language", b"en"),
            (b"x-request-id", b"first"),
            (b"accept-language", b"vi"),
            (b"x-request-id", b"second"),
        ]
    )
    assert scope["state"]["request_id"] == "first"
    assert values(headers, b"x-request-id") == [b"first"]
    assert values(headers, b"content-language") == [b"en"]


@pytest.mark.parametrize(
    "given",
    [b"", b"has space", b"semi;colon", b"x" * 65, b"line\n", "phoné".encode("latin-1")],
)
async def test_an_id_that_is_not_sane_is_replaced_by_a_new_one(given: bytes) -> None:
    scope, headers = await call([(b"x-request-id", given)])
    request_id = scope["state"]["request_id"]
    assert NEW_ID.fullmatch(request_id)
    assert values(headers, b"x-request-id") == [request_id.encode()]


async def test_a_sane_id_of_64_characters_is_kept_and_new_ids_differ() -> None:
    longest = b"aZ09._-" * 9 + b"a"
    assert len(longest) == 64
    assert (await call([(b"x-request-id", longest)]))[0]["state"]["request_id"] == longest.decode()
    (one, _), (two, _) = await call([]), await call([])
    assert NEW_ID.fullmatch(one["state"]["request_id"])
    assert one["state"]["request_id"] != two["state"]["request_id"]


async def test_a_failure_before_the_reply_is_counted_as_500_and_raised() -> None:
    route = f"/edge-test/{uuid4().hex}"  # a series of this test's own

    async def failing(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope["path_template"] = route
        raise RuntimeError("boom")

    async def unused(*_: Any) -> Any:
        raise AssertionError

    scope = {"type": "http", "method": "BREW", "headers": []}
    with pytest.raises(RuntimeError, match="boom"):
        await edge_middleware(failing)(scope, unused, unused)  # type: ignore[arg-type]
    labels = {"method": "OTHER", "route": route, "status": "500"}
    assert REGISTRY.get_sample_value("chibo_http_request_duration_seconds_count", labels) == 1


async def test_other_scopes_pass_through_untouched() -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(dict(scope))
        await send({"type": "lifespan.startup.complete"})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        raise AssertionError

    scope = {"type": "lifespan"}
    await edge_middleware(app)(scope, receive, send)  # type: ignore[arg-type]
    assert seen == [{"type": "lifespan"}]
    assert sent == [{"type": "lifespan.startup.complete"}]
