# ruff: noqa: S608 - SQL from this module's own constants; the measured statement binds values
"""The reminder sweep (issue 7): find and enqueue every due reminder among 1,000,000 tasks and
100,000 meetings, through the app, beside one hand-written set-based statement doing the same.

    .venv/bin/python -m bench.reminders --engine sqlite|postgres [--tasks N --meetings M]

For each engine: a fresh database (SQLite: a file in a temporary directory; PostgreSQL: a fresh
database beside ``--postgres-url``, dropped afterwards) migrated by db/migrate.py, then a data set
written set-based (generate_series / a recursive CTE, one INSERT ... SELECT per table) and
``ANALYZE``. The clock stands at 08:05 in Hà Nội on 2 December 2026: the 48-hour catch-up window
holds two 08:00 days (task, petition and minutes reminders), two 07:30 digests and the moments of
meetings and inspections. Measured on the same data, A B B A: ``ReminderService.sweep()`` (the
app's store, engine and transaction) and one ``INSERT ... SELECT ... UNION ALL ... ON CONFLICT DO
NOTHING`` (the same engine, one transaction), the reminder table emptied before each run; both
must insert exactly the same rows (checked row by row once, counted every run). Then the steady
state: the same again with every row already there (what a sweep every minute costs). Prints
medians of the wall clock and of the CPU spent (this process and its PostgreSQL backends: what
other load on the machine does not stretch); nothing here asserts on speed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from piccolo.querystring import QueryString

from bench.machine import POSTGRES_URL, _safe, postgres_database, wait_for_quiet
from db.engine import Database
from db.migrate import bind, migrate
from db.named_sql import bind as bind_named
from db.repositories.notifications import PiccoloNotificationStore
from db.repositories.reminders import PiccoloReminderStore
from domain.clock import LOCAL_TZ
from domain.notifications.service import Notifier
from domain.reminders.model import ReminderPolicy, plan_sweeps
from domain.reminders.service import ReminderService
from notifications.texts import TemplateTexts

BENCH_DB = "chibo_bench_reminders"
NOW = datetime(2026, 12, 2, 8, 5, tzinfo=LOCAL_TZ).astimezone(UTC)
GOAL = 2.0  # the sweep may take at most this many times the hand-written statement
REPEATS, QUICK_REPEATS = 11, 5  # timed runs of each
QUICK = 10  # --quick: a tenth of the data
DAY_S = 86_400
LOCAL_OFFSET_S = 7 * 3_600  # Hà Nội is UTC+7 all year
Run = Callable[[], Awaitable[int]]  # one sweep (either way): the rows it inserted


@dataclass(frozen=True, slots=True)
class Scale:
    """The data set. The org chart: a city, its wards, their cells, members per cell; tasks,
    meetings and inspections spread evenly over the years, so a tenth of them is the same
    picture with a tenth of the rows."""

    tasks: int = 1_000_000
    meetings: int = 100_000
    inspections: int = 5_000
    wards: int = 30
    cells_per_ward: int = 20
    members_per_cell: int = 30
    petition_every: int = 50  # every 50th task answers a citizen's petition
    digest_leaders: int = 20  # of the 31 leaders, these chose the daily digest

    @property
    def cells(self) -> int:
        return self.wards * self.cells_per_ward

    @property
    def members(self) -> int:
        return self.cells * self.members_per_cell


# -- the data set ------------------------------------------------------------------------------

TASKS_FROM = datetime(2018, 1, 1, tzinfo=UTC)  # tasks created from here until NOW
MEETINGS_FROM, MEETINGS_UNTIL = date(2015, 1, 1), date(2027, 6, 30)
INSPECTIONS_FROM, INSPECTIONS_UNTIL = date(2017, 1, 1), date(2027, 6, 30)
# local meeting times as UTC seconds of the day: 19:30 (most), 14:00, 08:00
MEETING_SLOTS = ((7, 12 * 3_600 + 1_800), (9, 7 * 3_600), (10, 3_600))


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


@dataclass(frozen=True, slots=True)
class Dialect:
    """The few expressions the seed and the statement spell differently on each engine."""

    engine: str

    @property
    def postgres(self) -> bool:
        return self.engine == "postgres"

    def numbers(self, count: int) -> str:
        """1..count as a subquery of one 64-bit column ``i``."""
        if self.postgres:
            return f"(SELECT i FROM generate_series(CAST(1 AS BIGINT), {count}) AS g(i))"
        return (
            f"(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {count})"
            " SELECT i FROM g)"
        )

    def uid(self, family: int, number: str) -> str:
        """A fixed UUID per (family, number): the org chart's rows, so others can point at them."""
        if self.postgres:
            return (
                f"CAST('{family:08d}-0000-4000-8000-' || lpad(CAST({number} AS TEXT), 12, '0')"
                " AS UUID)"
            )
        return f"printf('{family:08d}-0000-4000-8000-%012d', {number})"

    def uid_hex(self, family: int, number: str) -> str:
        """``uid(...).hex``, as a unit's path spells it (domain.org.model.unit_path)."""
        if self.postgres:
            return f"'{family:08d}000040008000' || lpad(CAST({number} AS TEXT), 12, '0')"
        return f"printf('{family:08d}000040008000%012d', {number})"

    def random_uuid(self) -> str:
        if self.postgres:
            return "gen_random_uuid()"
        return (
            "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'"
            " || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (random() & 3), 1)"
            " || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
        )

    def day(self, number: str) -> str:
        """A DATE from days since 1970-01-01."""
        if self.postgres:
            return f"(DATE '1970-01-01' + CAST({number} AS INTEGER))"
        return f"date(({number}) * {DAY_S}, 'unixepoch')"

    def moment(self, seconds: str) -> str:
        """A TIMESTAMPTZ from Unix seconds; on SQLite the text Piccolo writes and binds."""
        if self.postgres:
            return f"to_timestamp({seconds})"
        return f"(datetime({seconds}, 'unixepoch') || '+00:00')"

    def json(self, text: str) -> str:
        return f"CAST('{text}' AS JSON)" if self.postgres else f"'{text}'"

    def param(self, name: str, sql_type: str) -> str:
        """A bound value in a VALUES list (PostgreSQL needs its type there; SQLite compares the
        text Piccolo binds, which a CAST would turn into a number)."""
        if self.postgres or sql_type == "TEXT":
            return f"CAST(:{name} AS {sql_type})"
        return f":{name}"

    def unix_text(self, column: str) -> str:
        """A moment as whole Unix seconds, in text: a moment reminder's occurrence."""
        if self.postgres:
            return f"CAST(CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT) AS TEXT)"
        return f"CAST(CAST(strftime('%s', {column}) AS INTEGER) AS TEXT)"


