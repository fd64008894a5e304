"""ReportRepository: a cell report's records, counted per cell by grouped statements over the
subtree (the same SQL on both engines), never a statement per cell. What the domain must judge
row by row comes back as rows, bounded by the period: the regular and thematic meetings held (a
few per cell and month), the tasks closed, the leaders' assignments. Inspections are counted with
the inspection list's visibility (db/repositories/inspections.py), so a sealed one stays hidden
from the inspected cell, counts included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Count

from db.named_sql import bind
from db.pagination import subtree_bounds, subtree_range
from db.repositories.inspections import visibility
from db.tables import InspectionTable, ReportIssueTable, UnitTable
from domain.actors import Actor, Permission
from domain.clock import local_day, local_midnight
from domain.inspections.model import InspectionStatus
from domain.meetings.model import MeetingKind
from domain.org.model import QuotaPeriod
from domain.quality.model import Band
from domain.reports.issues import IssuedReport, ReportKind
from domain.reports.leaders import FollowFact
from domain.reports.model import (
    ABSENCE_WINDOW,
    REPEAT_ABSENCE_MONTHS,
    CellRef,
    CellReportFacts,
    ClosedTask,
    MeetingFact,
    QuotaFact,
)
from domain.reports.period import Period, add_months

DONE = (InspectionStatus.CONCLUDED.value, InspectionStatus.CLOSED.value)

_CELLS = """
SELECT u.id, u.name, w.id AS ward_id, w.name AS ward_name
FROM unit u JOIN unit w ON w.id = u.parent
WHERE {cells}
ORDER BY w.name, w.id, u.name, u.id
"""
_MEETINGS = """
SELECT g.cell, g.kind, g.combined_thematic, g.planned_start, g.actual_start, g.actual_end,
       q.band
FROM meeting g JOIN unit u ON u.id = g.cell LEFT JOIN meeting_quality q ON q.meeting = g.id
WHERE {cells} AND g.status IN ('held', 'finalized') AND g.kind IN ('regular', 'thematic')
  AND g.planned_start >= :quarter_since AND g.planned_start < :until
"""
_ATTENDANCE = """
SELECT g.cell,
       SUM(CASE WHEN a.status = 'present' THEN 1 ELSE 0 END) AS attendance_present,
       SUM(CASE WHEN a.status IN ('present', 'excused', 'unexcused') THEN 1 ELSE 0 END)
         AS attendance_expected,
       SUM(CASE WHEN a.status = 'unexcused' THEN 1 ELSE 0 END) AS unexcused_absences
FROM attendance a JOIN meeting g ON g.id = a.meeting JOIN unit u ON u.id = g.cell
WHERE {cells} AND g.status IN ('held', 'finalized')
  AND g.planned_start >= :since AND g.planned_start < :until
GROUP BY g.cell
"""
# the month of each absence among the last three, by bounds in Hà Nội time
_REPEAT_ABSENTEES = """
SELECT x.cell, COUNT(*) AS repeat_absentees FROM (
  SELECT g.cell, a.person
  FROM attendance a JOIN meeting g ON g.id = a.meeting JOIN unit u ON u.id = g.cell
  WHERE {cells} AND g.status IN ('held', 'finalized') AND a.status = 'unexcused'
    AND g.planned_start >= :window_since AND g.planned_start < :until
  GROUP BY g.cell, a.person
  HAVING COUNT(DISTINCT CASE WHEN g.planned_start < :second_month THEN 1
                             WHEN g.planned_start < :third_month THEN 2 ELSE 3 END) >= :repeat
) x GROUP BY x.cell
"""
_VISITS = """
SELECT g.cell, COUNT(*) AS leader_visits
FROM leader_visit v JOIN meeting g ON g.id = v.meeting JOIN unit u ON u.id = g.cell
WHERE {cells} AND g.status IN ('held', 'finalized')
  AND g.planned_start >= :since AND g.planned_start < :until
  AND v.leader_confirmed_at IS NOT NULL AND v.secretary_confirmed_at IS NOT NULL
