"""The register's terms and symbols and what a document needs from the record (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.documents.model import (
    Discussion,
    DocumentKind,
    DocumentPolicy,
    ItemDiscussion,
    Opinion,
    issuer_symbol,
    locality,
    missing_for,
    number_symbol,
)
from domain.meetings.model import (
    AgendaItem,
    AgendaKind,
    AttendanceRow,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Resolution,
)
from domain.org.model import MembershipKind

START = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2025, 1, 1), "2025-01"),
        (date(2027, 6, 30), "2025-01"),
        (date(2027, 7, 1), "2027-07"),
        (date(2029, 12, 31), "2027-07"),
        (date(2030, 1, 1), "2030-01"),
        (date(2024, 12, 31), "2022-07"),
    ],
)
def test_terms_of_thirty_months_from_the_configured_first_month(day: date, term: str) -> None:
    assert DocumentPolicy().term_of(day) == term


def test_a_term_of_other_length_and_start() -> None:
    policy = DocumentPolicy(term_first_year=2020, term_first_month=10, term_months=60)
    assert policy.term_of(date(2025, 9, 30)) == "2020-10"
    assert policy.term_of(date(2025, 10, 1)) == "2025-10"
    with pytest.raises(ValueError, match="month"):
        DocumentPolicy(term_first_month=13)


def test_number_and_symbol_in_the_party_format() -> None:
    assert number_symbol(DocumentKind.MINUTES, 5) == "05-BB/CB"
    assert number_symbol(DocumentKind.RESOLUTION, 123) == "123-NQ/CB"
    # a filed report: a cell's, a ward committee's; an unfiled draft leaves the digits blank
    assert number_symbol(DocumentKind.REPORT, 5, issuer_symbol(is_cell=True)) == "05-BC/CB"
    assert number_symbol(DocumentKind.REPORT, 5, issuer_symbol(is_cell=False)) == "05-BC/ĐU"
    assert number_symbol(DocumentKind.REPORT, None) == "    -BC/CB"


def test_the_place_name_of_the_date_line() -> None:
    assert locality("Đảng ủy phường Ba Đình") == "Ba Đình"
    assert locality("Đảng bộ xã Sóc Sơn") == "Sóc Sơn"
    assert locality("Thành ủy Hà Nội") == "Hà Nội"
    assert locality("Chi bộ khu dân cư số 1") == "Chi bộ khu dân cư số 1"


def _row(status: AttendanceStatus | None, reason: str | None = None) -> AttendanceRow:
    return AttendanceRow(uuid4(), "Nguyễn Văn An", MembershipKind.FULL, status, reason)


def complete() -> tuple[Meeting, Discussion]:
    chair, taker = _row(AttendanceStatus.PRESENT), _row(AttendanceStatus.PRESENT)
    meeting = Meeting(
        uuid4(), uuid4(), "/a/", MeetingKind.REGULAR, MeetingStatus.HELD, START,
        START + timedelta(hours=2), START, START, place="Nhà văn hóa tổ 5",
        agenda=[AgendaItem("Báo cáo tình hình", AgendaKind.REPORT, 30)],
        actual_start=START, actual_end=START + timedelta(hours=2), chair_id=chair.person_id,
        minute_taker_id=taker.person_id, resolutions=[Resolution("Vệ sinh khu phố", 2)],
        attendance=[chair, taker, _row(AttendanceStatus.UNEXCUSED)],
    )  # fmt: skip
    item = ItemDiscussion((Opinion("Nguyễn Văn An", "Nhất trí"),), "Thống nhất triển khai")
    return meeting, Discussion(meeting.id, "/a/", [item])


def test_a_complete_record_lacks_nothing_for_either_document() -> None:
    meeting, discussion = complete()
    assert missing_for(DocumentKind.MINUTES, meeting, discussion) == []
    assert missing_for(DocumentKind.RESOLUTION, meeting, discussion) == []


def test_what_the_minutes_lack_is_listed() -> None:
    meeting, discussion = complete()
    excused = _row(AttendanceStatus.EXCUSED)
    unmarked = _row(None)
    meeting.status, meeting.place, meeting.chair_id = MeetingStatus.PLANNED, None, None
    meeting.actual_end = None
    meeting.attendance += [excused, unmarked]
    meeting.resolutions = [Resolution("Vệ sinh khu phố")]
    discussion.items = [ItemDiscussion((), None)]
    assert missing_for(DocumentKind.MINUTES, meeting, discussion) == [
        "record", "actual_times", "place", "chair", f"absence_reason:{excused.person_id}",
        f"attendance:{unmarked.person_id}", "conclusion:0", "votes:0",
    ]  # fmt: skip
    assert missing_for(DocumentKind.RESOLUTION, meeting, discussion) == [
        "record", "actual_times", "votes:0",
    ]  # fmt: skip


def test_a_resolution_needs_resolutions_and_minutes_need_a_discussion_of_each_item() -> None:
    meeting, discussion = complete()
    meeting.resolutions = []
    discussion.items = []
    assert missing_for(DocumentKind.RESOLUTION, meeting, discussion) == ["resolutions"]
    assert missing_for(DocumentKind.MINUTES, meeting, discussion) == ["conclusion:0", "resolutions"]
