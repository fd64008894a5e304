"""Compliance checks on both engines: each flag once, catch-up, and who hears of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from db.engine import Database
from db.repositories.compliance import PiccoloComplianceStore
from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.org import PiccoloOrgRepository
from db.tables import ComplianceFlagTable, NotificationTable, UnitTable
from domain.clock import local_at
from domain.compliance.model import ComplianceFlag, FlagKind
from domain.compliance.service import ComplianceService
from domain.meetings.model import (
    AttendanceRow,
    AttendanceStatus,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from domain.org.model import LeaderAssignment, Membership, MembershipKind, QuotaPeriod, Unit
from schedules.jobs import JOBS
from schedules.runner import run_job
from tests.conftest import services
from tests.factories import World, build_world, make_unit
from tests.fakes import START, FakeClock

K = FlagKind
LONG_AGO = datetime(2025, 6, 1, tzinfo=UTC)


def service(db: Database, clock: FakeClock) -> ComplianceService:
    return services(db, clock).compliance("test")


async def world_long_set_up() -> World:
    """The factory world, its units entered in the system long before the periods checked."""
    world = await build_world()
    await UnitTable.update({UnitTable.created_at: LONG_AGO}).where(
        UnitTable.id.is_in(
            [world.city.id, world.ward1.id, world.ward2.id, world.cell_a.id, world.cell_b.id]
        )
    )
    return world


async def add_meeting(
    cell: Unit,
    day: date,
    kind: MeetingKind = MeetingKind.REGULAR,
    status: MeetingStatus = MeetingStatus.HELD,
    *,
    combined_thematic: bool = False,
    attendance: list[AttendanceRow] | None = None,
) -> Meeting:
    start = local_at(day, 19)
    meeting = Meeting(
        id=uuid4(),
        cell_id=cell.id,
        cell_path=cell.path,
        kind=kind,
        status=status,
        planned_start=start,
        planned_end=start + timedelta(hours=2),
        created_at=START,
        updated_at=START,
        combined_thematic=combined_thematic,
        attendance=attendance or [],
    )
    repo = PiccoloMeetingRepository()
    await repo.add(meeting)
    if attendance:
        await repo.save(meeting, attendance=True)
    return meeting


async def flags(kind: FlagKind | None = None) -> list[tuple[str, UUID, UUID, str]]:
    query = ComplianceFlagTable.select(
        ComplianceFlagTable.kind,
        ComplianceFlagTable.unit,
        ComplianceFlagTable.subject,
        ComplianceFlagTable.period,
    )
    if kind is not None:
        query = query.where(ComplianceFlagTable.kind == kind.value)
    return sorted((r["kind"], r["unit"], r["subject"], r["period"]) for r in await query)


async def inbox(person: UUID) -> list[str]:
    found = await NotificationTable.select(NotificationTable.title).where(
        NotificationTable.person == person
    )
    return sorted(r["title"] for r in found)


async def test_a_cell_without_a_regular_meeting_by_the_20th_is_flagged_once(
    db: Database, clock: FakeClock
) -> None:
    world = await world_long_set_up()
    await add_meeting(world.cell_a, date(2026, 12, 4), status=MeetingStatus.PLANNED)  # not held
    await add_meeting(world.cell_a, date(2026, 12, 10), MeetingKind.THEMATIC)  # not regular
    await add_meeting(world.cell_a, date(2026, 11, 30))  # last month
    await add_meeting(world.cell_b, date(2026, 12, 5), status=MeetingStatus.FINALIZED)
    compliance = service(db, clock)
    clock.reset(local_at(date(2026, 12, 20), 8) - timedelta(minutes=1))
    assert await compliance.raise_flags() == []

    clock.advance(timedelta(minutes=1))  # 08:00 on the 20th
    raised = await compliance.raise_flags()
    assert [(f.kind, f.unit_id, f.subject, f.period) for f in raised] == [
        (K.NO_REGULAR_MEETING, world.cell_a.id, world.cell_a.id, "2026-12")
    ]
    clock.advance(timedelta(hours=1))
    assert await compliance.raise_flags() == []  # safe to run twice
    assert await flags() == [("no_regular_meeting", world.cell_a.id, world.cell_a.id, "2026-12")]
    # the cell's secretary and the leader following it; not its plain member, nor cell B
    for person in (world.secretary_a, world.leader_1):
        assert await inbox(person.id) == ["Chưa sinh hoạt thường kỳ"]
    for person in (world.member_a, world.secretary_b, world.leader_2):
        assert await inbox(person.id) == []


async def test_new_and_empty_cells_are_not_judged(db: Database, clock: FakeClock) -> None:
    world = await world_long_set_up()
    await add_meeting(world.cell_a, date(2026, 12, 4))
    await add_meeting(world.cell_b, date(2026, 12, 4))
    new = make_unit(world.ward1, "Chi bộ khu dân cư số 3", "cell", is_cell=True)
    empty = make_unit(world.ward1, "Chi bộ khu dân cư số 4", "cell", is_cell=True)
    repo = PiccoloOrgRepository()
    for unit in (new, empty):
        await repo.add_unit(unit)
    await UnitTable.update({UnitTable.created_at: datetime(2026, 12, 10, tzinfo=UTC)}).where(
        UnitTable.id == new.id
    )
    await UnitTable.update({UnitTable.created_at: LONG_AGO}).where(UnitTable.id == empty.id)
    await repo.add_membership(  # the new cell has a member, the empty one none
        Membership(
            uuid4(), world.leader_2.id, new.id, new.path, MembershipKind.FULL, exempt=False,
            exempt_resolution_date=None, joined_on=date(2026, 12, 10), left_on=None,
            created_at=START, updated_at=START,
        )
    )  # fmt: skip
    clock.reset(local_at(date(2026, 12, 20), 9))
    assert await service(db, clock).raise_flags() == []


async def test_a_worker_down_on_the_20th_raises_the_flag_when_it_comes_back(
    db: Database, clock: FakeClock
) -> None:
    world = await world_long_set_up()
    await add_meeting(world.cell_b, date(2026, 12, 5))
    clock.reset(local_at(date(2026, 12, 23), 10))  # down from the 19th
    raised = await service(db, clock).raise_flags()
    assert [(f.kind, f.unit_id) for f in raised] == [(K.NO_REGULAR_MEETING, world.cell_a.id)]
    # a meeting held after the 20th does not undo a flag, and is not what the check asks about
    await add_meeting(world.cell_a, date(2026, 12, 21))
    clock.advance(timedelta(hours=1))
    assert await service(db, clock).raise_flags() == []
    assert len(await flags(K.NO_REGULAR_MEETING)) == 1


async def test_a_check_beyond_the_catch_up_window_is_not_made(
    db: Database, clock: FakeClock
) -> None:
    await world_long_set_up()
    clock.reset(local_at(date(2026, 12, 31), 10))  # down since before the 20th: 11 days
    await service(db, clock).raise_flags()
    assert await flags(K.NO_REGULAR_MEETING) == []


async def test_a_quarter_without_a_thematic_meeting_is_flagged(
    db: Database, clock: FakeClock
) -> None:
    world = await world_long_set_up()
    # cell A: a regular meeting combined with a thematic subject counts
    await add_meeting(world.cell_a, date(2026, 11, 4), combined_thematic=True)
    # cell B: one cancelled, one in the next quarter
    await add_meeting(
        world.cell_b, date(2026, 12, 12), MeetingKind.THEMATIC, MeetingStatus.CANCELLED
    )
    await add_meeting(world.cell_b, date(2027, 1, 3), MeetingKind.THEMATIC)
    compliance = service(db, clock)
    clock.reset(local_at(date(2027, 1, 5), 8))
    raised = [f for f in await compliance.raise_flags() if f.kind is K.NO_THEMATIC_MEETING]
    assert [(f.unit_id, f.period) for f in raised] == [(world.cell_b.id, "2026-Q4")]
    assert await compliance.raise_flags() == []
    assert await inbox(world.secretary_b.id) == ["Chưa sinh hoạt chuyên đề"]
    assert "Chưa sinh hoạt chuyên đề" not in await inbox(world.secretary_a.id)


async def add_visit(world: World, day: date, *, both: bool = True) -> None:
    meeting = await add_meeting(world.cell_a, day)
    at = local_at(day, 21)
    await PiccoloMeetingRepository().save_visit(
        LeaderVisit(meeting.id, world.leader_1.id, at, at if both else None)
    )


async def test_a_leader_behind_their_quota_pro_rata_is_flagged_and_told(
    db: Database, clock: FakeClock
) -> None:
    world = await world_long_set_up()  # leader_1 follows cell A: 4 visits a year from 1 January
    await add_visit(world, date(2026, 3, 4))
    await add_visit(world, date(2026, 7, 4))
    await add_visit(world, date(2026, 9, 4), both=False)  # the secretary never confirmed it
    # leader_2 began following cell B in June: judged from next year
    await PiccoloOrgRepository().add_assignment(
        LeaderAssignment(
            uuid4(), world.leader_2.id, world.cell_b.id, world.cell_b.path, 4, QuotaPeriod.YEAR,
            date(2026, 6, 1), None, START, START,
        )
    )  # fmt: skip
    compliance = service(db, clock)
    clock.reset(local_at(date(2026, 12, 5), 8))  # the month of November is judged
    (flag,) = [f for f in await compliance.raise_flags() if f.kind is K.LEADER_BEHIND_QUOTA]
    assert (flag.unit_id, flag.subject, flag.period) == (
        world.cell_a.id,
        world.leader_1.id,
        "2026-11",
    )
    assert (flag.detail["attended"], flag.detail["expected"]) == (2, 3)  # 4 x 334/365
    assert flag.detail["asOf"] == "2026-11-30"
    assert await compliance.raise_flags() == []
    assert await inbox(world.leader_1.id) == ["Chưa đạt định mức dự sinh hoạt"]
    assert await inbox(world.secretary_a.id) == []  # the leader's own business
    assert await inbox(world.leader_2.id) == []


async def test_a_leader_on_track_is_not_flagged(db: Database, clock: FakeClock) -> None:
    world = await world_long_set_up()
    for day in (date(2026, 3, 4), date(2026, 7, 4), date(2026, 11, 4)):
        await add_visit(world, day)
    clock.reset(local_at(date(2026, 12, 5), 8))
    await service(db, clock).raise_flags()
    assert await flags(K.LEADER_BEHIND_QUOTA) == []


def sheet(world: World, status: AttendanceStatus) -> list[AttendanceRow]:
    return [
        AttendanceRow(world.member_a.id, world.member_a.full_name, MembershipKind.FULL, status),
        AttendanceRow(
            world.secretary_a.id, world.secretary_a.full_name, MembershipKind.FULL,
            AttendanceStatus.PRESENT,
        ),
    ]  # fmt: skip


async def test_three_months_of_unexcused_absence_flag_a_member_once(
    db: Database, clock: FakeClock
) -> None:
    world = await world_long_set_up()
    unexcused = sheet(world, AttendanceStatus.UNEXCUSED)
    await add_meeting(world.cell_a, date(2026, 9, 4), attendance=unexcused)
    await add_meeting(
        world.cell_a, date(2026, 10, 4), attendance=sheet(world, AttendanceStatus.EXCUSED)
    )
    await add_meeting(world.cell_a, date(2026, 11, 4), attendance=unexcused)
    # not held (still planned) and from last year: neither counts
    await add_meeting(
        world.cell_a, date(2026, 12, 4), status=MeetingStatus.PLANNED, attendance=unexcused
    )
    await add_meeting(world.cell_a, date(2025, 12, 4), attendance=unexcused)
    compliance = service(db, clock)
    clock.reset(local_at(date(2026, 12, 13), 9))  # no other check due in the catch-up window
    assert await compliance.raise_flags() == []

    await add_meeting(world.cell_a, date(2026, 12, 9), attendance=unexcused)
    clock.advance(timedelta(days=1))
    (flag,) = await compliance.raise_flags()
    assert (flag.kind, flag.unit_id, flag.subject, flag.period) == (
        K.UNEXCUSED_ABSENCE, world.cell_a.id, world.member_a.id, "2026",
    )  # fmt: skip
    assert flag.detail == {"fullName": "Lê Thị Hoa", "months": [9, 11, 12], "threshold": 3}
    await add_meeting(world.cell_a, date(2026, 12, 10), attendance=unexcused)  # a fourth month
    clock.advance(timedelta(days=1))
    assert await compliance.raise_flags() == []
    for person in (world.secretary_a, world.leader_1):
        assert await inbox(person.id) == ["Đảng viên vắng sinh hoạt không lý do"]
    assert await inbox(world.member_a.id) == []


async def test_the_store_inserts_only_new_keys(db: Database, clock: FakeClock) -> None:
    world = await world_long_set_up()
    store = PiccoloComplianceStore(db)

    def flag(subject: UUID, period: str) -> ComplianceFlag:
        return ComplianceFlag(
            uuid4(), K.UNEXCUSED_ABSENCE, world.cell_a.id, world.cell_a.path, subject, period,
            {"months": [1, 2, 3]}, clock.now(),
        )  # fmt: skip

    first = [flag(world.member_a.id, "2026"), flag(world.secretary_a.id, "2026")]
    assert await store.insert(first) == first
    again = [flag(world.member_a.id, "2026"), flag(world.member_a.id, "2027")]
    assert await store.insert(again) == again[1:]
    assert len(await flags()) == 3


async def test_the_scheduled_job_raises_each_flag_once(db: Database, clock: FakeClock) -> None:
    world = await world_long_set_up()
    ctx = services(db, clock)
    clock.reset(local_at(date(2026, 12, 20), 8, 5))
    for _ in range(2):
        run = await run_job(JOBS["raise-compliance-flags"], ctx)
        assert run.outcome == "ok", run.error
    assert set(await flags()) == {
        ("no_regular_meeting", world.cell_a.id, world.cell_a.id, "2026-12"),
        ("no_regular_meeting", world.cell_b.id, world.cell_b.id, "2026-12"),
    }
    assert await inbox(world.secretary_b.id) == ["Chưa sinh hoạt thường kỳ"]
