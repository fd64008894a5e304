"""The official documents of a cell meeting: the biên bản (minutes) and the nghị quyết
(resolution), their register numbers, what the record must hold before either can be issued, and
the discussion of each agenda item (named speakers and the chair's conclusion) they quote; and
the register number of a filed period report (báo cáo) of a cell or a ward's committee.

Numbers run from 01 per issuing unit, document type and committee term (nhiệm kỳ), never per year
and never reused; the symbol reads ``05-BB/CB`` (number, type, issuer: a cell, chi bộ) or
``05-BC/ĐU`` (a report of a ward's Party committee, đảng ủy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from domain.meetings.model import (
    AttendanceRow,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    votes_cast,
)


class DocumentKind(StrEnum):
    MINUTES = "minutes"  # biên bản
    RESOLUTION = "resolution"  # nghị quyết
    REPORT = "report"  # báo cáo: a filed period report, of a cell or of a ward's committee

    @property
    def symbol(self) -> str:
        return _KIND_SYMBOL[self]


_KIND_SYMBOL = {
    DocumentKind.MINUTES: "BB",
    DocumentKind.RESOLUTION: "NQ",
    DocumentKind.REPORT: "BC",
}
ISSUER_SYMBOL = "CB"  # the issuing body is a cell (chi bộ)
COMMITTEE_SYMBOL = "ĐU"  # the issuing body is a Party committee above the cells (đảng ủy)
DRAFT_NUMBER = "    "  # an unfiled draft: the digits left blank for the register


def issuer_symbol(*, is_cell: bool) -> str:
    return ISSUER_SYMBOL if is_cell else COMMITTEE_SYMBOL


@dataclass(frozen=True, slots=True)
class DocumentPolicy:
    """Page margins of the printed layout and the committee term the numbers run in. A cell's
    term is two and a half years (two congresses in five years); the first month is a setting
    because cells of one city hold their congresses in the same season."""

    margin_top_mm: int = 20
    margin_bottom_mm: int = 20
    margin_left_mm: int = 30
    margin_right_mm: int = 15
    term_first_year: int = 2025
    term_first_month: int = 1
    term_months: int = 30

    def __post_init__(self) -> None:
        if not 1 <= self.term_first_month <= 12:  # noqa: PLR2004 - months of a year
            msg = "term_first_month must be a month, 1 to 12"
            raise ValueError(msg)
        if self.term_months < 1:
            msg = "term_months must be positive"
            raise ValueError(msg)

    def term_of(self, day: date) -> str:
        """The first month ("2025-01") of the committee term that ``day`` falls in."""
        since_first = (day.year - self.term_first_year) * 12 + day.month - self.term_first_month
        start = self.term_first_year * 12 + self.term_first_month - 1
        start += (since_first // self.term_months) * self.term_months
        return f"{start // 12:04d}-{start % 12 + 1:02d}"


def number_symbol(kind: DocumentKind, number: int | None, issuer: str = ISSUER_SYMBOL) -> str:
    """``05-BB/CB``: two digits at least, as the Party's guidance writes them; without a number
    (a draft) ``    -BC/CB``, the digits left blank to be filled in when it is filed."""
    digits = DRAFT_NUMBER if number is None else f"{number:02d}"
    return f"{digits}-{kind.symbol}/{issuer}"


@dataclass(frozen=True, slots=True)
class Opinion:
    speaker: str  # a member, or a guest who is on no sheet
    text: str


@dataclass(frozen=True, slots=True)
class ItemDiscussion:
    """What was said on one agenda item, in the order of the agenda."""

    opinions: tuple[Opinion, ...]
    conclusion: str | None


@dataclass(slots=True)
class Discussion:
    meeting_id: UUID
    cell_path: str
    items: list[ItemDiscussion]
    version: int = 0  # 0: nothing written yet
    updated_at: datetime | None = None


def missing_for(kind: DocumentKind, meeting: Meeting, discussion: Discussion) -> list[str]:
    """What the record lacks for ``kind``; empty when the document can be issued."""
    missing = []
    if meeting.status not in {MeetingStatus.HELD, MeetingStatus.FINALIZED}:
        missing.append("record")
    if meeting.actual_start is None or meeting.actual_end is None:
        missing.append("actual_times")  # the opening and the closing time
    if kind is DocumentKind.MINUTES:
        missing += _missing_for_minutes(meeting, discussion)
    if not meeting.resolutions:
        missing.append("resolutions")
    missing += [f"votes:{n}" for n, r in enumerate(meeting.resolutions) if votes_cast(r) == 0]
    return missing


def _missing_for_minutes(meeting: Meeting, discussion: Discussion) -> list[str]:
    missing = []
    if not meeting.place:
        missing.append("place")
    if meeting.chair_id is None:
        missing.append("chair")
    if meeting.minute_taker_id is None:
        missing.append("minute_taker")
    missing += _missing_on_sheet(meeting.attendance)
    if not meeting.agenda:
        missing.append("agenda")
    for n in range(len(meeting.agenda)):
        item = discussion.items[n] if n < len(discussion.items) else None
        if item is None or not item.conclusion:
            missing.append(f"conclusion:{n}")
    return missing


def _missing_on_sheet(rows: list[AttendanceRow]) -> list[str]:
    """Every member marked, every excused absence with its reason."""
    if not rows:
        return ["attendance"]
    missing = []
    for row in rows:
        if row.status is None:
            missing.append(f"attendance:{row.person_id}")
        elif row.status is AttendanceStatus.EXCUSED and not row.reason:
            missing.append(f"absence_reason:{row.person_id}")
    return missing


def absentees(meeting: Meeting) -> list[AttendanceRow]:
    """Members absent from the meeting, each to be named with the reason (exempt members are
    counted apart and attending elsewhere is not an absence)."""
    return [
        r
        for r in meeting.attendance
        if r.status in {AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED}
    ]


def name_on_sheet(meeting: Meeting, person_id: UUID | None) -> str:
    return next((r.full_name for r in meeting.attendance if r.person_id == person_id), "")


def locality(upper_body: str) -> str:
    """The place name of the place-and-date line: the proper name of the upper body's locality,
    without its party body and level ("Đảng ủy phường Ba Đình" gives "Ba Đình")."""
    name = upper_body
    for prefixes in (BODY_PREFIXES, LEVEL_PREFIXES):
        for prefix in prefixes:
            if name.lower().startswith(prefix):
                name = name[len(prefix) :]
                break
    return name[:1].upper() + name[1:]


BODY_PREFIXES = ("đảng ủy ", "đảng uỷ ", "đảng bộ ", "thành ủy ", "thành uỷ ", "tỉnh ủy ")
LEVEL_PREFIXES = ("phường ", "xã ", "thị trấn ", "đặc khu ", "quận ", "huyện ", "thành phố ")
