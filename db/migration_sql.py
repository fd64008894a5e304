"""Raw DDL steps for hand-written migrations (what Piccolo's auto migrations cannot express
portably, such as partial and multi-column unique indexes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


def ddl(statement: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            msg = "no Piccolo engine configured"
            raise RuntimeError(msg)
        await engine.run_ddl(statement)

    return run


def add_unique_indexes(manager: MigrationManager, indexes: dict[str, str]) -> None:
    """``CREATE UNIQUE INDEX`` forwards and ``DROP INDEX`` backwards, for {name: "table (cols)"}."""
    for name, target in indexes.items():
        manager.add_raw(ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}"))
        manager.add_raw_backwards(ddl(f"DROP INDEX IF EXISTS {name}"))
