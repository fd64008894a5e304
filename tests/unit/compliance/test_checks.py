"""Which compliance checks fall due when, and the rules they apply: no I/O, no machine clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from chibo.settings import Settings, SettingsError
from domain.clock import local_at, local_midnight
from domain.compliance.model import (
    Absence,
    ComplianceFlag,
    CompliancePolicy,
    FlagKind,
    Standing,
    absence_reviews,
    behind_quota,
    period_label,
    plan_checks,
)
from domain.compliance.ports import CellFacts
from domain.compliance.service import flag_notice
from domain.meetings.model import MeetingPolicy
from domain.notifications.model import Category
from domain.org.model import QuotaPeriod

POLICY = CompliancePolicy()
K = FlagKind
CELL, OTHER_CELL = uuid4(), uuid4()


def due(now: datetime, hours: int = 1) -> list[tuple[FlagKind, str]]:
    """The (kind, period) of the checks a run at ``now`` makes, looking back ``hours``."""
    return [(c.kind, c.period) for c in plan_checks(POLICY, now - timedelta(hours=hours), now)]


def test_the_regular_meeting_check_falls_due_on_the_20th_at_the_check_hour() -> None:
    at = local_at(date(2026, 12, 20), 8)
    assert due(at - timedelta(minutes=1)) == []
    assert due(at) == [(K.NO_REGULAR_MEETING, "2026-12"), (K.UNEXCUSED_ABSENCE, "2026")]
    (regular,) = [
        c
        for c in plan_checks(POLICY, at - timedelta(hours=1), at)
        if c.kind is K.NO_REGULAR_MEETING
    ]
    # meetings planned from the 1st (local) until the check itself: "by the 20th"
    assert regular.since == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert regular.until == at
    assert (regular.first_day, regular.last_day) == (date(2026, 12, 1), date(2026, 12, 20))


def test_a_quarter_and_the_quotas_of_a_month_are_judged_after_the_grace_days() -> None:
    at = local_at(date(2027, 1, 5), 8)
    assert due(at) == [
        (K.LEADER_BEHIND_QUOTA, "2026-12"),
        (K.NO_THEMATIC_MEETING, "2026-Q4"),
        (K.UNEXCUSED_ABSENCE, "2027"),
    ]
    checks = {c.kind: c for c in plan_checks(POLICY, at - timedelta(hours=1), at)}
    thematic = checks[K.NO_THEMATIC_MEETING]
    assert (thematic.first_day, thematic.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert (thematic.since, thematic.until) == (
        local_midnight(date(2026, 10, 1)),
        local_midnight(date(2027, 1, 1)),
    )
    assert checks[K.LEADER_BEHIND_QUOTA].last_day == date(2026, 12, 31)


def test_no_thematic_check_in_a_month_that_does_not_start_a_quarter() -> None:
    assert due(local_at(date(2027, 2, 5), 8)) == [
        (K.LEADER_BEHIND_QUOTA, "2027-01"),
        (K.UNEXCUSED_ABSENCE, "2027"),
    ]


def test_the_year_just_ended_is_still_checked_for_absences_in_the_grace_days() -> None:
    assert due(local_at(date(2027, 1, 2), 8)) == [
        (K.UNEXCUSED_ABSENCE, "2026"),
        (K.UNEXCUSED_ABSENCE, "2027"),
    ]
    checks = plan_checks(POLICY, local_at(date(2027, 1, 2), 7), local_at(date(2027, 1, 2), 8))
    assert [c.last_day for c in checks] == [date(2026, 12, 31), date(2027, 1, 2)]


def test_a_worker_back_from_downtime_makes_the_checks_it_missed_once_each() -> None:
    # down from the 19th to 10:00 on the 23rd; the run looks back its catch-up window
    now = local_at(date(2026, 12, 23), 10)
    checks = plan_checks(POLICY, now - timedelta(days=POLICY.catch_up_days), now)
    assert [(c.kind, c.period) for c in checks] == [
        (K.NO_REGULAR_MEETING, "2026-12"),
        (K.UNEXCUSED_ABSENCE, "2026"),
    ]
    # the daily absence check: the latest one, judging the year up to today
    assert checks[-1].last_day == date(2026, 12, 23)


def test_a_check_older_than_the_catch_up_window_is_not_made() -> None:
    now = local_at(date(2026, 12, 31), 10)
    checks = plan_checks(POLICY, now - timedelta(days=POLICY.catch_up_days), now)
    assert [c.kind for c in checks] == [K.UNEXCUSED_ABSENCE]


def test_every_number_is_configuration() -> None:
    policy = CompliancePolicy(check_hour=6, regular_day=15, grace_days=0)
    at = local_at(date(2027, 4, 1), 6)
    checks = plan_checks(policy, at - timedelta(hours=1), at)
    assert [(c.kind, c.period) for c in checks] == [
        (K.LEADER_BEHIND_QUOTA, "2027-03"),
        (K.NO_THEMATIC_MEETING, "2027-Q1"),
        (K.UNEXCUSED_ABSENCE, "2027"),
    ]
    at = local_at(date(2027, 4, 15), 6)
    assert K.NO_REGULAR_MEETING in [
        c.kind for c in plan_checks(policy, at - timedelta(hours=1), at)
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"check_hour": 24},
        {"regular_day": 29},
        {"regular_day": 0},
        {"grace_days": 28},
        {"catch_up_days": 0},
    ],
)
def test_impossible_numbers_are_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the setting
        CompliancePolicy(**bad)


def test_the_policy_is_read_from_the_environment() -> None:
    base = {"CHIBO_DATABASE_URL": "sqlite:////tmp/x.sqlite3", "CHIBO_SECRET_KEY": "k" * 40}
    settings = Settings.from_env(base | {"CHIBO_COMPLIANCE_REGULAR_DAY": "15"})
    assert settings.compliance_policy == CompliancePolicy(regular_day=15)
    with pytest.raises(SettingsError, match="CHIBO_COMPLIANCE_"):
        Settings.from_env(base | {"CHIBO_COMPLIANCE_REGULAR_DAY": "31"})


def test_period_labels_for_texts() -> None:
    assert [period_label(p) for p in ("2026-11", "2026-Q4", "2026")] == [
        "11/2026",
        "4/2026",
        "2026",
    ]


# -- a leader's quota ------------------------------------------------------------------------------


def standing(
    period: QuotaPeriod = QuotaPeriod.YEAR, quota: int = 4, started: date = date(2026, 1, 1)
) -> Standing:
    return Standing(uuid4(), uuid4(), "Vũ Đức Minh", CELL, "/c/", quota, period, started)


def visits(*days: date) -> list[datetime]:
    return [local_at(day, 19) for day in days]


def test_a_leader_behind_the_pro_rata_share_of_the_year_is_flagged() -> None:
    # 334 of 365 days by 30 November: 4 x 334/365 -> 3 visits expected
    found = behind_quota(standing(), visits(date(2026, 3, 4), date(2026, 7, 4)), date(2026, 11, 30))
    assert found is not None
    assert (found.attended, found.expected_by_now) == (2, 3)
    on_track = visits(date(2026, 3, 4), date(2026, 7, 4), date(2026, 11, 30))
    assert behind_quota(standing(), on_track, date(2026, 11, 30)) is None


def test_visits_outside_the_quota_period_or_after_the_day_judged_do_not_count() -> None:
    late = visits(date(2026, 12, 1), date(2026, 12, 2))
    found = behind_quota(standing(QuotaPeriod.MONTH, 1), late, date(2026, 11, 30))
    assert found is not None
    assert found.attended == 0


def test_an_assignment_begun_inside_its_quota_period_is_judged_from_the_next_one() -> None:
    assert behind_quota(standing(started=date(2026, 6, 1)), [], date(2026, 11, 30)) is None
    assert behind_quota(standing(QuotaPeriod.MONTH, 1, date(2026, 6, 1)), [], date(2026, 11, 30))


# -- unexcused absences ----------------------------------------------------------------------------


def absence(person: UUID, month: int, cell: UUID = CELL, day: int = 4) -> Absence:
    return Absence(
        cell, f"/{cell.hex}/", person, "Lê Thị Hoa", local_at(date(2026, month, day), 19)
    )


def test_three_months_of_unexcused_absence_in_a_cell_flag_a_member_for_review() -> None:
    flagged, spared = uuid4(), uuid4()
    rows = [
        absence(flagged, 3),
        absence(flagged, 5),
        absence(flagged, 5, day=20),  # the same month counts once
        absence(flagged, 9),
        absence(spared, 3),
        absence(spared, 3, day=20),
        absence(spared, 4),
    ]
    (review,) = absence_reviews(rows, 2026, MeetingPolicy())
    assert (review.person_id, review.cell_id, review.months) == (flagged, CELL, (3, 5, 9))
    lower = absence_reviews(rows, 2026, MeetingPolicy(unexcused_months_flag=2))
    assert {r.person_id for r in lower} == {flagged, spared}


def test_months_are_counted_per_cell() -> None:
    person = uuid4()
    rows = [absence(person, 3), absence(person, 4), absence(person, 5, cell=OTHER_CELL)]
    assert absence_reviews(rows, 2026, MeetingPolicy()) == []


# -- who hears of a flag ---------------------------------------------------------------------------


def flag(kind: FlagKind, subject: UUID, detail: dict[str, object]) -> ComplianceFlag:
    return ComplianceFlag(
        uuid4(), kind, CELL, "/c/", subject, "2026-11", detail, local_at(date(2026, 12, 5), 8)
    )


def test_the_cell_flags_go_to_its_secretaries_and_followers_once_each() -> None:
    secretary, deputy, leader = uuid4(), uuid4(), uuid4()
    cell = CellFacts(CELL, "Chi bộ khu dân cư số 1", (secretary, deputy), (leader, secretary))
    notice = flag_notice(
        flag(K.NO_REGULAR_MEETING, CELL, {"firstDay": "2026-11-01", "lastDay": "2026-11-20"}), cell
    )
    assert notice is not None
    assert notice.person_ids == (secretary, deputy, leader)
    assert notice.category is Category.MEETING
    assert notice.message.params == {
        "cell": "Chi bộ khu dân cư số 1",
        "month": "11/2026",
        "day": date(2026, 11, 20),
    }
    assert flag_notice(flag(K.NO_THEMATIC_MEETING, CELL, {}), CellFacts(CELL, "x", (), ())) is None


def test_a_quota_flag_goes_to_the_leader_alone() -> None:
    leader = uuid4()
    cell = CellFacts(CELL, "Chi bộ khu dân cư số 1", (uuid4(),), (leader, uuid4()))
    detail = {"attended": 2, "expected": 3, "asOf": "2026-11-30"}
    notice = flag_notice(flag(K.LEADER_BEHIND_QUOTA, leader, detail), cell)
    assert notice is not None
    assert notice.person_ids == (leader,)
    assert notice.message.template == "leader_behind_quota"
