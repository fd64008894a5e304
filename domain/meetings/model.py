"""Meetings of a cell: plan, notice, the logged record, attendance, quorum, finalisation.

Numbers (durations, notice, quorum, the absence flag) come from MeetingPolicy, configuration with
the defaults of guidance 42-HD/BTCTW (2025), never literals in the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.attachments.model import Paper
from domain.clock import LOCAL_TZ
from domain.errors import ConflictError, RuleViolationError
from domain.meetings.recurrence import month_of
from domain.org.model import MembershipKind


class MeetingKind(StrEnum):
    REGULAR = "regular"
    THEMATIC = "thematic"
    EXTRAORDINARY = "extraordinary"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    FINALIZED = "finalized"
    CANCELLED = "cancelled"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    UNEXCUSED = "unexcused"
    ELSEWHERE = "elsewhere"
    EXEMPT = "exempt"


class AgendaKind(StrEnum):
    REPORT = "report"
    DOCUMENT = "document"
    DISCUSSION = "discussion"
    REVIEW = "review"
    VOTE = "vote"


class Flag(StrEnum):
    SHORT_MEETING = "short_meeting"
    LATE_NOTICE = "late_notice"
    LOGGED_LATE = "logged_late"


@dataclass(frozen=True, slots=True)
class MeetingPolicy:
    min_minutes: int = 90
    combined_min_minutes: int = 120
    notice_hours: int = 24
    quorum_ratio: float = 0.5  # more than this share of full, non-exempt members present
    unexcused_months_flag: int = 3
    late_logging_days: int = 2
    plan_months_ahead: int = 3


@dataclass(slots=True)
class AgendaItem:
    title: str
    kind: AgendaKind
    minutes: int
    presenter: str | None = None
    task_id: UUID | None = None  # a review item of an open follow-up task


@dataclass(slots=True)
class Resolution:
    text: str
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0


@dataclass(slots=True)
class AttendanceRow:
    person_id: UUID
    full_name: str
    membership_kind: MembershipKind
    status: AttendanceStatus | None = None  # None: not marked yet
    reason: str | None = None
    checked_in_at: datetime | None = None

    @property
    def exempt(self) -> bool:
        return self.status is AttendanceStatus.EXEMPT


@dataclass(frozen=True, slots=True)
class Counts:
    members: int
    full: int
    probationary: int
    exempt: int
    present: int
    present_full: int
    excused: int
    unexcused: int
    elsewhere: int
    quorum_met: bool


@dataclass(frozen=True, slots=True)
class Tally:
    """A meeting's attendance at a glance, for lists: rows by status (unmarked: not yet)."""

    present: int = 0
    excused: int = 0
    unexcused: int = 0
    elsewhere: int = 0
    exempt: int = 0
    unmarked: int = 0

    @classmethod
    def of(cls, by_status: Mapping[AttendanceStatus | None, int]) -> Tally:
        return cls(
            **{s.value: by_status.get(s, 0) for s in AttendanceStatus},
            unmarked=by_status.get(None, 0),
        )


def counts(rows: Iterable[AttendanceRow], policy: MeetingPolicy) -> Counts:
    rows = list(rows)
    counted = [r for r in rows if not r.exempt]
    full = [r for r in counted if r.membership_kind is MembershipKind.FULL]
    present = [r for r in counted if r.status is AttendanceStatus.PRESENT]
    present_full = [r for r in present if r.membership_kind is MembershipKind.FULL]
    return Counts(
        members=len(rows),
        full=len(full),
        probationary=len(counted) - len(full),
        exempt=len(rows) - len(counted),
        present=len(present),
        present_full=len(present_full),
        excused=sum(r.status is AttendanceStatus.EXCUSED for r in counted),
        unexcused=sum(r.status is AttendanceStatus.UNEXCUSED for r in counted),
        elsewhere=sum(r.status is AttendanceStatus.ELSEWHERE for r in counted),
        quorum_met=bool(full) and len(present_full) > policy.quorum_ratio * len(full),
    )


