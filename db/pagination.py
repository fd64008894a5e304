"""Keyset pagination over (created_at, id), the order every list uses, or over (unit path,
created_at, id) for a list grouped by unit (``ListSql.group_key``)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from piccolo.columns import Column
from piccolo.columns.combination import Or, Where
from piccolo.query import Select
from piccolo.table import Table

from db.engine import run_bounded
from domain.errors import RuleViolationError
from domain.pagination import Page, PageRequest

T = TypeVar("T")


def encode_cursor(created_at: datetime, row_id: UUID, unit_id: UUID | None = None) -> str:
    raw = f"{'' if unit_id is None else unit_id.hex + '|'}{created_at.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        at, row_id = _parts(cursor)
        return datetime.fromisoformat(at), UUID(row_id)
    except ValueError as error:
        raise RuleViolationError("invalid_cursor") from error


def decode_grouped_cursor(cursor: str) -> tuple[UUID, datetime, UUID]:
    """A cursor of a list grouped by unit: (the row's unit, created_at, id). The unit's id, not
    its path, keeps the cursor short (the API takes 200 characters)."""
    try:
        unit_id, at, row_id = _parts(cursor)
        return UUID(unit_id), datetime.fromisoformat(at), UUID(row_id)
    except ValueError as error:
        raise RuleViolationError("invalid_cursor") from error


def _parts(cursor: str) -> list[str]:
    """The cursor's parts; a ValueError (binascii's and the decoder's errors are ones) if it
    is not one of ours."""
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")


def any_prefix(column: Column, prefixes: tuple[str, ...]) -> Where | Or | None:
    """``column LIKE p1% OR column LIKE p2% ...``; None when there is no prefix (sees nothing)."""
    condition: Where | Or | None = None
    for prefix in prefixes:
        clause = column.like(f"{prefix}%")
        condition = clause if condition is None else condition | clause
    return condition


def contains(column: Column, text: str) -> Where:
    """Case-insensitive on PostgreSQL (ILIKE); SQLite's LIKE already ignores ASCII case."""
    pattern = f"%{text}%"
    postgres = column._meta.engine_type == "postgres"  # noqa: SLF001
    return column.ilike(pattern) if postgres else column.like(pattern)


async def fetch_page(
    query: Select[Any],
    table: type[Table],
    page: PageRequest,
    to_domain: Callable[[dict[str, Any]], T],
    sort: Column | None = None,
) -> Page[T]:
    """One page ordered by ``sort`` (a timestamp column, ``created_at`` by default), then id."""
    key = sort or table.created_at  # type: ignore[attr-defined]
    row_id_column = table.id  # type: ignore[attr-defined]
    if page.cursor is not None:
        at, row_id = decode_cursor(page.cursor)
        query = query.where((key > at) | ((key == at) & (row_id_column > row_id)))
    rows = await query.order_by(key, row_id_column).limit(page.limit + 1)
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    last = rows[-1] if rows else {}
    next_cursor = encode_cursor(last[key._meta.name], last["id"]) if more else None  # noqa: SLF001
    return Page(items=tuple(to_domain(r) for r in rows), next_cursor=next_cursor)


def subtree_range(engine_type: str, column: str) -> str:
    """``column`` within the subtree of a path bound as two values (``subtree_bounds``): a range
    every engine serves from an index whatever the plan, where a bound ``LIKE`` pattern is known
    only to a custom plan. On PostgreSQL the byte-wise operators of the ``text_pattern_ops``
    index (migration scale_indexes), as the database's collation may not order bytes."""
    if engine_type in {"postgres", "cockroach"}:
        return f"({column} ~>=~ {{}} AND {column} ~<~ {{}})"
    return f"({column} >= {{}} AND {column} < {{}})"


def subtree_bounds(path: str) -> tuple[str, str]:
    """The paths of ``path``'s subtree are those from ``path`` (included) to this (excluded)."""
    return path, path[:-1] + chr(ord(path[-1]) + 1)


_UNIT_PATH = 'SELECT "path" FROM "unit" WHERE "id" = {}'


@dataclass(frozen=True, slots=True)
class ListSql:
    """One list's page written as SQL: ``columns`` of ``tables`` (joins, no WHERE), the rows
    scoped by unit ``path`` and ordered by ``sort`` then ``row_id``; ``key`` is the sort column's
    name in the result. ``around`` adds columns and joins to the page's rows (``"page"``).

    ``group_key`` (the row's unit id in the result): ordered by the unit's path first
    (byte-wise), then ``sort`` and ``row_id``. The subtree's units are then read in the order
    of their path's index and each unit's rows in the order of an index on (unit, sort, id): a
    page reads about a page of rows however big the subtree, where (sort, id) alone made the
    database sort the whole subtree's rows for every page."""

    columns: str
    tables: str
    path: str
    sort: str
    row_id: str
    key: str
    around_columns: str = ""
    around_joins: str = ""
    around_order: str = ""
    group_key: str = ""


@dataclass(slots=True)
class Conditions:
    """The conditions of a page, each with its bound values, in the order they are added."""

    clauses: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, clause: str, *args: Any) -> None:  # noqa: ANN401
        self.clauses.append(clause)
        self.args.extend(args)