def _rnd(value: str, salt: int) -> str:
    """A deterministic pseudo-random integer in [0, 2^20) from ``value`` (Knuth's multiplicative
    hash, high bits): the same data on both engines, without a random() per engine."""
    return f"(((({value}) + {salt}) * 2654435761) % 4294967296 / 4096)"


def seed_statements(sql: Dialect, scale: Scale) -> list[tuple[str, str]]:
    """(what, statement) in order: the org chart, tasks, petitions, meetings, inspections."""
    cells, per_cell, wards = scale.cells, scale.members_per_cell, scale.wards
    first_cell = 2 + wards  # unit numbers: 1 the city, 2.. the wards, then the cells
    leaders = scale.members  # people 1..members are cell members; then the city's and wards'
    stamp = sql.moment(str(_epoch(TASKS_FROM)))
    now_day = _day_number(NOW.astimezone(LOCAL_TZ).date())
    city_hex = sql.uid_hex(1, "1")
    units = f"""
        INSERT INTO unit (id, parent, path, name, level, is_cell, active, created_at, updated_at,
                          version)
        SELECT {sql.uid(1, "i")},
               CASE WHEN i = 1 THEN NULL
                    WHEN i < {first_cell} THEN {sql.uid(1, "1")}
                    ELSE {sql.uid(1, f"2 + (i - {first_cell}) / {scale.cells_per_ward}")} END,
               CASE WHEN i = 1 THEN '/' || {city_hex} || '/'
                    WHEN i < {first_cell} THEN '/' || {city_hex} || '/' || {sql.uid_hex(1, "i")}
                         || '/'
                    ELSE '/' || {city_hex} || '/'
                         || {sql.uid_hex(1, f"2 + (i - {first_cell}) / {scale.cells_per_ward}")}
                         || '/' || {sql.uid_hex(1, "i")} || '/' END,
               CASE WHEN i = 1 THEN 'Thành ủy'
                    WHEN i < {first_cell} THEN 'Đảng ủy phường số ' || (i - 1)
                    ELSE 'Chi bộ số ' || (i - {first_cell} + 1) END,
               CASE WHEN i = 1 THEN 'city' WHEN i < {first_cell} THEN 'ward' ELSE 'cell' END,
               i >= {first_cell}, TRUE, {stamp}, {stamp}, 1
        FROM {sql.numbers(first_cell + cells - 1)} AS n"""
    # members: person p of cell (p - 1) / per_cell; leader p = members + 1 + w of unit 1 + w
    people = f"""
        INSERT INTO person (id, home_unit, full_name, phone, email, locale, active,
                            password_hash, created_at, updated_at, version)
        SELECT {sql.uid(2, "i")},
               CASE WHEN i <= {leaders} THEN {sql.uid(1, f"{first_cell} + (i - 1) / {per_cell}")}
                    ELSE {sql.uid(1, f"i - {leaders}")} END,
               'Đảng viên số ' || i, '+849' || (10000000 + i), NULL, 'vi', TRUE, NULL,
               {stamp}, {stamp}, 1
        FROM {sql.numbers(leaders + wards + 1)} AS n"""
    memberships = f"""
        INSERT INTO membership (id, person, cell, kind, exempt, exempt_resolution_date,
                                joined_on, left_on, created_at, updated_at, version)
        SELECT {sql.uid(3, "i")}, {sql.uid(2, "i")},
               {sql.uid(1, f"{first_cell} + (i - 1) / {per_cell}")}, 'full', FALSE, NULL,
               {sql.day(f"{_day_number(date(2000, 1, 1))} + {_rnd('i', 5)} % 9000")}, NULL,
               {stamp}, {stamp}, 1
        FROM {sql.numbers(leaders)} AS n"""
    grants = f"""
        INSERT INTO role_grant (id, person, unit, role, revoked_at, created_at, updated_at,
                                version)
        SELECT {sql.uid(4, "i")}, {sql.uid(2, "i")},
               CASE WHEN i <= {leaders} THEN {sql.uid(1, f"{first_cell} + (i - 1) / {per_cell}")}
                    ELSE {sql.uid(1, f"i - {leaders}")} END,
               CASE WHEN i > {leaders} THEN 'leader'
                    WHEN (i - 1) % {per_cell} = 0 THEN 'secretary' ELSE 'member' END,
               NULL, {stamp}, {stamp}, 1
        FROM {sql.numbers(leaders + wards + 1)} AS n"""
    digests = f"""
        INSERT INTO notification_preference (id, person, disabled, quiet_start, quiet_end,
                                             daily_digest, updated_at)
        SELECT {sql.uid(6, "i")}, {sql.uid(2, f"{leaders} + i")}, {sql.json("[]")}, NULL, NULL,
               i <= {scale.digest_leaders}, {stamp}
        FROM {sql.numbers(wards + 1)} AS n"""
    template = f"""
        INSERT INTO checklist_template (id, family, owner, name, version, items, created_at)
        SELECT {sql.uid(5, "1")}, {sql.uid(5, "2")}, {sql.uid(1, "1")}, 'Kiểm tra định kỳ', 1,
               {sql.json("[]")}, {stamp}
        FROM {sql.numbers(1)} AS n"""

    # Tasks: created evenly from 2018 until now, due 3-62 days later. Live (open, in progress)
    # by how late they are: most of those due ahead, a fifth of last week's, ~1 in 40 of
    # last year's, ~1 in 5,000 older: 2.3 % of all, ~1,500 of them overdue.
    span = _epoch(NOW) - _epoch(TASKS_FROM)
    tasks = f"""
        INSERT INTO task (id, unit, assignee, title, description, source, source_id, priority,
                          due_on, "status", evidence, closing, reply_ready, escalation_level,
                          created_by, created_at, updated_at, version)
        SELECT {sql.random_uuid()}, {sql.uid(1, f"{first_cell} + i % {cells}")},
               {sql.uid(2, f"(i % {cells}) * {per_cell} + 1 + {_rnd('i', 3)} % {per_cell}")},
               'Việc số ' || i, NULL,
               CASE WHEN i % {scale.petition_every} = 0 THEN 'petition'
                    WHEN pick % 10 < 4 THEN 'meeting_resolution'
                    WHEN pick % 10 < 5 THEN 'inspection_recommendation' ELSE 'leader' END,
               NULL, CASE WHEN pick % 20 = 0 THEN 'urgent' ELSE 'normal' END,
               {sql.day("due")},
               CASE WHEN late <= 0 THEN CASE WHEN chance < 5500 THEN 'open'
                                             WHEN chance < 8000 THEN 'in_progress'
                                             WHEN chance < 9200 THEN 'submitted' ELSE 'closed' END
                    WHEN late <= 7 THEN CASE WHEN chance < 1000 THEN 'open'
                                             WHEN chance < 2000 THEN 'in_progress'
                                             WHEN chance < 3000 THEN 'submitted' ELSE 'closed' END
                    WHEN late <= 30 THEN CASE WHEN chance < 250 THEN 'open'
                                              WHEN chance < 500 THEN 'in_progress'
                                              WHEN chance < 900 THEN 'submitted' ELSE 'closed' END
                    WHEN late <= 365 THEN CASE WHEN chance < 30 THEN 'open'
                                               WHEN chance < 60 THEN 'in_progress'
                                               ELSE 'closed' END
                    ELSE CASE WHEN chance < 3 THEN 'open' ELSE 'closed' END END,
               NULL, NULL, TRUE, 0, NULL, {sql.moment("created")}, {sql.moment("created")}, 1
        FROM (SELECT i, created, due, {now_day} - due AS late, {_rnd("i", 2)} % 10000 AS chance,
                     {_rnd("i", 1)} AS pick
              FROM (SELECT i, created,
                           (created + {LOCAL_OFFSET_S}) / {DAY_S} + 3 + {_rnd("i", 4)} % 60 AS due
                    FROM (SELECT i, {_epoch(TASKS_FROM)} + (i - 1) * {span} / {scale.tasks}
                                    AS created
                          FROM {sql.numbers(scale.tasks)} AS n) AS a) AS b) AS c"""
    # the petition behind every task whose source says so: answered once the task is closed
    petitions = f"""
        INSERT INTO petition (id, unit, task, petitioner_name, petitioner_contact, channel,
                              category, content, received_at, reply_due_on, reply, satisfaction,
                              created_at, updated_at, version)
        SELECT {sql.random_uuid()}, unit, id, 'Công dân', NULL, 'in_person', 'Môi trường',
               'Đề nghị xử lý rác thải tại ngõ', created_at, due_on,
               CASE WHEN "status" = 'closed' THEN {sql.json('{"text": "Đã trả lời"}')} END,
               NULL, created_at, created_at, 1
        FROM task WHERE source = 'petition'"""

    # Meetings: evenly from 2015 to mid-2027 (~22 a day over all cells), mostly 19:30 local;
    # the past ones finalised or cancelled but for the last week's, the future ones planned.
    meeting_days = (MEETINGS_UNTIL - MEETINGS_FROM).days
    slot = " ".join(
        f"WHEN pick % 10 < {upto} THEN {seconds}" for upto, seconds in MEETING_SLOTS[:-1]
    )
    meetings = f"""
        INSERT INTO meeting (id, cell, kind, "status", combined_thematic, title, place,
                             planned_start, planned_end, agenda, resolutions, papers, created_at,
                             updated_at, version)
        SELECT {sql.random_uuid()}, {sql.uid(1, f"{first_cell} + i % {cells}")},
               CASE WHEN pick % 5 = 0 THEN 'thematic' ELSE 'regular' END,
               CASE WHEN start > {_epoch(NOW)} THEN
                         CASE WHEN chance < 300 THEN 'cancelled' ELSE 'planned' END
                    WHEN start > {_epoch(NOW) - 7 * DAY_S} THEN
                         CASE WHEN chance < 2000 THEN 'planned' WHEN chance < 6000 THEN 'held'
                              WHEN chance < 9500 THEN 'finalized' ELSE 'cancelled' END
                    ELSE CASE WHEN chance < 9500 THEN 'finalized'
                              WHEN chance < 9800 THEN 'cancelled' ELSE 'held' END END,
               FALSE, 'Sinh hoạt chi bộ', 'Nhà văn hóa khu dân cư', {sql.moment("start")},
               {sql.moment("start + 7200")}, {sql.json("[]")}, {sql.json("[]")},
               {sql.json("[]")}, {sql.moment(f"start - {14 * DAY_S}")},
               {sql.moment(f"start - {14 * DAY_S}")}, 1
        FROM (SELECT i, pick, chance,
                     ({_day_number(MEETINGS_FROM)} + (i - 1) * {meeting_days} / {scale.meetings})
                     * {DAY_S} + CASE {slot} ELSE {MEETING_SLOTS[-1][1]} END AS start
              FROM (SELECT i, {_rnd("i", 6)} AS pick, {_rnd("i", 7)} % 10000 AS chance
                    FROM {sql.numbers(scale.meetings)} AS n) AS a) AS b"""
    inspection_days = (INSPECTIONS_UNTIL - INSPECTIONS_FROM).days
    inspections = f"""
        INSERT INTO inspection (id, target, kind, "status", window_start, window_end, topic,
                                lead, members, template, created_by, answers, findings,
                                recommendations, created_at, updated_at, version)
        SELECT {sql.random_uuid()}, {sql.uid(1, f"{first_cell} + pick % {cells}")},
               CASE WHEN pick % 10 < 6 THEN 'periodic' WHEN pick % 10 < 9 THEN 'thematic'
                    ELSE 'surprise' END,
               CASE WHEN start > {_epoch(NOW)} THEN 'planned'
                    WHEN start > {_epoch(NOW) - 3 * DAY_S} THEN 'in_progress' ELSE 'closed' END,
               {sql.moment("start")}, {sql.moment(f"start + {3 * DAY_S}")},
               'Kiểm tra việc thực hiện nghị quyết',
               {sql.uid(2, f"{leaders} + 1 + pick % {wards}")},
               {sql.json("[]")}, {sql.uid(5, "1")}, {sql.uid(2, f"{leaders} + 1")},
               {sql.json("{}")}, {sql.json("[]")}, {sql.json("[]")},
               {sql.moment(f"start - {30 * DAY_S}")}, {sql.moment(f"start - {30 * DAY_S}")}, 1
        FROM (SELECT i, pick,
                     ({_day_number(INSPECTIONS_FROM)}
                      + (i - 1) * {inspection_days} / {scale.inspections}) * {DAY_S} + 3600
                     AS start
              FROM (SELECT i, {_rnd("i", 8)} AS pick
                    FROM {sql.numbers(scale.inspections)} AS n) AS a) AS b"""
    return [
        ("org chart", units),
        ("people", people),
        ("memberships", memberships),
        ("role grants", grants),
        ("preferences", digests),
        ("template", template),
        ("tasks", tasks),
        ("petitions", petitions),
        ("meetings", meetings),
        ("inspections", inspections),
    ]


