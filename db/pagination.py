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


async def fetch_page(
    query: Select[Any],
    table: type[Table],
    page: PageRequest,
    to_domain: Callable[[dict[str, Any]], T],
) -> Page[T]:
    if page.cursor is not None:
        at, row_id = decode_cursor(page.cursor)
        query = query.where(
            (table.created_at > at) | ((table.created_at == at) & (table.id > row_id))  # type: ignore[attr-defined]
        )
    rows = await query.order_by(table.created_at, table.id).limit(page.limit + 1)  # type: ignore[attr-defined]
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return Page(items=tuple(to_domain(r) for r in rows), next_cursor=next_cursor)