@dataclass(slots=True)
class Meeting:
    id: UUID
    cell_id: UUID
    cell_path: str
    kind: MeetingKind
    status: MeetingStatus
    planned_start: datetime
    planned_end: datetime
    created_at: datetime
    updated_at: datetime
    combined_thematic: bool = False
    title: str | None = None
    place: str | None = None
    place_location: tuple[float, float] | None = None
    occurrence: str | None = None  # a regular meeting's local month ("2026-12"): one per cell
    notice_published_at: datetime | None = None
    agenda: list[AgendaItem] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    chair_id: UUID | None = None
    minute_taker_id: UUID | None = None
    minutes_text: str | None = None
    resolutions: list[Resolution] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    logged_at: datetime | None = None
    finalized_at: datetime | None = None
    cancel_reason: str | None = None
    move_reason: str | None = None
    version: int = 1
    amendments: list[Amendment] = field(default_factory=list)  # of the final minutes, oldest first

    # -- planning -------------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.status is MeetingStatus.FINALIZED:
            raise ConflictError("meeting_finalized")
        if self.status is MeetingStatus.CANCELLED:
            raise ConflictError("meeting_cancelled")

    def move(self, start: datetime, end: datetime, reason: str) -> None:
        self._require_open()
        if self.status is not MeetingStatus.PLANNED:
            raise ConflictError("meeting_already_held")
        check_window(start, end)
        self.planned_start, self.planned_end, self.move_reason = start, end, reason
        self.occurrence = regular_month(self.kind, start)

    def cancel(self, reason: str) -> None:
        self._require_open()
        if self.status is not MeetingStatus.PLANNED:
            raise ConflictError("meeting_already_held")
        self.status, self.cancel_reason = MeetingStatus.CANCELLED, reason

    def publish_notice(
        self, agenda: list[AgendaItem], at: datetime, papers: list[Paper] | None = None
    ) -> None:
        self._require_open()
        if not agenda:
            raise RuleViolationError("agenda_required")
        self.agenda, self.notice_published_at = agenda, at
        self.papers = papers or []

    def late_notice(self, policy: MeetingPolicy, now: datetime) -> bool:
        """The notice came, or can now only come, less than the notice window before the start.
        A meeting months away without a notice yet is not late; a cancelled one never is."""
        deadline = self.planned_start - timedelta(hours=policy.notice_hours)
        if self.notice_published_at is not None:
            return self.notice_published_at > deadline
        return self.status is not MeetingStatus.CANCELLED and now > deadline

    # -- the record -----------------------------------------------------------------------------

    def log(
        self,
        *,
        actual_start: datetime,
        actual_end: datetime,
        chair_id: UUID | None,
        minute_taker_id: UUID | None,
        minutes_text: str | None,
        resolutions: list[Resolution],
        at: datetime,
    ) -> None:
        self._require_open()
        check_window(actual_start, actual_end)
        if actual_start > at:
            raise RuleViolationError("meeting_in_future")
        members = {row.person_id for row in self.attendance}
        for person in (chair_id, minute_taker_id):
            if person is not None and person not in members:
                raise RuleViolationError("chair_or_taker_not_member")
        check_votes(resolutions, self.attendance)
        self.actual_start, self.actual_end = actual_start, actual_end
        self.chair_id, self.minute_taker_id = chair_id, minute_taker_id
        self.minutes_text, self.resolutions = minutes_text, resolutions
        self.status = MeetingStatus.HELD
        self.logged_at = self.logged_at or at

    def mark(
        self, person_id: UUID, status: AttendanceStatus, reason: str | None, at: datetime | None
    ) -> AttendanceRow:
        row = next((r for r in self.attendance if r.person_id == person_id), None)
        return self._mark_row(row, person_id, status, reason, at)

    def mark_all(self, marks: Iterable[tuple[UUID, AttendanceStatus, str | None]]) -> None:
        """The marks of a log, in order, each as ``mark`` makes it (the sheet looked up by
        person once, not once per mark)."""
        by_person = {row.person_id: row for row in self.attendance}
        for person_id, status, reason in marks:
            self._mark_row(by_person.get(person_id), person_id, status, reason, None)

    def _mark_row(
        self,
        row: AttendanceRow | None,
        person_id: UUID,
        status: AttendanceStatus,
        reason: str | None,
        at: datetime | None,
    ) -> AttendanceRow:
        self._require_open()
        if row is None:
            raise RuleViolationError("not_on_attendance_sheet", person=person_id)
        if row.exempt:
            raise RuleViolationError("member_exempt", person=person_id)
        if status is AttendanceStatus.EXEMPT:
            raise RuleViolationError("exempt_is_from_roster", person=person_id)
        row.status, row.reason = status, reason
        if status is AttendanceStatus.PRESENT and at is not None:
            row.checked_in_at = row.checked_in_at or at
        return row

    def missing_for_final(self, policy: MeetingPolicy) -> list[str]:
        """What stops the minutes from being finalised; empty when nothing does."""
        missing = []
        if self.actual_start is None or self.actual_end is None:
            missing.append("actual_times")
        if self.chair_id is None:
            missing.append("chair")
        if self.minute_taker_id is None:
            missing.append("minute_taker")
        if not self.minutes_text:
            missing.append("minutes_text")
        for row in self.attendance:
            if row.status is None:
                missing.append(f"attendance:{row.person_id}")
            elif row.status is AttendanceStatus.EXCUSED and not row.reason:
                missing.append(f"absence_reason:{row.person_id}")
        if not counts(self.attendance, policy).quorum_met:
            missing.append("quorum")
        voters = voters_present(self.attendance)
        missing += [f"votes:{n}" for n, r in enumerate(self.resolutions) if votes_cast(r) > voters]
        return missing

    def amend_resolutions(self, resolutions: list[Resolution]) -> None:
        check_votes(resolutions, self.attendance)
        self.resolutions = resolutions

    def finalize(self, policy: MeetingPolicy, at: datetime) -> None:
        self._require_open()
        missing = self.missing_for_final(policy)
        if missing:
            raise ConflictError("minutes_incomplete", missing=missing)
        self.status, self.finalized_at = MeetingStatus.FINALIZED, at

    def flags(self, policy: MeetingPolicy, now: datetime) -> list[Flag]:
        found = []
        if self.actual_start and self.actual_end:
            needed = policy.combined_min_minutes if self.combined_thematic else policy.min_minutes
            if self.actual_end - self.actual_start < timedelta(minutes=needed):
                found.append(Flag.SHORT_MEETING)
        if self.late_notice(policy, now):
            found.append(Flag.LATE_NOTICE)
        if (
            self.logged_at
            and self.actual_end
            and self.logged_at - self.actual_end > timedelta(days=policy.late_logging_days)
        ):
            found.append(Flag.LOGGED_LATE)
        return found


