"""Keyset pagination over (created_at, id), the order every list uses."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from piccolo.columns import Column
from piccolo.columns.combination import Or, Where
from piccolo.query import Select
from piccolo.table import Table

from domain.errors import RuleViolationError
from domain.pagination import Page, PageRequest

T = TypeVar("T")


def encode_cursor(created_at: datetime, row_id: UUID) -> str:
    raw = f"{created_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, row_id = raw.split("|")
        return datetime.fromisoformat(at), UUID(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise RuleViolationError("invalid_cursor") from error


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
