"""A meeting's tally for lists: rows by attendance status, unmarked rows apart."""

from __future__ import annotations

from domain.meetings.model import AttendanceStatus, Tally


def test_the_tally_counts_rows_by_status() -> None:
    tally = Tally.of(
        {
            AttendanceStatus.PRESENT: 14,
            AttendanceStatus.EXCUSED: 2,
            AttendanceStatus.UNEXCUSED: 1,
            AttendanceStatus.EXEMPT: 3,
            None: 4,
        }
    )
    assert tally == Tally(present=14, excused=2, unexcused=1, elsewhere=0, exempt=3, unmarked=4)


def test_a_meeting_without_a_sheet_tallies_zero() -> None:
    assert Tally.of({}) == Tally()
    assert Tally().present == 0
