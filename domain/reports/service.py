"""Report use cases: every figure comes from the records, none is typed in."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.compliance.model import CompliancePolicy
from domain.documents.model import DocumentPolicy
from domain.errors import ForbiddenError, NotFoundError
from domain.meetings.model import MeetingPolicy
from domain.org.model import Unit
from domain.org.ports import OrgRepository
from domain.ports import Clock, UnitOfWork
from domain.reports.issues import IssuedReport, ReportKind, content_hash
from domain.reports.model import CellReport, cell_rows, ward_totals
from domain.reports.period import parse_period
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
    ) -> None:
        self.repo, self.org, self.uow, self.clock = repo, org, uow, clock
        self.meeting_policy, self.compliance_policy = meeting_policy, compliance_policy
        self.document_policy = document_policy  # the printed report's page

    async def _unit(self, actor: Actor, unit_id: UUID) -> Unit:
        unit = await self.org.get_unit(unit_id)
        if unit is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, unit.path, "unit_not_found")
        return unit

    async def cells(self, actor: Actor, unit_id: UUID, period_text: str) -> CellReport:
        """One row per cell of the unit's subtree in the caller's view, and a totals row per
        ward."""
        period = parse_period(period_text)
        unit = await self._unit(actor, unit_id)
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

    async def issue_cells(
        self,
        actor: Actor,
        unit_id: UUID,
        period_text: str,
        render: Callable[[CellReport], bytes],
    ) -> tuple[IssuedReport, bool]:
        """Files the report as ``render`` makes it; True when this made a new version. The same
        figures as the latest version give that version back; changed ones a new version."""
        async with self.uow.atomic():
            report = await self.cells(actor, unit_id, period_text)
            unit = await self._unit(actor, unit_id)
            if not (
                actor.may(Permission.MANAGE_MEETINGS, unit.path)
                or actor.may(Permission.VISIT_MEETINGS, unit.path)
            ):
                raise ForbiddenError("report_issue_forbidden")
            digest = content_hash(report)
            latest = await self.repo.latest_issue(unit.id, ReportKind.CELLS, report.period.label)
            if latest is not None and latest.content_hash == digest:
                return latest, False
            issue = IssuedReport(
                id=uuid4(),
                unit_id=unit.id,
                unit_path=unit.path,
                kind=ReportKind.CELLS,
                period=report.period.label,
                version=(latest.version if latest else 0) + 1,
                content_hash=digest,
                body=render(report),
                issued_by=actor.person_id,
                issued_at=report.as_of,
            )
            await self.repo.add_issue(issue)
            return issue, True

    async def cell_issues(
        self, actor: Actor, unit_id: UUID, period_text: str
    ) -> list[IssuedReport]:
        period = parse_period(period_text)
        unit = await self._unit(actor, unit_id)
        return await self.repo.issues_of(unit.id, ReportKind.CELLS, period.label)

    async def issued(self, actor: Actor, issue_id: UUID) -> IssuedReport:
        """A filed version as it was issued, to whoever may view its unit."""
        issue = await self.repo.get_issue(issue_id)
        if issue is None:
            raise NotFoundError("report_issue_not_found")
        actor.require_visible(Permission.VIEW_UNIT, issue.unit_path, "report_issue_not_found")
        return issue
