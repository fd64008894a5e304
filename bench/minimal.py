"""The minimal baseline of issue 15: the five hot endpoints with the least work this stack needs
for the same JSON, for ``uvicorn bench.minimal:app`` beside the real app.

Same stack and settings as ``chibo serve`` (Litestar on uvicorn, uvloop, httptools), the same
paths and the same replies byte for byte (bench/run.py checks them before measuring), but:

- the token checked in the handler as the app's JWTAuth checks it (HS256, the same secret, the
  app's ``AccessToken``: a token's signature and claims verified once, then known until it
  expires, as in the app);
- ONE statement for the session, the person's grants and member cells (and, for a list scoped
  to a unit, that unit's path; for ``/me``, the person and the grants' units), then only the SQL
  the answer needs: one more statement per list (the page; the meetings' tallies and visits
  joined to it), one for ``/me``'s cells and followed cells;
- rows turned straight into dicts and encoded by orjson; the domain's own pure rules where a
  reply or a write depends on them (``Actor`` scopes, ``check_window``);
- PostgreSQL: an asyncpg pool per worker (min 2, max 20 like the app's), UUIDs as text, one
  pooled connection per request. SQLite: one persistent connection for reads per worker, used on
  the event loop's thread (the app's bounded reads do the same, decision 0021),
  and one writer connection on a thread of its own, which runs a whole write (``BEGIN
  IMMEDIATE`` … ``COMMIT``) in one hop: the single thread is the writer's lock.

``PUT /api/v1/meetings/{id}/record`` has the same persistent effect as the app's: the meeting
row (status, times, chair, minute-taker, minutes, resolutions, logged/updated time, version + 1,
only if still at the ``If-Match`` version), its attendance rows marked in place, one audit row
with the before/after state — SQLite: one transaction of 5 statements in one hop; PostgreSQL:
the read, then one statement whose CTEs update the meeting, mark the sheet and write the audit
row (atomic on its own; nothing is written unless the version still matches).

What it leaves out (not exercised by the benchmark): the app's error texts (problems here are
bare ``{"status", "code"}``, with ``currentVersion`` on a 412), drawing a sheet from the roster
when none is stored, minutes amendments (a meeting being logged is not finalised, so it has
none), cursors in requests.
Nothing here is part of the product.
"""

from __future__ import annotations

import asyncio
import base64
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any, cast
from uuid import UUID, uuid4

import asyncpg
import orjson
from litestar import Litestar, Request, Response, get, put
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter

from api.http.auth import AccessToken
from chibo.settings import Settings
from db.pagination import subtree_bounds
from domain.actors import Actor, Grant, Permission, Role
from domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    RuleViolationError,
    StaleVersionError,
)
from domain.meetings.model import MeetingPolicy, check_window

Row = Mapping[str, Any]
UnitId = Annotated[str, QueryParameter(name="unitId")]
CellId = Annotated[str, QueryParameter(name="cellId")]
OPTIONS = orjson.OPT_UTC_Z
JSON = "application/json"
STATUS_OF: dict[type[DomainError], int] = {
    NotFoundError: 404,
    ForbiddenError: 403,
    RuleViolationError: 422,
    ConflictError: 409,
    StaleVersionError: 412,
}

# -- SQL, written once with $n placeholders (SQLite takes them as ?n) -------------------------

