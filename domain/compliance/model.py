"""Compliance flags as the domain sees them: which kinds exist, when each check runs and which
period it judges, and the rules the checks apply. Pure: no I/O, no machine clock.

A flag is one row keyed by (kind, unit, subject, period), raised once by a check that is safe to
run twice. Every check falls due at ``check_hour`` (local time) on a calendar day:

- **no_regular_meeting**: on day ``regular_day`` (20) of every month, for that month: a cell with
  no regular meeting held or finalised, planned from the 1st until the check ("by the 20th").
  Subject: the cell; period "2026-11".
- **no_thematic_meeting**: on day ``1 + grace_days`` (the 5th) of January, April, July and
  October, for the quarter just ended: a cell with no thematic meeting (nor a regular one
  combined with a thematic subject) held or finalised in it. Subject: the cell; period "2026-Q4".
- **leader_behind_quota**: on day ``1 + grace_days`` of every month, as of the last day of the
  month just ended: a leader following a cell who is behind their attendance quota pro rata
  (domain/meetings/quota.py, the numbers of the leader's "followed cells" screen). Subject: the
  leader; unit: the cell; period: the month judged, "2026-11".
- **unexcused_absence**: every day, for the current year (and, in the first ``grace_days`` of a
  year, for the year just ended too): a member with unexcused absences from held meetings of a
  cell in ``MeetingPolicy.unexcused_months_flag`` (3) months of the year. Subject: the member;
  unit: the cell; period "2026".

``grace_days`` waits for what is recorded after the fact: minutes may be logged days after the
meeting and a leader's visit counts once both sides confirmed it, so a period is judged a few
days after it ends rather than at midnight. The regular check needs no grace: it asks what has
happened by the 20th.

Only cells that existed in the system before a period began are judged for it (their earlier
meetings were never recorded), and only cells with a member in the period. A leader is judged on
an assignment from its first whole quota period, as the pro rata of the followed-cells screen
assumes a whole period.

A check missed while no worker ran is made when one comes back, within ``catch_up_days``; its
key makes every flag appear once however often the checks run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.clock import LOCAL_TZ, local_at, local_midnight
from domain.meetings.model import MeetingPolicy, review_flags, unexcused_months
from domain.meetings.quota import QuotaProgress, period_of, progress
from domain.org.model import QuotaPeriod

MAX_CHECK_DAY = 28  # every month has it
ONE = timedelta(days=1)


class FlagKind(StrEnum):
    NO_REGULAR_MEETING = "no_regular_meeting"
    NO_THEMATIC_MEETING = "no_thematic_meeting"
    LEADER_BEHIND_QUOTA = "leader_behind_quota"
    UNEXCUSED_ABSENCE = "unexcused_absence"
    # the dialogue checks (domain/dialogues/compliance.py): a ward is their unit and subject
    DIALOGUE_RESULTS_LATE = "dialogue_results_late"
    TOO_FEW_DIALOGUES = "too_few_dialogues"
    TOO_FEW_RECEPTION_DAYS = "too_few_reception_days"


MEETING_CHECKS = frozenset({FlagKind.NO_REGULAR_MEETING, FlagKind.NO_THEMATIC_MEETING})


@dataclass(frozen=True, slots=True)
class CompliancePolicy:
    """Every number of the compliance checks (CHIBO_COMPLIANCE_*)."""

    check_hour: int = 8  # local time at which every check falls due
    regular_day: int = 20  # a cell must have held its regular meeting of the month by this day
    grace_days: int = 4  # a quarter or month is judged on day 1 + grace_days after it ends
    catch_up_days: int = 7  # how far back a run makes checks it missed

    def __post_init__(self) -> None:
        if not 0 <= self.check_hour <= 23:  # noqa: PLR2004
            raise ValueError(f"CHECK_HOUR must be an hour of the day (0-23), got {self.check_hour}")
        if not 1 <= self.regular_day <= MAX_CHECK_DAY:
            raise ValueError(f"REGULAR_DAY must be a day from 1 to 28, got {self.regular_day}")
        if not 0 <= self.grace_days < MAX_CHECK_DAY:
            raise ValueError(f"GRACE_DAYS must be from 0 to 27, got {self.grace_days}")
        if self.catch_up_days < 1:
            raise ValueError("CATCH_UP_DAYS must be at least 1")


@dataclass(frozen=True, slots=True)
class Check:
    """One check of one period. ``due``: when it falls due; ``first_day``..``last_day``: the local
    days it judges; ``since``/``until``: the same stretch as UTC bounds [since, until) of meeting
    starts (for the regular check ``until`` is the check itself: "by the 20th")."""

    kind: FlagKind
    period: str
    due: datetime
    first_day: date
    last_day: date
    since: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class ComplianceFlag:
    id: UUID
    kind: FlagKind
    unit_id: UUID
    unit_path: str  # where the cell stood when the flag was raised
    subject: UUID  # the cell, the leader or the member
    period: str
    detail: Mapping[str, Any]
    raised_at: datetime
    unit_name: str = ""


@dataclass(frozen=True, slots=True)
class FlagFilter:
    within_path: str | None = None
    kind: FlagKind | None = None
    period: str | None = None


def month_period(day: date) -> str:
    return f"{day:%Y-%m}"


def quarter_period(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_label(period: str) -> str:
    """How texts show a period: "2026-11" -> "11/2026", "2026-Q4" -> "4/2026", "2026"."""
    year, _, part = period.partition("-")
    return f"{part.removeprefix('Q')}/{year}" if part else year


def _check(kind: FlagKind, period: str, due: datetime, first: date, last: date) -> Check:
    """A check of the whole local days first..last."""
    return Check(kind, period, due, first, last, local_midnight(first), local_midnight(last + ONE))


def checks_on(day: date, policy: CompliancePolicy) -> list[Check]:
    """The checks falling due on a local day, at ``check_hour``."""
    due = local_at(day, policy.check_hour)
    checks = []
    if day.day == policy.regular_day:
        first = day.replace(day=1)
        checks.append(
            Check(
                FlagKind.NO_REGULAR_MEETING,
                month_period(day),
                due,
                first,
                day,
                local_midnight(first),
                due,
            )
        )
    if day.day == 1 + policy.grace_days:
        ended = day.replace(day=1) - ONE  # the last day of the month just ended
        if day.month % 3 == 1:
            start, end = period_of(ended, QuotaPeriod.QUARTER)
            checks.append(
                _check(FlagKind.NO_THEMATIC_MEETING, quarter_period(ended), due, start, end - ONE)
            )
        month_start = ended.replace(day=1)
        checks.append(
            _check(FlagKind.LEADER_BEHIND_QUOTA, month_period(ended), due, month_start, ended)
        )
    years = {day.year, (day - timedelta(days=policy.grace_days)).year}
    for year in sorted(years):
        first, last = date(year, 1, 1), min(day, date(year, 12, 31))
        checks.append(
            Check(
                FlagKind.UNEXCUSED_ABSENCE,
                str(year),
                due,
                first,
                last,
                local_midnight(first),
                local_midnight(date(year + 1, 1, 1)),
            )
        )
    return checks


def plan_checks(
    policy: CompliancePolicy,
    since: datetime,
    now: datetime,
    on: Callable[[date, CompliancePolicy], list[Check]] | None = None,
) -> list[Check]:
    """Every check falling due in (since, now], one per (kind, period): the latest one; ``on``
    says which checks fall due on a day (the meeting checks by default)."""
    latest: dict[tuple[FlagKind, str], Check] = {}
    day = since.astimezone(LOCAL_TZ).date()
    last = now.astimezone(LOCAL_TZ).date()
    while day <= last:
        for check in (on or checks_on)(day, policy):
            if since < check.due <= now:
                latest[check.kind, check.period] = check
        day += ONE
    return sorted(latest.values(), key=lambda c: (c.due, c.kind, c.period))


# -- the rules of the checks computed in Python (few rows) ----------------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    """A leader's assignment to a cell, live on the day judged."""

    assignment_id: UUID
    leader_id: UUID
    leader_name: str
    cell_id: UUID
    cell_path: str
    quota: int
    period: QuotaPeriod
    started_on: date