def regular_month(kind: MeetingKind, start: datetime) -> str | None:
    """The month a regular meeting holds for its cell (one each month); other kinds hold none."""
    return month_of(start) if kind is MeetingKind.REGULAR else None


def month_taken(
    month: str, others: Iterable[tuple[UUID, MeetingStatus, datetime]], meeting_id: UUID
) -> bool:
    """Whether another live regular meeting of the cell, given as (id, status, start), holds
    ``month``; a cancelled one gives its month back."""
    return any(
        other != meeting_id and status is not MeetingStatus.CANCELLED and month_of(start) == month
        for other, status, start in others
    )


def voters_present(rows: Iterable[AttendanceRow]) -> int:
    """Who may vote: full members present; probationary members take part but do not vote."""
    return sum(
        r.status is AttendanceStatus.PRESENT and r.membership_kind is MembershipKind.FULL
        for r in rows
    )


def votes_cast(resolution: Resolution) -> int:
    return resolution.votes_for + resolution.votes_against + resolution.votes_abstain


def check_votes(resolutions: Iterable[Resolution], rows: Iterable[AttendanceRow]) -> None:
    """Votes for, against and abstaining add up to at most the full members present."""
    voters = voters_present(rows)
    over = [
        (f"resolutions[{n}]", f"{votes_cast(r)} votes, {voters} full members present")
        for n, r in enumerate(resolutions)
        if votes_cast(r) > voters
    ]
    if over:
        raise RuleViolationError("votes_exceed_voters", errors=over, voters=voters)


def check_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise RuleViolationError("meeting_window_invalid")
    if end - start > timedelta(hours=12):
        raise RuleViolationError("meeting_window_invalid")


def attendance_sheet(
    members: Iterable[tuple[UUID, str, MembershipKind, bool]],
) -> list[AttendanceRow]:
    """One row per member on the roster of the meeting day; exempt members listed apart."""
    return [
        AttendanceRow(
            person_id=person_id,
            full_name=name,
            membership_kind=kind,
            status=AttendanceStatus.EXEMPT if exempt else None,
        )
        for person_id, name, kind, exempt in sorted(members, key=lambda m: m[1])
    ]


def unexcused_months(absences: Iterable[tuple[UUID, datetime]], year: int) -> dict[UUID, set[int]]:
    """Per member, the local months of ``year`` with an unexcused absence."""
    months: dict[UUID, set[int]] = {}
    for person_id, start in absences:
        local = start.astimezone(LOCAL_TZ)
        if local.year == year:
            months.setdefault(person_id, set()).add(local.month)
    return months


def review_flags(
    absences: Iterable[tuple[UUID, datetime]], year: int, policy: MeetingPolicy
) -> set[UUID]:
    """Members to review for strike-off: unexcused absences in N months of one calendar year."""
    return {
        person
        for person, months in unexcused_months(absences, year).items()
        if len(months) >= policy.unexcused_months_flag
    }


def meeting_day(meeting: Meeting) -> date:
    return meeting.planned_start.astimezone(LOCAL_TZ).date()


@dataclass(slots=True)
class LeaderVisit:
    meeting_id: UUID
    leader_id: UUID
    leader_confirmed_at: datetime | None = None
    secretary_confirmed_at: datetime | None = None
    remarks: str | None = None

    @property
    def counted(self) -> bool:
        """A visit counts toward the quota only when both sides confirmed it."""
        return self.leader_confirmed_at is not None and self.secretary_confirmed_at is not None


@dataclass(frozen=True, slots=True)
class Amendment:
    meeting_id: UUID
    by: UUID
    reason: str
    changes: dict[str, object]  # {"minutesText" | "resolutions": {"from": …, "to": …}}
    at: datetime
    by_name: str | None = None


@dataclass(frozen=True, slots=True)
class MeetingOverview:
    """A meeting as oversight lists show it: with its tally and the leaders' visits."""

    meeting: Meeting
    tally: Tally
    visits: tuple[LeaderVisit, ...]