ACTOR_SQL = (
    "SELECT 'g' AS k, p.password_temporary AS t, g.role AS role, u.path AS path"
    " FROM device_session s JOIN person p ON p.id = s.person AND p.active = $3"
    " LEFT JOIN role_grant g ON g.person = s.person AND g.revoked_at IS NULL"
    " LEFT JOIN unit u ON u.id = g.unit AND u.active = $3"
    " WHERE s.id = $1 AND s.person = $2 AND s.revoked_at IS NULL"
    " UNION ALL SELECT 'c', NULL, NULL, u.path FROM membership m"
    " JOIN unit u ON u.id = m.cell AND u.active = $3 WHERE m.person = $2 AND m.left_on IS NULL"
)
ACTOR_AND_UNIT_SQL = (
    ACTOR_SQL + " UNION ALL SELECT 'u', NULL, NULL, path FROM unit WHERE id = $4"  # noqa: S608
)
ME_SQL = (
    "SELECT p.id, p.home_unit, p.full_name, p.phone, p.email, p.locale, p.active,"
    " p.created_at, p.updated_at, p.version, g.id AS grant_id, g.role, g.unit,"
    " u.name AS unit_name, u.level AS unit_level"
    " FROM device_session s JOIN person p ON p.id = s.person AND p.active = $3"
    " LEFT JOIN role_grant g ON g.person = p.id AND g.revoked_at IS NULL"
    " LEFT JOIN unit u ON u.id = g.unit"
    " WHERE s.id = $1 AND s.person = $2 AND s.revoked_at IS NULL"
)
MY_CELLS_SQL = (
    "SELECT 'm' AS k, m.id, m.cell, u.name, m.kind, m.exempt, NULL AS quota, m.created_at AS at"
    " FROM membership m JOIN unit u ON u.id = m.cell WHERE m.person = $1 AND m.left_on IS NULL"
    " UNION ALL SELECT 'a', a.id, a.cell, u.name, a.period, NULL, a.quota, a.created_at"
    " FROM leader_assignment a JOIN unit u ON u.id = a.cell"
    " WHERE a.leader = $1 AND a.ended_on IS NULL"
    " ORDER BY 8, 2"  # the app's order (decision 12): creation (at), then id
)
PEOPLE_SQL = (
    "SELECT p.id, p.home_unit, p.full_name, p.phone, p.email, p.locale, p.active,"
    " p.created_at, p.updated_at, p.version FROM person p JOIN unit u ON u.id = p.home_unit"
    " WHERE ({scopes}) AND {within} ORDER BY u.path{bytewise}, p.created_at, p.id LIMIT $3"
)
TASKS_SQL = (
    "SELECT t.id, t.title, t.description, t.unit, t.assignee, t.source, t.source_id,"
    " t.priority, t.due_on, t.status, t.evidence, t.closing, t.reply_ready,"
    " t.escalation_level, t.created_at, t.version FROM task t JOIN unit u ON u.id = t.unit"
    " WHERE ({scopes}) AND {within} ORDER BY u.path{bytewise}, t.created_at, t.id LIMIT $3"
)
_MEETING_COLUMNS = (
    "m.id, m.cell, m.kind, m.status, m.combined_thematic, m.title, m.place, m.place_lat,"
    " m.place_lon, m.occurrence, m.planned_start, m.planned_end, m.notice_published_at,"
    " m.agenda, m.papers, m.actual_start, m.actual_end, m.chair, m.minute_taker,"
    " m.minutes_text, m.resolutions, m.logged_at, m.finalized_at, m.cancel_reason,"
    " m.move_reason, m.created_at, m.updated_at, m.version"
)
MEETINGS_SQL = (
    "WITH page AS (SELECT "  # noqa: S608 - our SQL only
    + _MEETING_COLUMNS
    + " FROM meeting m JOIN unit u ON u.id = m.cell WHERE ({scopes}) AND m.cell = $1"
    " ORDER BY m.planned_start, m.id LIMIT $2),"
    " tally AS (SELECT meeting,"
    " sum(CASE WHEN status = 'present' THEN 1 ELSE 0 END) AS present,"
    " sum(CASE WHEN status = 'excused' THEN 1 ELSE 0 END) AS excused,"
    " sum(CASE WHEN status = 'unexcused' THEN 1 ELSE 0 END) AS unexcused,"
    " sum(CASE WHEN status = 'elsewhere' THEN 1 ELSE 0 END) AS elsewhere,"
    " sum(CASE WHEN status = 'exempt' THEN 1 ELSE 0 END) AS exempt,"
    " sum(CASE WHEN status IS NULL THEN 1 ELSE 0 END) AS unmarked"
    " FROM attendance WHERE meeting IN (SELECT id FROM page) GROUP BY meeting)"
    " SELECT page.*, tally.present, tally.excused, tally.unexcused, tally.elsewhere,"
    " tally.exempt, tally.unmarked, v.leader AS visit_leader,"
    " v.leader_confirmed_at AS visit_leader_at, v.secretary_confirmed_at AS visit_secretary_at,"
    " v.remarks AS visit_remarks"
    " FROM page LEFT JOIN tally ON tally.meeting = page.id"
    " LEFT JOIN leader_visit v ON v.meeting = page.id"
    " ORDER BY page.planned_start, page.id, v.leader_confirmed_at"
)
RECORD_READ_SQL = (
    "SELECT "  # noqa: S608 - our SQL only
    + _MEETING_COLUMNS
    + ", u.path AS cell_path, a.person AS a_person, a.full_name AS a_name,"
    " a.membership_kind AS a_kind, a.status AS a_status, a.reason AS a_reason,"
    " a.checked_in_at AS a_checked_in_at FROM meeting m JOIN unit u ON u.id = m.cell"
    " LEFT JOIN attendance a ON a.meeting = m.id WHERE m.id = $1 ORDER BY a.position"
)
_LOGGED = (
    "UPDATE meeting SET status = 'held', actual_start = $3, actual_end = $4, chair = $5,"
    " minute_taker = $6, minutes_text = $7, resolutions = $8, logged_at = $9,"
    " updated_at = $10, version = version + 1 WHERE id = $1 AND version = $2"
)
_AUDIT = (
    "INSERT INTO audit_event (id, at, actor, action, object_type, object_id, unit_path, before,"
    " after, request_id, created_at)"
)
# PostgreSQL: the whole write in one statement, gated by the version check.
RECORD_WRITE_PG = (
    f"WITH logged AS ({_LOGGED} RETURNING id),"  # noqa: S608 - our SQL only
    " marked AS (UPDATE attendance SET status = v.status, reason = v.reason"
    " FROM unnest($11::uuid[], $12::text[], $13::text[]) AS v(person, status, reason)"
    " WHERE attendance.meeting = (SELECT id FROM logged) AND attendance.person = v.person),"
    f" audit AS ({_AUDIT} SELECT $14::uuid, $10, $15::uuid, 'meeting.log', 'Meeting', id,"
    " $16::varchar, $17::json, $18::json, $19::varchar, $10 FROM logged)"
    " SELECT count(*) AS n FROM logged"
)
RECORD_AUDIT_SQLITE = _AUDIT + " VALUES (?, ?, ?, 'meeting.log', 'Meeting', ?, ?, ?, ?, ?, ?)"


