"""Both engines' unique violations become one domain ConflictError."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asyncpg.exceptions import UniqueViolationError

from domain.errors import ConflictError


@asynccontextmanager
async def translating_unique(code: str) -> AsyncIterator[None]:
    try:
        yield
    except UniqueViolationError as error:
        raise ConflictError(code) from error
    except sqlite3.IntegrityError as error:
        if "UNIQUE" not in str(error):
            raise
        raise ConflictError(code) from error
