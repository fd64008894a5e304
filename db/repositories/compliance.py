"""ComplianceStore on Piccolo: the two meeting checks as one INSERT ... SELECT ... WHERE NOT EXISTS
... ON CONFLICT DO NOTHING RETURNING each (no row loops, safe to run twice); the quota and
absence checks read their few rows here, are judged in the domain, and come back as one
INSERT ... VALUES ... ON CONFLICT DO NOTHING RETURNING. The same SQL runs on SQLite and
PostgreSQL, but for the new row's id."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from db.engine import Database
from db.json_columns import dumps, loads
from db.named_sql import bind
from db.pagination import any_prefix, fetch_page
from db.repositories.org import SECRETARIES, holders
from db.tables import (
    AttendanceTable,
    ComplianceFlagTable,
    DialogueTable,
    LeaderAssignmentTable,
    LeaderVisitTable,
    ReceptionDayTable,
    UnitTable,
)
from domain.compliance.model import (
    Absence,
    Check,
    ComplianceFlag,
    FlagFilter,
    FlagKind,
    Standing,
)
from domain.compliance.ports import CellFacts, LateDialogue, WardCount
from domain.meetings.model import AttendanceStatus, MeetingStatus
from domain.org.model import QuotaPeriod
from domain.pagination import Page, PageRequest

INSERT_CHUNK = 500  # rows per INSERT ... VALUES (9 values each, far below either engine's limit)

NEW_ID = {
    "postgres": "gen_random_uuid()",
    # a version-4 UUID in the text form Piccolo stores on SQLite
    "sqlite": (
        "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'"
        " || substr(hex(randomblob(2)), 2) || '-'"
        " || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2)"
        " || '-' || hex(randomblob(6)))"
    ),
}

# which held meetings satisfy each meeting check
SATISFIES = {
    FlagKind.NO_REGULAR_MEETING: "g.kind = 'regular'",
    FlagKind.NO_THEMATIC_MEETING: (
        "(g.kind = 'thematic' OR (g.kind = 'regular' AND g.combined_thematic = :yes))"
    ),
}

COLUMNS = "(id, kind, unit, unit_path, subject, period, detail, raised_at)"
ON_CONFLICT = "ON CONFLICT (kind, unit, subject, period) DO NOTHING"


def missing_meetings_sql(kind: FlagKind, engine: str) -> str:
    """A flag for every active cell, in the system before the period began and with a member in
    it, that has no satisfying meeting held or finalised starting in [since, until)."""
    # the kind's condition is a constant above; every value is bound
    select = (
        f"SELECT {NEW_ID[engine]}, :kind, u.id, u.path, u.id, :period, :detail, :now"  # noqa: S608
        " FROM unit u"
        " WHERE u.is_cell = :yes AND u.active = :yes AND u.created_at < :since"
        " AND EXISTS (SELECT 1 FROM membership m WHERE m.cell = u.id"
        " AND m.joined_on <= :last_day AND (m.left_on IS NULL OR m.left_on > :first_day))"
        " AND NOT EXISTS (SELECT 1 FROM meeting g WHERE g.cell = u.id"
        " AND g.\"status\" IN ('held', 'finalized')"
        f" AND g.planned_start >= :since AND g.planned_start < :until AND {SATISFIES[kind]})"
    )
    returning = "RETURNING id, unit, unit_path, subject"
    return f"INSERT INTO compliance_flag {COLUMNS} {select} {ON_CONFLICT} {returning}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _uuid(value: Any) -> UUID:  # noqa: ANN401 - text on SQLite, UUID on PostgreSQL
    return value if isinstance(value, UUID) else UUID(str(value))


def _flag(row: dict[str, Any]) -> ComplianceFlag:
    return ComplianceFlag(
        id=_uuid(row["id"]),
        kind=FlagKind(row["kind"]),
        unit_id=_uuid(row["unit"]),
        unit_path=row["unit_path"],
        subject=_uuid(row["subject"]),
        period=row["period"],
        detail=loads(row["detail"]),
        raised_at=row["raised_at"],
        unit_name=row.get("unit_name", ""),
    )


class PiccoloComplianceStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _run(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self.db.engine.run_querystring(bind(sql, params))
        return rows

    async def raise_missing_meetings(
        self, check: Check, detail: dict[str, Any], now: datetime
    ) -> list[ComplianceFlag]:
        params = {
            "kind": check.kind.value,
            "period": check.period,
            "detail": dumps(detail),
            "now": _utc(now),
            "yes": True,
            "since": _utc(check.since),
            "until": _utc(check.until),
            "first_day": check.first_day,
            "last_day": check.last_day,
        }
        rows = await self._run(missing_meetings_sql(check.kind, self.db.kind), params)
        return [
            ComplianceFlag(
                _uuid(r["id"]),
                check.kind,
                _uuid(r["unit"]),
                r["unit_path"],
                _uuid(r["subject"]),
                check.period,
                detail,
                now,
            )
            for r in rows
        ]

    async def standings(self, day: date) -> list[Standing]:
        a = LeaderAssignmentTable
        rows = await a.select(
            a.id,
            a.leader,
            a.leader.full_name.as_alias("leader_name"),
            a.cell,
            a.cell.path.as_alias("cell_path"),
            a.quota,
            a.period,
            a.started_on,
        ).where(
            (a.started_on <= day)
            & (a.ended_on.is_null() | (a.ended_on >= day))
            & (a.leader.active == True)  # noqa: E712
            & (a.cell.active == True)  # noqa: E712
        )
        return [
            Standing(
                r["id"],
                r["leader"],
                r["leader_name"],
                r["cell"],
                r["cell_path"],
                r["quota"],
                QuotaPeriod(r["period"]),
                r["started_on"],
            )
            for r in rows
        ]

    async def visits(
        self, since: datetime, until: datetime
    ) -> dict[tuple[UUID, UUID], list[datetime]]:
        # the visits MeetingRepository.counted_visits counts, for every leader and cell at once
        v = LeaderVisitTable
        rows = await v.select(
            v.leader, v.meeting.cell.as_alias("cell"), v.meeting.planned_start.as_alias("start")
        ).where(
            v.leader_confirmed_at.is_not_null()
            & v.secretary_confirmed_at.is_not_null()
            & (v.meeting.planned_start >= _utc(since))
            & (v.meeting.planned_start < _utc(until))
        )
        found: dict[tuple[UUID, UUID], list[datetime]] = {}
        for row in rows:
            found.setdefault((row["leader"], row["cell"]), []).append(row["start"])
        return found

    async def absences(self, since: datetime, until: datetime) -> list[Absence]:
        # the absences MeetingRepository.unexcused_absences reads, for every cell at once
        a, meeting = AttendanceTable, AttendanceTable.meeting
        rows = await a.select(
            meeting.cell.as_alias("cell"),
            meeting.cell.path.as_alias("cell_path"),  # type: ignore[union-attr]
            a.person,
            a.full_name,
            meeting.planned_start.as_alias("start"),
        ).where(
            (a.status == AttendanceStatus.UNEXCUSED.value)
            & meeting.status.is_in([MeetingStatus.HELD.value, MeetingStatus.FINALIZED.value])
            & (meeting.planned_start >= _utc(since))
            & (meeting.planned_start < _utc(until))
        )
        return [
            Absence(r["cell"], r["cell_path"], r["person"], r["full_name"], r["start"])
            for r in rows
        ]

    async def insert(self, flags: Sequence[ComplianceFlag]) -> list[ComplianceFlag]:
        by_id = {flag.id: flag for flag in flags}
        inserted: list[ComplianceFlag] = []
        for offset in range(0, len(flags), INSERT_CHUNK):
            rows: list[str] = []
            params: dict[str, Any] = {}
            for n, flag in enumerate(flags[offset : offset + INSERT_CHUNK]):
                values = {
                    f"id_{n}": flag.id,
                    f"kind_{n}": flag.kind.value,
                    f"unit_{n}": flag.unit_id,
                    f"path_{n}": flag.unit_path,
                    f"subject_{n}": flag.subject,
                    f"period_{n}": flag.period,
                    f"detail_{n}": dumps(dict(flag.detail)),
                    f"at_{n}": _utc(flag.raised_at),
                }
                rows.append("(" + ", ".join(f":{name}" for name in values) + ")")
                params |= values
            # only placeholders are put together here; every value is bound
            sql = f"INSERT INTO compliance_flag {COLUMNS} VALUES {', '.join(rows)} {ON_CONFLICT}"  # noqa: S608
            returned = await self._run(f"{sql} RETURNING id", params)
            inserted += [by_id[_uuid(r["id"])] for r in returned]
        return inserted

    async def cells(self, ids: Iterable[UUID], day: date) -> dict[UUID, CellFacts]:
        wanted = list(ids)
        if not wanted:
            return {}
        units = await UnitTable.select(UnitTable.id, UnitTable.name).where(
            UnitTable.id.is_in(wanted)
        )
        secretaries = await holders(wanted, SECRETARIES)
        a = LeaderAssignmentTable
        followers = await a.select(a.cell, a.leader).where(
            a.cell.is_in(wanted)
            & (a.started_on <= day)
            & (a.ended_on.is_null() | (a.ended_on >= day))
        )
        return {
            u["id"]: CellFacts(
                id=u["id"],
                name=u["name"],
                secretaries=tuple(secretaries.get(u["id"], ())),
                followers=tuple(
                    dict.fromkeys(f["leader"] for f in followers if f["cell"] == u["id"])
                ),
            )
            for u in units
        }

    async def unpublished_dialogues(self, started_before: datetime) -> list[LateDialogue]:
        t = DialogueTable
        rows = await t.select(
            t.id, t.ward, t.ward._.path.as_alias("ward_path"), t.title, t.starts_at
        ).where(t.published_at.is_null() & (t.starts_at < started_before))
        return [
            LateDialogue(r["id"], r["ward"], r["ward_path"], r["title"], r["starts_at"])
            for r in rows
        ]

    async def _wards(self, existed_before: datetime) -> list[dict[str, Any]]:
        u = UnitTable
        parents = await u.select(u.parent).where(
            (u.is_cell == True) & (u.active == True)  # noqa: E712 - SQL
        )
        ids = list({p["parent"] for p in parents if p["parent"]})
        if not ids:
            return []
        rows: list[dict[str, Any]] = await u.select(u.id, u.path).where(
            u.id.is_in(ids)
            & (u.active == True)  # noqa: E712 - SQL
            & (u.created_at < existed_before)
        )
        return rows

    async def dialogues_per_ward(
        self, since: datetime, until: datetime, existed_before: datetime
    ) -> list[WardCount]:
        t = DialogueTable
        held = Counter(
            r["ward"]
            for r in await t.select(t.ward).where((t.starts_at >= since) & (t.starts_at < until))
        )
        return [
            WardCount(w["id"], w["path"], held[w["id"]]) for w in await self._wards(existed_before)
        ]

    async def reception_days_per_ward(
        self, first: date, last: date, existed_before: datetime
    ) -> list[WardCount]:
        t = ReceptionDayTable
        days = Counter(
            r["ward"] for r in await t.select(t.ward).where((t.day >= first) & (t.day <= last))
        )
        return [
            WardCount(w["id"], w["path"], days[w["id"]]) for w in await self._wards(existed_before)
        ]

    async def list_flags(
        self, scopes: tuple[str, ...], where: FlagFilter, page: PageRequest
    ) -> Page[ComplianceFlag]:
        path = ComplianceFlagTable.unit.path  # the cell's current place: flags move with it
        scope = any_prefix(path, scopes)
        if scope is None:
            return Page(items=(), next_cursor=None)
        query = ComplianceFlagTable.select(
            *ComplianceFlagTable.all_columns(),
            ComplianceFlagTable.unit.name.as_alias("unit_name"),
        ).where(scope)
        if where.within_path:
            query = query.where(path.like(f"{where.within_path}%"))
        if where.kind:
            query = query.where(ComplianceFlagTable.kind == where.kind.value)
        if where.period:
            query = query.where(ComplianceFlagTable.period == where.period)
        return await fetch_page(
            query, ComplianceFlagTable, page, _flag, ComplianceFlagTable.raised_at
        )