@cache
def _sqlite(sql: str) -> str:
    return sql.replace("$", "?")


@cache
def _scoped(sql: str, scopes: int, first: int, *, postgres: bool) -> str:
    """``sql`` with its ``{scopes}`` as path ranges from ``$first`` on (two values each), its
    ``{within}`` as the range of ``$1`` and ``$2``, and its ``{bytewise}`` order of paths: the
    app's (db/pagination.py: subtree_range), which any plan serves from an index."""
    ge, lt, bytewise = ("~>=~", "~<~", " USING ~<~") if postgres else (">=", "<", "")
    ranges = " OR ".join(
        f"(u.path {ge} ${first + 2 * k} AND u.path {lt} ${first + 2 * k + 1})"
        for k in range(scopes)
    )
    within = f"u.path {ge} $1 AND u.path {lt} $2"
    return (
        sql.replace("{scopes}", ranges).replace("{within}", within).replace("{bytewise}", bytewise)
    )


@cache
def _marks_sqlite(rows: int) -> str:
    values = ", ".join(["(?, ?, ?)"] * rows)
    return (
        "UPDATE attendance SET status = v.column2, reason = v.column3"  # noqa: S608 - no input
        f" FROM (VALUES {values}) AS v WHERE attendance.meeting = ? AND attendance.person ="
        " v.column1"
    )


# -- the database -----------------------------------------------------------------------------


class Reader:
    """One request's reads: a pooled asyncpg connection, or the worker's SQLite connection for
    reads, used on the event loop's thread (as the app's bounded reads: no hop to a thread)."""

    def __init__(self, connection: Any, *, postgres: bool) -> None:  # noqa: ANN401
        self.connection, self.postgres = connection, postgres

    async def fetch(self, sql: str, *args: Any) -> Sequence[Row]:  # noqa: ANN401
        if self.postgres:
            rows: Sequence[Row] = await self.connection.fetch(sql, *args)
            return rows
        found = self.connection.execute(_sqlite(sql), args).fetchall()
        return cast("Sequence[Row]", found)


class Db:
    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = not url.startswith("sqlite")
        self.pool: Any = None
        self.reader: sqlite3.Connection | None = None
        self.writer: sqlite3.Connection | None = None
        self.writer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")

    async def open(self) -> None:
        if self.postgres:
            self.pool = await asyncpg.create_pool(
                self.url, min_size=2, max_size=20, init=_text_uuids
            )
            return
        path = self.url.removeprefix("sqlite:///")
        self.reader = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.reader.row_factory = sqlite3.Row
        self.writer = await asyncio.get_running_loop().run_in_executor(
            self.writer_thread, _writer_connection, path
        )

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        if self.reader is not None:
            self.reader.close()
        if self.writer is not None:
            self.writer.close()
        self.writer_thread.shutdown()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Reader]:
        if self.pool is not None:
            async with self.pool.acquire() as connection:
                yield Reader(connection, postgres=True)
            return
        yield Reader(self.reader, postgres=False)

    async def write(self, work: Callable[[sqlite3.Connection], Any]) -> Any:  # noqa: ANN401
        """SQLite: ``work`` in one transaction on the writer's thread, in one hop."""
        writer = self.writer
        if writer is None:
            raise RuntimeError("no SQLite writer")

        def transaction() -> Any:  # noqa: ANN401
            writer.execute("BEGIN IMMEDIATE")
            try:
                result = work(writer)
            except BaseException:
                writer.execute("ROLLBACK")
                raise
            writer.execute("COMMIT")
            return result

        return await asyncio.get_running_loop().run_in_executor(self.writer_thread, transaction)


async def _text_uuids(connection: Any) -> None:  # noqa: ANN401 - asyncpg's connection
    await connection.set_type_codec(
        "uuid", encoder=str, decoder=str, schema="pg_catalog", format="text"
    )