GROUP BY g.cell
"""
_QUOTAS = """
SELECT la.cell, la.quota, la.period, la.started_on, la.ended_on
FROM leader_assignment la JOIN unit u ON u.id = la.cell
WHERE {cells} AND la.started_on < :end AND (la.ended_on IS NULL OR la.ended_on > :start)
"""
_TASKS = """
SELECT t.unit AS cell, COUNT(*) AS tasks,
       SUM(CASE WHEN t.status <> 'closed' THEN 1 ELSE 0 END) AS tasks_open,
       SUM(CASE WHEN t.status <> 'closed' AND t.due_on < :today THEN 1 ELSE 0 END)
         AS tasks_overdue,
       SUM(CASE WHEN t.escalation_level > 0 THEN 1 ELSE 0 END) AS tasks_escalated,
       SUM(CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END) AS tasks_closed
FROM task t JOIN unit u ON u.id = t.unit
WHERE {cells} AND t.created_at >= :since AND t.created_at < :until
GROUP BY t.unit
"""
_CLOSED_TASKS = """
SELECT t.unit AS cell, t.created_at, t.due_on, MAX(s.at) AS closed_at
FROM task t JOIN unit u ON u.id = t.unit JOIN task_step s ON s.task = t.id
WHERE {cells} AND t.created_at >= :since AND t.created_at < :until
  AND t.status = 'closed' AND s.kind = 'closed'
GROUP BY t.id, t.unit, t.created_at, t.due_on
"""
_PETITIONS = """
SELECT p.unit AS cell, COUNT(*) AS petitions_received,
       SUM(CASE WHEN p.replied_late = :no THEN 1 ELSE 0 END) AS petitions_answered_on_time,
       SUM(CASE WHEN p.replied_late = :yes THEN 1 ELSE 0 END) AS petitions_answered_late,
       SUM(CASE WHEN p.reply IS NULL AND p.reply_due_on < :today THEN 1 ELSE 0 END)
         AS petitions_overdue
FROM petition p JOIN unit u ON u.id = p.unit
WHERE {cells} AND p.received_at >= :since AND p.received_at < :until
GROUP BY p.unit
"""
# a leader's assignments overlapping the period, and their confirmed visits per cell: those in
# the period and the last one before its end
_FOLLOWED = """
SELECT la.cell, u.name, u.path, la.quota, la.period, la.started_on, la.ended_on
FROM leader_assignment la JOIN unit u ON u.id = la.cell
WHERE la.leader = :leader AND la.started_on < :end AND (la.ended_on IS NULL OR la.ended_on > :start)
"""
_LEADER_VISITS = """
SELECT g.cell, u.name, u.path,
       SUM(CASE WHEN g.planned_start >= :since THEN 1 ELSE 0 END) AS visits,
       MAX(g.planned_start) AS last_visit
FROM leader_visit v JOIN meeting g ON g.id = v.meeting JOIN unit u ON u.id = g.cell
WHERE v.leader = :leader AND g.status IN ('held', 'finalized') AND g.planned_start < :until
  AND v.leader_confirmed_at IS NOT NULL AND v.secretary_confirmed_at IS NOT NULL
