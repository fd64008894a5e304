"""ReportRepository: a cell report's records, counted per cell by grouped statements over the
subtree (the same SQL on both engines), never a statement per cell. What the domain must judge
row by row comes back as rows, bounded by the period: the regular and thematic meetings held (a
few per cell and month), the tasks closed, the leaders' assignments. Inspections are counted with
the inspection list's visibility (db/repositories/inspections.py), so a sealed one stays hidden
from the inspected cell, counts included."""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from piccolo.query.functions.aggregate import Count

from db.json_columns import dumps, loads
from db.named_sql import bind
from db.pagination import subtree_bounds, subtree_range
from db.repositories.inspections import visibility
from db.repositories.monthly import MONTH, month_of, summed_by_month
from db.tables import InspectionTable, ReportIssueTable, UnitTable
from domain.actors import Actor, Permission
from domain.clock import local_day, local_midnight
from domain.compliance.model import FlagKind, Standing
from domain.inspections.model import InspectionStatus
from domain.meetings.model import MeetingKind
from domain.org.model import QuotaPeriod
from domain.quality.model import Band
from domain.reports.attention import (
    AttentionFacts,
    AttentionScopes,
    AttentionWindow,
    CellToMeet,
    FlagRaised,
    Listed,
    PetitionDue,
    TaskDue,
)
from domain.reports.issues import InputVersion, IssuedReport, ReportKind
from domain.reports.leaders import FollowFact
from domain.reports.model import (
    ABSENCE_WINDOW,
    REPEAT_ABSENCE_MONTHS,
    CellRef,
    CellReportFacts,
    ClosedTask,
    MeetingFact,
    MonthFacts,
    QuotaFact,
)
from domain.reports.period import Period, add_months
from domain.surveys.model import SATISFIED_FROM, Resolved

T = TypeVar("T")
DONE = (InspectionStatus.CONCLUDED.value, InspectionStatus.CLOSED.value)

_CELLS = """
SELECT u.id, u.name, w.id AS ward_id, w.name AS ward_name
FROM unit u JOIN unit w ON w.id = u.parent
WHERE {cells}
ORDER BY w.name, w.id, u.name, u.id
"""
_CELL_COUNT = "SELECT COUNT(*) AS cells FROM unit u WHERE {cells}"
# the regular meetings of the period, each judged by the rules (on time, long enough)
_MEETINGS = """
SELECT g.cell, g.kind, g.combined_thematic, g.planned_start, g.actual_start, g.actual_end,
       q.band
FROM meeting g JOIN unit u ON u.id = g.cell LEFT JOIN meeting_quality q ON q.meeting = g.id
WHERE {cells} AND g.status IN ('held', 'finalized') AND g.kind = 'regular'
  AND g.planned_start >= :since AND g.planned_start < :until
"""
# the thematic meetings of the quarters the period touches, up to its end: counted, not judged
# (a regular meeting combined with a thematic subject is one)
_THEMATIC = """
SELECT g.cell, COUNT(*) AS thematic_held
FROM meeting g JOIN unit u ON u.id = g.cell
WHERE {cells} AND g.status IN ('held', 'finalized')
  AND (g.kind = 'thematic' OR (g.kind = 'regular' AND g.combined_thematic = :yes))
  AND g.planned_start >= :quarter_since AND g.planned_start < :until
GROUP BY g.cell
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
_SURVEYS = """
SELECT a.unit AS cell,
       SUM(CASE WHEN a.entered_by IS NULL THEN 1 ELSE 0 END) AS survey_answers,
       SUM(CASE WHEN a.entered_by IS NULL AND a.score >= :satisfied THEN 1 ELSE 0 END)
         AS survey_satisfied,
       SUM(CASE WHEN a.entered_by IS NULL AND a.resolved = :not_resolved THEN 1 ELSE 0 END)
         AS survey_not_resolved,
       SUM(CASE WHEN a.entered_by IS NULL THEN 0 ELSE 1 END) AS survey_assisted