def _writer_connection(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = 1")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


# -- values -----------------------------------------------------------------------------------


def _at(value: Any) -> datetime | None:  # noqa: ANN401 - a driver's timestamp
    """A timestamp as a datetime: PostgreSQL's already is, SQLite's is text."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _json(value: Any) -> Any:  # noqa: ANN401 - a JSON column's value
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _cursor(at: Any, row_id: str, unit: str | None) -> str:  # noqa: ANN401
    """db/pagination.py's keyset cursor (a list grouped by unit: the row's unit first)."""
    moment = _at(at)
    group = "" if unit is None else f"{UUID(unit).hex}|"
    raw = f"{group}{moment.isoformat() if moment else ''}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _page(
    items: list[dict[str, Any]], rows: Sequence[Row], limit: int, key: str, unit: str = ""
) -> bytes:
    """The page's JSON; ``unit``: the rows' unit column, for a list grouped by unit."""
    last = rows[limit - 1] if len(rows) > limit else None
    cursor = None if last is None else _cursor(last[key], last["id"], last[unit] if unit else None)
    return orjson.dumps({"items": items, "nextCursor": cursor}, option=OPTIONS)


def _person(r: Row) -> dict[str, Any]:
    return {
        "id": r["id"],
        "homeUnitId": r["home_unit"],
        "fullName": r["full_name"],
        "phone": r["phone"],
        "email": r["email"],
        "locale": r["locale"],
        "active": bool(r["active"]),
        "createdAt": _at(r["created_at"]),
        "updatedAt": _at(r["updated_at"]),
        "version": r["version"],
    }


def _task(r: Row) -> dict[str, Any]:
    evidence, closing = _json(r["evidence"]) or {}, _json(r["closing"]) or {}
    return {
        "id": r["id"],
        "title": r["title"],
        "description": r["description"],
        "unitId": r["unit"],
        "assigneeId": r["assignee"],
        "source": r["source"],
        "sourceId": r["source_id"],
        "priority": r["priority"],
        "dueOn": r["due_on"],
        "status": r["status"],
        "evidenceNote": evidence.get("note"),
        "evidenceAttachmentIds": evidence.get("attachments", []),
        "noEvidenceReason": evidence.get("no_evidence_reason"),
        "resolution": closing.get("resolution"),
        "explanation": closing.get("explanation"),
        "transferredTo": closing.get("to"),
        "waitingForReply": not r["reply_ready"],
        "escalationLevel": r["escalation_level"],
        "history": [],
        "createdAt": _at(r["created_at"]),
        "version": r["version"],
    }


def _resolutions(stored: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "text": r["text"],
            "votesFor": r["votes_for"],
            "votesAgainst": r["votes_against"],
            "votesAbstain": r["votes_abstain"],
        }
        for r in stored
    ]


def _flags(r: Row, policy: MeetingPolicy, now: datetime) -> list[str]:
    """Meeting.flags on the row."""
    found = []
    start, end, logged = _at(r["actual_start"]), _at(r["actual_end"]), _at(r["logged_at"])
    if start and end:
        needed = policy.combined_min_minutes if r["combined_thematic"] else policy.min_minutes
        if end - start < timedelta(minutes=needed):
            found.append("short_meeting")
    deadline = cast("datetime", _at(r["planned_start"])) - timedelta(hours=policy.notice_hours)
    notice = _at(r["notice_published_at"])
    if (
        (notice > deadline)
        if notice is not None
        else (r["status"] != "cancelled" and now > deadline)
    ):
        found.append("late_notice")
    if logged and end and logged - end > timedelta(days=policy.late_logging_days):
        found.append("logged_late")
    return found


def _meeting(r: Row, policy: MeetingPolicy, now: datetime) -> dict[str, Any]:
    """MeetingOut without the sheet-only and list-only fields (the caller adds them)."""
    lat = r["place_lat"]
    return {
        "id": r["id"],
        "cellId": r["cell"],
        "kind": r["kind"],
        "status": r["status"],
        "combinedThematic": bool(r["combined_thematic"]),
        "title": r["title"],
        "place": r["place"],
        "placeLocation": {"lat": lat, "lon": r["place_lon"]} if lat is not None else None,
        "occurrence": r["occurrence"],
        "plannedStart": _at(r["planned_start"]),
        "plannedEnd": _at(r["planned_end"]),
        "noticePublishedAt": _at(r["notice_published_at"]),
        "agenda": [
            {
                "title": a["title"],
                "kind": a["kind"],
                "minutes": a["minutes"],
                "presenter": a.get("presenter"),
                "taskId": a.get("task_id"),
            }
            for a in _json(r["agenda"])
        ],
        "papers": _json(r["papers"]),
        "actualStart": _at(r["actual_start"]),
        "actualEnd": _at(r["actual_end"]),
        "chairId": r["chair"],
        "minuteTakerId": r["minute_taker"],
        "minutesText": r["minutes_text"],
        "resolutions": _resolutions(_json(r["resolutions"])),
        "attendance": None,
        "counts": None,
        "flags": _flags(r, policy, now),
        "loggedAt": _at(r["logged_at"]),
        "finalizedAt": _at(r["finalized_at"]),
        "cancelReason": r["cancel_reason"],
        "moveReason": r["move_reason"],
        "amendments": None,
        "tally": None,
        "visits": None,
        "createdAt": _at(r["created_at"]),
        "updatedAt": _at(r["updated_at"]),
        "version": r["version"],
    }


# -- the caller -------------------------------------------------------------------------------


def _token(request: Request[Any, Any, Any], secret: str) -> tuple[str, str]:
    """(person, session) from the bearer token, checked as the app's JWTAuth checks it: by the
    app's own ``AccessToken`` (verified once per token text, then known until it expires)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not encoded:
        raise HTTPException(status_code=401)
    token = AccessToken.decode(encoded, secret=secret, algorithm="HS256")
    try:
        return str(UUID(token.sub)), str(UUID(str(token.extras.get("sid"))))
    except ValueError as error:
        raise HTTPException(status_code=401) from error


