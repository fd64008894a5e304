"""Reminder sweeps and delivery on both engines: keys, catch-up, relevance, who hears what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from db.engine import Database
from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.notifications import PiccoloNotificationStore
from db.tables import NotificationTable, ReminderTable
from domain.clock import local_at
from domain.meetings.model import MeetingStatus
from domain.notifications.model import Preferences
from tests.factories import build_world
from tests.fakes import START, FakeClock
from tests.reminder_subjects import add_meeting, add_task, reminder_service


async def rows(subject: UUID) -> list[tuple[str, str, str]]:
    found = await ReminderTable.select(
        ReminderTable.kind, ReminderTable.occurrence, ReminderTable.status
    ).where(ReminderTable.subject == subject)
    return sorted((r["kind"], r["occurrence"], r["status"]) for r in found)


async def inbox(person: UUID) -> list[str]:
    found = await NotificationTable.select(NotificationTable.title).where(
        NotificationTable.person == person
    )
    return sorted(r["title"] for r in found)


async def test_a_task_is_reminded_7_and_1_days_before_on_the_day_and_daily_when_late(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    reminders = reminder_service(db, clock)
    clock.reset(local_at(date(2026, 12, 1), 8, 0) - timedelta(minutes=1))
    task = await add_task(world, date(2026, 12, 8))
    assert (await reminders.run()).sent == 0

    clock.advance(timedelta(minutes=1))  # 08:00 on 1 December: 7 days before
    assert (await reminders.run()).sent == 1
    assert (await reminders.run()).sent == 0  # safe to run twice
    assert await rows(task.id) == [("task_due_first", "2026-12-01", "sent")]
    assert await inbox(world.secretary_a.id) == ["Việc sắp đến hạn"]

    for day in (7, 8, 9, 10):
        clock.reset(local_at(date(2026, 12, day), 8, 30))
        await reminders.run()
    assert await rows(task.id) == [
        ("task_due_first", "2026-12-01", "sent"),
        ("task_due_second", "2026-12-07", "sent"),
        ("task_due_today", "2026-12-08", "sent"),
        ("task_overdue", "2026-12-09", "sent"),
        ("task_overdue", "2026-12-10", "sent"),
    ]


async def test_a_worker_down_catches_up_what_is_still_relevant_and_skips_the_rest(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    task = await add_task(world, date(2026, 12, 2))
    meeting = await add_meeting(world, local_at(date(2026, 12, 3), 19, 30))
    # down from before 08:00 on 1 December until 21:00 on 2 December
    clock.reset(local_at(date(2026, 12, 2), 21, 0))
    stats = await reminder_service(db, clock).run()
    assert await rows(task.id) == [
        ("task_due_second", "2026-12-01", "skipped"),  # 08:00 yesterday: too late now
        ("task_due_today", "2026-12-02", "skipped"),  # relevant until 20:00
    ]
    assert stats.skipped == 2
    # the day-before reminder of the meeting comes at 19:30 on the 2nd: still worth sending
    assert [k for k, _, s in await rows(meeting.id) if s == "sent"] == ["meeting_day_before"]


async def test_a_meeting_reminds_members_and_followers_and_not_once_cancelled(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    start = datetime(2026, 12, 3, 12, 30, tzinfo=UTC)  # 19:30 in Hà Nội
    meeting = await add_meeting(world, start)
    reminders = reminder_service(db, clock)
    clock.reset(start - timedelta(hours=24))
    assert (await reminders.run()).people == 3  # member, secretary, the leader following
    for person in (world.member_a, world.secretary_a, world.leader_1):
        assert await inbox(person.id) == ["Nhắc lịch sinh hoạt"]
    assert await inbox(world.secretary_b.id) == []

    meeting.status = MeetingStatus.CANCELLED
    await PiccoloMeetingRepository().save(meeting, attendance=False)
    clock.reset(start - timedelta(hours=2))
    stats = await reminders.run()
    assert (stats.sent, stats.dropped) == (0, 0)  # a cancelled meeting is not even swept
    assert [k for k, _, _ in await rows(meeting.id)] == ["meeting_day_before"]


async def test_a_moved_meeting_gets_reminders_for_its_new_time(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    start = datetime(2026, 12, 3, 12, 30, tzinfo=UTC)
    meeting = await add_meeting(world, start)
    reminders = reminder_service(db, clock)
    clock.reset(start - timedelta(hours=24))
    await reminders.run()
    meeting.planned_start += timedelta(days=1)
    meeting.planned_end += timedelta(days=1)
    await PiccoloMeetingRepository().save(meeting, attendance=False)
    clock.reset(meeting.planned_start - timedelta(hours=24))
    assert (await reminders.run()).sent == 1
    assert [s for _, _, s in await rows(meeting.id)] == ["sent", "sent"]


async def test_a_leader_who_chose_the_digest_gets_it_at_07_30_and_a_member_never(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    store = PiccoloNotificationStore()
    for person in (world.leader_1, world.member_a):
        await store.save_preferences(Preferences(person.id, daily_digest=True), START)
    await add_task(world, date(2026, 11, 30))  # overdue on 1 December, in ward 1
    await add_meeting(world, local_at(date(2026, 12, 1), 19, 30))
    reminders = reminder_service(db, clock)
    clock.reset(local_at(date(2026, 12, 1), 7, 29))
    await reminders.run()  # the meeting's day-before reminder (19:30 yesterday) comes now
    assert await digests(world.leader_1.id) == []
    clock.advance(timedelta(minutes=1))
    await reminders.run()
    assert await digests(world.leader_1.id) == [
        {
            "title": "Tóm tắt thứ Ba, 01/12/2026",
            "body": "1 thông báo chưa đọc. Hôm nay: 1 cuộc sinh hoạt, 0 cuộc kiểm tra;"
            " 1 việc quá hạn cần đôn đốc.",
        }
    ]
    assert await digests(world.member_a.id) == []  # not a leader: the row is dropped
    assert ("daily_digest", "2026-12-01", "dropped") in await rows(world.member_a.id)


async def digests(person: UUID) -> list[dict[str, str]]:
    return await NotificationTable.select(NotificationTable.title, NotificationTable.body).where(
        (NotificationTable.person == person) & (NotificationTable.category == "digest")
    )
