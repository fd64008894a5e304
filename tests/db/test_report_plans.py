"""The cell report's two attendance statements read the sheets through the attendance_tally
index (meeting, status, person), never the attendance table itself, on both engines (issue 16
§4: no sequential scan of attendance).

A test's database holds a handful of rows, where reading the table is the cheapest plan and
rightly chosen; PostgreSQL is asked with sequential scans priced out whether the index can serve
the statement on its own (an index-only scan: the other indexes of attendance lack the status).
What the planner picks on a city's data is printed by bench/report_sql.py (bench/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from piccolo.querystring import QueryString

from db.engine import Database
from db.named_sql import bind
from db.repositories.reports import cell_statement_params, cell_statements
from domain.reports.period import parse_period

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
CITY, WARD = "/1/", "/1/2/"


async def _plan(db: Database, name: str, unit_path: str) -> str:
    cells, params = cell_statement_params(db.kind, unit_path, (CITY,), parse_period("2026-11"), NOW)
    explain = "EXPLAIN QUERY PLAN " if db.kind == "sqlite" else "EXPLAIN "
    query = bind(explain + cell_statements()[name].format(cells=cells), params)
    rows = await db.engine.run_querystring(query)
    return "\n".join(str(list(row.values())[-1]) for row in rows)


@pytest.mark.parametrize("unit_path", [CITY, WARD])
@pytest.mark.parametrize("name", ["attendance", "repeat_absentees"])
async def test_the_attendance_statements_read_only_the_tally_index(
    db: Database, name: str, unit_path: str
) -> None:
    if db.kind == "postgres":
        await db.engine.run_querystring(QueryString("SET LOCAL enable_seqscan = off"))
    plan = await _plan(db, name, unit_path)
    if db.kind == "sqlite":
        assert "USING COVERING INDEX attendance_tally" in plan, plan
        assert "SCAN a" not in plan.replace("SCAN a USING", ""), plan
    else:
        await db.engine.run_querystring(QueryString("SET LOCAL enable_seqscan = on"))
        assert "Index Only Scan using attendance_tally on attendance" in plan, plan
        assert "Seq Scan on attendance" not in plan, plan
