"""Filing a period's report: the version as issued, kept byte for byte, with its number from the
document register (domain/reports/issues.py: what a version is, and why a correction takes a
new number); the filed versions read back with their numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.clock import local_day
from domain.documents.model import DocumentKind, issuer_symbol, number_symbol
from domain.documents.ports import DocumentRepository
from domain.errors import ForbiddenError, NotFoundError
from domain.org.model import Unit
from domain.reports.issues import FiledReport, IssuedReport, ReportKind, content_hash
from domain.reports.model import CellReport
from domain.reports.period import parse_period
from domain.reports.service import ReportService


class ReportFilingService:
    def __init__(self, reports: ReportService, register: DocumentRepository) -> None:
        self.reports = reports  # the report read now, its repository and its transaction
        self.register = register  # the filed versions' numbers

    async def issue_cells(
        self,
        actor: Actor,
        unit_id: UUID,
        period_text: str,
        render: Callable[[CellReport], bytes],
    ) -> tuple[IssuedReport, bool]:
        """Files the report as ``render`` makes it; True when this made a new version. The same
        figures as the latest version give that version back; changed ones a new version, with
        the next register number of the unit's reports in the term of its day (domain/reports/
        issues.py: why a correction takes a new number)."""
        async with self.reports.uow.atomic():
            report = await self.reports.cells(actor, unit_id, period_text)
            unit = await self.reports.unit(actor, unit_id)
            if not (
                actor.may(Permission.MANAGE_MEETINGS, unit.path)
                or actor.may(Permission.VISIT_MEETINGS, unit.path)
            ):
                raise ForbiddenError("report_issue_forbidden")
            digest = content_hash(report)
            latest = await self.reports.repo.latest_issue(
                unit.id, ReportKind.CELLS, report.period.label
            )
            if latest is not None and latest.content_hash == digest:
                [found] = await self._numbered([latest], unit)
                return found, False
            inputs = await self.reports.repo.input_versions(actor, unit.path)
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
                inputs=inputs,
            )
            await self.reports.repo.add_issue(issue)
            term = self.reports.document_policy.term_of(local_day(issue.issued_at))
            number = await self.register.issue_report(
                unit.id, term, issue.id, actor.person_id, issue.issued_at
            )
            return _with_number(issue, number, unit), True

    async def _numbered(self, issues: list[IssuedReport], unit: Unit) -> list[IssuedReport]:
        numbers = await self.register.report_numbers([i.id for i in issues])
        return [_with_number(i, numbers.get(i.id), unit) for i in issues]

    async def cell_issues(
        self, actor: Actor, unit_id: UUID, period_text: str
    ) -> list[IssuedReport]:
        period = parse_period(period_text)
        unit = await self.reports.unit(actor, unit_id)
        return await self._numbered(
            await self.reports.repo.issues_of(unit.id, ReportKind.CELLS, period.label), unit
        )

    async def issued(self, actor: Actor, issue_id: UUID) -> FiledReport:
        """A filed version as it was issued, with its number, to whoever may view its unit."""
        issue = await self.reports.repo.get_issue(issue_id)
        if issue is None:
            raise NotFoundError("report_issue_not_found")
        actor.require_visible(Permission.VIEW_UNIT, issue.unit_path, "report_issue_not_found")
        unit = await self.reports.org.get_unit(issue.unit_id)
        if unit is None:  # a unit with filed reports is never deleted (a restricting key)
            raise NotFoundError("report_issue_not_found")
        upper = await self.reports.org.get_unit(unit.parent_id) if unit.parent_id else None
        [numbered] = await self._numbered([issue], unit)
        return FiledReport(numbered, unit.is_cell, upper.name if upper else None)


def _with_number(issue: IssuedReport, number: int | None, unit: Unit) -> IssuedReport:
    if number is None:
        return issue
    symbol = number_symbol(DocumentKind.REPORT, number, issuer_symbol(is_cell=unit.is_cell))
    return replace(issue, number=number, number_symbol=symbol)