def _actor(rows: Sequence[Row], person: str, session: str) -> tuple[Actor, str | None]:
    """The Actor from ACTOR_SQL's rows, and the unit's path when it was asked for."""
    grants, cells, unit = [], [], None
    temporary = None
    for r in rows:
        if r["k"] == "g":
            temporary = bool(r["t"])
            if r["role"] and r["path"]:
                grants.append(Grant(Role(r["role"]), cast("UUID", None), r["path"]))
        elif r["k"] == "c":
            cells.append(r["path"])
        else:
            unit = r["path"]
    if temporary is None:
        raise HTTPException(status_code=401)
    if temporary:
        raise ForbiddenError("password_change_required")
    actor = Actor(
        person_id=UUID(person),
        session_id=UUID(session),
        grants=tuple(grants),
        cells=tuple(sorted(set(cells))),
    )
    return actor, unit


def _bounds(scopes: Sequence[str]) -> list[str]:
    return [bound for scope in scopes for bound in subtree_bounds(scope)]


# -- the app ----------------------------------------------------------------------------------


def build() -> Litestar:  # noqa: C901, PLR0915 - the five handlers share the settings and pool
    settings = Settings.from_env()
    db = Db(settings.database_url)
    secret, policy = settings.secret_key, settings.meeting_policy

    @get("/health/ready")
    async def ready() -> Response[bytes]:
        return Response(b'{"status":"ok"}', media_type=JSON)

    @get("/api/v1/me")
    async def me(request: Request[Any, Any, Any]) -> Response[bytes]:
        person, session = _token(request, secret)
        async with db.read() as reader:
            rows = await reader.fetch(ME_SQL, session, person, True)  # noqa: FBT003
            if not rows:
                raise HTTPException(status_code=401)
            mine = await reader.fetch(MY_CELLS_SQL, person)
        grants = [
            {
                "id": r["grant_id"],
                "role": r["role"],
                "unitId": r["unit"],
                "unitName": r["unit_name"],
                "unitLevel": r["unit_level"],
            }
            for r in rows
            if r["grant_id"] is not None
        ]
        cells = [
            {
                "membershipId": r["id"],
                "cellId": r["cell"],
                "cellName": r["name"],
                "kind": r["kind"],
                "exempt": bool(r["exempt"]),
            }
            for r in mine
            if r["k"] == "m"
        ]
        followed = [
            {
                "assignmentId": r["id"],
                "cellId": r["cell"],
                "cellName": r["name"],
                "quota": r["quota"],
                "period": r["kind"],
            }
            for r in mine
            if r["k"] == "a"
        ]
        body = {"person": _person(rows[0]), "grants": grants, "cells": cells, "followed": followed}
        return Response(orjson.dumps(body, option=OPTIONS), media_type=JSON)

    async def scoped_list(
        request: Request[Any, Any, Any],
        unit_id: str,
        sql: str,
        permission: Permission,
        limit: int,
    ) -> tuple[Sequence[Row], int]:
        person, session = _token(request, secret)
        async with db.read() as reader:
            rows = await reader.fetch(ACTOR_AND_UNIT_SQL, session, person, True, unit_id)  # noqa: FBT003
            actor, within = _actor(rows, person, session)
            if within is None:
                raise NotFoundError("unit_not_found")
            actor.require_visible(Permission.VIEW_UNIT, within, "unit_not_found")
            scopes = actor.scopes(permission)
            if not scopes:
                return (), limit
            page = await reader.fetch(
                _scoped(sql, len(scopes), 4, postgres=reader.postgres),
                *subtree_bounds(within),
                limit + 1,
                *_bounds(scopes),
            )
        return page, limit

    @get("/api/v1/people")
    async def people(
        request: Request[Any, Any, Any], unit_id: UnitId, limit: int = 50
    ) -> Response[bytes]:
        rows, limit = await scoped_list(request, unit_id, PEOPLE_SQL, Permission.VIEW_PEOPLE, limit)
        body = _page([_person(r) for r in rows[:limit]], rows, limit, "created_at", "home_unit")
        return Response(body, media_type=JSON)

    @get("/api/v1/tasks")
    async def tasks(
        request: Request[Any, Any, Any], unit_id: UnitId, limit: int = 50
    ) -> Response[bytes]:
        rows, limit = await scoped_list(request, unit_id, TASKS_SQL, Permission.VIEW_UNIT, limit)
        body = _page([_task(r) for r in rows[:limit]], rows, limit, "created_at", "unit")
        return Response(body, media_type=JSON)

    @get("/api/v1/meetings")
    async def meetings(
        request: Request[Any, Any, Any], cell_id: CellId, limit: int = 50
    ) -> Response[bytes]:
        person, session = _token(request, secret)
        async with db.read() as reader:
            actor, _ = _actor(
                await reader.fetch(ACTOR_SQL, session, person, True),  # noqa: FBT003
                person,
                session,
            )
            scopes = actor.scopes(Permission.VIEW_UNIT)
            rows = (
                await reader.fetch(
                    _scoped(MEETINGS_SQL, len(scopes), 3, postgres=reader.postgres),
                    cell_id,
                    limit + 1,
                    *_bounds(scopes),
                )
                if scopes
                else ()
            )
        now = datetime.now(UTC)
        items: dict[str, dict[str, Any]] = {}
        firsts: list[Row] = []
        for r in rows:
            item = items.get(r["id"])
            if item is None:
                firsts.append(r)
                item = items[r["id"]] = _meeting(r, policy, now)
                item["tally"] = {
                    k: r[k] or 0
                    for k in ("present", "excused", "unexcused", "elsewhere", "exempt", "unmarked")
                }
                item["visits"] = []
            if r["visit_leader"] is not None:
                leader_at, secretary_at = _at(r["visit_leader_at"]), _at(r["visit_secretary_at"])
                item["visits"].append(
                    {
                        "meetingId": r["id"],
                        "leaderId": r["visit_leader"],
                        "leaderConfirmedAt": leader_at,
                        "secretaryConfirmedAt": secretary_at,
                        "remarks": r["visit_remarks"],
                        "counted": leader_at is not None and secretary_at is not None,
                    }
                )
        page = list(items.values())[:limit]
        return Response(_page(page, firsts, limit, "planned_start"), media_type=JSON)

    @put("/api/v1/meetings/{meeting_id:str}/record")
    async def record(request: Request[Any, Any, Any], meeting_id: str) -> Response[bytes]:
        person, session = _token(request, secret)
        version = _if_match(request.headers.get("if-match"))
        data = orjson.loads(await request.body())
        async with db.read() as reader:
            actor, _ = _actor(
                await reader.fetch(ACTOR_SQL, session, person, True),  # noqa: FBT003
                person,
                session,
            )
            request_id = request.headers.get("x-request-id")
            now = datetime.now(UTC)
            if db.postgres:
                log = await _log_postgres(reader, actor, meeting_id, version, data, now, request_id)
        if not db.postgres:
            log = await db.write(
                lambda c: _log_sqlite(c, actor, meeting_id, version, data, now, request_id)
            )
        body = _record_reply(log, policy, now)
        headers = {"ETag": f'"{log.version}"'}
        return Response(orjson.dumps(body, option=OPTIONS), media_type=JSON, headers=headers)

    def problem(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
        del request
        status = next((s for t, s in STATUS_OF.items() if isinstance(error, t)), 500)
        if isinstance(error, HTTPException):
            status = error.status_code
        code = error.args[0] if isinstance(error, DomainError) and error.args else None
        problem = {"status": status, "code": code}
        if isinstance(error, StaleVersionError):  # wrk_meetings.lua resynchronises on it
            problem["currentVersion"] = error.current_version
        body = orjson.dumps(problem)
        return Response(body, status_code=status, media_type="application/problem+json")

    return Litestar(
        route_handlers=[ready, me, people, tasks, meetings, record],
        on_startup=[db.open],
        on_shutdown=[db.close],
        exception_handlers={Exception: problem},
        middleware=[_request_id],
        openapi_config=None,
    )


def _request_id(app: Any) -> Any:  # noqa: ANN401 - an ASGI app
    """The caller's X-Request-Id echoed (bench/wrk_meetings.lua pairs replies with it)."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:  # noqa: ANN401
        given = next((v for k, v in scope.get("headers", ()) if k == b"x-request-id"), None)

        async def send_with_id(message: Any) -> None:  # noqa: ANN401
            if given is not None and message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", given)]
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


def _if_match(value: str | None) -> int:
    if not value:
        raise HTTPException(status_code=428)
    try:
        return int(value.strip().removeprefix("W/").strip('"'))
    except ValueError as error:
        raise HTTPException(status_code=412) from error


# -- the meeting record -----------------------------------------------------------------------


class Log:
    """What a meeting record wrote: the meeting's row as read, its sheet as marked, and the
    new values."""

    def __init__(self, row: Row, sheet: list[dict[str, Any]], data: Mapping[str, Any]) -> None:
        self.row, self.sheet, self.data = row, sheet, data
        self.version: int = row["version"] + 1
        self.logged_at: datetime | None = None
        self.updated_at: datetime | None = None


def _checked(
    rows: Sequence[Row], actor: Actor, version: int, data: Mapping[str, Any], now: datetime
) -> Log:
    """The app's checks (scope, version, open meeting, the sheet, window, chair, votes) on the
    rows read; the sheet marked in memory."""
    if not rows:
        raise NotFoundError("meeting_not_found")
    row = rows[0]
    actor.require_visible(Permission.VIEW_UNIT, row["cell_path"], "meeting_not_found")
    actor.require(Permission.MANAGE_MEETINGS, row["cell_path"], "meeting_manage_forbidden")
    if version != row["version"]:
        raise StaleVersionError("version_mismatch", current_version=row["version"])
    if row["status"] in {"finalized", "cancelled"}:
        raise ConflictError(f"meeting_{row['status']}")
    sheet = {
        r["a_person"]: {
            "person_id": r["a_person"],
            "full_name": r["a_name"],
            "membership_kind": r["a_kind"],
            "status": r["a_status"],
            "reason": r["a_reason"],
            "checked_in_at": _at(r["a_checked_in_at"]),
        }
        for r in rows
        if r["a_person"] is not None
    }
    if not sheet:
        raise ConflictError("no_attendance_sheet")  # the app draws it from the roster
    _check_log(sheet, data, now)
    log = Log(row, list(sheet.values()), data)
    log.logged_at, log.updated_at = _at(row["logged_at"]) or now, now
    return log


def _check_log(sheet: dict[str, dict[str, Any]], data: Mapping[str, Any], now: datetime) -> None:
    """Meeting.mark and Meeting.log's rules; the marks applied to ``sheet``."""
    for mark in data.get("attendance", ()):
        entry = sheet.get(mark["personId"])
        if entry is None or entry["status"] == "exempt" or mark["status"] == "exempt":
            raise RuleViolationError("not_on_attendance_sheet", person=mark["personId"])
        entry["status"], entry["reason"] = mark["status"], mark.get("reason")
    start, end = (
        datetime.fromisoformat(data["actualStart"]),
        datetime.fromisoformat(data["actualEnd"]),
    )
    check_window(start, end)
    if start > now:
        raise RuleViolationError("meeting_in_future")
    for person in (data.get("chairId"), data.get("minuteTakerId")):
        if person is not None and person not in sheet:
            raise RuleViolationError("chair_or_taker_not_member")
    voters = sum(
        e["status"] == "present" and e["membership_kind"] == "full" for e in sheet.values()
    )
    for r in data.get("resolutions", ()):
        if r.get("votesFor", 0) + r.get("votesAgainst", 0) + r.get("votesAbstain", 0) > voters:
            raise RuleViolationError("votes_exceed_voters", voters=voters)


def _stored_resolutions(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "text": r["text"],
            "votes_for": r.get("votesFor", 0),
            "votes_against": r.get("votesAgainst", 0),
            "votes_abstain": r.get("votesAbstain", 0),
        }
        for r in data.get("resolutions", ())
    ]


