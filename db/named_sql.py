"""Hand-written SQL with named placeholders (``:due_on``), bound as Piccolo's positional ones."""

from __future__ import annotations

import re
from typing import Any

from piccolo.querystring import QueryString

PARAMETER = re.compile(r":([a-z_][a-z0-9_]*)")


def bind(sql: str, params: dict[str, Any]) -> QueryString:
    """Every ``:name`` becomes a bound value; a name missing from ``params`` is a KeyError."""
    values: list[Any] = []

    def placeholder(match: re.Match[str]) -> str:
        values.append(params[match.group(1)])
        return "{}"

    return QueryString(PARAMETER.sub(placeholder, sql), *values)
