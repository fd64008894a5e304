"""The record's audit rows hand over the meeting's fields, not a snapshot: the JSON stored is the
same, and the copy of the meeting as read keeps what it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from db.json_columns import dumps
from domain.attachments.model import AttachmentKind, Paper
from domain.meetings.access import audit_state
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
from domain.meetings.record import as_read, audit_fields
from domain.org.model import MembershipKind

START = datetime(2026, 12, 5, 12, 30, tzinfo=UTC)


def full_meeting() -> Meeting:
    """A meeting with a value in every kind of field the audit row stores."""
    members = [uuid4(), uuid4()]
    return Meeting(
        id=uuid4(),
        cell_id=uuid4(),
        cell_path="/a/b/",
        kind=MeetingKind.REGULAR,
        status=MeetingStatus.HELD,
        planned_start=START,
        planned_end=START + timedelta(hours=2),
        created_at=START - timedelta(days=30),
        updated_at=START,
        title="Sinh hoạt thường kỳ",
        place="Nhà văn hóa",
        place_location=(21.03, 105.85),
        occurrence="2026-12",
        notice_published_at=START - timedelta(days=3),
        agenda=[AgendaItem("Báo cáo", AgendaKind.REPORT, 30, "Bí thư", uuid4())],
        papers=[Paper(uuid4(), "bao-cao.pdf", AttachmentKind.PDF, 1234)],
        actual_start=START,
        actual_end=START + timedelta(hours=2),
        chair_id=members[0],
        minute_taker_id=members[1],
        minutes_text="Biên bản",
        resolutions=[Resolution("Thông qua", 1, 0, 0)],
        attendance=[
            AttendanceRow(
                members[0],
                "Trần Thị Hạnh",
                MembershipKind.FULL,
                AttendanceStatus.PRESENT,
                None,
                START,
            ),
            AttendanceRow(
                members[1],
                "Lê Văn Thành",
                MembershipKind.PROBATIONARY,
                AttendanceStatus.EXCUSED,
                "Ốm",
            ),
        ],
        logged_at=START + timedelta(hours=3),
        version=4,
    )


def test_the_audit_json_is_the_snapshots() -> None:
    meeting = full_meeting()
    assert dumps(audit_fields(meeting)) == dumps(audit_state(meeting))


def test_the_meeting_as_read_keeps_what_it_was() -> None:
    meeting = full_meeting()
    loaded = as_read(meeting)
    before = dumps(audit_state(meeting))
    meeting.attendance[1].status, meeting.attendance[1].reason = AttendanceStatus.PRESENT, None
    meeting.resolutions.append(Resolution("Thêm", 0, 0, 0))
    meeting.version += 1
    assert dumps(audit_fields(loaded)) == before
    assert loaded.attendance[0] == meeting.attendance[0]
    assert loaded.attendance[1] != meeting.attendance[1]
