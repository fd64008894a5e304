"""The app of `chibo serve` in a uvicorn process that kills itself with SIGKILL in the middle of
its first ``Idempotency-Key`` request, for tests/e2e/test_exactly_once.py.

``python -m tests.crashing_server PORT POINT``, POINT one of:
- ``after-effects``: the handler's writes are done, the reply is not yet kept nor committed;
- ``before-reply``: the request's transaction has committed, the reply has not left.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, NoReturn

import uvicorn
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from chibo.bootstrap import build_app
from chibo.settings import Settings
from db.repositories.idempotency import IdempotencyStore

POINTS = ("after-effects", "before-reply")


def die(*_: Any) -> NoReturn:
    os.kill(os.getpid(), signal.SIGKILL)
    raise SystemExit(1)  # not reached


def keyed(scope: Scope) -> bool:
    return scope["type"] == ScopeType.HTTP and any(
        name == b"idempotency-key" for name, _ in scope.get("headers", [])
    )


def dying_before_reply(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_or_die(message: Message) -> None:
            if message["type"] == "http.response.start" and keyed(scope):
                die()
            await send(message)

        await app(scope, receive, send_or_die)

    return wrapped


def main(port: int, point: str) -> None:
    if point == "after-effects":
        IdempotencyStore.keep = die  # type: ignore[method-assign,assignment]
    app: ASGIApp = build_app(Settings.from_env())
    if point == "before-reply":
        app = dying_before_reply(app)
    uvicorn.run(app, host="127.0.0.1", port=port, loop="uvloop", http="httptools")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