async def seed(engine: str, url: str, scale: Scale) -> list[tuple[str, int, float]]:
    """Write the data set on a connection of its own (not the app's: the seed sets pragmas the
    app does not run with), then ANALYZE; (what, rows, seconds) per table."""
    steps = seed_statements(Dialect(engine), scale)
    done: list[tuple[str, int, float]] = []
    if engine == "postgres":
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("SET synchronous_commit = off")
            # the rows are valid by construction: skip the foreign-key triggers (2 per task;
            # half the load time), where the role may
            with suppress(asyncpg.InsufficientPrivilegeError):
                await connection.execute("SET session_replication_role = replica")
            for what, statement in steps:
                started = time.perf_counter()
                status = await connection.execute(statement)
                done.append((what, int(status.split()[-1]), time.perf_counter() - started))
            started = time.perf_counter()
            # VACUUM too: the visibility map a settled table has (autovacuum would otherwise set
            # it in the middle of the measurements)
            await connection.execute("VACUUM ANALYZE")
            done.append(("VACUUM ANALYZE", 0, time.perf_counter() - started))
        finally:
            await connection.close()
        return done
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
        for pragma in ("journal_mode = MEMORY", "synchronous = OFF", "cache_size = -262144"):
            connection.execute(f"PRAGMA {pragma}")
        for what, statement in steps:
            started = time.perf_counter()
            with connection:
                rows = connection.execute(statement).rowcount
            done.append((what, rows, time.perf_counter() - started))
        started = time.perf_counter()
        connection.execute("ANALYZE")
        connection.commit()
        done.append(("ANALYZE", 0, time.perf_counter() - started))
    return done


