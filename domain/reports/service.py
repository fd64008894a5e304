"""Report use cases: every figure comes from the records, none is typed in."""

from __future__ import annotations

from uuid import UUID

from domain.actors import Actor, Permission
from domain.clock import local_day
from domain.compliance.model import CompliancePolicy
from domain.documents.model import DocumentPolicy
from domain.errors import NotFoundError, RuleViolationError
from domain.meetings.model import MeetingPolicy
from domain.org.model import Unit
from domain.org.ports import OrgRepository
from domain.ports import Clock, UnitOfWork
from domain.reminders.model import ReminderPolicy
from domain.reports.attention import (
    Attention,
    attention_scopes,
    attention_window,
    leaders_behind,
)
from domain.reports.leaders import LeaderReport, leader_rows, unvisited_since
from domain.reports.model import (
    METRICS,
    CellReport,
    Trend,
    TrendPoint,
    cell_rows,
    median_days,
    metric_value,
    subtree_figures,
    ward_totals,
)
from domain.reports.period import add_months, month_period, parse_period
from domain.reports.ports import ReportRepository


class ReportService:
    def __init__(
        self,
        repo: ReportRepository,
        org: OrgRepository,
        uow: UnitOfWork,
        clock: Clock,
        meeting_policy: MeetingPolicy,
        compliance_policy: CompliancePolicy,
        document_policy: DocumentPolicy,
        reminder_policy: ReminderPolicy,
    ) -> None:
        self.repo, self.org, self.uow, self.clock = repo, org, uow, clock
        self.meeting_policy, self.compliance_policy = meeting_policy, compliance_policy
        self.document_policy = document_policy  # the printed report's page
        self.reminder_policy = reminder_policy  # how near "near due" is

    async def unit(self, actor: Actor, unit_id: UUID) -> Unit:
        """The unit, if the actor may view it; else 404 ``unit_not_found``."""
        unit = await self.org.get_unit(unit_id)
        if unit is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, unit.path, "unit_not_found")
        return unit

    async def cells(self, actor: Actor, unit_id: UUID, period_text: str) -> CellReport:
        """One row per cell of the unit's subtree in the caller's view, and a totals row per
        ward."""
        period = parse_period(period_text)
        unit = await self.unit(actor, unit_id)
        upper = await self.org.get_unit(unit.parent_id) if unit.parent_id else None
        now = self.clock.now()
        facts = await self.repo.cell_facts(actor, unit.path, period, now)
        rows = cell_rows(period, facts, self.meeting_policy, self.compliance_policy.regular_day)
        return CellReport(
            unit_id=unit.id,
            unit_name=unit.name,
            unit_is_cell=unit.is_cell,
            upper_name=upper.name if upper else None,
            period=period,
            as_of=now,
            rows=rows,
            wards=ward_totals(rows, facts.closed_tasks),
            median_days_to_close=median_days(facts.closed_tasks),
        )

    async def leader(
        self, actor: Actor, person_id: UUID, period_text: str, unvisited_months: int
    ) -> LeaderReport:
        """The leader's visits against quota per cell, in the caller's view of the cells: to the
        leader themself, or to whoever may view people in the leader's unit; else 404."""
        period = parse_period(period_text)
        person = await self.org.get_person(person_id)
        if person is None or not actor.sees_person(person.id, person.home_unit_path):
            raise NotFoundError("person_not_found")
        home = await self.org.get_unit(person.home_unit_id)
        upper = await self.org.get_unit(home.parent_id) if home and home.parent_id else None
        now = self.clock.now()
        since = unvisited_since(period, now, unvisited_months)
        facts = [
            f
            for f in await self.repo.leader_facts(person.id, period)
            if actor.may(Permission.VIEW_UNIT, f.cell_path)
        ]
        rows, totals = leader_rows(period, facts, since)
        return LeaderReport(
            leader_id=person.id,
            leader_name=person.full_name,
            unit_name=home.name if home else "",
            upper_name=upper.name if upper else None,
            period=period,
            as_of=now,
            unvisited_months=unvisited_months,
            unvisited_since=since,
            rows=rows,
            totals=totals,
        )

    async def attention(self, actor: Actor, limit: int) -> Attention:
        """What needs the caller now, each list in their own scope (nothing to see: empty)."""
        now = self.clock.now()
        window = attention_window(now, self.reminder_policy, limit)
        facts = await self.repo.attention_facts(attention_scopes(actor), window)
        return Attention(
            as_of=now,
            cells_not_met=facts.cells_not_met,
            leaders_behind=leaders_behind(facts.standings, facts.visits, window.today, limit),
            tasks=facts.tasks,
            petitions=facts.petitions,
            flags=facts.flags,
        )

    async def trend(self, actor: Actor, unit_id: UUID, metric: str, months: int) -> Trend:
        """The subtree's monthly series of one figure, the current month last (so far)."""
        if metric not in METRICS:
            raise RuleViolationError("report_metric_invalid", metric=metric)
        unit = await self.unit(actor, unit_id)
        now = self.clock.now()
        this_month = local_day(now).replace(day=1)
        periods = tuple(month_period(add_months(this_month, -back)) for back in range(months)[::-1])
        monthly = await self.repo.trend_facts(actor, unit.path, periods, now, metric)
        points = []
        for period, facts in zip(periods, monthly, strict=True):
            total = subtree_figures(
                period, facts, self.meeting_policy, self.compliance_policy.regular_day
            )
            points.append(TrendPoint(period.label, metric_value(total, metric)))
        return Trend(unit.id, metric, points)