FROM survey_answer a JOIN unit u ON u.id = a.unit
WHERE {cells} AND a.answered_at >= :since AND a.answered_at < :until
GROUP BY a.unit
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
# "what needs me": each list's first rows with the count of all beside them (COUNT(*) OVER ())
_NOT_MET = """
SELECT u.id, u.name, COUNT(*) OVER () AS total
FROM unit u
WHERE u.is_cell = :yes AND u.active = :yes AND {meetings} AND NOT EXISTS (
  SELECT 1 FROM meeting g
  WHERE g.cell = u.id AND g.kind = 'regular' AND g.status IN ('held', 'finalized')
    AND g.planned_start >= :month_since AND g.planned_start < :month_until)
ORDER BY u.name, u.id LIMIT :limit
"""
_STANDINGS = """
SELECT la.id, la.leader, p.full_name, la.cell, u.path, u.name, la.quota, la.period, la.started_on
FROM leader_assignment la JOIN unit u ON u.id = la.cell JOIN person p ON p.id = la.leader
WHERE (la.leader = :me OR {leaders}) AND u.active = :yes AND p.active = :yes
  AND la.started_on <= :today AND (la.ended_on IS NULL OR la.ended_on >= :today)
"""
_STANDING_VISITS = """
SELECT v.leader, g.cell, g.planned_start
FROM leader_visit v JOIN meeting g ON g.id = v.meeting JOIN unit u ON u.id = g.cell
WHERE (v.leader = :me OR {leaders})
  AND v.leader_confirmed_at IS NOT NULL AND v.secretary_confirmed_at IS NOT NULL
  AND g.planned_start >= :year_since AND g.planned_start < :tomorrow
"""
_TASKS_DUE = """
SELECT t.id, t.title, t.unit, u.name, t.assignee, t.due_on, COUNT(*) OVER () AS total
FROM task t JOIN unit u ON u.id = t.unit
WHERE (t.assignee = :me OR {tasks}) AND t.status <> 'closed' AND t.due_on <= :tasks_due_by
ORDER BY t.due_on, t.id LIMIT :limit
"""
_PETITIONS_DUE = """
SELECT p.id, p.task, p.unit, u.name, p.category, p.reply_due_on, COUNT(*) OVER () AS total
FROM petition p JOIN unit u ON u.id = p.unit
WHERE {tasks} AND p.reply IS NULL AND p.reply_due_on <= :petitions_due_by
ORDER BY p.reply_due_on, p.id LIMIT :limit
"""
_FLAGS = """
SELECT f.id, f.kind, f.unit, u.name, f.subject, f.period, f.raised_at, COUNT(*) OVER () AS total
FROM compliance_flag f JOIN unit u ON u.id = f.unit
WHERE {flags} AND f.raised_at >= :flags_since
ORDER BY f.raised_at DESC, f.id LIMIT :limit
"""
# where the records a cell report reads stood: the last change position per kind (decision 16);
# inspections left out (the seal: a sealed one must move nothing the inspected cell reads)
_INPUTS = """
SELECT c.entity, MAX(c.pos) AS position, COUNT(*) AS objects
FROM sync_change c JOIN unit u ON u.id = c.unit_id
WHERE {cells} AND c.entity IN ('unit', 'leader_assignment', 'meeting', 'leader_visits', 'task',
                               'petition')
GROUP BY c.entity ORDER BY c.entity
"""
# a trend's month: a cell held its regular meeting or not (the report counts distinct months)
_REGULAR_HELD = """
SELECT g.cell, 1 AS regular_held
FROM meeting g JOIN unit u ON u.id = g.cell
WHERE {cells} AND g.kind = 'regular' AND g.status IN ('held', 'finalized')
  AND g.planned_start >= :since AND g.planned_start < :until
GROUP BY g.cell
"""
_COUNTED = (_ATTENDANCE, _REPEAT_ABSENTEES, _VISITS, _TASKS, _PETITIONS, _SURVEYS, _THEMATIC)
# a trend's figures and what counts them once for all its months: a counted statement of the
# report by the month of its period's column (thematic meetings: then summed over each month's
# quarter so far); the rows the domain judges (meetings, closed tasks, quotas), each month given
# its own. Any other (repeat absentees: a three-month window; inspections: their visibility; a
# figure added later): each month's own report.
_MONTHLY = (
    (_REGULAR_HELD, "g.planned_start", ("regular_held",)),
    (_ATTENDANCE, "g.planned_start", (
        "attendance_present", "attendance_expected", "unexcused_absences")),
    (_VISITS, "g.planned_start", ("leader_visits",)),
    (_TASKS, "t.created_at", (
        "tasks", "tasks_open", "tasks_overdue", "tasks_escalated", "tasks_closed")),
    (_PETITIONS, "p.received_at", (
        "petitions_received", "petitions_answered_on_time", "petitions_answered_late",
        "petitions_overdue")),
    (_SURVEYS, "a.answered_at", (
        "survey_answers", "survey_satisfied", "survey_not_resolved", "survey_assisted")),
    (_THEMATIC, "g.planned_start", ("thematic_held",)),
)  # fmt: skip
_MEETING_FIGURES = frozenset({"regular_on_time", "regular_full_length"})
_MADE_OF = {"attendance_rate": ("attendance_present", "attendance_expected")}
_AT_ONCE = frozenset(
    {name for *_, figures in _MONTHLY for name in figures}
    | set(_MADE_OF)
    | _MEETING_FIGURES
    | {"regular_due", "tasks_closed_on_time", "leader_visit_quota"}
)


