"""Reminders as the domain sees them: which kinds exist, when each one fires, how long it stays
worth sending, and which sweeps a worker runs for a stretch of time. Pure: no I/O, no machine clock.

Every reminder is one row keyed by (kind, subject, occurrence), inserted by a set-based sweep that
is safe to run twice. Two families:

- **day** kinds fire at a local hour on a calendar day (a task due in 7 days, the overdue nag);
  their occurrence is that local day ("2026-12-03");
- **moment** kinds fire at an offset before a stored moment (2 hours before a meeting starts);
  their occurrence is that moment in whole Unix seconds, so a meeting moved to another time gets a
  reminder of its own and the old row no longer matches it.

A sweep looks back ``catch_up_hours``: a worker that was down inserts what it missed, and the
delivery step sends what is still relevant and records the rest as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from domain.clock import LOCAL_TZ, local_at, local_midnight


class ReminderKind(StrEnum):
    MEETING_DAY_BEFORE = "meeting_day_before"
    MEETING_SOON = "meeting_soon"
    MINUTES_FIRST_NAG = "minutes_first_nag"
    MINUTES_SECOND_NAG = "minutes_second_nag"
    INSPECTION_DAY_BEFORE = "inspection_day_before"
    INSPECTION_REVEAL = "inspection_reveal"
    TASK_DUE_FIRST = "task_due_first"  # 7 days before
    TASK_DUE_SECOND = "task_due_second"  # 1 day before
    TASK_DUE_TODAY = "task_due_today"
    TASK_OVERDUE = "task_overdue"  # every day while overdue
    PETITION_REPLY_SOON = "petition_reply_soon"
    PETITION_REPLY_OVERDUE = "petition_reply_overdue"  # every day while unanswered
    DAILY_DIGEST = "daily_digest"  # to a leader who chose it; the subject is the person


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # found too late: past its relevance window (a worker was down)
    DROPPED = "dropped"  # its subject changed: done, cancelled, moved


MOMENT_KINDS = frozenset(
    {
        ReminderKind.MEETING_DAY_BEFORE,
        ReminderKind.MEETING_SOON,
        ReminderKind.INSPECTION_DAY_BEFORE,
        ReminderKind.INSPECTION_REVEAL,
    }
)


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """Every number of the reminder rules (CHIBO_REMINDER_*)."""

    catch_up_hours: int = 48  # how far back a sweep looks for what it has not inserted yet
    day_hour: int = 8  # local time of the day kinds: tasks, petitions, minutes nags
    day_window_hours: int = 12  # a day reminder is sent until 20:00, else skipped
    meeting_first_hours: int = 24
    meeting_second_hours: int = 2
    minutes_first_days: int = 1
    minutes_second_days: int = 3
    inspection_hours: int = 24
    task_first_days: int = 7
    task_second_days: int = 1
    petition_days: int = 2  # before the reply is due
    digest_hour: int = 7
    digest_minute: int = 30

    def __post_init__(self) -> None:
        for name in ("day_hour", "digest_hour"):
            if not 0 <= getattr(self, name) <= 23:  # noqa: PLR2004
                raise ValueError(f"{name.upper()} must be an hour of the day (0-23)")
        if not 0 <= self.digest_minute <= 59:  # noqa: PLR2004
            raise ValueError("DIGEST_MINUTE must be a minute (0-59)")
        if self.catch_up_hours < 1:
            raise ValueError("CATCH_UP_HOURS must be at least 1")


@dataclass(frozen=True, slots=True)
class Sweep:
    """One set-based statement of a sweep: insert a ``kind`` row for every subject matching
    ``params``. ``occurrence`` is fixed for day kinds; moment kinds take it from the subject."""

    kind: ReminderKind
    occurrence: str | None
    params: dict[str, date | datetime]


def day_occurrences(since: datetime, now: datetime, hour: int, minute: int = 0) -> list[date]:
    """Local days whose ``hour``:``minute`` lies in (since, now]."""
    day = since.astimezone(LOCAL_TZ).date()
    last = now.astimezone(LOCAL_TZ).date()
    days = []
    while day <= last:
        if since < local_at(day, hour, minute) <= now:
            days.append(day)
        day += timedelta(days=1)
    return days


def moment_offset(kind: ReminderKind, policy: ReminderPolicy) -> timedelta:
    """How long before its moment a moment kind fires."""
    return {
        ReminderKind.MEETING_DAY_BEFORE: timedelta(hours=policy.meeting_first_hours),
        ReminderKind.MEETING_SOON: timedelta(hours=policy.meeting_second_hours),
        ReminderKind.INSPECTION_DAY_BEFORE: timedelta(hours=policy.inspection_hours),
        ReminderKind.INSPECTION_REVEAL: timedelta(0),
    }[kind]


def plan_sweeps(policy: ReminderPolicy, since: datetime, now: datetime) -> list[Sweep]:
    """The statements that insert every reminder firing in (since, now]."""
    sweeps = [
        Sweep(
            kind,
            None,
            {
                "after": since + moment_offset(kind, policy),
                "until": now + moment_offset(kind, policy),
            },
        )
        for kind in sorted(MOMENT_KINDS)
    ]
    for day in day_occurrences(since, now, policy.day_hour):
        occurrence = day.isoformat()
        sweeps += [
            Sweep(
                ReminderKind.TASK_DUE_FIRST,
                occurrence,
                {"due_on": day + timedelta(days=policy.task_first_days)},
            ),
            Sweep(
                ReminderKind.TASK_DUE_SECOND,
                occurrence,
                {"due_on": day + timedelta(days=policy.task_second_days)},
            ),
            Sweep(ReminderKind.TASK_DUE_TODAY, occurrence, {"due_on": day}),
            Sweep(ReminderKind.TASK_OVERDUE, occurrence, {"due_before": day}),
            Sweep(
                ReminderKind.PETITION_REPLY_SOON,
                occurrence,
                {"due_on": day + timedelta(days=policy.petition_days)},
            ),
            Sweep(ReminderKind.PETITION_REPLY_OVERDUE, occurrence, {"due_before": day}),
            *(
                Sweep(
                    kind,
                    occurrence,
                    {
                        "after": local_midnight(day - timedelta(days=days)),
                        "until": local_midnight(day - timedelta(days=days - 1)),
                    },
                )
                for kind, days in (
                    (ReminderKind.MINUTES_FIRST_NAG, policy.minutes_first_days),
                    (ReminderKind.MINUTES_SECOND_NAG, policy.minutes_second_days),
                )
            ),
        ]
    sweeps += [
        Sweep(ReminderKind.DAILY_DIGEST, day.isoformat(), {})
        for day in day_occurrences(since, now, policy.digest_hour, policy.digest_minute)
    ]
    return sweeps


def moment_occurrence(moment: datetime) -> str:
    """The occurrence of a moment kind: whole Unix seconds, as the sweep's SQL writes it."""
    return str(int(moment.timestamp()))


def fire_window(
    kind: ReminderKind, occurrence: str, policy: ReminderPolicy, end: datetime | None = None
) -> tuple[datetime, datetime]:
    """[fires, stale): when a reminder fires and from when it is no longer worth sending.
    ``end`` is the end of an inspection's window (a reveal is news until then)."""
    if kind in MOMENT_KINDS:
        moment = datetime.fromtimestamp(int(occurrence), UTC)
        fires = moment - moment_offset(kind, policy)
        stale = {
            ReminderKind.MEETING_DAY_BEFORE: moment - timedelta(hours=policy.meeting_second_hours),
            ReminderKind.MEETING_SOON: moment,
            ReminderKind.INSPECTION_DAY_BEFORE: moment,
            ReminderKind.INSPECTION_REVEAL: end or moment,
        }[kind]
        return fires, stale
    day = date.fromisoformat(occurrence)
    if kind is ReminderKind.DAILY_DIGEST:
        fires = local_at(day, policy.digest_hour, policy.digest_minute)
    else:
        fires = local_at(day, policy.day_hour)
    return fires, fires + timedelta(hours=policy.day_window_hours)