GROUP BY g.cell, u.name, u.path
"""
_COUNTED = (_ATTENDANCE, _REPEAT_ABSENTEES, _VISITS, _TASKS, _PETITIONS)


def _uuid(value: Any) -> UUID:  # noqa: ANN401 - text on SQLite, UUID on PostgreSQL
    return value if isinstance(value, UUID) else UUID(str(value))


def _moment(value: Any) -> datetime:  # noqa: ANN401 - text on SQLite
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: Any) -> date:  # noqa: ANN401 - text on SQLite
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _quota(row: dict[str, Any]) -> QuotaFact:
    return QuotaFact(
        _uuid(row["cell"]),
        int(row["quota"]),
        QuotaPeriod(row["period"]),
        _day(row["started_on"]),
        _day(row["ended_on"]) if row["ended_on"] else None,
    )


def _cells_condition(
    engine: str, unit_path: str, scopes: tuple[str, ...]
) -> tuple[str, dict[str, Any]]:
    """Active cells (alias ``u``) in the unit's subtree and in one of the caller's scopes, as
    byte-wise path ranges (decision 12)."""
    within = subtree_range(engine, "u.path").format(":within_lo", ":within_hi")
    params: dict[str, Any] = dict(
        zip(("within_lo", "within_hi"), subtree_bounds(unit_path), strict=True)
    )
    ranges = []
    for i, scope in enumerate(scopes):
        ranges.append(subtree_range(engine, "u.path").format(f":scope{i}_lo", f":scope{i}_hi"))
        params.update(zip((f"scope{i}_lo", f"scope{i}_hi"), subtree_bounds(scope), strict=True))
    seen = " OR ".join(ranges) or "1 = 0"
    return f"u.is_cell = :yes AND u.active = :yes AND {within} AND ({seen})", params


def _issue(row: dict[str, Any]) -> IssuedReport:
    return IssuedReport(
        id=row["id"],
        unit_id=row["unit"],
        unit_path=row["unit.path"],
        kind=ReportKind(row["kind"]),
        period=row["period"],
        version=row["version"],
        content_hash=row["content_hash"],
        body=(row.get("body") or "").encode(),
        issued_by=row["issued_by"],
        issued_at=row["issued_at"],
    )


_ISSUE = ReportIssueTable
_ISSUE_COLUMNS = (
    _ISSUE.id, _ISSUE.unit, _ISSUE.unit.path, _ISSUE.kind, _ISSUE.period, _ISSUE.version,
    _ISSUE.content_hash, _ISSUE.issued_by, _ISSUE.issued_at,
)  # fmt: skip


class PiccoloReportRepository:
    async def latest_issue(
        self, unit_id: UUID, kind: ReportKind, period: str
    ) -> IssuedReport | None:
        row = (
            await _ISSUE.select(*_ISSUE_COLUMNS)
            .where(_ISSUE.unit == unit_id, _ISSUE.kind == kind.value, _ISSUE.period == period)
            .order_by(_ISSUE.version, ascending=False)
            .first()
        )
        return _issue(row) if row else None

    async def add_issue(self, issue: IssuedReport) -> None:
        # (unit, kind, period, version) taken by a concurrent issuer: concurrent_change
        await _ISSUE.insert(
            _ISSUE(
                id=issue.id,
                unit=issue.unit_id,
                kind=issue.kind.value,
                period=issue.period,
                version=issue.version,
                content_hash=issue.content_hash,
                body=issue.body.decode(),
                issued_by=issue.issued_by,
                issued_at=issue.issued_at,
            )
        )

    async def issues_of(self, unit_id: UUID, kind: ReportKind, period: str) -> list[IssuedReport]:
        rows = (
            await _ISSUE.select(*_ISSUE_COLUMNS)
            .where(_ISSUE.unit == unit_id, _ISSUE.kind == kind.value, _ISSUE.period == period)
            .order_by(_ISSUE.version)
        )
        return [_issue(r) for r in rows]

    async def get_issue(self, issue_id: UUID) -> IssuedReport | None:
        row = await _ISSUE.select(*_ISSUE_COLUMNS, _ISSUE.body).where(_ISSUE.id == issue_id).first()
        return _issue(row) if row else None

    async def _run(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        engine = UnitTable._meta.db  # noqa: SLF001
        rows: list[dict[str, Any]] = await engine.run_querystring(bind(sql, params))
        return rows

    async def cell_facts(
        self, actor: Actor, unit_path: str, period: Period, now: datetime
    ) -> CellReportFacts:
        engine = UnitTable._meta.db.engine_type  # noqa: SLF001
        cells, params = _cells_condition(engine, unit_path, actor.scopes(Permission.VIEW_UNIT))
        last = period.last_month
        params |= {
            "yes": True,
            "no": False,
            "since": period.since,
            "until": period.until,
            "quarter_since": local_midnight(period.quarter_start),
            "start": period.start,
            "end": period.end,
            "today": local_day(now),
            "window_since": local_midnight(add_months(last, 1 - ABSENCE_WINDOW)),
            "second_month": local_midnight(add_months(last, 2 - ABSENCE_WINDOW)),
            "third_month": local_midnight(add_months(last, 3 - ABSENCE_WINDOW)),
            "repeat": REPEAT_ABSENCE_MONTHS,
        }

        def run(sql: str) -> Any:  # noqa: ANN401 - a coroutine of rows
            return self._run(sql.format(cells=cells), params)

        counts: dict[UUID, dict[str, int]] = {}
        for sql in _COUNTED:
            for row in await run(sql):
                counts.setdefault(_uuid(row["cell"]), {}).update(
                    {k: int(v or 0) for k, v in dict(row).items() if k != "cell"}
                )
        for cell, status, n in await self._inspections(actor, unit_path, period, now):
            figures = counts.setdefault(cell, {})
            figures["inspections_planned"] = figures.get("inspections_planned", 0) + n
            if status in DONE:
                figures["inspections_done"] = figures.get("inspections_done", 0) + n
        return CellReportFacts(
            cells=[
                CellRef(_uuid(r["id"]), r["name"], _uuid(r["ward_id"]), r["ward_name"])
                for r in await run(_CELLS)
            ],
            meetings=[
                MeetingFact(
                    cell_id=_uuid(r["cell"]),
                    kind=MeetingKind(r["kind"]),
                    combined_thematic=bool(r["combined_thematic"]),
                    planned_start=_moment(r["planned_start"]),
                    actual_start=_moment(r["actual_start"]) if r["actual_start"] else None,
                    actual_end=_moment(r["actual_end"]) if r["actual_end"] else None,
                    band=Band(r["band"]) if r["band"] else None,
                )
                for r in await run(_MEETINGS)
            ],
            counts=counts,
            closed_tasks=[
                ClosedTask(
                    _uuid(r["cell"]),
                    _moment(r["created_at"]),
                    _day(r["due_on"]),
                    _moment(r["closed_at"]),
                )
                for r in await run(_CLOSED_TASKS)
            ],
            quotas=[_quota(r) for r in await run(_QUOTAS)],
        )

    async def leader_facts(self, leader_id: UUID, period: Period) -> list[FollowFact]:
        params = {
            "leader": leader_id,
            "start": period.start,
            "end": period.end,
            "since": period.since,
            "until": period.until,
        }
        cells: dict[UUID, tuple[str, str]] = {}
        quotas: dict[UUID, list[QuotaFact]] = {}
        for r in await self._run(_FOLLOWED, params):
            cell = _uuid(r["cell"])
            cells[cell] = (r["name"], r["path"])
            quotas.setdefault(cell, []).append(_quota(r))
        visits: dict[UUID, tuple[int, datetime]] = {}
        for r in await self._run(_LEADER_VISITS, params):
            cell = _uuid(r["cell"])
            cells.setdefault(cell, (r["name"], r["path"]))
            visits[cell] = (int(r["visits"] or 0), _moment(r["last_visit"]))
        return [
            FollowFact(
                cell_id=cell,
                cell_name=name,
                cell_path=path,
                quotas=tuple(quotas.get(cell, ())),
                visits=visits[cell][0] if cell in visits else 0,
                last_visit=visits[cell][1] if cell in visits else None,
            )
            for cell, (name, path) in cells.items()
        ]

    async def _inspections(
        self, actor: Actor, unit_path: str, period: Period, now: datetime
    ) -> list[tuple[UUID, str, int]]:
        """(cell, status, count) of the inspections of cells in the subtree whose window starts
        in the period, as the inspection list shows them to the actor."""
        t = InspectionTable
        rows = (
            await t.select(t.target, t.status, Count())
            .where(
                t.target.path.like(f"{unit_path}%"),
                t.target.is_cell == True,  # noqa: E712 - a Piccolo condition
                t.window_start >= period.since,
                t.window_start < period.until,
                await visibility(actor, now),
            )
            .group_by(t.target, t.status)
        )
        return [(_uuid(r["target"]), r["status"], int(r["count"])) for r in rows]