async def fetch_sql_page(
    table: type[Table],
    query: ListSql,
    scopes: tuple[str, ...],
    where: Conditions,
    page: PageRequest,
    within_unit_id: UUID | None,
) -> tuple[list[dict[str, Any]], str | None, str | None]:
    """The rows of one page (more rows per item when ``around`` joins them), the next cursor and
    the path of ``within_unit_id`` (None when not asked or not found), in one statement: the
    caller's scopes and the unit's subtree in the WHERE, keyset on (sort, id). Only an empty
    page asked within a unit takes a second one, to tell a unit without rows from no unit."""
    engine = table._meta.db  # noqa: SLF001
    scope = " OR ".join([subtree_range(engine.engine_type, query.path)] * len(scopes))
    conditions = Conditions(
        [f"({scope or '1 = 0'})"], [bound for s in scopes for bound in subtree_bounds(s)]
    )
    columns = query.columns
    args: list[Any] = []
    if within_unit_id is not None:
        columns += f', ({_UNIT_PATH}) AS "within_path"'
        args.append(within_unit_id)
        # the unit's subtree as a range too (paths hold only hex digits and slashes, all below
        # '~'): a LIKE of a pattern read in the statement is a filter whose estimate (1 unit)
        # made PostgreSQL sort the whole subtree instead of walking the path index in order
        subtree = subtree_range(engine.engine_type, query.path)
        conditions.add(
            subtree.format(f"({_UNIT_PATH})", f"(({_UNIT_PATH}) || '~')"),
            within_unit_id,
            within_unit_id,
        )
    conditions.clauses += where.clauses
    conditions.args += where.args
    postgres = engine.engine_type in {"postgres", "cockroach"}
    order = f"{query.sort}, {query.row_id}"
    if query.group_key:
        # byte-wise, as the path's index orders it (PostgreSQL: text_pattern_ops)
        order = f"{query.path} {'USING ~<~' if postgres else ''}, {order}"
    if page.cursor is not None:
        after = f"({query.sort} > {{}} OR ({query.sort} = {{}} AND {query.row_id} > {{}}))"
        if query.group_key:
            unit_id, at, row_id = decode_grouped_cursor(page.cursor)
            ge, gt = ("~>=~", "~>~") if postgres else (">=", ">")
            # the first test alone bounds the walk of the path's index
            conditions.add(
                f"({query.path} {ge} ({_UNIT_PATH}) AND ({query.path} {gt} ({_UNIT_PATH})"
                f" OR {after}))",
                unit_id,
                unit_id,
                at,
                at,
                row_id,
            )
        else:
            at, row_id = decode_cursor(page.cursor)
            conditions.add(after, at, at, row_id)
    sql = (
        f"SELECT {columns} FROM {query.tables} WHERE {' AND '.join(conditions.clauses)}"  # noqa: S608
        f" ORDER BY {order} LIMIT {{}}"
    )
    args += [*conditions.args, page.limit + 1]
    if query.around_joins:
        sql = (
            f'WITH "page" AS ({sql}) SELECT "page".*{query.around_columns}'  # noqa: S608
            f' FROM "page"{query.around_joins}'
            f' ORDER BY "page"."{query.key}", "page"."id"{query.around_order}'
        )
    rows = await run_bounded(engine, sql, args)
    within_path = None
    if within_unit_id is not None:
        found = rows or await run_bounded(engine, _UNIT_PATH, (within_unit_id,))
        within_path = found[0]["within_path" if rows else "path"] if found else None
    kept, cursor = _cut(rows, query, page.limit)
    return kept, cursor, within_path


def _cut(
    rows: list[dict[str, Any]], query: ListSql, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The rows of the page's ``limit`` items (of the ``limit + 1`` asked), and the cursor after
    them when there is more."""
    if query.around_joins:  # several rows an item: the items' ids in order
        ids: list[UUID] = []
        for row in rows:
            if not ids or ids[-1] != row["id"]:
                ids.append(row["id"])
        if len(ids) <= limit:
            return rows, None
        last = next(r for r in rows if r["id"] == ids[limit - 1])
        kept = [r for r in rows if r["id"] != ids[limit]]
    else:  # a row an item (comparing ids was ~60 UUID comparisons a page, 7 % of a list)
        if len(rows) <= limit:
            return rows, None
        last, kept = rows[limit - 1], rows[:limit]
    last_unit = last[query.group_key] if query.group_key else None
    return kept, encode_cursor(last[query.key], last["id"], last_unit)