# -- the hand-written statement ----------------------------------------------------------------


def fire_days(since: datetime, now: datetime, hour: int, minute: int = 0) -> list[date]:
    """Local days whose hour:minute lies in (since, now] (written again here, not taken from
    the domain: the statement is the benchmark's own account of what is due)."""
    first, last = since.astimezone(LOCAL_TZ).date(), now.astimezone(LOCAL_TZ).date()
    days = (first + timedelta(days=k) for k in range((last - first).days + 1))
    return [
        d for d in days if since < datetime.combine(d, clock_time(hour, minute), LOCAL_TZ) <= now
    ]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, clock_time(0), LOCAL_TZ).astimezone(UTC)


def hand_statement(
    sql: Dialect, policy: ReminderPolicy, now: datetime
) -> tuple[str, dict[str, Any]]:
    """Every due reminder in one INSERT ... SELECT: each source table read once (tasks by the
    live-task index up to the furthest due date in play, joined to the catch-up days), the kind
    chosen by CASE, ON CONFLICT DO NOTHING. ``:name`` placeholders and their values."""
    since = now - timedelta(hours=policy.catch_up_hours)
    days = fire_days(since, now, policy.day_hour)
    digest_days = fire_days(since, now, policy.digest_hour, policy.digest_minute)
    params: dict[str, Any] = {"now": now}
    day_rows, digest_rows = [], []
    for k, day in enumerate(days):
        values = {
            "occurrence": (day.isoformat(), "TEXT"),
            "d": (day, "DATE"),
            "due_second": (day + timedelta(days=policy.task_second_days), "DATE"),
            "due_first": (day + timedelta(days=policy.task_first_days), "DATE"),
            "petition": (day + timedelta(days=policy.petition_days), "DATE"),
            "nag1_from": (
                _midnight(day - timedelta(days=policy.minutes_first_days)),
                "TIMESTAMPTZ",
            ),
            "nag1_to": (
                _midnight(day - timedelta(days=policy.minutes_first_days - 1)),
                "TIMESTAMPTZ",
            ),
            "nag2_from": (
                _midnight(day - timedelta(days=policy.minutes_second_days)),
                "TIMESTAMPTZ",
            ),
            "nag2_to": (
                _midnight(day - timedelta(days=policy.minutes_second_days - 1)),
                "TIMESTAMPTZ",
            ),
        }
        for name, (value, _) in values.items():
            params[f"{name}_{k}"] = value
        day_rows.append(
            "(" + ", ".join(sql.param(f"{n}_{k}", t) for n, (_, t) in values.items()) + ")"
        )
    for k, day in enumerate(digest_days):
        params[f"digest_{k}"] = day.isoformat()
        digest_rows.append(f"({sql.param(f'digest_{k}', 'TEXT')})")
    windows = {  # moment kinds: (since + offset, now + offset]
        "meeting_day_before": timedelta(hours=policy.meeting_first_hours),
        "meeting_soon": timedelta(hours=policy.meeting_second_hours),
        "inspection_day_before": timedelta(hours=policy.inspection_hours),
        "inspection_reveal": timedelta(0),
    }
    for kind, offset in windows.items():
        params[f"{kind}_from"], params[f"{kind}_to"] = since + offset, now + offset
    meeting_kinds = ("meeting_day_before", "meeting_soon")
    params["meetings_from"] = min(params[f"{k}_from"] for k in meeting_kinds)
    params["meetings_to"] = max(params[f"{k}_to"] for k in meeting_kinds)
    window_rows = ", ".join(
        f"('{kind}', {sql.param(f'{kind}_from', 'TIMESTAMPTZ')}, "
        f"{sql.param(f'{kind}_to', 'TIMESTAMPTZ')})"
        for kind in meeting_kinds
    )
    params["last_first"] = max(params[f"due_first_{k}"] for k in range(len(days)))
    params["last_petition"] = max(params[f"petition_{k}"] for k in range(len(days)))
    params["nags_from"] = min(params[f"nag2_from_{k}"] for k in range(len(days)))
    params["nags_to"] = max(params[f"nag1_to_{k}"] for k in range(len(days)))
    day_columns = (
        "occurrence, d, due_second, due_first, petition, nag1_from, nag1_to, nag2_from, nag2_to"
    )
    statement = f"""
        WITH catch_up ({day_columns}) AS (VALUES {", ".join(day_rows)}),
             digest_day (occurrence) AS (VALUES {", ".join(digest_rows)}),
             meeting_window (kind, w_from, w_to) AS (VALUES {window_rows})
        INSERT INTO reminder (kind, subject, occurrence, "status", created_at)
        SELECT kind, subject, occurrence, 'pending', {sql.param("now", "TIMESTAMPTZ")}
        FROM (
            SELECT CASE WHEN t.due_on < c.d THEN 'task_overdue'
                        WHEN t.due_on = c.d THEN 'task_due_today'
                        WHEN t.due_on = c.due_second THEN 'task_due_second'
                        ELSE 'task_due_first' END AS kind,
                   t.id AS subject, c.occurrence AS occurrence
            FROM task AS t
            JOIN catch_up AS c ON t.due_on < c.d OR t.due_on IN (c.d, c.due_second, c.due_first)
            WHERE t."status" IN ('open', 'in_progress') AND t.due_on <= :last_first
            UNION ALL
            SELECT CASE WHEN p.reply_due_on < c.d THEN 'petition_reply_overdue'
                        ELSE 'petition_reply_soon' END,
                   p.id, c.occurrence
            FROM petition AS p
            JOIN catch_up AS c ON p.reply_due_on < c.d OR p.reply_due_on = c.petition
            WHERE p.reply IS NULL AND p.reply_due_on <= :last_petition
            UNION ALL
            SELECT CASE WHEN m.planned_start >= c.nag1_from THEN 'minutes_first_nag'
                        ELSE 'minutes_second_nag' END,
                   m.id, c.occurrence
            FROM meeting AS m
            JOIN catch_up AS c
              ON (m.planned_start >= c.nag1_from AND m.planned_start < c.nag1_to)
              OR (m.planned_start >= c.nag2_from AND m.planned_start < c.nag2_to)
            WHERE m."status" IN ('planned', 'held')
              AND m.planned_start >= :nags_from AND m.planned_start < :nags_to
            UNION ALL
            SELECT w.kind, m.id, {sql.unix_text("m.planned_start")}
            FROM meeting AS m
            JOIN meeting_window AS w ON m.planned_start > w.w_from AND m.planned_start <= w.w_to
            WHERE m."status" = 'planned'
              AND m.planned_start > :meetings_from AND m.planned_start <= :meetings_to
            UNION ALL
            SELECT 'inspection_day_before', i.id, {sql.unix_text("i.window_start")}
            FROM inspection AS i
            WHERE i."status" = 'planned' AND i.window_start > :inspection_day_before_from
              AND i.window_start <= :inspection_day_before_to
            UNION ALL
            SELECT 'inspection_reveal', i.id, {sql.unix_text("i.window_start")}
            FROM inspection AS i
            WHERE i.kind = 'surprise' AND i."status" IN ('planned', 'in_progress')
              AND i.window_start > :inspection_reveal_from
              AND i.window_start <= :inspection_reveal_to
            UNION ALL
            SELECT 'daily_digest', n.person, g.occurrence
            FROM notification_preference AS n CROSS JOIN digest_day AS g
            WHERE n.daily_digest = TRUE
        ) AS due
        WHERE TRUE
        ON CONFLICT (kind, subject, occurrence) DO NOTHING"""
    if sql.postgres:  # count without sending the rows back
        head, _, insert = statement.partition("INSERT INTO")
        statement = f"{head}, inserted AS (INSERT INTO{insert} RETURNING 1)\n"
        statement += "SELECT count(*) AS n FROM inserted"
    return statement, params


