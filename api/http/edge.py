"""The one ASGI layer outside everything Litestar runs (routing, authentication, its exception
handling: api/app.py), so that a 401, an unknown route or a 405 is counted and answered like any
other request. Per HTTP request:

- a request id: the caller's X-Request-Id when sane, else a new one; kept in
  ``scope["state"]["request_id"]`` (the problem replies of api/http/errors.py carry it) and set
  as the reply's X-Request-Id;
- the reply's language: ``Content-Language`` negotiated from Accept-Language (``negotiate`` in
  api/http/i18n.py, remembered per header text), and ``Accept-Language`` added to the reply's
  ``Vary``;
- one histogram sample and one JSON line (decision 0013): request id, person id (never a phone or
  a name), method, route template, status and duration, read from the scope once the request is
  done.

One pass over the request's headers and one wrapper of ``send``, on ASGI's raw header lists: no
Litestar header objects. Three layers did this before, each with its own ``send`` wrapper and
header parsing, at ~0.1 ms of CPU a request (issue 15)."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from api.http.i18n import negotiate
from api.http.metrics import REQUEST_SECONDS
from domain.actors import Actor

log = structlog.get_logger()  # rendered as chibo/logging_setup.py says
# the level the process set (chibo/logging_setup.py); unset, as in tests, no request lines
request_log_level = logging.getLogger("chibo.request")

UNMATCHED = "unmatched"  # no route: one series, whatever path a scanner tries
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

X_REQUEST_ID = b"x-request-id"
ACCEPT_LANGUAGE = b"accept-language"
CONTENT_LANGUAGE = b"content-language"
VARY = b"vary"
SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")  # whole value: no room for a line break
OURS = frozenset({X_REQUEST_ID, CONTENT_LANGUAGE, VARY})  # the reply headers set here


@lru_cache(maxsize=256)
def reply_language(accept_language: bytes | None) -> bytes:
    """The Content-Language for an Accept-Language header's text (a phone sends the same one
    with every request)."""
    text = None if accept_language is None else accept_language.decode("latin-1")
    return negotiate(text).value.encode()


def edge_middleware(app: ASGIApp) -> ASGIApp:
    samples: dict[tuple[str, str, int], Any] = {}  # labelled histograms, looked up once each

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id, raw_id, language = from_caller(scope["headers"])
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500  # unless the app starts a reply

        async def send_stamped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers")
                if not isinstance(headers, list):
                    headers = message["headers"] = list(headers or ())
                stamp(headers, raw_id, language)
            await send(message)

        try:
            await app(scope, receive, send_stamped)
        finally:
            observe(samples, scope, request_id, status, time.perf_counter() - started)

    return middleware


def from_caller(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str, bytes, bytes]:
    """The request id (as text and as a header value) and the reply's language, in one pass over
    the request's headers: names are lower case (ASGI), and the first of a repeated one counts."""
    given: bytes | None = None
    accept_language: bytes | None = None
    for name, value in headers:
        if name == X_REQUEST_ID:
            if given is None:
                given = value
        elif name == ACCEPT_LANGUAGE and accept_language is None:
            accept_language = value
    if given is not None and SANE_ID.fullmatch(given):
        return given.decode("ascii"), given, reply_language(accept_language)
    request_id = os.urandom(16).hex()  # a quarter of uuid4().hex's cost, the same shape
    return request_id, request_id.encode("ascii"), reply_language(accept_language)


def observe(
    samples: dict[tuple[str, str, int], Any],
    scope: HTTPScope,
    request_id: str,
    status: int,
    seconds: float,
) -> None:
    """The request's histogram sample and, at INFO, its log line."""
    method = scope["method"] if scope["method"] in METHODS else "OTHER"
    route = scope.get("path_template") or UNMATCHED
    key = (method, route, status)
    sample = samples.get(key)
    if sample is None:
        sample = samples[key] = REQUEST_SECONDS.labels(method, route, str(status))
    sample.observe(seconds)
    if request_log_level.isEnabledFor(logging.INFO):
        user = scope.get("user")
        log.info(
            "request",
            logger="chibo.request",
            request_id=request_id,
            person_id=str(user.person_id) if isinstance(user, Actor) else None,
            method=method,
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 2),
        )


def stamp(headers: list[tuple[bytes, bytes]], request_id: bytes, language: bytes) -> None:
    """Set X-Request-Id and Content-Language (replacing the app's), and add Accept-Language to
    Vary unless the app's Vary names it already (in any case)."""
    for name, _ in headers:
        if name.lower() in OURS:
            break
    else:  # nearly always: none of them set by the app
        headers += (
            (CONTENT_LANGUAGE, language),
            (VARY, b"Accept-Language"),
            (X_REQUEST_ID, request_id),
        )
        return
    varies = [
        part.strip()
        for name, value in headers
        if name.lower() == VARY
        for part in value.split(b",")
        if part.strip()
    ]
    adds = ACCEPT_LANGUAGE not in {part.lower() for part in varies}
    replaced = OURS if adds else OURS - {VARY}
    headers[:] = [(name, value) for name, value in headers if name.lower() not in replaced]
    headers.append((CONTENT_LANGUAGE, language))
    if adds:  # one Vary: the app's values, then Accept-Language
        headers.append((VARY, b", ".join([*varies, b"Accept-Language"])))
    headers.append((X_REQUEST_ID, request_id))
