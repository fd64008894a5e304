"""The benchmark's data set, written set-based: ``executemany`` on SQLite, ``COPY`` on PostgreSQL,
then ``ANALYZE``.

At ``scale=1``: city ── 6 wards ── 8 cells each ── 30 members each (1,446 people); at
``scale=10``: 60 wards × 40 cells × 30 members (72,060 people); at ``scale=0`` (``WARD_SCALE``)
a city of one ward: 40 cells × 30 members (1,201 people), a ward's database. Everywhere: a leader
per ward who follows two of its cells, a secretary per cell, and a year of history per cell — two
meetings a month (a regular one and a thematic one, finalised, their 30-row attendance sheets
marked) and ten tasks (open, in progress or closed). The caller of the people and tasks lists is
the leader of ward 1; of the meetings list, the secretary of ward 1's first cell.

For the meeting-log benchmark: 128 planned meetings in each of ward 1's 8 first cells (1,024), each
with its attendance sheet already drawn from the roster (30 rows, nobody marked yet, version 1),
and a password for those 8 cells' secretaries, who log them.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from chibo.passwords import Argon2Hasher
from domain.org.model import unit_path

MEMBERS_PER_CELL = 30
PASSWORD = "mat-khau-bench-2026"  # noqa: S105 - the throwaway data set's one login
START = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
HISTORY_FROM = datetime(2025, 12, 1, 12, 30, tzinfo=UTC)  # a year of meetings and tasks
HISTORY_MONTHS = 12
TASKS_PER_CELL = 10
MEETINGS_PER_CELL = 128  # in each of ward 1's first 8 cells: 1,024 meetings to log
LOGGED_CELLS = 8
WARD_SCALE = 0
SHAPES = {WARD_SCALE: (1, 40), 1: (6, 8), 5: (30, 40), 10: (60, 40)}  # scale -> (wards, cells)

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Thu", "Xuân")
GIVEN = (
    *("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Long"),
    *("Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn"),
)
TASK_TITLES = (
    "Rà soát danh sách đảng viên miễn sinh hoạt",
    "Hoàn thiện hồ sơ kết nạp đảng viên mới",
    "Thu đảng phí quý",
    "Báo cáo kết quả thực hiện nghị quyết chi bộ",
    "Giải quyết kiến nghị của nhân dân về vệ sinh môi trường",
)

# Columns written per table; every other column takes the default the migrations set.
COLUMNS = {
    "unit": ("id", "parent", "path", "name", "level", "is_cell", "created_at", "updated_at"),
    "person": (
        "id",
        "home_unit",
        "full_name",
        "phone",
        "password_hash",
        "created_at",
        "updated_at",
    ),
    "membership": ("id", "person", "cell", "kind", "joined_on", "created_at", "updated_at"),
    "role_grant": ("id", "person", "unit", "role", "created_at", "updated_at"),
    "leader_assignment": (
        *("id", "leader", "cell", "quota", "period", "started_on", "created_at", "updated_at"),
    ),
    "meeting": (
        *("id", "cell", "kind", "status", "title", "place", "occurrence", "planned_start"),
        *("planned_end", "notice_published_at", "actual_start", "actual_end", "chair"),
        *("minute_taker", "minutes_text", "logged_at", "finalized_at", "created_at"),
        "updated_at",
    ),
    "attendance": (
        *("id", "meeting", "person", "position", "full_name", "membership_kind", "status"),
        *("reason", "checked_in_at"),
    ),
    "task": (
        *("id", "unit", "assignee", "title", "source", "priority", "due_on", "status"),
        *("closing", "created_by", "created_at", "updated_at"),
    ),
}


@dataclass(frozen=True, slots=True)
class BenchCell:
    """One of ward 1's cells: its secretary (who logs its meetings), members and meetings."""

    cell_id: UUID
    secretary_phone: str
    members: tuple[UUID, ...]  # the secretary first
    meetings: tuple[UUID, ...]


@dataclass(frozen=True, slots=True)
class BenchWorld:
    """What the load generator needs to know about the data set."""

    leader_phone: str
    password: str
    ward_id: UUID
    people: int
    people_in_ward: int
    cells: tuple[BenchCell, ...] = ()
    rows: dict[str, int] = field(default_factory=dict)  # rows written per table