# -- measuring ---------------------------------------------------------------------------------


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass(slots=True)
class Outcome:
    engine: str
    scale: Scale
    seeded: list[tuple[str, int, float]]
    sweeps: int  # statements the sweep ran before it became one (plan_sweeps)
    kinds: dict[str, int]
    rows: dict[str, int] = field(default_factory=dict)
    ms: dict[str, list[float]] = field(default_factory=dict)  # wall clock, per run
    cpu_ms: dict[str, list[float]] = field(default_factory=dict)  # this process + its backends

    def median(self, name: str, *, cpu: bool = False) -> float:
        return statistics.median((self.cpu_ms if cpu else self.ms)[name])

    def ratio(self, *, cpu: bool = False) -> float:
        return self.median("sweep", cpu=cpu) / self.median("statement", cpu=cpu)


async def _reset(db: Database) -> None:
    statement = "TRUNCATE reminder" if db.kind == "postgres" else "DELETE FROM reminder"
    async with db.atomic():
        await db.engine.run_querystring(QueryString(statement))


async def _stored(db: Database) -> set[tuple[str, str, str]]:
    rows = await db.engine.run_querystring(
        QueryString("SELECT kind, subject, occurrence FROM reminder")
    )
    return {(r["kind"], str(r["subject"]), r["occurrence"]) for r in rows}


