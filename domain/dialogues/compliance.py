"""The dialogue checks of the compliance flags, planned like the meeting checks of
domain/compliance/model.py (due at ``check_hour``, judged ``grace_days`` after a period ends, made
once per key however often they run):

- **dialogue_results_late**: every day: a dialogue whose results are not published by the day
  after its deadline (``DialoguePolicy.results_within_days`` after the dialogue). Subject: the
  dialogue; unit: its ward; period: the month of the dialogue.
- **too_few_reception_days**: on day ``1 + grace_days`` of every month, for the month just ended: a
  ward whose Party head received citizens on fewer days than ``reception_days_per_month``.
  Subject and unit: the ward; period "2026-11".
- **too_few_dialogues**: on day ``1 + grace_days`` of January, for the year just ended: a ward that
  held fewer dialogues than ``per_year`` (the law: one). Subject and unit: the ward; period "2026".

A ward is a unit with cells as children; only wards that existed before a period began are
judged for it. Pure: no I/O."""

from __future__ import annotations

from datetime import date, timedelta

from domain.clock import local_at, local_midnight
from domain.compliance.model import Check, CompliancePolicy, FlagKind, month_period

ONE = timedelta(days=1)


def dialogue_checks_on(day: date, policy: CompliancePolicy) -> list[Check]:
    due = local_at(day, policy.check_hour)
    today = local_midnight(day)
    checks = [
        # "late" is judged against the local day: a deadline before ``day`` has passed
        Check(FlagKind.DIALOGUE_RESULTS_LATE, day.isoformat(), due, day, day, today, due)
    ]
    if day.day == 1 + policy.grace_days:
        last = day.replace(day=1) - ONE
        first = last.replace(day=1)
        checks.append(
            Check(
                FlagKind.TOO_FEW_RECEPTION_DAYS,
                month_period(last),
                due,
                first,
                last,
                local_midnight(first),
                local_midnight(last + ONE),
            )
        )
        if day.month == 1:
            year = day.year - 1
            first, last = date(year, 1, 1), date(year, 12, 31)
            checks.append(
                Check(
                    FlagKind.TOO_FEW_DIALOGUES,
                    str(year),
                    due,
                    first,
                    last,
                    local_midnight(first),
                    local_midnight(last + ONE),
                )
            )
    return checks
