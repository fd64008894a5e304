"""Hand-written SQL with named placeholders (``:due_on``), bound as Piccolo's positional ones."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from piccolo.querystring import QueryString

PARAMETER = re.compile(r":([a-z_][a-z0-9_]*)")


def bind(sql: str, params: dict[str, Any]) -> QueryString:
    """Every ``:name`` becomes a bound value; a name missing from ``params`` is a KeyError."""
    template, values = positional(sql, params)
    return QueryString(template, *values)


def positional(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """``sql`` with a ``{}`` for each ``:name``, and the values in their order."""
    template, names = _positional(sql)
    return template, [params[name] for name in names]


@lru_cache(maxsize=256)
def _positional(sql: str) -> tuple[str, tuple[str, ...]]:
    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return "{}"

    return PARAMETER.sub(placeholder, sql), tuple(names)