def _statement_runner(db: Database) -> Run:
    statement, params = hand_statement(Dialect(db.kind), ReminderPolicy(), NOW)
    query = bind_named(statement, params)

    async def run() -> int:
        async with db.atomic():
            rows = await db.engine.run_querystring(query)
            if db.kind == "sqlite":  # the writer connection: the rows of its last INSERT
                rows = await db.engine.run_querystring(QueryString("SELECT changes() AS n"))
        return int(rows[0]["n"])

    return run


async def same_rows(db: Database, runs: dict[str, Run]) -> set[tuple[str, str, str]]:
    """One run of each (not timed: it also warms the caches): the rows each inserted must be
    the same, one by one, and as many as it said."""
    found: dict[str, set[tuple[str, str, str]]] = {}
    for name, run in runs.items():
        await _reset(db)
        count = await run()
        found[name] = await _stored(db)
        if count != len(found[name]):
            msg = f"{name}: said it inserted {count} rows, the table holds {len(found[name])}"
            raise RuntimeError(msg)
    swept, stated = found["sweep"], found["statement"]
    if swept != stated:
        msg = (
            f"the statement and the sweep disagree: {len(swept - stated)} rows only swept, "
            f"{len(stated - swept)} only by the statement, e.g. {sorted(swept ^ stated)[:3]}"
        )
        raise RuntimeError(msg)
    return swept