def _uuid(value: Any) -> UUID:  # noqa: ANN401 - text on SQLite, UUID on PostgreSQL
    return value if isinstance(value, UUID) else UUID(str(value))


def _moment(value: Any) -> datetime:  # noqa: ANN401 - text on SQLite
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: Any) -> date:  # noqa: ANN401 - text on SQLite
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _cell(row: dict[str, Any]) -> CellRef:
    return CellRef(_uuid(row["id"]), row["name"], _uuid(row["ward_id"]), row["ward_name"])


# by value: a dictionary look-up, not an Enum call, for each of a city's thousands of meetings
_KINDS = {kind.value: kind for kind in MeetingKind}
_BANDS = {band.value: band for band in Band}


def _meeting(row: dict[str, Any]) -> MeetingFact:
    return MeetingFact(
        cell_id=_uuid(row["cell"]),
        kind=_KINDS[row["kind"]],
        combined_thematic=bool(row["combined_thematic"]),
        planned_start=_moment(row["planned_start"]),
        actual_start=_moment(row["actual_start"]) if row["actual_start"] else None,
        actual_end=_moment(row["actual_end"]) if row["actual_end"] else None,
        band=_BANDS[row["band"]] if row["band"] else None,
    )


def _closed_task(row: dict[str, Any]) -> ClosedTask:
    return ClosedTask(
        _uuid(row["cell"]),
        _moment(row["created_at"]),
        _day(row["due_on"]),
        _moment(row["closed_at"]),
    )


def _summed(facts: CellReportFacts) -> MonthFacts:
    """A month's report's facts, the counts summed over its cells."""
    counts: Counter[str] = Counter()
    for of_cell in facts.counts.values():
        counts.update(of_cell)
    return MonthFacts(len(facts.cells), counts, facts.meetings, facts.closed_tasks, facts.quotas)


def _quarter_so_far(counts: list[dict[str, int]], months: tuple[Period, ...], name: str) -> None:
    """``name`` counted by month made what each month's report counts: its quarter up to it.
    The first month's count already holds the quarter's months before it (the statement reads
    from the first month's quarter start)."""
    by_month = [c.get(name, 0) for c in counts]
    for i, month in enumerate(months):
        quarter = local_midnight(month.quarter_start)
        counts[i][name] = sum(by_month[j] for j in range(i + 1) if months[j].until > quarter)


def _quota(row: dict[str, Any]) -> QuotaFact:
    return QuotaFact(
        _uuid(row["cell"]),
        int(row["quota"]),
        QuotaPeriod(row["period"]),
        _day(row["started_on"]),
        _day(row["ended_on"]) if row["ended_on"] else None,
    )


def _in_scopes(
    engine: str, column: str, scopes: tuple[str, ...], name: str = "scope"
) -> tuple[str, dict[str, Any]]:
    """``column`` (a unit's path) in one of the scopes' subtrees, as byte-wise path ranges
    (decision 12); none: no row."""
    ranges: list[str] = []
    params: dict[str, Any] = {}
    for i, scope in enumerate(scopes):
        ranges.append(subtree_range(engine, column).format(f":{name}{i}_lo", f":{name}{i}_hi"))
        params.update(zip((f"{name}{i}_lo", f"{name}{i}_hi"), subtree_bounds(scope), strict=True))
    return f"({' OR '.join(ranges) or '1 = 0'})", params


