"""A worker that was down catches up: what is still relevant is sent once, what went stale while
it was down is recorded as skipped and never sent, the look-back has a limit, and nothing is sent
twice. Every kind, both engines, an injected clock."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import pytest

from db.engine import Database
from db.tables import NotificationTable, ReminderTable
from domain.clock import local_at
from domain.inspections.model import InspectionKind
from domain.meetings.model import MeetingStatus
from domain.reminders.model import ReminderKind, moment_occurrence
from domain.reminders.service import ReminderStats
from domain.tasks.model import TaskStatus
from tests.factories import build_world
from tests.fakes import FakeClock
from tests.reminder_subjects import (
    add_inspection,
    add_meeting,
    add_petition,
    add_task,
    reminder_service,
)

K = ReminderKind
DAY = date(2026, 12, 2)  # the day the worker comes back
Key = tuple[str, str, str]  # kind, subject, occurrence


@dataclass(frozen=True, slots=True)
class Subject:
    id: UUID  # the reminder row's subject
    notice: str  # the inbox rows' subject
    people: tuple[UUID, ...]  # who hears of it


async def reminder_rows() -> dict[Key, str]:
    rows = await ReminderTable.select(
        ReminderTable.kind, ReminderTable.subject, ReminderTable.occurrence, ReminderTable.status
    )
    return {(r["kind"], str(r["subject"]), r["occurrence"]): r["status"] for r in rows}


async def inbox() -> Counter[tuple[UUID, str]]:
    """How many inbox rows each person has about each subject."""
    rows = await NotificationTable.select(NotificationTable.person, NotificationTable.subject)
    return Counter((r["person"], r["subject"]) for r in rows)


def counted(stats: ReminderStats) -> tuple[int, int, int, int]:
    return stats.inserted, stats.sent, stats.skipped, stats.dropped


@pytest.mark.parametrize(
    ("back_at", "day_kinds"),
    [(12, "sent"), (21, "skipped")],
    ids=["back-at-noon", "back-after-20h"],
)
async def test_a_day_down_catches_up_every_kind_once(
    db: Database, clock: FakeClock, back_at: int, day_kinds: str
) -> None:
    """Down for exactly a day until ``back_at`` o'clock on 2 December. The day kinds of that
    morning (08:00) are worth sending until 20:00; the moment kinds are set around the return."""
    world = await build_world()
    back = local_at(DAY, back_at)
    subjects: dict[str, Subject] = {}

    def about(name: str, subject_id: UUID, subject: str, *people: UUID) -> None:
        subjects[name] = Subject(subject_id, f"{subject}:{subject_id}", people)

    secretary = world.secretary_a.id
    for name, due_on in {
        "task 7 days ahead": DAY + timedelta(days=7),
        "task due tomorrow": DAY + timedelta(days=1),
        "task due today": DAY,
        "task overdue": DAY - timedelta(days=2),
    }.items():
        about(name, (await add_task(world, due_on)).id, "task", secretary)
    await add_task(world, DAY, TaskStatus.SUBMITTED)  # nothing: not the assignee's turn
    for name, reply_due_on in {
        "petition due in 2 days": DAY + timedelta(days=2),
        "petition overdue": DAY - timedelta(days=1),
    }.items():
        petition = await add_petition(world, reply_due_on)
        subjects[name] = Subject(petition.id, f"task:{petition.task_id}", (secretary,))
    # meetings before the outage: their minutes are nagged on 2 December at 08:00
    for name, start, status in (
        ("meeting yesterday", local_at(DAY - timedelta(days=1), 7), MeetingStatus.PLANNED),
        ("meeting 3 days ago", local_at(DAY - timedelta(days=3), 19, 30), MeetingStatus.HELD),
    ):
        about(name, (await add_meeting(world, start, status)).id, "meeting", secretary)
    await add_meeting(world, local_at(DAY - timedelta(days=1), 19, 30), MeetingStatus.FINALIZED)
    # moment kinds, around the return
    moments: dict[str, datetime] = {}
    audience = (world.member_a.id, secretary, world.leader_1.id)
    for name, start in {
        "meeting in 1 h": back + timedelta(hours=1),
        "meeting in 3 h": back + timedelta(hours=3),
        "meeting 1 h ago": back - timedelta(hours=1),
    }.items():
        about(name, (await add_meeting(world, start)).id, "meeting", *audience)
        moments[name] = start
    for name, start, end, kind in (
        ("surprise under way", back - timedelta(hours=2), back + timedelta(hours=2), "surprise"),
        ("surprise over", back - timedelta(hours=10), back - timedelta(hours=6), "surprise"),
        ("inspection in 5 h", back + timedelta(hours=5), back + timedelta(hours=9), "periodic"),
    ):
        inspection = await add_inspection(world, start, end, InspectionKind(kind))
        # a revealed surprise goes to the unit's heads, the day-before reminder to the team
        told = secretary if kind == "surprise" else world.inspector.id
        about(name, inspection.id, "inspection", told)
        moments[name] = start

    reminders = reminder_service(db, clock)
    clock.reset(back - timedelta(days=1))
    await reminders.run()  # the last run before the outage
    before, inbox_before = await reminder_rows(), await inbox()

    clock.reset(back)
    stats = await reminders.run()

    outcomes = [
        ("task 7 days ahead", K.TASK_DUE_FIRST, day_kinds),
        ("task due tomorrow", K.TASK_DUE_SECOND, day_kinds),
        ("task due today", K.TASK_DUE_TODAY, day_kinds),
        ("task overdue", K.TASK_OVERDUE, day_kinds),
        ("petition due in 2 days", K.PETITION_REPLY_SOON, day_kinds),
        ("petition overdue", K.PETITION_REPLY_OVERDUE, day_kinds),
        ("meeting yesterday", K.MINUTES_FIRST_NAG, day_kinds),
        ("meeting 3 days ago", K.MINUTES_SECOND_NAG, day_kinds),
        # fired 23 h before the return, worth sending until 2 h before the start: too late
        ("meeting in 1 h", K.MEETING_DAY_BEFORE, "skipped"),
        ("meeting in 1 h", K.MEETING_SOON, "sent"),
        ("meeting in 3 h", K.MEETING_DAY_BEFORE, "sent"),
        ("meeting 1 h ago", K.MEETING_SOON, "skipped"),  # its day-before went before the outage
        ("surprise under way", K.INSPECTION_REVEAL, "sent"),
        ("surprise over", K.INSPECTION_REVEAL, "skipped"),
        ("inspection in 5 h", K.INSPECTION_DAY_BEFORE, "sent"),
    ]
    day = DAY.isoformat()
    expected = {
        (kind.value, str(subjects[name].id), moment_occurrence(moments[name]))
        if name in moments
        else (kind.value, str(subjects[name].id), day): status
        for name, kind, status in outcomes
    }
    after = await reminder_rows()
    assert {k: s for k, s in after.items() if k not in before} == expected
    assert {k: after[k] for k in before} == before  # what the last run handled stays handled
    sent = [name for name, _, status in outcomes if status == "sent"]
    assert counted(stats) == (len(outcomes), len(sent), len(outcomes) - len(sent), 0)

    # one inbox row per person for each reminder sent, none for what was skipped
    heard = Counter(
        (person, subjects[name].notice) for name in sent for person in subjects[name].people
    )
    assert await inbox() == inbox_before + heard

    # running again, now or a minute later, does nothing
    assert counted(await reminders.run()) == (0, 0, 0, 0)
    clock.advance(timedelta(minutes=1))
    assert counted(await reminders.run()) == (0, 0, 0, 0)
    assert await reminder_rows() == after
    assert await inbox() == inbox_before + heard


async def test_after_three_days_down_only_the_look_back_is_swept_and_one_nag_is_sent(
    db: Database, clock: FakeClock
) -> None:
    """A task overdue all along: of the daily nags missed, those older than catch_up_hours leave
    no row, the others are skipped, and only today's is sent. So are a meeting's."""
    world = await build_world()
    task = await add_task(world, date(2026, 11, 30))
    meeting = await add_meeting(world, local_at(date(2026, 12, 2), 9))
    reminders = reminder_service(db, clock)
    clock.reset(local_at(date(2026, 12, 1), 7))
    await reminders.run()  # the last run before the outage
    inbox_before = await inbox()
    clock.reset(local_at(date(2026, 12, 4), 12))  # 77 h later; 48 h are looked back
    stats = await reminders.run()
    rows = await reminder_rows()
    overdue = {k[2]: s for k, s in rows.items() if k[:2] == ("task_overdue", str(task.id))}
    # 08:00 on 1 and 2 December: 76 and 52 h ago; on the 3rd: 28 h ago; on the 4th: 4 h ago
    assert overdue == {"2026-12-03": "skipped", "2026-12-04": "sent"}
    # its day-before and 2-hour reminders fell 75 and 51 h ago; the nag for its minutes 28 h ago
    assert {k[0]: s for k, s in rows.items() if k[1] == str(meeting.id)} == {
        "minutes_first_nag": "skipped"
    }
    assert (stats.inserted, stats.sent, stats.skipped) == (3, 1, 2)
    assert await inbox() - inbox_before == Counter({(world.secretary_a.id, f"task:{task.id}"): 1})


START_AT = local_at(DAY, 19, 30)  # of the meetings and inspections of the boundary cases
# case -> (kind, how long before the moment it fires, how long before the moment it goes stale)
EDGES: dict[str, tuple[ReminderKind, timedelta, timedelta]] = {
    "task due today": (K.TASK_DUE_TODAY, timedelta(hours=11, minutes=30), timedelta(minutes=-30)),
    "meeting day-before": (K.MEETING_DAY_BEFORE, timedelta(hours=24), timedelta(hours=2)),
    "meeting 2 h before": (K.MEETING_SOON, timedelta(hours=2), timedelta(0)),
    "inspection day-before": (K.INSPECTION_DAY_BEFORE, timedelta(hours=24), timedelta(0)),
    "surprise revealed": (K.INSPECTION_REVEAL, timedelta(0), timedelta(hours=-4)),
}


@pytest.mark.parametrize("late", [False, True], ids=["last-second", "too-late"])
@pytest.mark.parametrize("case", list(EDGES))
async def test_a_reminder_caught_up_is_sent_until_the_second_it_goes_stale(
    db: Database, clock: FakeClock, case: str, *, late: bool
) -> None:
    """Down from just before it fired: back one second before its relevance ends, it is sent;
    back at that second, it is skipped. Day kinds end at 20:00, a meeting's day-before reminder
    2 h before the start, the 2-hour one and an inspection's day-before at the start, a surprise
    inspection's reveal at the end of its window."""
    world = await build_world()
    kind, fires, stale = EDGES[case]
    occurrence = moment_occurrence(START_AT)
    if case == "task due today":  # 08:00 to 20:00 on the day it is due
        subject, occurrence = (await add_task(world, DAY)).id, DAY.isoformat()
        audience = {world.secretary_a.id}
    elif case.startswith("meeting"):
        subject = (await add_meeting(world, START_AT)).id
        audience = {world.member_a.id, world.secretary_a.id, world.leader_1.id}
    else:
        surprise = case == "surprise revealed"
        inspection = await add_inspection(
            world,
            START_AT,
            START_AT + timedelta(hours=4),
            InspectionKind.SURPRISE if surprise else InspectionKind.PERIODIC,
        )
        subject = inspection.id
        audience = {world.secretary_a.id if surprise else world.inspector.id}
    key = (kind.value, str(subject), occurrence)
    reminders = reminder_service(db, clock)
    clock.reset(START_AT - fires - timedelta(seconds=1))
    await reminders.run()
    assert key not in await reminder_rows()  # it has not fired yet; then the worker goes down
    inbox_before = await inbox()
    clock.reset(START_AT - stale - (timedelta(0) if late else timedelta(seconds=1)))
    await reminders.run()
    rows = await reminder_rows()
    assert rows[key] == ("skipped" if late else "sent")
    heard = Counter(
        {
            (p, about): n
            for (p, about), n in (await inbox() - inbox_before).items()
            if str(subject) in about
        }
    )
    # the second a meeting's day-before reminder goes stale its 2-hour one fires: one, not both
    once = not late or kind is K.MEETING_DAY_BEFORE
    if late and kind is K.MEETING_DAY_BEFORE:
        assert rows[(K.MEETING_SOON.value, str(subject), occurrence)] == "sent"
    assert sorted(heard.values()) == ([1] * len(audience) if once else [])
    assert {person for person, _ in heard} == (audience if once else set())