def behind_quota(standing: Standing, visits: Iterable[datetime], day: date) -> QuotaProgress | None:
    """The leader's progress as of ``day`` when behind it pro rata; None when on track, or when
    the assignment began inside the quota period (judged from its first whole period)."""
    start, _ = period_of(day, standing.period)
    if standing.started_on > start:
        return None
    since, until = local_midnight(start), local_midnight(day + ONE)
    attended = sum(since <= moment < until for moment in visits)
    found = progress(standing.quota, standing.period, attended, day)
    return found if found.behind else None


@dataclass(frozen=True, slots=True)
class Absence:
    """An unexcused absence from a held meeting of a cell."""

    cell_id: UUID
    cell_path: str
    person_id: UUID
    full_name: str
    start: datetime


@dataclass(frozen=True, slots=True)
class AbsenceReview:
    cell_id: UUID
    cell_path: str
    person_id: UUID
    full_name: str
    months: tuple[int, ...]


def absence_reviews(
    absences: Iterable[Absence], year: int, policy: MeetingPolicy
) -> list[AbsenceReview]:
    """Members to review, per cell: the rule of domain/meetings/model.py review_flags."""
    by_cell: dict[UUID, list[Absence]] = {}
    for absence in absences:
        by_cell.setdefault(absence.cell_id, []).append(absence)
    found = []
    for rows in by_cell.values():
        pairs = [(a.person_id, a.start) for a in rows]
        months = unexcused_months(pairs, year)
        names = {a.person_id: a.full_name for a in rows}
        found += [
            AbsenceReview(
                rows[0].cell_id,
                rows[0].cell_path,
                person,
                names[person],
                tuple(sorted(months[person])),
            )
            for person in sorted(review_flags(pairs, year, policy), key=str)
        ]
    return found
