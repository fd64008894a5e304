"""One regular meeting per cell and month; re-planning the months ahead when the rule changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import uuid4

import pytest

from domain.meetings.model import MeetingKind, MeetingStatus, month_taken, regular_month
from domain.meetings.recurrence import MeetingRule, RuleKind, month_of, replanned
from tests.unit.meetings.test_model import make_meeting

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
FIRST_SUNDAY = MeetingRule(RuleKind.NTH_WEEKDAY, time(8, 0), 120, weekday=6, nth=1)


def test_the_month_is_the_local_one() -> None:
    new_years_eve = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)  # 1 January 01:00 in Hà Nội
    assert month_of(new_years_eve) == "2027-01"
    assert regular_month(MeetingKind.REGULAR, new_years_eve) == "2027-01"


@pytest.mark.parametrize("kind", [MeetingKind.THEMATIC, MeetingKind.EXTRAORDINARY])
def test_only_regular_meetings_hold_a_month(kind: MeetingKind) -> None:
    assert regular_month(kind, NOW) is None


def test_a_month_is_taken_by_another_live_regular_meeting() -> None:
    mine, other = uuid4(), uuid4()
    december = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    assert month_taken("2026-12", [(other, MeetingStatus.PLANNED, december)], mine)
    assert month_taken("2026-12", [(other, MeetingStatus.FINALIZED, december)], mine)
    assert not month_taken("2026-12", [(other, MeetingStatus.CANCELLED, december)], mine)
    assert not month_taken("2026-12", [(mine, MeetingStatus.PLANNED, december)], mine)
    assert not month_taken("2027-01", [(other, MeetingStatus.PLANNED, december)], mine)


def test_moving_a_regular_meeting_moves_its_month() -> None:
    meeting = make_meeting(occurrence="2026-12")
    start = datetime(2027, 1, 8, 12, 0, tzinfo=UTC)
    meeting.move(start, start + timedelta(hours=2), "Trùng lịch")
    assert meeting.occurrence == "2027-01"
    thematic = make_meeting(kind=MeetingKind.THEMATIC)
    thematic.move(start, start + timedelta(hours=2), "Trùng lịch")
    assert thematic.occurrence is None


def test_replanned_to_the_new_rules_day_of_the_same_month() -> None:
    assert replanned(FIRST_SUNDAY, "2026-12", NOW) == (
        datetime(2026, 12, 6, 1, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 3, 0, tzinfo=UTC),
    )


def test_not_replanned_into_the_past_or_onto_a_missing_day() -> None:
    assert replanned(FIRST_SUNDAY, "2026-11", NOW) is None  # 1 November has passed
    fifth_monday = MeetingRule(RuleKind.NTH_WEEKDAY, time(19, 30), 120, weekday=0, nth=5)
    assert replanned(fifth_monday, "2026-12", NOW) is None
    assert replanned(fifth_monday, "2027-03", NOW) is not None  # 29 March 2027
