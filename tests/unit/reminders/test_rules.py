"""Reminder rules without I/O: which sweeps run for a stretch of time, when each kind fires and
goes stale, and what the delivery step decides from a subject as it is now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.clock import local_at
from domain.inspections.model import InspectionKind, InspectionStatus
from domain.meetings.model import MeetingStatus
from domain.reminders.model import (
    ReminderKind,
    ReminderPolicy,
    day_occurrences,
    fire_window,
    moment_occurrence,
    plan_sweeps,
)
from domain.reminders.ports import Due, InspectionFacts, MeetingFacts, TaskFacts
from domain.reminders.service import inspection_notice, meeting_notice, task_notice
from domain.tasks.model import TaskStatus

K = ReminderKind
POLICY = ReminderPolicy()
START = datetime(2026, 12, 3, 12, 30, tzinfo=UTC)  # 19:30 on Thursday 3 December in Hà Nội


def test_day_occurrences_are_the_local_days_whose_hour_falls_in_the_window() -> None:
    since, now = local_at(date(2026, 12, 1), 7, 59), local_at(date(2026, 12, 2), 8, 0)
    assert day_occurrences(since, now, 8) == [date(2026, 12, 1), date(2026, 12, 2)]
    assert day_occurrences(now, now + timedelta(hours=1), 8) == []


def test_a_sweep_at_8_plans_each_task_kind_for_that_day_and_moment_kinds_always() -> None:
    now = local_at(date(2026, 12, 1), 8, 0)
    sweeps = plan_sweeps(POLICY, now - timedelta(minutes=1), now)
    by_kind = {s.kind: s for s in sweeps}
    assert by_kind[K.TASK_DUE_FIRST].params == {"due_on": date(2026, 12, 8)}
    assert by_kind[K.TASK_OVERDUE].params == {"due_before": date(2026, 12, 1)}
    assert by_kind[K.TASK_DUE_TODAY].occurrence == "2026-12-01"
    assert by_kind[K.MEETING_SOON].params == {
        "after": now - timedelta(minutes=1) + timedelta(hours=2),
        "until": now + timedelta(hours=2),
    }
    # the minutes nag of 1 December is about meetings of 30 November (local day)
    assert by_kind[K.MINUTES_FIRST_NAG].params == {
        "after": local_at(date(2026, 11, 30), 0),
        "until": local_at(date(2026, 12, 1), 0),
    }
    assert K.DAILY_DIGEST not in by_kind  # 07:30 was before the window


def test_fire_windows_keep_a_reminder_only_while_it_is_of_use() -> None:
    occurrence = moment_occurrence(START)
    assert fire_window(K.MEETING_DAY_BEFORE, occurrence, POLICY) == (
        START - timedelta(hours=24),
        START - timedelta(hours=2),  # once the 2-hour one is due, the day-before is moot
    )
    assert fire_window(K.MEETING_SOON, occurrence, POLICY) == (START - timedelta(hours=2), START)
    fires, stale = fire_window(K.TASK_OVERDUE, "2026-12-03", POLICY)
    assert (fires, stale) == (local_at(date(2026, 12, 3), 8), local_at(date(2026, 12, 3), 20))
    assert fire_window(K.DAILY_DIGEST, "2026-12-03", POLICY)[0] == local_at(
        date(2026, 12, 3), 7, 30
    )


def test_bad_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="DAY_HOUR"):
        ReminderPolicy(day_hour=24)
    with pytest.raises(ValueError, match="DIGEST_MINUTE"):
        ReminderPolicy(digest_minute=60)


def meeting(status: MeetingStatus = MeetingStatus.PLANNED, start: datetime = START) -> MeetingFacts:
    return MeetingFacts(uuid4(), "Chi bộ 1", status, start, (uuid4(), uuid4()), (uuid4(),))


def test_a_meeting_reminder_goes_to_the_audience_until_the_start_and_not_once_moved() -> None:
    facts = meeting()
    due = Due(1, K.MEETING_SOON, facts.id, moment_occurrence(START))
    notice = meeting_notice(due, facts)
    assert notice is not None
    assert (notice.person_ids, notice.until) == (facts.audience, START)
    assert meeting_notice(due, meeting(start=START + timedelta(hours=1))) is None
    assert meeting_notice(due, meeting(MeetingStatus.CANCELLED)) is None


def test_the_minutes_nag_goes_to_the_secretaries_until_the_minutes_are_final() -> None:
    facts = meeting(MeetingStatus.HELD)
    due = Due(1, K.MINUTES_FIRST_NAG, facts.id, "2026-12-04")
    notice = meeting_notice(due, facts)
    assert notice is not None
    assert notice.person_ids == facts.secretaries
    assert meeting_notice(due, meeting(MeetingStatus.FINALIZED)) is None


def inspection(kind: InspectionKind, checked_in: datetime | None = None) -> InspectionFacts:
    team, heads = (uuid4(), uuid4()), (uuid4(),)
    return InspectionFacts(
        uuid4(), "Chi bộ 1", kind, InspectionStatus.PLANNED, START, START + timedelta(hours=8),
        checked_in, team, heads,
    )  # fmt: skip


def test_a_surprise_inspection_is_revealed_to_the_unit_at_its_start_only_once() -> None:
    surprise = inspection(InspectionKind.SURPRISE)
    reveal = Due(1, K.INSPECTION_REVEAL, surprise.id, moment_occurrence(START))
    notice = inspection_notice(reveal, surprise)
    assert notice is not None
    assert notice.person_ids == surprise.heads
    early = inspection(InspectionKind.SURPRISE, checked_in=START - timedelta(minutes=30))
    assert inspection_notice(reveal, early) is None  # the check-in already told them
    assert inspection_notice(reveal, inspection(InspectionKind.PERIODIC)) is None
    day_before = Due(2, K.INSPECTION_DAY_BEFORE, surprise.id, moment_occurrence(START))
    told = inspection_notice(day_before, surprise)
    assert told is not None
    assert told.person_ids == surprise.team  # the team, never the unit


def test_task_reminders_follow_the_current_due_date_and_stop_when_done() -> None:
    task = TaskFacts(uuid4(), "Sửa mái", uuid4(), TaskStatus.OPEN, date(2026, 12, 8))
    first = Due(1, K.TASK_DUE_FIRST, task.id, "2026-12-01")
    notice = task_notice(first, task, POLICY)
    assert notice is not None
    assert notice.person_ids == (task.assignee,)
    moved = TaskFacts(task.id, task.title, task.assignee, TaskStatus.OPEN, date(2026, 12, 9))
    assert task_notice(first, moved, POLICY) is None
    submitted = TaskFacts(task.id, task.title, task.assignee, TaskStatus.SUBMITTED, task.due_on)
    assert task_notice(first, submitted, POLICY) is None
    assert task_notice(Due(2, K.TASK_OVERDUE, task.id, "2026-12-09"), task, POLICY) is not None
    assert task_notice(Due(3, K.TASK_OVERDUE, task.id, "2026-12-08"), task, POLICY) is None
