"""Storage the reports need (implemented in db/repositories/reports.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.actors import Actor
from domain.reports.attention import AttentionFacts, AttentionScopes, AttentionWindow
from domain.reports.issues import InputVersion, IssuedReport, ReportKind
from domain.reports.leaders import FollowFact
from domain.reports.model import CellReportFacts, MonthFacts
from domain.reports.period import Period


class ReportRepository(Protocol):
    async def cell_facts(
        self, actor: Actor, unit_path: str, period: Period, now: datetime
    ) -> CellReportFacts:
        """The records of every active cell in ``unit_path``'s subtree that the actor may view,
        counted per cell by a few grouped statements. Inspections count only those the actor
        may see (domain/inspections/sealing.py): nothing of a sealed one inside the cell."""

    async def trend_facts(
        self, actor: Actor, unit_path: str, months: tuple[Period, ...], now: datetime, metric: str
    ) -> list[MonthFacts]:
        """Per month of ``months`` (consecutive, the first first), what ``cell_facts`` would give
        for that month, the counts summed over the cells, as far as ``metric`` is made of it (the
        rest left out): each statement runs once for all the months, grouped by month."""

    async def leader_facts(self, leader_id: UUID, period: Period) -> list[FollowFact]:
        """The cells the leader follows in the period or visited in it, by two grouped
        statements: their assignments, and their visits confirmed both ways."""

    async def attention_facts(
        self, scopes: AttentionScopes, window: AttentionWindow
    ) -> AttentionFacts:
        """A statement per list of "what needs me", each list's first ``window.limit`` rows
        with the count of all; the live assignments in scope and their visits of the year."""

    async def input_versions(self, actor: Actor, unit_path: str) -> tuple[InputVersion, ...]:
        """Per kind of record a cell report reads (units, assignments, meetings with their
        sheets, leaders' visits, tasks with their steps, petitions), the last change among those
        of the subtree's cells in the actor's view. Inspections are left out: a sealed one must
        not move anything the inspected cell can read (its visible counts are in the figures)."""

    async def latest_issue(
        self, unit_id: UUID, kind: ReportKind, period: str
    ) -> IssuedReport | None: ...

    async def add_issue(self, issue: IssuedReport) -> None:
        """A ``(unit, kind, period, version)`` already taken is a ConflictError."""

    async def issues_of(self, unit_id: UUID, kind: ReportKind, period: str) -> list[IssuedReport]:
        """Every version, the first first (their bodies left empty)."""

    async def get_issue(self, issue_id: UUID) -> IssuedReport | None: ...