def _state(log: Log, *, after: bool) -> dict[str, Any]:
    """The audit snapshot of the meeting (domain/meetings/access.py audit_state's fields)."""
    r, data = log.row, log.data
    lat = r["place_lat"]
    return {
        "id": r["id"],
        "cell_id": r["cell"],
        "cell_path": r["cell_path"],
        "kind": r["kind"],
        "status": "held" if after else r["status"],
        "planned_start": _at(r["planned_start"]),
        "planned_end": _at(r["planned_end"]),
        "created_at": _at(r["created_at"]),
        "updated_at": log.updated_at if after else _at(r["updated_at"]),
        "combined_thematic": bool(r["combined_thematic"]),
        "title": r["title"],
        "place": r["place"],
        "place_location": [lat, r["place_lon"]] if lat is not None else None,
        "occurrence": r["occurrence"],
        "notice_published_at": _at(r["notice_published_at"]),
        "agenda": _json(r["agenda"]),
        "papers": _json(r["papers"]),
        "actual_start": data["actualStart"] if after else _at(r["actual_start"]),
        "actual_end": data["actualEnd"] if after else _at(r["actual_end"]),
        "chair_id": data.get("chairId") if after else r["chair"],
        "minute_taker_id": data.get("minuteTakerId") if after else r["minute_taker"],
        "minutes_text": data.get("minutesText") if after else r["minutes_text"],
        "resolutions": _stored_resolutions(data) if after else _json(r["resolutions"]),
        "attendance": log.sheet if after else None,
        "logged_at": log.logged_at if after else _at(r["logged_at"]),
        "finalized_at": _at(r["finalized_at"]),
        "cancel_reason": r["cancel_reason"],
        "move_reason": r["move_reason"],
        "version": log.version if after else r["version"],
    }


