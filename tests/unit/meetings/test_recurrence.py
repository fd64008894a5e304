"""When a cell's regular meeting falls, and which occurrences planning produces (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.clock import LOCAL_TZ
from domain.errors import RuleViolationError
from domain.meetings.recurrence import (
    MeetingRule,
    RuleKind,
    months_ahead,
    planned_occurrences,
)

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def day_rule(day: int, at: time = time(19, 30), duration: int = 120) -> MeetingRule:
    return MeetingRule(RuleKind.DAY_OF_MONTH, at, duration, day=day)


def weekday_rule(weekday: int, nth: int, at: time = time(8, 0)) -> MeetingRule:
    return MeetingRule(RuleKind.NTH_WEEKDAY, at, 120, weekday=weekday, nth=nth)


def keys(occurrences: list[tuple[str, datetime, datetime]]) -> list[str]:
    return [key for key, _, _ in occurrences]


# -- the meeting day of a month ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 12, date(2026, 12, 31)),
        (2027, 2, date(2027, 2, 28)),
        (2028, 2, date(2028, 2, 29)),  # leap year
        (2027, 4, date(2027, 4, 30)),
        (2027, 6, date(2027, 6, 30)),
    ],
)
def test_day_31_falls_on_the_last_day_of_short_months(
    year: int, month: int, expected: date
) -> None:
    assert day_rule(31).day_in(year, month) == expected


def test_day_30_in_february_and_day_29_in_a_common_year() -> None:
    assert day_rule(30).day_in(2027, 2) == date(2027, 2, 28)
    assert day_rule(29).day_in(2027, 2) == date(2027, 2, 28)
    assert day_rule(29).day_in(2028, 2) == date(2028, 2, 29)


def test_an_ordinary_day_is_kept() -> None:
    assert day_rule(4).day_in(2027, 2) == date(2027, 2, 4)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 11, date(2026, 11, 1)),  # the month starts on a Sunday
        (2026, 12, date(2026, 12, 6)),
        (2027, 1, date(2027, 1, 3)),
        (2027, 2, date(2027, 2, 7)),
    ],
)
def test_first_sunday(year: int, month: int, expected: date) -> None:
    assert weekday_rule(6, 1).day_in(year, month) == expected


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 12, date(2026, 12, 25)),
        (2027, 1, date(2027, 1, 29)),
        (2027, 4, date(2027, 4, 30)),  # the last day of the month is the Friday
        (2028, 2, date(2028, 2, 25)),
    ],
)
def test_last_friday(year: int, month: int, expected: date) -> None:
    assert weekday_rule(4, -1).day_in(year, month) == expected


def test_a_fifth_weekday_the_month_lacks_gives_no_meeting() -> None:
    fifth_sunday = weekday_rule(6, 5)
    assert fifth_sunday.day_in(2027, 2) is None  # February 2027: four Sundays
    assert fifth_sunday.day_in(2027, 1) == date(2027, 1, 31)
    assert fifth_sunday.start_in(2027, 2) is None


def test_fifth_weekday_missing_months_are_skipped_when_planning() -> None:
    # 5th Sunday: none in Dec 2026 (4 Sundays), Jan 31 2027, none in Feb 2027
    planned = planned_occurrences(weekday_rule(6, 5), NOW, 3)
    assert keys(planned) == ["2026-11", "2027-01"]
    assert planned[0][1] == datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


def test_second_tuesday() -> None:
    assert weekday_rule(1, 2).day_in(2026, 12) == date(2026, 12, 8)


# -- time zone ---------------------------------------------------------------------------------


def test_local_evening_is_the_same_utc_day_seven_hours_earlier() -> None:
    start = day_rule(4).start_in(2026, 12)
    assert start is not None
    assert start.tzinfo == LOCAL_TZ
    assert start.astimezone(UTC) == datetime(2026, 12, 4, 12, 30, tzinfo=UTC)


def test_late_evening_stays_on_the_local_date_in_utc() -> None:
    start = day_rule(31, at=time(23, 30)).start_in(2026, 12)
    assert start is not None
    assert start.astimezone(UTC) == datetime(2026, 12, 31, 16, 30, tzinfo=UTC)


def test_early_morning_on_the_first_falls_on_the_previous_utc_day_and_month() -> None:
    planned = planned_occurrences(day_rule(1, at=time(6, 0)), NOW, 2)
    assert keys(planned) == ["2026-12", "2027-01"]
    _, start, end = planned[0]
    assert start == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # still November in UTC
    assert end == start + timedelta(minutes=120)
    assert planned[1][1] == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # 2026 in UTC, 2027 local


def test_planned_times_are_in_utc() -> None:
    planned = planned_occurrences(day_rule(4), NOW, 3)
    assert keys(planned) == ["2026-12", "2027-01", "2027-02"]
    assert [start for _, start, _ in planned] == [
        datetime(2026, 12, 4, 12, 30, tzinfo=UTC),
        datetime(2027, 1, 4, 12, 30, tzinfo=UTC),
        datetime(2027, 2, 4, 12, 30, tzinfo=UTC),
    ]
    assert all(end - start == timedelta(minutes=120) for _, start, end in planned)
    assert all(start.utcoffset() == timedelta(0) for _, start, _ in planned)


def test_the_local_month_decides_when_utc_is_still_in_the_old_year() -> None:
    # 2026-12-31 18:00 UTC is already 01:00 on 1 January 2027 in Hà Nội
    now = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)
    planned = planned_occurrences(day_rule(4), now, 2)
    assert keys(planned) == ["2027-01", "2027-02", "2027-03"]


# -- planning ----------------------------------------------------------------------------------


def test_this_months_occurrence_is_planned_while_still_ahead() -> None:
    planned = planned_occurrences(day_rule(28), NOW, 3)
    assert keys(planned) == ["2026-11", "2026-12", "2027-01", "2027-02"]


def test_this_months_occurrence_is_skipped_once_past() -> None:
    assert keys(planned_occurrences(day_rule(26), NOW, 3)) == ["2026-12", "2027-01", "2027-02"]


def test_today_counts_by_the_hour() -> None:
    # NOW is 09:00 local on the 27th: 08:00 is past, 09:30 is ahead, 09:00 itself is not planned
    assert keys(planned_occurrences(day_rule(27, at=time(8, 0)), NOW, 1)) == ["2026-12"]
    assert keys(planned_occurrences(day_rule(27, at=time(9, 30)), NOW, 1)) == [
        "2026-11",
        "2026-12",
    ]
    assert keys(planned_occurrences(day_rule(27, at=time(9, 0)), NOW, 1)) == ["2026-12"]


def test_planning_across_the_year_end() -> None:
    now = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
    assert keys(planned_occurrences(day_rule(31), now, 3)) == [
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
    ]
    ends = [
        start.astimezone(LOCAL_TZ).date()
        for _, start, _ in planned_occurrences(day_rule(31), now, 3)
    ]
    assert ends == [date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]


def test_tet_length_gap_plans_the_right_months_and_replanning_adds_nothing() -> None:
    """Planned in mid-January, then nothing ran through Tết for a month: the next run plans only
    months still ahead (not the skipped February meeting), and the months already planned
    come out with the same keys and times, so the unique occurrence in the table skips them."""
    rule = day_rule(4)
    before = planned_occurrences(rule, datetime(2027, 1, 15, 2, 0, tzinfo=UTC), 3)
    assert keys(before) == ["2027-02", "2027-03", "2027-04"]
    after_gap = planned_occurrences(rule, datetime(2027, 2, 20, 2, 0, tzinfo=UTC), 3)
    assert keys(after_gap) == ["2027-03", "2027-04", "2027-05"]
    new = set(after_gap) - set(before)
    assert keys(sorted(new)) == ["2027-05"]
    again = planned_occurrences(rule, datetime(2027, 2, 20, 2, 0, tzinfo=UTC), 3)
    assert again == after_gap


def test_a_longer_gap_still_plans_nothing_in_the_past() -> None:
    now = datetime(2027, 6, 10, 2, 0, tzinfo=UTC)
    planned = planned_occurrences(day_rule(4), now, 3)
    assert keys(planned) == ["2027-07", "2027-08", "2027-09"]
    assert all(start > now for _, start, _ in planned)


def test_months_ahead_wraps_the_year() -> None:
    assert months_ahead(date(2026, 11, 27), 4) == [(2026, 11), (2026, 12), (2027, 1), (2027, 2)]


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        MeetingRule(RuleKind.DAY_OF_MONTH, time(19, 30), 120),
        MeetingRule(RuleKind.DAY_OF_MONTH, time(19, 30), 120, day=0),
        MeetingRule(RuleKind.DAY_OF_MONTH, time(19, 30), 120, day=32),
        MeetingRule(RuleKind.NTH_WEEKDAY, time(8, 0), 120, nth=1),
        MeetingRule(RuleKind.NTH_WEEKDAY, time(8, 0), 120, weekday=6),
        MeetingRule(RuleKind.NTH_WEEKDAY, time(8, 0), 120, weekday=7, nth=1),
        MeetingRule(RuleKind.NTH_WEEKDAY, time(8, 0), 120, weekday=6, nth=0),
        MeetingRule(RuleKind.NTH_WEEKDAY, time(8, 0), 120, weekday=6, nth=6),
        MeetingRule(RuleKind.NTH_WEEKDAY, time(8, 0), 120, weekday=6, nth=-2),
        MeetingRule(RuleKind.DAY_OF_MONTH, time(19, 30), 29, day=4),
        MeetingRule(RuleKind.DAY_OF_MONTH, time(19, 30), 601, day=4),
    ],
)
def test_invalid_rules_are_refused(rule: MeetingRule) -> None:
    with pytest.raises(RuleViolationError) as error:
        rule.check()
    assert error.value.code == "meeting_rule_invalid"


@pytest.mark.parametrize(
    "rule",
    [day_rule(1, duration=30), day_rule(31, duration=600), weekday_rule(0, -1), weekday_rule(6, 5)],
)
def test_valid_rules_pass(rule: MeetingRule) -> None:
    rule.check()
