"""One JSON line and one histogram sample per request: request id, person id (never a phone or
a name), method, route template, status and duration. Outside routing and authentication
(api/app.py), so a 401, an unknown route or a 405 is counted too; it reads the route template
and the caller from the scope once the request is done."""

from __future__ import annotations

import logging
import time
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.http.metrics import REQUEST_SECONDS
from domain.actors import Actor

log = structlog.get_logger()  # rendered as chibo/logging_setup.py says
# the level the process set (chibo/logging_setup.py); unset, as in tests, no request lines
request_log_level = logging.getLogger("chibo.request")

UNMATCHED = "unmatched"  # no route: one series, whatever path a scanner tries
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_middleware(app: ASGIApp) -> ASGIApp:
    samples: dict[tuple[str, str, int], Any] = {}  # labelled histograms, looked up once each

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the app starts a reply

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
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
                    request_id=scope.get("state", {}).get("request_id"),
                    person_id=str(user.person_id) if isinstance(user, Actor) else None,
                    method=method,
                    route=route,
                    status=status,
                    duration_ms=round(seconds * 1000, 2),
                )

    return middleware