def _before(log: Log, rows: Sequence[Row]) -> bytes:
    state = _state(log, after=False)
    state["attendance"] = [
        {
            "person_id": r["a_person"],
            "full_name": r["a_name"],
            "membership_kind": r["a_kind"],
            "status": r["a_status"],
            "reason": r["a_reason"],
            "checked_in_at": _at(r["a_checked_in_at"]),
        }
        for r in rows
    ]
    return orjson.dumps(state)


async def _log_postgres(
    reader: Reader,
    actor: Actor,
    meeting_id: str,
    version: int,
    data: Mapping[str, Any],
    now: datetime,
    request_id: str | None,
) -> Log:
    rows = await reader.fetch(RECORD_READ_SQL, meeting_id)
    log = _checked(rows, actor, version, data, now)
    before = _before(log, rows)
    marks = data.get("attendance", ())
    written = await reader.fetch(
        RECORD_WRITE_PG,
        meeting_id,
        version,
        datetime.fromisoformat(data["actualStart"]),
        datetime.fromisoformat(data["actualEnd"]),
        data.get("chairId"),
        data.get("minuteTakerId"),
        data.get("minutesText"),
        orjson.dumps(_stored_resolutions(data)).decode(),
        log.logged_at,
        now,
        [m["personId"] for m in marks],
        [m["status"] for m in marks],
        [m.get("reason") for m in marks],
        str(uuid4()),
        str(actor.person_id),
        log.row["cell_path"],
        before.decode(),
        orjson.dumps(_state(log, after=True)).decode(),
        request_id,
    )
    if not written[0]["n"]:
        raise StaleVersionError("version_mismatch", current_version=0)  # not read again
    return log


