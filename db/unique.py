"""What a unique violation means, alike on both engines: the 409 code of the constraint it broke.

Both engines name what was duplicated by table and columns (PostgreSQL also by constraint name,
SQLite only by ``table.column``), so the codes are kept by table and columns. A duplicate ``id``
is a client-supplied id already in use, whatever the table: the phone made a UUID that exists.
"""

from __future__ import annotations

import re
import sqlite3

from asyncpg.exceptions import UniqueViolationError

from domain.errors import ConflictError

ID_CONFLICT = "id_conflict"
# a unique index that only concurrent writers of the same thing can meet (upserts, counters)
CONCURRENT_CHANGE = "concurrent_change"

CODES: dict[tuple[str, tuple[str, ...]], str] = {
    ("unit", ("path",)): ID_CONFLICT,  # a unit's path ends with its id
    ("person", ("phone",)): "phone_taken",
    ("membership", ("person", "cell")): "membership_exists",
    ("role_grant", ("person", "unit", "role")): "grant_exists",
    ("leader_assignment", ("leader", "cell")): "assignment_exists",
    ("meeting", ("cell", "occurrence")): "regular_meeting_exists",
    ("idempotency_key", ("person", "key")): "idempotency_request_in_flight",
    ("push_device", ("token",)): "device_conflict",
    ("notification_preference", ("person",)): "notification_preferences_conflict",
    ("reception_day", ("ward", "day")): "reception_day_exists",
    ("survey_answer", ("survey",)): "survey_already_answered",
}

_PG_KEY = re.compile(r"Key \((?P<columns>[^)]*)\)=")
_SQLITE_PREFIX = "UNIQUE constraint failed: "


def _violated(error: BaseException) -> tuple[str, tuple[str, ...]] | None:
    """The table and columns of a unique violation, or None for any other error."""
    if isinstance(error, UniqueViolationError):
        found = _PG_KEY.search(error.detail or "")
        columns = tuple(c.strip().strip('"') for c in found["columns"].split(",")) if found else ()
        return error.table_name or "", columns
    if isinstance(error, sqlite3.IntegrityError) and str(error).startswith(_SQLITE_PREFIX):
        names = [n.strip() for n in str(error).removeprefix(_SQLITE_PREFIX).split(",")]
        table = names[0].partition(".")[0]
        return table, tuple(n.partition(".")[2] for n in names)
    return None


def conflict_of(error: BaseException) -> ConflictError | None:
    """The domain error a unique violation stands for; None when ``error`` is not one."""
    violated = _violated(error)
    if violated is None:
        return None
    if violated[1] == ("id",):
        return ConflictError(ID_CONFLICT)
    return ConflictError(CODES.get(violated, CONCURRENT_CHANGE))
