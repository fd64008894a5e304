"""Database trouble, told apart from bugs, and said once per incident.

Every statement, transaction and pool checkout of the engines (db/engine.py) runs under one
``Guard``: a unique violation becomes the domain's ConflictError (db/unique.py), and a database
that cannot be reached, is frozen, is locked by another process or answers too slowly becomes
``UnavailableError`` (503 with Retry-After). The first such failure of an incident is logged, the
others of that incident are only counted, and the first success after it logs the recovery.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from db.unique import conflict_of
from domain.errors import UnavailableError

log = logging.getLogger("chibo.db")

DATABASE_UNAVAILABLE = "database_unavailable"

# PostgreSQL classes 08 (connection), 53 (resources: too many connections) and 57 (operator
# intervention: shutdown, "starting up", statement timeout)
_POSTGRES_DOWN = (
    asyncpg.PostgresConnectionError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
)
# asyncpg's client-side messages of a connection that went away (InterfaceError also covers
# misuse, which stays a bug)
_CLIENT_DOWN = ("connection is closed", "connection was closed", "pool is closing")
# SQLite: another process holds the lock past the busy timeout, or the file went away
_SQLITE_DOWN = ("database is locked", "database is busy", "unable to open database", "disk i/o")


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot serve now, rather than that a query is wrong."""
    if isinstance(error, (OSError, *_POSTGRES_DOWN)):  # refused, reset, timed out (TimeoutError)
        return True
    message = str(error).lower()
    if isinstance(error, asyncpg.InterfaceError):
        return any(m in message for m in _CLIENT_DOWN)
    if isinstance(error, sqlite3.OperationalError):
        return any(m in message for m in _SQLITE_DOWN)
    return False


class Guard:
    """The translation of driver errors, and the state of the current incident if any."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        self.down_since: float | None = None
        self.failures = 0

    @contextmanager
    def __call__(self, *, heals: bool = True) -> Iterator[None]:
        """Translate what fails inside; a success ends the incident unless ``heals`` is False
        (SQLite's readers: they go on while another process holds the write lock, and would
        otherwise end and restart an incident between every two refused writes)."""
        try:
            yield
        except Exception as error:
            translated = self.translate(error)
            if translated is None:
                raise
            raise translated from error
        if heals and self.down_since is not None:
            self._recovered()

    def translate(self, error: Exception) -> Exception | None:
        """The domain error ``error`` stands for, or None to let it through as it is."""
        conflict = conflict_of(error)
        if conflict is not None:
            return conflict
        if not is_unavailable(error):
            return None
        self.failures += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.error("database unavailable: %s: %s", type(error).__name__, error)
        return UnavailableError(DATABASE_UNAVAILABLE, retry_after=self.retry_after_seconds)

    def _recovered(self) -> None:
        assert self.down_since is not None  # noqa: S101 - only called during an incident
        seconds = time.monotonic() - self.down_since
        log.warning(
            "database available again after %.1f s (%d failures meanwhile)",
            seconds,
            self.failures,
        )
        self.down_since, self.failures = None, 0
