"""The change log's read path on both engines: a pull seeks the rows of its own audiences (its
units, the caller) in the ``(unit_id, tx, pos)`` index and never walks the log of others, so an
empty pull reads no change rows whatever changed elsewhere (bench/sync.py measures it)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from piccolo.querystring import QueryString

from db.engine import Database
from db.repositories.sync import changes_query
from domain.sync.model import Position


async def _plan(db: Database, sql: str, *args: Any) -> str:
    explain = "EXPLAIN QUERY PLAN " if db.kind == "sqlite" else "EXPLAIN "
    rows = await db.engine.run_querystring(QueryString(explain + sql, *args))
    return "\n".join(str(list(row.values())[-1]) for row in rows)


async def test_a_pull_seeks_its_audiences_in_the_change_log_index(db: Database) -> None:
    horizon = None if db.kind == "sqlite" else 1000
    query = changes_query(db.kind, ("/1/2/",), uuid4(), Position(0, 5), horizon, 100)
    if db.kind == "postgres":  # tiny tables: ask whether the index can serve, not what is cheap
        await db.engine.run_querystring(QueryString("SET LOCAL enable_seqscan = off"))
    plan = await _plan(db, *query)
    assert "sync_change_unit" in plan, plan
    if db.kind == "sqlite":
        assert "SCAN c" not in plan, plan
        assert "(unit_id=? AND tx=? AND pos>?)" in plan, plan
    else:
        assert "Seq Scan on sync_change" not in plan, plan
        await db.engine.run_querystring(QueryString("SET LOCAL enable_seqscan = on"))