class _Rows:
    """Rows to insert, as tuples in the order of ``COLUMNS``; creation times one minute apart
    (keyset order is realistic)."""

    def __init__(self) -> None:
        self.tables: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
        self._tick = 0
        self._phone = 10_000_000
        self._names = random.Random(2026)

    def at(self) -> datetime:
        self._tick += 1
        return START + timedelta(minutes=self._tick)

    def unit(self, parent: tuple[UUID, str] | None, name: str, level: str) -> tuple[UUID, str]:
        unit_id = uuid4()
        path = unit_path(parent[1] if parent else None, unit_id)
        at = self.at()
        parent_id = parent[0] if parent else None
        self.tables["unit"].append((unit_id, parent_id, path, name, level, level == "cell", at, at))
        return unit_id, path

    def person(self, home: UUID, password_hash: str | None = None) -> tuple[UUID, str, str]:
        person_id = uuid4()
        self._phone += 1
        pick = self._names.choice
        name, phone, at = (
            f"{pick(FAMILY)} {pick(MIDDLE)} {pick(GIVEN)}",
            f"+8491{self._phone}",
            self.at(),
        )
        self.tables["person"].append((person_id, home, name, phone, password_hash, at, at))
        return person_id, name, phone

    def membership(self, person_id: UUID, cell: UUID) -> None:
        at = self.at()
        self.tables["membership"].append(
            (uuid4(), person_id, cell, "full", date(2015, 3, 1), at, at)
        )

    def grant(self, person_id: UUID, unit: UUID, role: str) -> None:
        at = self.at()
        self.tables["role_grant"].append((uuid4(), person_id, unit, role, at, at))

    def assignment(self, leader_id: UUID, cell: UUID) -> None:
        at = self.at()
        self.tables["leader_assignment"].append(
            (uuid4(), leader_id, cell, 4, "year", date(2026, 1, 1), at, at)
        )

    def sheet(self, meeting_id: UUID, members: list[tuple[UUID, str]], *, marked: bool) -> None:
        """The sheet as the app draws it (one row per member, by name); a held meeting's marked
        (most present, one excused with a reason, one unexcused)."""
        for position, (person_id, name) in enumerate(sorted(members, key=lambda m: m[1])):
            status = reason = checked_in = None
            if marked:
                status = (
                    ("excused", "unexcused")[position % 2] if position in {7, 19} else "present"
                )
                reason = "Ốm, có giấy xin phép" if position == 7 else None
            self.tables["attendance"].append(
                (uuid4(), meeting_id, person_id, position, name, "full", status, reason, checked_in)
            )

    def history(self, cell: UUID, members: list[tuple[UUID, str]]) -> None:
        """A year of finalised meetings (a regular and a thematic one each month) and tasks."""
        secretary, chair = members[0][0], members[1][0]
        for month in range(HISTORY_MONTHS):
            first = (HISTORY_FROM + timedelta(days=31 * month)).replace(day=1)
            for kind, day in (("regular", 5), ("thematic", 20)):
                start = first + timedelta(days=day - 1)
                end = start + timedelta(hours=2)
                meeting_id, at = uuid4(), self.at()
                self.tables["meeting"].append(
                    (
                        *(
                            meeting_id,
                            cell,
                            kind,
                            "finalized",
                            f"Sinh hoạt chi bộ tháng {month + 1}",
                        ),
                        "Nhà văn hóa khu dân cư",
                        f"{start:%Y-%m}" if kind == "regular" else None,
                        *(start, end, start - timedelta(days=3), start, end, chair, secretary),
                        "Chi bộ thảo luận, thống nhất nội dung và phân công thực hiện.",
                        *(end + timedelta(hours=3), end + timedelta(days=1), at, at),
                    )
                )
                self.sheet(meeting_id, members, marked=True)
        for k in range(TASKS_PER_CELL):
            at = HISTORY_FROM + timedelta(days=36 * k, minutes=self._tick % 1440)
            self._tick += 1
            status = ("closed", "in_progress", "open")[k % 3]
            closing_json = (
                '{"resolution": "resolved", "explanation": "Đã hoàn thành", "to": null}'
                if status == "closed"
                else None
            )
            self.tables["task"].append(
                (
                    *(uuid4(), cell, secretary, TASK_TITLES[k % len(TASK_TITLES)], "leader"),
                    "urgent" if k % 4 == 0 else "normal",
                    (at + timedelta(days=30)).date(),
                    *(status, closing_json, chair, at, at),
                )
            )

    def planned(self, cell: UUID, members: list[tuple[UUID, str]]) -> tuple[UUID, ...]:
        """Planned meetings of the last weeks, sheets drawn, nobody marked: what a secretary
        logs after the meeting."""
        ids = []
        for k in range(MEETINGS_PER_CELL):
            meeting_id = uuid4()
            start = START + timedelta(days=k, hours=11)
            at = self.at()
            self.tables["meeting"].append(
                (
                    *(meeting_id, cell, "thematic", "planned", f"Sinh hoạt chuyên đề số {k + 1}"),
                    *("Nhà văn hóa khu dân cư", None, start, start + timedelta(hours=2)),
                    *(None, None, None, None, None, None, None, None, at, at),
                )
            )
            self.sheet(meeting_id, members, marked=False)
            ids.append(meeting_id)
        return tuple(ids)


