"""Report use cases: every figure comes from the records, none is typed in."""

from __future__ import annotations

from uuid import UUID

from domain.actors import Actor, Permission
from domain.compliance.model import CompliancePolicy
from domain.documents.model import DocumentPolicy
from domain.errors import NotFoundError
from domain.meetings.model import MeetingPolicy
from domain.org.ports import OrgRepository
from domain.ports import Clock
from domain.reports.model import CellReport, cell_rows, ward_totals
from domain.reports.period import parse_period
from domain.reports.ports import ReportRepository


class ReportService:
    def __init__(
        self,
        repo: ReportRepository,
        org: OrgRepository,
        clock: Clock,
        meeting_policy: MeetingPolicy,
        compliance_policy: CompliancePolicy,
        document_policy: DocumentPolicy,
    ) -> None:
        self.repo, self.org, self.clock = repo, org, clock
        self.meeting_policy, self.compliance_policy = meeting_policy, compliance_policy
        self.document_policy = document_policy  # the printed report's page

    async def cells(self, actor: Actor, unit_id: UUID, period_text: str) -> CellReport:
        """One row per cell of the unit's subtree in the caller's view, and a totals row per
        ward."""
        period = parse_period(period_text)
        unit = await self.org.get_unit(unit_id)
        if unit is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, unit.path, "unit_not_found")
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
        )
