"""JSON columns: Piccolo hands them back as text (unless asked otherwise) and takes text in."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson


def loads(value: Any) -> Any:  # noqa: ANN401 - JSON in, Python out
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def dumps(value: Any) -> str | None:  # noqa: ANN401 - Python in, JSON out
    return None if value is None else orjson.dumps(value, default=_uuid_text).decode()


def _uuid_text(value: object) -> str:
    # asyncpg hands back its own UUID subclass, which orjson does not take for a UUID
    if isinstance(value, UUID):
        return str(value)
    raise TypeError
