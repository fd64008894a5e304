"""The caller's language: Vietnamese unless Accept-Language prefers English."""

from __future__ import annotations

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domain.org.model import Locale


def negotiate(accept_language: str | None) -> Locale:
    best, best_q = Locale.VI, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        try:
            q = float(params.strip().removeprefix("q=")) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        if language in {"vi", "en"} and q > best_q:
            best, best_q = Locale(language), q
    return best


def content_language_middleware(app: ASGIApp) -> ASGIApp:
    """Every reply names its language, and tells caches that it varies with Accept-Language."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        language = negotiate(Headers.from_scope(scope).get("accept-language")).value

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["content-language"] = language
                vary = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
                if "accept-language" not in {v.lower() for v in vary}:
                    headers["vary"] = ", ".join([*vary, "Accept-Language"])
            await send(message)

        await app(scope, receive, send_with_language)

    return middleware
