"""``Allow`` on OPTIONS replies names every method of the path (litestar#4169, fixed in 3.0 only).

Litestar 2 builds a path's automatic OPTIONS handler with the path's first route object; when more
handlers join that path later (``GET /units`` and ``POST /units``), the route is rebuilt but keeps
the first OPTIONS handler, whose ``Allow`` lists only the methods known at that moment. The
methods are read here from the app's final routes instead.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def options_allow_middleware(app: ASGIApp) -> ASGIApp:
    allow_by_path: dict[str, str] = {}

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "OPTIONS":
            await app(scope, receive, send)
            return
        if not allow_by_path:
            routes: list[Any] = scope["litestar_app"].routes
            allow_by_path.update(
                (route.path_format, ", ".join(sorted(route.methods)))
                for route in routes
                if isinstance(route, HTTPRoute)
            )
        allow = allow_by_path.get(str(scope.get("path_template")))

        async def send_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and allow:
                headers = MutableScopeHeaders.from_message(message)
                if "allow" in headers:
                    headers["allow"] = allow
            await send(message)

        await app(scope, receive, send_allow)

    return middleware