def _log_sqlite(
    connection: sqlite3.Connection,
    actor: Actor,
    meeting_id: str,
    version: int,
    data: Mapping[str, Any],
    now: datetime,
    request_id: str | None,
) -> Log:
    rows = connection.execute(_sqlite(RECORD_READ_SQL), (meeting_id,)).fetchall()
    log = _checked(rows, actor, version, data, now)
    before = _before(log, rows)
    written = connection.execute(
        _sqlite(_LOGGED),
        (
            meeting_id,
            version,
            str(datetime.fromisoformat(data["actualStart"]).astimezone(UTC)),
            str(datetime.fromisoformat(data["actualEnd"]).astimezone(UTC)),
            data.get("chairId"),
            data.get("minuteTakerId"),
            data.get("minutesText"),
            orjson.dumps(_stored_resolutions(data)).decode(),
            str(log.logged_at),
            str(now),
        ),
    )
    if written.rowcount != 1:
        raise StaleVersionError("version_mismatch", current_version=0)  # not read again
    marks = data.get("attendance", ())
    if marks:
        values: list[Any] = []
        for m in marks:
            values += (m["personId"], m["status"], m.get("reason"))
        connection.execute(_marks_sqlite(len(marks)), (*values, meeting_id))
    connection.execute(
        RECORD_AUDIT_SQLITE,
        (
            str(uuid4()),
            str(now),
            str(actor.person_id),
            meeting_id,
            log.row["cell_path"],
            before.decode(),
            orjson.dumps(_state(log, after=True)).decode(),
            request_id,
            str(now),
        ),
    )
    return log


def _record_reply(log: Log, policy: MeetingPolicy, now: datetime) -> dict[str, Any]:
    """MeetingOut with the sheet, as the app replies to a record."""
    data = log.data
    row = {
        **log.row,
        "status": "held",
        "actual_start": datetime.fromisoformat(data["actualStart"]).astimezone(UTC),
        "actual_end": datetime.fromisoformat(data["actualEnd"]).astimezone(UTC),
        "chair": data.get("chairId"),
        "minute_taker": data.get("minuteTakerId"),
        "minutes_text": data.get("minutesText"),
        "resolutions": _stored_resolutions(data),
        "logged_at": log.logged_at,
        "updated_at": log.updated_at,
        "version": log.version,
    }
    body = _meeting(row, policy, now)
    body["attendance"] = [
        {
            "personId": e["person_id"],
            "fullName": e["full_name"],
            "membershipKind": e["membership_kind"],
            "status": e["status"],
            "reason": e["reason"],
            "checkedInAt": e["checked_in_at"],
        }
        for e in log.sheet
    ]
    body["counts"] = _counts(log.sheet, policy)
    body["amendments"] = []
    return body


def _counts(sheet: list[dict[str, Any]], policy: MeetingPolicy) -> dict[str, Any]:
    """domain.meetings.model.counts on the sheet."""
    counted = [e for e in sheet if e["status"] != "exempt"]
    full = [e for e in counted if e["membership_kind"] == "full"]
    present = [e for e in counted if e["status"] == "present"]
    present_full = [e for e in present if e["membership_kind"] == "full"]
    return {
        "members": len(sheet),
        "full": len(full),
        "probationary": len(counted) - len(full),
        "exempt": len(sheet) - len(counted),
        "present": len(present),
        "presentFull": len(present_full),
        "excused": sum(e["status"] == "excused" for e in counted),
        "unexcused": sum(e["status"] == "unexcused" for e in counted),
        "elsewhere": sum(e["status"] == "elsewhere" for e in counted),
        "quorumMet": bool(full) and len(present_full) > policy.quorum_ratio * len(full),
    }


app = build()
