"""A whole month of the reminder job for the demo organisation, with an injected clock.

The worker runs every 15 minutes from 30 November to the end of December. Every reminder the
rules promise is sent exactly once, at its local time to the minute; pushes never go out in quiet
hours; a surprise inspection's unit hears nothing of it before it starts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

from db.engine import Database
from db.repositories.notifications import PiccoloNotificationStore
from db.seed_demo import seed
from db.tables import (
    DeliveryTable,
    MeetingTable,
    NotificationTable,
    PersonTable,
    PetitionTable,
    PushDeviceTable,
    ReminderTable,
    RoleGrantTable,
    TaskTable,
    UnitTable,
)
from domain.actors import Role
from domain.clock import LOCAL_TZ, local_at
from domain.inspections.model import InspectionKind
from domain.meetings.model import MeetingStatus
from domain.notifications.model import Preferences, QuietHours
from domain.reminders.model import ReminderPolicy, moment_occurrence
from tests.conftest import services
from tests.fakes import START, FakeClock
from tests.reminder_subjects import add_inspection_in, add_meeting_in, add_task_in, reminder_service

STEP = timedelta(minutes=15)
FIRST_DAY, LAST_DAY = date(2026, 11, 30), date(2026, 12, 31)
SURPRISE = InspectionKind.SURPRISE
POLICY = ReminderPolicy(catch_up_hours=1)  # a worker that never stops: no catch-up needed
Key = tuple[str, UUID, str]


@dataclass
class Organisation:
    cells: list[tuple[UUID, str]]  # (id, path)
    secretaries: dict[UUID, UUID]  # cell -> its secretary
    leader: UUID
    inspectors: list[UUID]
    people: list[UUID]


async def demo(db: Database, clock: FakeClock) -> Organisation:
    container = services(db, clock)
    await seed(container.demo("seed"))
    cells = await UnitTable.select(UnitTable.id, UnitTable.path).where(
        UnitTable.is_cell == True  # noqa: E712
    )
    grants = await RoleGrantTable.select(
        RoleGrantTable.person, RoleGrantTable.unit, RoleGrantTable.role
    )
    people = [p["id"] for p in await PersonTable.select(PersonTable.id)]
    return Organisation(
        cells=sorted((c["id"], c["path"]) for c in cells),
        secretaries={g["unit"]: g["person"] for g in grants if g["role"] == Role.SECRETARY},
        leader=min(g["person"] for g in grants if g["role"] == Role.LEADER),
        inspectors=sorted(g["person"] for g in grants if g["role"] == Role.INSPECTOR),
        people=people,
    )


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date(2026, 12, day), time(hour, minute), tzinfo=LOCAL_TZ).astimezone(
        UTC
    )


def expect_nags(expected: dict[Key, datetime], meeting_id: UUID, start: datetime) -> None:
    day = start.astimezone(LOCAL_TZ).date()
    for kind, after in (("minutes_first_nag", 1), ("minutes_second_nag", 3)):
        nag = day + timedelta(days=after)
        expected[kind, meeting_id, nag.isoformat()] = local_at(nag, 8)


def expect_meeting(expected: dict[Key, datetime], meeting_id: UUID, start: datetime) -> None:
    """Reminded 24 and 2 hours before; not logged, so its secretary is nagged after it."""
    at = moment_occurrence(start)
    expected["meeting_day_before", meeting_id, at] = start - timedelta(hours=24)
    expected["meeting_soon", meeting_id, at] = start - timedelta(hours=2)
    expect_nags(expected, meeting_id, start)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def add_meetings(expected: dict[Key, datetime], world: Organisation) -> None:
    """The demo's regular meetings planned from each cell's rule, and two more a cell, one at
    dawn (its 2-hour reminder falls in quiet hours); none is logged, so the secretary is nagged
    1 and 3 days after each."""
    planned = await MeetingTable.select(MeetingTable.id, MeetingTable.planned_start).where(
        (MeetingTable.planned_start < local_at(LAST_DAY, 0))
        & (MeetingTable.status == MeetingStatus.PLANNED.value)  # the demo's past ones are held
    )
    assert len(planned) == len(world.cells)
    for row in planned:
        expect_meeting(expected, row["id"], row["planned_start"])
    for n, cell in enumerate(world.cells):
        for start in (local(3 + 4 * n, 12, 0), local(20 + n, 6, 0)):
            expect_meeting(expected, (await add_meeting_in(*cell, start)).id, start)
    held = await add_meeting_in(*world.cells[0], local(5, 19), MeetingStatus.HELD)
    expect_nags(expected, held.id, held.planned_start)
    await add_meeting_in(*world.cells[1], local(5, 19), MeetingStatus.FINALIZED)  # nothing to say


async def add_petitions(expected: dict[Key, datetime]) -> None:
    """The demo's unanswered petitions (a dialogue's deferred question): nagged 2 days ahead,
    then daily while late."""
    unanswered = PetitionTable.reply.is_null()
    for petition in await PetitionTable.select(PetitionTable.id, PetitionTable.reply_due_on).where(
        unanswered
    ):
        soon = petition["reply_due_on"] - timedelta(days=2)
        if soon >= FIRST_DAY:
            expected["petition_reply_soon", petition["id"], soon.isoformat()] = local_at(soon, 8)
        for day in days(max(petition["reply_due_on"] + timedelta(days=1), FIRST_DAY), LAST_DAY):
            expected["petition_reply_overdue", petition["id"], day.isoformat()] = local_at(day, 8)


async def test_a_month_of_reminders_fires_each_once_on_time_and_never_in_quiet_hours(
    db: Database, clock: FakeClock
) -> None:
    world = await demo(db, clock)
    expected: dict[Key, datetime] = {}  # (kind, subject, occurrence) -> when it must fire

    await add_meetings(expected, world)
    # tasks: reminded 7 and 1 days ahead, on the day, then daily while overdue
    open_task = await add_task_in(
        *world.cells[1], world.secretaries[world.cells[1][0]], date(2026, 12, 20)
    )
    closed_task = await add_task_in(
        *world.cells[2], world.secretaries[world.cells[2][0]], date(2026, 12, 10)
    )
    for task, last in ((open_task, LAST_DAY), (closed_task, date(2026, 12, 11))):
        for kind, day in (
            ("task_due_first", task.due_on - timedelta(days=7)),
            ("task_due_second", task.due_on - timedelta(days=1)),
            ("task_due_today", task.due_on),
        ):
            expected[kind, task.id, day.isoformat()] = local_at(day, 8)
        for day in days(task.due_on + timedelta(days=1), last):
            expected["task_overdue", task.id, day.isoformat()] = local_at(day, 8)

    await add_petitions(expected)

    # inspections: the team hears the day before; the surprise one's unit only at its start
    target = world.cells[3]
    team = tuple(world.inspectors)
    periodic = (await add_inspection_in(*target, team, local(10, 8))).id
    surprise = (await add_inspection_in(*target, team, local(15, 8), kind=SURPRISE)).id
    for inspection, start in ((periodic, local(10, 8)), (surprise, local(15, 8))):
        expected["inspection_day_before", inspection, moment_occurrence(start)] = local(
            int(start.astimezone(LOCAL_TZ).day) - 1, 8
        )
    expected["inspection_reveal", surprise, moment_occurrence(local(15, 8))] = local(15, 8)

    # the leader takes the daily digest; everybody has a phone
    store = PiccoloNotificationStore()
    await store.save_preferences(Preferences(world.leader, daily_digest=True), START)
    for day in days(FIRST_DAY, LAST_DAY):
        expected["daily_digest", world.leader, day.isoformat()] = local_at(day, 7, 30)
    await PushDeviceTable.insert(
        *(
            PushDeviceTable(
                id=uuid4(), token=f"token-{p}", person=p, platform="android",
                app_version="1.0", locale="vi",
            )
            for p in world.people
        )
    )  # fmt: skip

    reminders = reminder_service(db, clock, POLICY)
    clock.reset(local_at(FIRST_DAY, 0))
    while clock.now() < local_at(LAST_DAY + timedelta(days=1), 0):
        clock.advance(STEP)
        if clock.now() == local_at(date(2026, 12, 11), 12):
            await TaskTable.update({TaskTable.status: "closed"}).where(
                TaskTable.id == closed_task.id
            )
        await reminders.run()

    rows = await ReminderTable.select().where(ReminderTable.status == "sent")
    fired = {(r["kind"], r["subject"], r["occurrence"]): r["handled_at"] for r in rows}
    assert fired == expected  # each once, at its local time to the minute
    assert await ReminderTable.count().where(ReminderTable.status != "sent") == 0

    notifications = await NotificationTable.select(
        NotificationTable.person,
        NotificationTable.subject,
        NotificationTable.title,
        NotificationTable.created_at,
    )
    twice = Counter((n["person"], n["subject"], n["title"], n["created_at"]) for n in notifications)
    assert max(twice.values()) == 1
    about_surprise = [n for n in notifications if n["subject"] == f"inspection:{surprise}"]
    assert {n["person"] for n in about_surprise if n["created_at"] < local(15, 8)} == set(
        world.inspectors
    )  # before it starts, only its team knows
    assert [n["created_at"] for n in about_surprise if n["person"] not in world.inspectors] == [
        local(15, 8)
    ]  # the cell's secretary, at the start

    quiet = QuietHours()
    pushes = await DeliveryTable.select(DeliveryTable.next_attempt_at)
    assert pushes
    assert not [
        p for p in pushes if quiet.contains(p["next_attempt_at"].astimezone(LOCAL_TZ).time())
    ]
