"""How busy this process's database connections are, for the metrics (read, never changed)."""

from __future__ import annotations

from dataclasses import dataclass

from db.engine import Database, GuardedPostgresEngine, PersistentSQLiteEngine


@dataclass(frozen=True, slots=True)
class PoolUse:
    """Connections open, in use, at most; and transactions waiting for SQLite's one writer."""

    size: int = 0
    in_use: int = 0
    max_size: int = 0
    writer_waiting: int = 0


def pool_use(database: Database) -> PoolUse:
    engine = database.engine
    if isinstance(engine, GuardedPostgresEngine):
        pool = engine.pool
        if pool is None:
            return PoolUse()
        size = pool.get_size()
        return PoolUse(size=size, in_use=size - pool.get_idle_size(), max_size=pool.get_max_size())
    if isinstance(engine, PersistentSQLiteEngine):
        lock = engine.writer_lock
        # asyncio.Lock keeps its queue private; the count of waiters is what a queue gauge needs
        waiting = len(getattr(lock, "_waiters", None) or ())
        readers = len(engine._all) - 1 if engine._all else 0  # noqa: SLF001 - our own engine
        idle_readers = engine._readers.qsize()  # noqa: SLF001
        return PoolUse(
            size=len(engine._all),  # noqa: SLF001
            in_use=(readers - idle_readers) + int(lock.locked()),
            max_size=len(engine._all),  # noqa: SLF001
            writer_waiting=waiting,
        )
    return PoolUse()