def _cells_condition(
    engine: str, unit_path: str, scopes: tuple[str, ...]
) -> tuple[str, dict[str, Any]]:
    """Active cells (alias ``u``) in the unit's subtree and in one of the caller's scopes."""
    within, params = _in_scopes(engine, "u.path", (unit_path,), "within")
    seen, more = _in_scopes(engine, "u.path", scopes)
    return f"u.is_cell = :yes AND u.active = :yes AND {within} AND {seen}", params | more


def cell_statement_params(
    engine: str, unit_path: str, scopes: tuple[str, ...], period: Period, now: datetime
) -> tuple[str, dict[str, Any]]:
    """The cells condition and the bound values of the cell report's statements (also what
    bench/report_sql.py explains)."""
    cells, params = _cells_condition(engine, unit_path, scopes)
    last = period.last_month
    return cells, params | {
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
        "satisfied": int(SATISFIED_FROM),
        "not_resolved": Resolved.NO.value,
    }


# the cell report's statements by name (bench/report_sql.py explains them)
def cell_statements() -> dict[str, str]:
    return {
        "attendance": _ATTENDANCE, "repeat_absentees": _REPEAT_ABSENTEES, "visits": _VISITS,
        "tasks": _TASKS, "petitions": _PETITIONS, "cells": _CELLS, "meetings": _MEETINGS,
        "closed_tasks": _CLOSED_TASKS, "quotas": _QUOTAS, "surveys": _SURVEYS,
        "thematic": _THEMATIC,
    }  # fmt: skip


# the trend's statements counted by month, by the first figure each counts (bench/report_trend.py
# explains them): (statement by cell, its period's column, the figures)
def trend_statements() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    return {columns[0]: (sql, moment, columns) for sql, moment, columns in _MONTHLY}


def _issue(row: dict[str, Any]) -> IssuedReport:
    inputs = row.get("inputs")
    return IssuedReport(
        inputs=tuple(
            InputVersion(i["entity"], int(i["position"]), int(i["objects"]))
            for i in (loads(inputs) if inputs else [])
        ),
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
    _ISSUE.id,
    _ISSUE.unit,
    _ISSUE.unit.path,
    _ISSUE.kind,
    _ISSUE.period,
    _ISSUE.version,
    _ISSUE.content_hash,
    _ISSUE.issued_by,
    _ISSUE.issued_at,
    _ISSUE.inputs,
)