def _backends_cpu_ns(database: str | None) -> int:
    """CPU time so far of the PostgreSQL backends serving clients of ``database`` on this host
    (/proc/<pid>/schedstat: nanoseconds on a CPU; autovacuum left out), 0 for SQLite (it runs
    in this process)."""
    total = 0
    for proc in Path("/proc").iterdir() if database else ():
        try:
            title = (proc / "cmdline").read_bytes()
            if (
                title.startswith(b"postgres:")
                and f" {database} ".encode() in title
                and b"autovacuum" not in title
            ):
                total += int((proc / "schedstat").read_text().split()[0])
        except (OSError, ValueError):
            continue
    return total


async def rounds(
    db: Database, runs: dict[str, Run], repeats: int, expected: int, *, again: bool
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU milliseconds of each run, A B B A; from an empty reminder table each
    time, or (``again``) with every row already there: what a sweep every minute costs. CPU is
    this process's (all threads: aiosqlite's too) and its PostgreSQL backends': the work done,
    which other load on the machine does not stretch as it stretches the wall clock."""
    database = urlsplit(db.url).path.lstrip("/") if db.kind == "postgres" else None
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for k in range(repeats):
        for name in list(runs) if k % 2 == 0 else list(reversed(runs)):
            if not again:
                await _reset(db)
            key = f"{name} again" if again else name
            server0 = _backends_cpu_ns(database)  # (reading /proc costs CPU: not in the run's)
            cpu0, started = time.process_time_ns(), time.perf_counter_ns()
            rows = await runs[name]()
            ours = time.process_time_ns() - cpu0
            wall.setdefault(key, []).append((time.perf_counter_ns() - started) / 1e6)
            server = _backends_cpu_ns(database) - server0
            cpu.setdefault(key, []).append((ours + server) / 1e6)
            if rows != (0 if again else expected):
                msg = f"{name} inserted {rows} rows, not {0 if again else expected}"
                raise RuntimeError(msg)
    return wall, cpu


async def measure(
    url: str, engine: str, scale: Scale, repeats: int, before_measuring: Callable[[], None]
) -> Outcome:
    """The sweep through the app and the statement on the same data; then both again with every
    row already inserted (the steady state)."""
    db = Database(url)
    await db.open()
    bind(db)
    try:
        clock, policy = FixedClock(), ReminderPolicy()
        service = ReminderService(
            PiccoloReminderStore(db),
            db,
            clock,
            Notifier(PiccoloNotificationStore(), db, clock, TemplateTexts()),
            policy,
        )
        runs: dict[str, Run] = {"sweep": service.sweep, "statement": _statement_runner(db)}
        rows = await same_rows(db, runs)
        kinds: dict[str, int] = {}
        for kind, _, _ in rows:
            kinds[kind] = kinds.get(kind, 0) + 1
        since = NOW - timedelta(hours=policy.catch_up_hours)
        outcome = Outcome(engine, scale, [], len(plan_sweeps(policy, since, NOW)), kinds)
        outcome.rows = dict.fromkeys(runs, len(rows))
        before_measuring()
        for again in (False, True):
            wall, cpu = await rounds(db, runs, repeats, len(rows), again=again)
            outcome.ms |= wall
            outcome.cpu_ms |= cpu
    finally:
        await db.close()
    return outcome


# -- one engine, and the report ----------------------------------------------------------------


async def _migrated(url: str) -> None:
    db = Database(url)
    await db.open()
    try:
        await migrate(db)
    finally:
        await db.close()


def run_engine(
    engine: str,
    url: str,
    scale: Scale,
    repeats: int,
    before_measuring: Callable[[], None] = lambda: None,
) -> Outcome:
    """Migrate and seed the empty database at ``url``, then measure; prints as it goes."""
    print(f"\n== {engine}: reminder sweep over {scale.tasks:,} tasks, {scale.meetings:,} meetings")
    started = time.perf_counter()
    asyncio.run(_migrated(url))
    seeded = asyncio.run(seed(engine, url, scale))
    print(
        f"migrated and seeded in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{what} {rows:,} ({seconds:.1f} s)" for what, rows, seconds in seeded)
    )
    outcome = asyncio.run(measure(url, engine, scale, repeats, before_measuring))
    outcome.seeded = seeded
    print(
        f"rows inserted: sweep {outcome.rows['sweep']:,}, statement {outcome.rows['statement']:,}"
        " (the same rows, checked one by one): "
        + ", ".join(f"{kind} {n:,}" for kind, n in sorted(outcome.kinds.items()))
    )
    for name, values in outcome.ms.items():
        print(
            f"  {name:<15} median {statistics.median(values):7.1f} ms"
            f"  (min {min(values):.1f}, max {max(values):.1f}; {len(values)} runs)"
            f"  CPU {outcome.median(name, cpu=True):6.1f} ms"
        )
    return outcome


def scale_for(*, quick: bool, tasks: int | None = None, meetings: int | None = None) -> Scale:
    full, shrink = Scale(), QUICK if quick else 1
    return Scale(
        tasks=max(tasks or full.tasks // shrink, 1_000),
        meetings=max(meetings or full.meetings // shrink, 100),
        inspections=max(full.inspections // shrink, 100),
    )


def print_table(outcomes: list[Outcome]) -> None:
    if not outcomes:
        return
    print("### reminder sweep (issue 7): medians, wall clock (CPU)\n")
    print(
        "| engine | tasks | meetings | rows sweep / statement | sweep ms | statement ms "
        "| sweep ÷ statement | sweep again ms | statement again ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for o in outcomes:
        cells = [
            f"{o.median(name):.1f} ({o.median(name, cpu=True):.1f})"
            for name in ("sweep", "statement")
        ]
        again = [
            f"{o.median(name):.1f} ({o.median(name, cpu=True):.1f})"
            for name in ("sweep again", "statement again")
        ]
        print(
            f"| {o.engine} | {o.scale.tasks:,} | {o.scale.meetings:,} | "
            f"{o.rows['sweep']:,} / {o.rows['statement']:,} | {cells[0]} | {cells[1]} | "
            f"{o.ratio():.2f}× ({o.ratio(cpu=True):.2f}×) | {again[0]} | {again[1]} |"
        )
    print()
    for o in outcomes:
        verdict = "met" if o.ratio() <= GOAL else "NOT met"
        print(
            f"{o.engine}: the sweep ({o.sweeps} selects, one statement) = {o.ratio():.2f}× the "
            f"hand-written statement ({o.median('sweep'):.1f} vs {o.median('statement'):.1f} ms,"
            f" {o.rows['sweep']:,} rows; CPU {o.ratio(cpu=True):.2f}×): goal ≤ {GOAL:g}× {verdict}"
        )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--tasks", type=int, help=f"default {Scale().tasks:,}")
    parser.add_argument("--meetings", type=int, help=f"default {Scale().meetings:,}")
    parser.add_argument("--repeats", type=int, help=f"timed runs of each (default {REPEATS})")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a {QUICK}th of the data, {QUICK_REPEATS} runs of each",
    )
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CHIBO_BENCH_POSTGRES_URL", POSTGRES_URL)
    )
    args = parser.parse_args(argv)
    scale = scale_for(quick=args.quick, tasks=args.tasks, meetings=args.meetings)
    repeats = min(max(args.repeats or (QUICK_REPEATS if args.quick else REPEATS), 1), 51)
    engines = tuple(args.engine or ("sqlite", "postgres"))
    print(
        f"chibo reminder bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {os.cpu_count()} CPUs, "
        f"{repeats} timed runs of each, load average {os.getloadavg()[0]:.2f}"
    )
    outcomes: list[Outcome] = []
    if "sqlite" in engines:
        with tempfile.TemporaryDirectory(prefix="chibo-bench-reminders-") as tmp:
            path = f"sqlite:///{tmp}/bench.sqlite3"
            outcomes.append(run_engine("sqlite", path, scale, repeats, wait_for_quiet))
    if "postgres" in engines:
        with postgres_database(args.postgres_url, BENCH_DB) as url:
            if url is None:
                print(f"\nPostgreSQL: not reachable on loopback at {_safe(args.postgres_url)}")
            else:
                outcomes.append(run_engine("postgres", url, scale, repeats, wait_for_quiet))
    print()
    print_table(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
