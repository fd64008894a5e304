"""Raw DDL steps for hand-written migrations (what Piccolo's auto migrations cannot express
portably, such as partial and multi-column unique indexes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from piccolo.engine import engine_finder


def ddl(statement: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            msg = "no Piccolo engine configured"
            raise RuntimeError(msg)
        await engine.run_ddl(statement)

    return run