def _build(password_hash: str, scale: int) -> tuple[_Rows, BenchWorld]:
    wards, cells_per_ward = SHAPES[scale]
    rows = _Rows()
    city = rows.unit(None, "Thành ủy Hà Nội", "city")
    leader_phone, ward_1 = "", city
    cells: list[BenchCell] = []
    in_ward = 0
    for w in range(1, wards + 1):
        ward = rows.unit(city, f"Đảng ủy phường số {w}", "ward")
        leader, _, phone = rows.person(ward[0], password_hash if w == 1 else None)
        rows.grant(leader, ward[0], "leader")
        if w == 1:
            leader_phone, ward_1 = phone, ward
            in_ward += 1
        for c in range(1, cells_per_ward + 1):
            cell = rows.unit(ward, f"Chi bộ khu dân cư số {c}", "cell")
            if c <= 2:
                rows.assignment(leader, cell[0])
            if c == 1:
                rows.membership(leader, cell[0])
            logged = w == 1 and c <= LOGGED_CELLS
            members: list[tuple[UUID, str]] = []
            secretary_phone = ""
            for m in range(MEMBERS_PER_CELL):
                # ward 1's secretaries log in (to log their meetings); nobody else needs to
                person, name, phone = rows.person(
                    cell[0], password_hash if logged and m == 0 else None
                )
                secretary_phone = secretary_phone or phone
                rows.membership(person, cell[0])
                rows.grant(person, cell[0], "secretary" if m == 0 else "member")
                members.append((person, name))
            in_ward += MEMBERS_PER_CELL if w == 1 else 0
            rows.history(cell[0], members)
            if logged:
                meetings = rows.planned(cell[0], members)
                ids = tuple(p for p, _ in members)
                cells.append(BenchCell(cell[0], secretary_phone, ids, meetings))
    world = BenchWorld(
        leader_phone,
        PASSWORD,
        ward_1[0],
        len(rows.tables["person"]),
        in_ward,
        tuple(cells),
        {name: len(batch) for name, batch in rows.tables.items()},
    )
    return rows, world


async def load(url: str, scale: int = 1) -> BenchWorld:
    """Write the data set into the (migrated, empty) database at ``url``, then ANALYZE."""
    rows, world = _build(Argon2Hasher().hash(PASSWORD), scale)
    if url.startswith("sqlite"):
        await asyncio.to_thread(_load_sqlite, url.removeprefix("sqlite:///"), rows)
    else:
        await _load_postgres(url, rows)
    return world


def _sqlite_value(value: object) -> object:
    """What Piccolo stores in SQLite: UUIDs and times as text (``str(datetime)``), booleans as
    0/1."""
    if isinstance(value, UUID | datetime):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _converted(batch: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for row in batch:
        yield tuple(_sqlite_value(v) for v in row)


def _insert_sql(table: str) -> str:
    columns = COLUMNS[table]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - our names only


def _load_sqlite(path: str, rows: _Rows) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        # no journal and a big cache while loading (random UUID keys touch every page of the
        # indexes); the file is back in WAL mode, as the app expects, afterwards
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("BEGIN")
        for table, batch in rows.tables.items():
            connection.executemany(_insert_sql(table), _converted(batch))
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA journal_mode = WAL")


async def _load_postgres(url: str, rows: _Rows) -> None:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute("SET synchronous_commit = off")
        with suppress(asyncpg.InsufficientPrivilegeError):
            # the superuser skips the foreign-key triggers (two per attendance row): the data
            # set is consistent by construction
            await connection.execute("SET session_replication_role = replica")
        async with connection.transaction():
            for table, batch in rows.tables.items():
                await connection.copy_records_to_table(
                    table, records=batch, columns=list(COLUMNS[table])
                )
        await connection.execute("ANALYZE")  # fresh statistics for the planner
    finally:
        await connection.close()
