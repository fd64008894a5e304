"""The benchmark's data set, written straight through the Piccolo tables in one transaction.

city ── 6 wards ── 8 cells each ── 30 members each (1,440 people), a leader per ward who follows
two of its cells, a secretary per cell. The caller logs in as the leader of ward 1, whose scope
holds 240 of the 1,440 people: a page of 20 of them is a selective, indexed query.

For the meeting-log benchmark: 64 planned meetings in each of ward 1's 8 cells (512), each with
its attendance sheet already drawn from the roster (30 rows, nobody marked yet, version 1), and a
password for those 8 cells' secretaries, who log them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from chibo.passwords import Argon2Hasher
from db.engine import Database
from db.migrate import bind
from db.tables import (
    AttendanceTable,
    LeaderAssignmentTable,
    MeetingTable,
    MembershipTable,
    PersonTable,
    RoleGrantTable,
    UnitTable,
)
from domain.org.model import unit_path

WARDS = 6
CELLS_PER_WARD = 8
MEMBERS_PER_CELL = 30
PASSWORD = "mat-khau-bench-2026"  # noqa: S105 - the throwaway data set's one login
START = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
BATCH = 400
MEETINGS_PER_CELL = 64  # in each of ward 1's cells: 512 meetings to log

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Thu", "Xuân")
GIVEN = (
    *("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Long"),
    *("Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn"),
)


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


class _Rows:
    """Rows to insert, with creation times one minute apart (keyset order is realistic)."""

    def __init__(self) -> None:
        self.units: list[UnitTable] = []
        self.people: list[PersonTable] = []
        self.memberships: list[MembershipTable] = []
        self.grants: list[RoleGrantTable] = []
        self.assignments: list[LeaderAssignmentTable] = []
        self.meetings: list[MeetingTable] = []
        self.attendance: list[AttendanceTable] = []
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
        self.units.append(
            UnitTable(
                id=unit_id,
                parent=parent[0] if parent else None,
                path=path,
                name=name,
                level=level,
                is_cell=level == "cell",
                active=True,
                created_at=at,
                updated_at=at,
            )
        )
        return unit_id, path

    def person(self, home: tuple[UUID, str], password_hash: str | None = None) -> UUID:
        person_id = uuid4()
        self._phone += 1
        pick = self._names.choice
        at = self.at()
        self.people.append(
            PersonTable(
                id=person_id,
                home_unit=home[0],
                full_name=f"{pick(FAMILY)} {pick(MIDDLE)} {pick(GIVEN)}",
                phone=f"+8491{self._phone}",
                email=None,
                locale="vi",
                active=True,
                password_hash=password_hash,
                created_at=at,
                updated_at=at,
            )
        )
        return person_id

    def membership(self, person_id: UUID, cell: tuple[UUID, str]) -> None:
        at = self.at()
        self.memberships.append(
            MembershipTable(
                id=uuid4(),
                person=person_id,
                cell=cell[0],
                kind="full",
                exempt=False,
                joined_on=date(2015, 3, 1),
                created_at=at,
                updated_at=at,
            )
        )

    def grant(self, person_id: UUID, unit: tuple[UUID, str], role: str) -> None:
        at = self.at()
        self.grants.append(
            RoleGrantTable(
                id=uuid4(), person=person_id, unit=unit[0], role=role, created_at=at, updated_at=at
            )
        )

    def assignment(self, leader_id: UUID, cell: tuple[UUID, str]) -> None:
        at = self.at()
        self.assignments.append(
            LeaderAssignmentTable(
                id=uuid4(),
                leader=leader_id,
                cell=cell[0],
                quota=4,
                period="year",
                started_on=date(2026, 1, 1),
                created_at=at,
                updated_at=at,
            )
        )

    def meetings_of(self, cell: tuple[UUID, str], members: list[PersonTable]) -> tuple[UUID, ...]:
        """Planned meetings of the last weeks, each with its sheet drawn (as the app draws it:
        one row per member, by name), nobody marked: what a secretary logs after the meeting."""
        sheet = sorted(members, key=lambda p: p.full_name)
        ids = []
        for k in range(MEETINGS_PER_CELL):
            meeting_id = uuid4()
            start = START + timedelta(days=k, hours=11)
            at = self.at()
            self.meetings.append(
                MeetingTable(
                    id=meeting_id,
                    cell=cell[0],
                    kind="thematic",
                    status="planned",
                    title=f"Sinh hoạt chuyên đề số {k + 1}",
                    place="Nhà văn hóa khu dân cư",
                    planned_start=start,
                    planned_end=start + timedelta(hours=2),
                    agenda="[]",
                    resolutions="[]",
                    papers="[]",
                    created_at=at,
                    updated_at=at,
                    version=1,
                )
            )
            self.attendance.extend(
                AttendanceTable(
                    id=uuid4(),
                    meeting=meeting_id,
                    person=person.id,
                    position=position,
                    full_name=person.full_name,
                    membership_kind="full",
                )
                for position, person in enumerate(sheet)
            )
            ids.append(meeting_id)
        return tuple(ids)


def _build(password_hash: str) -> tuple[_Rows, BenchWorld]:
    rows = _Rows()
    city = rows.unit(None, "Thành ủy Hà Nội", "city")
    leader_phone, ward_1 = "", city
    cells: list[BenchCell] = []
    for w in range(1, WARDS + 1):
        ward = rows.unit(city, f"Đảng ủy phường số {w}", "ward")
        leader = rows.person(ward, password_hash if w == 1 else None)
        rows.grant(leader, ward, "leader")
        if w == 1:
            leader_phone, ward_1 = rows.people[-1].phone, ward
        for c in range(1, CELLS_PER_WARD + 1):
            cell = rows.unit(ward, f"Chi bộ khu dân cư số {c}", "cell")
            if c <= 2:
                rows.assignment(leader, cell)
            if c == 1:
                rows.membership(leader, cell)
            first = len(rows.people)
            for m in range(MEMBERS_PER_CELL):
                # ward 1's secretaries log in (to log their meetings); nobody else needs to
                member = rows.person(cell, password_hash if w == 1 and m == 0 else None)
                rows.membership(member, cell)
                rows.grant(member, cell, "secretary" if m == 0 else "member")
            if w == 1:
                members = rows.people[first:]
                meetings = rows.meetings_of(cell, members)
                ids = tuple(p.id for p in members)
                cells.append(BenchCell(cell[0], members[0].phone, ids, meetings))
    in_ward = sum(1 for p in rows.people if p.home_unit in _ids_under(rows, ward_1[1]))
    world = BenchWorld(leader_phone, PASSWORD, ward_1[0], len(rows.people), in_ward, tuple(cells))
    return rows, world


def _ids_under(rows: _Rows, path: str) -> set[Any]:
    return {u.id for u in rows.units if u.path.startswith(path)}


async def load(url: str) -> BenchWorld:
    """Write the data set into the (migrated, empty) database at ``url``."""
    rows, world = _build(Argon2Hasher().hash(PASSWORD))
    database = Database(url)
    await database.open()
    bind(database)
    try:
        async with database.atomic():
            for table, batch in (
                (UnitTable, rows.units),
                (PersonTable, rows.people),
                (MembershipTable, rows.memberships),
                (RoleGrantTable, rows.grants),
                (LeaderAssignmentTable, rows.assignments),
                (MeetingTable, rows.meetings),
                (AttendanceTable, rows.attendance),
            ):
                for start in range(0, len(batch), BATCH):
                    await table.insert(*batch[start : start + BATCH])
        await database.engine.run_ddl("ANALYZE")  # fresh statistics for the planner
    finally:
        await database.close()
    return world
