"""How busy this process's database connections are, for the metrics (read, never changed)."""

from __future__ import annotations

from db.engine import Database, GuardedPostgresEngine, PersistentSQLiteEngine, PoolUse


def pool_use(database: Database) -> PoolUse:
    engine = database.engine
    if isinstance(engine, GuardedPostgresEngine | PersistentSQLiteEngine):
        return engine.connection_use()
    return PoolUse()
