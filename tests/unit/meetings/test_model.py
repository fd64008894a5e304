"""The meeting's rules: counts and quorum, finalisation, flags, absence streaks, state machine."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.errors import ConflictError, RuleViolationError
from domain.meetings.model import (
    AgendaItem,
    AgendaKind,
    AttendanceRow,
    AttendanceStatus,
    Flag,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingPolicy,
    MeetingStatus,
    Resolution,
    attendance_sheet,
    counts,
    review_flags,
    unexcused_months,
)
from domain.org.model import MembershipKind

POLICY = MeetingPolicy()
START = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)  # 19:30 in Hà Nội
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
PRESENT = AttendanceStatus.PRESENT
FULL = MembershipKind.FULL
PROBATIONARY = MembershipKind.PROBATIONARY


def make_row(
    status: AttendanceStatus | None = None,
    kind: MembershipKind = FULL,
    reason: str | None = None,
    name: str = "Nguyễn Văn A",
) -> AttendanceRow:
    return AttendanceRow(uuid4(), name, kind, status, reason)


def make_meeting(**overrides: Any) -> Meeting:
    values: dict[str, Any] = {
        "id": uuid4(),
        "cell_id": uuid4(),
        "cell_path": "a.b.c.",
        "kind": MeetingKind.REGULAR,
        "status": MeetingStatus.PLANNED,
        "planned_start": START,
        "planned_end": START + timedelta(minutes=120),
        "created_at": START - timedelta(days=10),
        "updated_at": START - timedelta(days=10),
    }
    values.update(overrides)
    return Meeting(**values)


def make_logged(rows: list[AttendanceRow] | None = None, **overrides: Any) -> Meeting:
    """A held meeting whose record is complete and quorate."""
    rows = rows if rows is not None else [make_row(PRESENT), make_row(PRESENT)]
    values: dict[str, Any] = {
        "status": MeetingStatus.HELD,
        "actual_start": START,
        "actual_end": START + timedelta(minutes=120),
        "chair_id": rows[0].person_id,
        "minute_taker_id": rows[-1].person_id,
        "minutes_text": "Chi bộ thảo luận và thống nhất.",
        "attendance": rows,
        "logged_at": NOW,
        "notice_published_at": START - timedelta(days=3),
    }
    values.update(overrides)
    return make_meeting(**values)


def log(meeting: Meeting, **overrides: Any) -> None:
    chair = meeting.attendance[0].person_id if meeting.attendance else None
    values: dict[str, Any] = {
        "actual_start": START,
        "actual_end": START + timedelta(minutes=120),
        "chair_id": chair,
        "minute_taker_id": chair,
        "minutes_text": "Biên bản",
        "resolutions": [],
        "at": NOW,
    }
    values.update(overrides)
    meeting.log(**values)


# -- counts and quorum -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "present", "met"),
    [(1, 1, True), (2, 1, False), (2, 2, True), (3, 2, True), (4, 2, False), (4, 3, True)],
)
def test_quorum_is_more_than_half_of_full_members(full: int, present: int, met: bool) -> None:
    rows = [make_row(PRESENT)] * present + [make_row(AttendanceStatus.UNEXCUSED)] * (full - present)
    assert counts(rows, POLICY).quorum_met is met


def test_probationary_members_present_do_not_make_quorum() -> None:
    rows = [
        make_row(PRESENT),
        make_row(AttendanceStatus.EXCUSED, reason="ốm"),
        make_row(PRESENT, PROBATIONARY),
        make_row(PRESENT, PROBATIONARY),
    ]
    c = counts(rows, POLICY)
    assert (c.full, c.probationary, c.present, c.present_full) == (2, 2, 3, 1)
    assert c.quorum_met is False


def test_exempt_members_are_excluded_from_the_count() -> None:
    rows = [
        make_row(PRESENT),
        make_row(PRESENT),
        make_row(AttendanceStatus.UNEXCUSED),
        make_row(AttendanceStatus.EXEMPT),
        make_row(AttendanceStatus.EXEMPT),
    ]
    c = counts(rows, POLICY)
    assert (c.members, c.full, c.exempt, c.present) == (5, 3, 2, 2)
    assert c.quorum_met is True  # 2 of 3; with the exempt counted it would be 2 of 5


def test_no_full_members_means_no_quorum() -> None:
    assert counts([], POLICY).quorum_met is False
    only_probationary = [make_row(PRESENT, PROBATIONARY), make_row(PRESENT, PROBATIONARY)]
    assert counts(only_probationary, POLICY).quorum_met is False
    only_exempt = [make_row(AttendanceStatus.EXEMPT)]
    assert counts(only_exempt, POLICY).quorum_met is False


def test_quorum_ratio_is_configuration() -> None:
    rows = [make_row(PRESENT)] * 2 + [make_row(AttendanceStatus.UNEXCUSED)]
    assert counts(rows, POLICY).quorum_met is True
    assert counts(rows, replace(POLICY, quorum_ratio=2 / 3)).quorum_met is False


def test_counts_by_status() -> None:
    rows = [
        make_row(PRESENT),
        make_row(AttendanceStatus.EXCUSED, reason="công tác"),
        make_row(AttendanceStatus.EXCUSED, PROBATIONARY, reason="ốm"),
        make_row(AttendanceStatus.UNEXCUSED),
        make_row(AttendanceStatus.ELSEWHERE),
        make_row(None),
        make_row(AttendanceStatus.EXEMPT),
    ]
    c = counts(rows, POLICY)
    assert c.members == 7
    assert (c.full, c.probationary, c.exempt) == (5, 1, 1)
    assert (c.present, c.excused, c.unexcused, c.elsewhere) == (1, 2, 1, 1)
    assert c.quorum_met is False


def test_attendance_sheet_lists_exempt_apart_and_sorts_by_name() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    sheet = attendance_sheet(
        [
            (a, "Trần Văn C", FULL, False),
            (b, "Lê Thị A", PROBATIONARY, False),
            (c, "Mai B", FULL, True),
        ]
    )
    assert [r.person_id for r in sheet] == [b, c, a]
    assert [r.status for r in sheet] == [None, AttendanceStatus.EXEMPT, None]
    assert sheet[1].exempt


# -- finalisation ------------------------------------------------------------------------------


def test_a_complete_record_finalises() -> None:
    meeting = make_logged()
    assert meeting.missing_for_final(POLICY) == []
    meeting.finalize(POLICY, NOW)
    assert meeting.status is MeetingStatus.FINALIZED
    assert meeting.finalized_at == NOW


def test_an_empty_record_lists_everything_missing_in_order() -> None:
    unmarked = make_row(None)
    excused = make_row(AttendanceStatus.EXCUSED)
    meeting = make_meeting(attendance=[unmarked, excused, make_row(AttendanceStatus.EXEMPT)])
    assert meeting.missing_for_final(POLICY) == [
        "actual_times",
        "chair",
        "minute_taker",
        "minutes_text",
        f"attendance:{unmarked.person_id}",
        f"absence_reason:{excused.person_id}",
        "quorum",
    ]


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"actual_start": None}, "actual_times"),
        ({"actual_end": None}, "actual_times"),
        ({"chair_id": None}, "chair"),
        ({"minute_taker_id": None}, "minute_taker"),
        ({"minutes_text": None}, "minutes_text"),
        ({"minutes_text": ""}, "minutes_text"),
    ],
)
def test_each_missing_item_is_listed_alone(overrides: dict[str, Any], missing: str) -> None:
    meeting = make_logged(**overrides)
    assert meeting.missing_for_final(POLICY) == [missing]
    with pytest.raises(ConflictError) as error:
        meeting.finalize(POLICY, NOW)
    assert error.value.code == "minutes_incomplete"
    assert error.value.detail["missing"] == [missing]
    assert meeting.status is MeetingStatus.HELD


def test_an_unmarked_member_is_missing() -> None:
    rows = [make_row(PRESENT), make_row(PRESENT), make_row(None)]
    assert make_logged(rows).missing_for_final(POLICY) == [f"attendance:{rows[2].person_id}"]


def test_an_excused_absence_needs_its_reason_an_unexcused_does_not() -> None:
    rows = [make_row(PRESENT), make_row(PRESENT), make_row(AttendanceStatus.EXCUSED)]
    assert make_logged(rows).missing_for_final(POLICY) == [f"absence_reason:{rows[2].person_id}"]
    rows[2].reason = "Đi viện"
    assert make_logged(rows).missing_for_final(POLICY) == []
    rows[2].status, rows[2].reason = AttendanceStatus.UNEXCUSED, None
    assert make_logged(rows).missing_for_final(POLICY) == []


def test_exempt_members_need_no_row_marked() -> None:
    rows = [make_row(PRESENT), make_row(AttendanceStatus.EXEMPT)]
    assert make_logged(rows).missing_for_final(POLICY) == []


def test_without_quorum_the_minutes_cannot_be_finalised() -> None:
    rows = [make_row(PRESENT), make_row(AttendanceStatus.UNEXCUSED)]
    meeting = make_logged(rows)
    assert meeting.missing_for_final(POLICY) == ["quorum"]


# -- flags -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "combined", "short"),
    [(89, False, True), (90, False, False), (119, True, True), (120, True, False)],
)
def test_short_meeting(minutes: int, combined: bool, short: bool) -> None:
    meeting = make_logged(actual_end=START + timedelta(minutes=minutes), combined_thematic=combined)
    assert (Flag.SHORT_MEETING in meeting.flags(POLICY, NOW)) is short


def test_short_meeting_needs_the_record() -> None:
    assert Flag.SHORT_MEETING not in make_meeting().flags(POLICY, NOW)


@pytest.mark.parametrize(
    ("notice_before", "late"),
    [
        (None, True),
        (timedelta(hours=23, minutes=59), True),
        (timedelta(hours=24), False),
        (timedelta(days=5), False),
        (-timedelta(hours=1), True),  # published after the start
    ],
)
def test_late_notice(notice_before: timedelta | None, late: bool) -> None:
    published = START - notice_before if notice_before is not None else None
    meeting = make_meeting(notice_published_at=published)
    assert (Flag.LATE_NOTICE in meeting.flags(POLICY, NOW)) is late


@pytest.mark.parametrize(
    ("before_start", "late"),
    [
        (timedelta(days=90), False),  # months away: nobody is late yet
        (timedelta(hours=24), False),  # the last moment a notice is in time
        (timedelta(hours=23, minutes=59), True),
        (-timedelta(hours=1), True),
    ],
)
def test_without_a_notice_it_is_late_only_once_the_window_has_passed(
    before_start: timedelta, late: bool
) -> None:
    meeting = make_meeting(notice_published_at=None)
    assert (Flag.LATE_NOTICE in meeting.flags(POLICY, START - before_start)) is late


def test_a_cancelled_meeting_without_notice_is_not_late() -> None:
    meeting = make_meeting(status=MeetingStatus.CANCELLED)
    assert Flag.LATE_NOTICE not in meeting.flags(POLICY, START)


@pytest.mark.parametrize(
    ("after_end", "late"),
    [
        (timedelta(minutes=5), False),
        (timedelta(days=2), False),
        (timedelta(days=2, minutes=1), True),
        (timedelta(days=10), True),
    ],
)
def test_logged_late(after_end: timedelta, late: bool) -> None:
    end = START + timedelta(minutes=120)
    meeting = make_logged(logged_at=end + after_end)
    assert (Flag.LOGGED_LATE in meeting.flags(POLICY, NOW)) is late


def test_a_good_meeting_has_no_flags() -> None:
    assert make_logged().flags(POLICY, NOW) == []


def test_flag_thresholds_are_configuration() -> None:
    meeting = make_logged(actual_end=START + timedelta(minutes=100))
    assert meeting.flags(POLICY, NOW) == []
    assert meeting.flags(replace(POLICY, min_minutes=105), NOW) == [Flag.SHORT_MEETING]


# -- the absence streak ------------------------------------------------------------------------


def at_local(year: int, month: int, day: int, hour: int = 19) -> datetime:
    return datetime(year, month, day, hour - 7, 30, tzinfo=UTC)


def test_unexcused_absences_in_three_months_of_a_year_flag_review() -> None:
    person = uuid4()
    absences = [(person, at_local(2026, m, 4)) for m in (2, 6, 11)]
    assert review_flags(absences, 2026, POLICY) == {person}


def test_two_absences_in_one_month_count_once() -> None:
    person = uuid4()
    absences = [
        (person, at_local(2026, 3, 4)),
        (person, at_local(2026, 3, 20)),
        (person, at_local(2026, 5, 4)),
    ]
    assert unexcused_months(absences, 2026) == {person: {3, 5}}
    assert review_flags(absences, 2026, POLICY) == set()


def test_months_of_another_year_do_not_count() -> None:
    person = uuid4()
    absences = [
        (person, at_local(2025, 11, 4)),
        (person, at_local(2025, 12, 4)),
        (person, at_local(2026, 1, 4)),
    ]
    assert review_flags(absences, 2025, POLICY) == set()
    assert review_flags(absences, 2026, POLICY) == set()


def test_new_years_eve_in_utc_is_january_in_hanoi() -> None:
    person = uuid4()
    new_year = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)  # 06:00 on 1 January 2026 local
    absences = [(person, new_year), (person, at_local(2026, 2, 4)), (person, at_local(2026, 3, 4))]
    assert unexcused_months(absences, 2026) == {person: {1, 2, 3}}
    assert review_flags(absences, 2026, POLICY) == {person}
    assert review_flags(absences, 2025, POLICY) == set()


def test_only_the_members_over_the_threshold_are_flagged() -> None:
    flagged, spared = uuid4(), uuid4()
    absences = [(flagged, at_local(2026, m, 4)) for m in (1, 2, 3, 4)]
    absences += [(spared, at_local(2026, m, 4)) for m in (1, 2)]
    assert review_flags(absences, 2026, POLICY) == {flagged}
    assert review_flags(absences, 2026, replace(POLICY, unexcused_months_flag=2)) == {
        flagged,
        spared,
    }


# -- state machine -----------------------------------------------------------------------------


def test_move_a_planned_meeting() -> None:
    meeting = make_meeting()
    new_start = START + timedelta(days=1)
    meeting.move(new_start, new_start + timedelta(hours=2), "Trùng lịch")
    assert (meeting.planned_start, meeting.move_reason) == (new_start, "Trùng lịch")
    assert meeting.status is MeetingStatus.PLANNED


def test_cancel_a_planned_meeting() -> None:
    meeting = make_meeting()
    meeting.cancel("Bão")
    assert (meeting.status, meeting.cancel_reason) == (MeetingStatus.CANCELLED, "Bão")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (START, START),
        (START, START - timedelta(minutes=1)),
        (START, START + timedelta(hours=12, minutes=1)),
    ],
)
def test_move_into_an_invalid_window_is_refused(start: datetime, end: datetime) -> None:
    meeting = make_meeting()
    with pytest.raises(RuleViolationError) as error:
        meeting.move(start, end, "x")
    assert error.value.code == "meeting_window_invalid"
    assert meeting.planned_start == START
    assert meeting.move_reason is None


def test_a_held_meeting_cannot_be_moved_or_cancelled() -> None:
    meeting = make_logged()
    with pytest.raises(ConflictError) as moved:
        meeting.move(START, START + timedelta(hours=2), "x")
    with pytest.raises(ConflictError) as cancelled:
        meeting.cancel("x")
    assert moved.value.code == cancelled.value.code == "meeting_already_held"
    assert meeting.status is MeetingStatus.HELD


def _every_change(meeting: Meeting) -> list[tuple[str, Any]]:
    person = meeting.attendance[0].person_id if meeting.attendance else uuid4()
    agenda = [AgendaItem("Báo cáo", AgendaKind.REPORT, 30)]
    return [
        ("move", lambda: meeting.move(START, START + timedelta(hours=2), "x")),
        ("cancel", lambda: meeting.cancel("x")),
        ("notice", lambda: meeting.publish_notice(agenda, NOW)),
        ("log", lambda: log(meeting)),
        ("mark", lambda: meeting.mark(person, PRESENT, None, NOW)),
        ("finalize", lambda: meeting.finalize(POLICY, NOW)),
    ]


@pytest.mark.parametrize("index", range(6))
def test_nothing_changes_after_finalisation(index: int) -> None:
    meeting = make_logged()
    meeting.finalize(POLICY, NOW)
    name, change = _every_change(meeting)[index]
    with pytest.raises(ConflictError) as error:
        change()
    assert error.value.code == "meeting_finalized", name
    assert meeting.status is MeetingStatus.FINALIZED


@pytest.mark.parametrize("index", range(6))
def test_nothing_changes_after_cancellation(index: int) -> None:
    meeting = make_meeting(attendance=[make_row(None)])
    meeting.cancel("Bão")
    name, change = _every_change(meeting)[index]
    with pytest.raises(ConflictError) as error:
        change()
    assert error.value.code == "meeting_cancelled", name
    assert meeting.status is MeetingStatus.CANCELLED
    assert meeting.attendance[0].status is None


def test_notice_needs_an_agenda() -> None:
    meeting = make_meeting()
    with pytest.raises(RuleViolationError) as error:
        meeting.publish_notice([], NOW)
    assert error.value.code == "agenda_required"
    assert meeting.notice_published_at is None


def test_publishing_the_notice_records_the_time() -> None:
    meeting = make_meeting()
    agenda = [AgendaItem("Nghị quyết", AgendaKind.VOTE, 20, "Bí thư")]
    meeting.publish_notice(agenda, NOW)
    assert (meeting.agenda, meeting.notice_published_at) == (agenda, NOW)


def test_logging_holds_the_meeting() -> None:
    meeting = make_meeting(attendance=[make_row(PRESENT)])
    log(meeting)
    assert meeting.status is MeetingStatus.HELD
    assert meeting.logged_at == NOW
    log(meeting, at=NOW + timedelta(days=1), minutes_text="Sửa")
    assert meeting.logged_at == NOW  # the first logging time stays
    assert meeting.minutes_text == "Sửa"


def test_logging_a_meeting_that_has_not_started_is_refused() -> None:
    meeting = make_meeting(attendance=[make_row(PRESENT)])
    with pytest.raises(RuleViolationError) as error:
        log(meeting, actual_start=NOW + timedelta(minutes=1), actual_end=NOW + timedelta(hours=2))
    assert error.value.code == "meeting_in_future"
    assert meeting.status is MeetingStatus.PLANNED


def test_logging_with_end_before_start_is_refused() -> None:
    meeting = make_meeting(attendance=[make_row(PRESENT)])
    with pytest.raises(RuleViolationError) as error:
        log(meeting, actual_end=START - timedelta(minutes=1))
    assert error.value.code == "meeting_window_invalid"
    assert meeting.actual_start is None


@pytest.mark.parametrize("field", ["chair_id", "minute_taker_id"])
def test_chair_and_minute_taker_must_be_on_the_sheet(field: str) -> None:
    meeting = make_meeting(attendance=[make_row(PRESENT)])
    with pytest.raises(RuleViolationError) as error:
        log(meeting, **{field: uuid4()})
    assert error.value.code == "chair_or_taker_not_member"
    assert meeting.chair_id is None
    assert meeting.status is MeetingStatus.PLANNED


def test_mark_attendance() -> None:
    row = make_row(None)
    meeting = make_meeting(attendance=[row])
    meeting.mark(row.person_id, PRESENT, None, NOW)
    assert (row.status, row.checked_in_at) == (PRESENT, NOW)
    meeting.mark(row.person_id, PRESENT, None, NOW + timedelta(minutes=5))
    assert row.checked_in_at == NOW  # the first check-in stays
    meeting.mark(row.person_id, AttendanceStatus.EXCUSED, "Ốm", None)
    assert (row.status, row.reason) == (AttendanceStatus.EXCUSED, "Ốm")


def _refused_mark(meeting: Meeting, person: UUID, status: AttendanceStatus) -> str:
    with pytest.raises(RuleViolationError) as error:
        meeting.mark(person, status, None, NOW)
    return error.value.code


def test_marking_someone_not_on_the_sheet_is_refused() -> None:
    meeting = make_meeting(attendance=[make_row(None)])
    assert _refused_mark(meeting, uuid4(), PRESENT) == "not_on_attendance_sheet"


def test_an_exempt_member_cannot_be_marked() -> None:
    exempt = make_row(AttendanceStatus.EXEMPT)
    meeting = make_meeting(attendance=[exempt])
    assert _refused_mark(meeting, exempt.person_id, PRESENT) == "member_exempt"
    assert exempt.status is AttendanceStatus.EXEMPT


def test_nobody_is_marked_exempt_by_hand() -> None:
    row = make_row(None)
    meeting = make_meeting(attendance=[row])
    assert _refused_mark(meeting, row.person_id, AttendanceStatus.EXEMPT) == "exempt_is_from_roster"
    assert row.status is None


def test_a_leader_visit_counts_only_when_confirmed_both_ways() -> None:
    visit = LeaderVisit(uuid4(), uuid4())
    assert not visit.counted
    visit.leader_confirmed_at = NOW
    assert not visit.counted
    visit.leader_confirmed_at, visit.secretary_confirmed_at = None, NOW
    assert not visit.counted
    visit.leader_confirmed_at = NOW
    assert visit.counted


# -- votes -------------------------------------------------------------------------------------


def voting_sheet(full_present: int, probationary_present: int = 0) -> list[AttendanceRow]:
    return [
        *(make_row(PRESENT) for _ in range(full_present)),
        *(make_row(PRESENT, PROBATIONARY) for _ in range(probationary_present)),
        make_row(AttendanceStatus.EXCUSED, reason="Ốm"),
        make_row(AttendanceStatus.EXEMPT),
    ]


@pytest.mark.parametrize(
    ("votes", "allowed"),
    [
        ((14, 0, 0), True),
        ((10, 3, 1), True),
        ((15, 0, 0), False),
        ((17, 0, 0), False),  # the reported case: 17 for with 14 full members present
        ((12, 2, 1), False),
    ],
)
def test_votes_add_up_to_at_most_the_full_members_present(
    votes: tuple[int, int, int], allowed: bool
) -> None:
    meeting = make_meeting(attendance=voting_sheet(14, probationary_present=3))
    resolution = Resolution("Nghị quyết tháng 12", *votes)
    if allowed:
        log(meeting, resolutions=[resolution])
        assert meeting.resolutions == [resolution]
    else:
        with pytest.raises(RuleViolationError) as refused:
            log(meeting, resolutions=[resolution])
        assert refused.value.code == "votes_exceed_voters"
        assert refused.value.detail["voters"] == 14
        assert meeting.status is MeetingStatus.PLANNED


def test_probationary_members_do_not_vote() -> None:
    meeting = make_meeting(attendance=voting_sheet(2, probationary_present=5))
    with pytest.raises(RuleViolationError):
        log(meeting, resolutions=[Resolution("Nghị quyết", 3)])


def test_every_resolution_is_checked() -> None:
    meeting = make_meeting(attendance=voting_sheet(3))
    with pytest.raises(RuleViolationError) as refused:
        log(meeting, resolutions=[Resolution("Một", 3), Resolution("Hai", 2, 2)])
    assert [field for field, _ in refused.value.detail["errors"]] == ["resolutions[1]"]  # type: ignore[attr-defined]


def test_an_amendment_cannot_add_votes_beyond_the_voters() -> None:
    meeting = make_logged(voting_sheet(2))
    with pytest.raises(RuleViolationError):
        meeting.amend_resolutions([Resolution("Nghị quyết", 3)])
    meeting.amend_resolutions([Resolution("Nghị quyết", 2)])
    assert meeting.resolutions[0].votes_for == 2


def test_votes_made_too_many_by_a_later_absence_stop_finalisation() -> None:
    rows = voting_sheet(4)
    meeting = make_logged(rows, resolutions=[Resolution("Nghị quyết", 4)])
    assert meeting.missing_for_final(POLICY) == []
    meeting.mark(rows[2].person_id, AttendanceStatus.UNEXCUSED, None, None)
    assert meeting.missing_for_final(POLICY) == ["votes:0"]


def test_a_logs_marks_go_to_each_persons_row_and_a_stranger_is_refused() -> None:
    rows = [make_row(None), make_row(None, name="Trần Thị B")]
    meeting = make_meeting(attendance=rows)
    excused = AttendanceStatus.EXCUSED
    meeting.mark_all([(rows[1].person_id, excused, "Ốm"), (rows[0].person_id, PRESENT, None)])
    assert [(r.status, r.reason, r.checked_in_at) for r in meeting.attendance] == [
        (PRESENT, None, None),
        (excused, "Ốm", None),
    ]
    with pytest.raises(RuleViolationError) as error:
        meeting.mark_all([(uuid4(), PRESENT, None)])
    assert error.value.code == "not_on_attendance_sheet"