class PiccoloReportRepository:
    async def input_versions(self, actor: Actor, unit_path: str) -> tuple[InputVersion, ...]:
        engine = UnitTable._meta.db.engine_type  # noqa: SLF001
        cells, params = _cells_condition(engine, unit_path, actor.scopes(Permission.VIEW_UNIT))
        rows = await self._run(_INPUTS.format(cells=cells), params | {"yes": True})
        return tuple(InputVersion(r["entity"], int(r["position"]), int(r["objects"])) for r in rows)

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
                inputs=dumps([dataclasses.asdict(i) for i in issue.inputs]),
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
        scopes = actor.scopes(Permission.VIEW_UNIT)
        cells, params = cell_statement_params(engine, unit_path, scopes, period, now)

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
            cells=[_cell(r) for r in await run(_CELLS)],
            meetings=[_meeting(r) for r in await run(_MEETINGS)],
            counts=counts,
            closed_tasks=[_closed_task(r) for r in await run(_CLOSED_TASKS)],
            quotas=[_quota(r) for r in await run(_QUOTAS)],
        )

    async def trend_facts(
        self, actor: Actor, unit_path: str, months: tuple[Period, ...], now: datetime, metric: str
    ) -> list[MonthFacts]:
        if metric not in _AT_ONCE:
            return [_summed(await self.cell_facts(actor, unit_path, m, now)) for m in months]
        engine = UnitTable._meta.db.engine_type  # noqa: SLF001
        scopes = actor.scopes(Permission.VIEW_UNIT)
        span = Period(f"{months[0].label}–{months[-1].label}", months[0].start, len(months))
        cells, params = cell_statement_params(engine, unit_path, scopes, span, now)

        async def run(sql: str, more: dict[str, Any] | None = None) -> list[dict[str, Any]]:
            return await self._run(sql.format(cells=cells), params | (more or {}))

        counts: list[dict[str, int]] = [{} for _ in months]
        needs = _MADE_OF.get(metric, (metric,))
        for sql, moment, columns in _MONTHLY:
            if set(needs) & set(columns):
                for row in await run(*summed_by_month(sql, moment, months, columns)):
                    counts[int(row[MONTH])] = {c: int(row[c] or 0) for c in columns}
        if "thematic_held" in needs:
            _quarter_so_far(counts, months, "thematic_held")
        meetings = sorted(
            [_meeting(r) for r in await run(_MEETINGS)] if metric in _MEETING_FIGURES else [],
            key=lambda m: m.planned_start,
        )
        starts = [m.planned_start for m in meetings]

        def meetings_of(month: Period) -> list[MeetingFact]:
            """A month's report reads the meetings of its quarter so far (thematic ones)."""
            since = bisect_left(starts, local_midnight(month.quarter_start))
            return meetings[since : bisect_left(starts, month.until)]

        closed: list[list[ClosedTask]] = [[] for _ in months]
        if metric == "tasks_closed_on_time":
            for task in map(_closed_task, await run(_CLOSED_TASKS)):
                closed[month_of(task.created_at, months)].append(task)
        quotas = [_quota(r) for r in await run(_QUOTAS)] if metric == "leader_visit_quota" else []
        [row] = await run(_CELL_COUNT)
        return [
            MonthFacts(int(row["cells"]), counts[i], meetings_of(m), closed[i], quotas)
            for i, m in enumerate(months)
        ]

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

    async def attention_facts(
        self, scopes: AttentionScopes, window: AttentionWindow
    ) -> AttentionFacts:
        engine = UnitTable._meta.db.engine_type  # noqa: SLF001
        conditions: dict[str, str] = {}
        params: dict[str, Any] = {
            "yes": True,
            "me": scopes.person_id,
            "today": window.today,
            "month_since": window.month_since,
            "month_until": window.month_until,
            "year_since": window.year_since,
            "tomorrow": window.tomorrow,
            "tasks_due_by": window.tasks_due_by,
            "petitions_due_by": window.petitions_due_by,
            "flags_since": window.flags_since,
            "limit": window.limit,
        }
        for name in ("meetings", "leaders", "tasks", "flags"):
            conditions[name], more = _in_scopes(engine, "u.path", getattr(scopes, name), name)
            params |= more

        async def run(sql: str) -> list[dict[str, Any]]:
            return await self._run(sql.format(**conditions), params)

        def listed(rows: list[dict[str, Any]], item: Callable[[dict[str, Any]], T]) -> Listed[T]:
            return Listed(int(rows[0]["total"]) if rows else 0, [item(r) for r in rows])

        visits: dict[tuple[UUID, UUID], list[datetime]] = {}
        for r in await run(_STANDING_VISITS):
            key = (_uuid(r["leader"]), _uuid(r["cell"]))
            visits.setdefault(key, []).append(_moment(r["planned_start"]))
        today = window.today
        return AttentionFacts(
            cells_not_met=listed(
                await run(_NOT_MET), lambda r: CellToMeet(_uuid(r["id"]), r["name"])
            ),
            standings=[
                (
                    Standing(
                        _uuid(r["id"]),
                        _uuid(r["leader"]),
                        r["full_name"],
                        _uuid(r["cell"]),
                        r["path"],
                        int(r["quota"]),
                        QuotaPeriod(r["period"]),
                        _day(r["started_on"]),
                    ),
                    r["name"],
                )
                for r in await run(_STANDINGS)
            ],
            visits=visits,
            tasks=listed(
                await run(_TASKS_DUE),
                lambda r: TaskDue(
                    _uuid(r["id"]),
                    r["title"],
                    _uuid(r["unit"]),
                    r["name"],
                    _uuid(r["assignee"]),
                    _day(r["due_on"]),
                    _day(r["due_on"]) < today,
                ),
            ),
            petitions=listed(
                await run(_PETITIONS_DUE),
                lambda r: PetitionDue(
                    _uuid(r["id"]),
                    _uuid(r["task"]),
                    _uuid(r["unit"]),
                    r["name"],
                    r["category"],
                    _day(r["reply_due_on"]),
                    _day(r["reply_due_on"]) < today,
                ),
            ),
            flags=listed(
                await run(_FLAGS),
                lambda r: FlagRaised(
                    _uuid(r["id"]),
                    FlagKind(r["kind"]),
                    _uuid(r["unit"]),
                    r["name"],
                    _uuid(r["subject"]),
                    r["period"],
                    _moment(r["raised_at"]),
                ),
            ),
        )

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
