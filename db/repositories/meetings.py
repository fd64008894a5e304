"""MeetingRepository on Piccolo. Agenda and resolutions are JSON on the meeting row; the
attendance sheet is one row per member. The record's writes (``save_changes``) send only the
changed columns and the changed rows, upserted in place (decision 0011)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from functools import partial
from typing import Any
from uuid import UUID, uuid4

from piccolo.query import Select
from piccolo.querystring import QueryString

from db.engine import write
from db.json_columns import dumps, loads
from db.pagination import Conditions, ListSql, any_prefix, fetch_page, fetch_sql_page
from db.tables import (
    AttendanceTable,
    LeaderAssignmentTable,
    LeaderVisitTable,
    MeetingRuleTable,
    MeetingTable,
    MembershipTable,
    MinutesAmendmentTable,
    PersonTable,
)
from db.writes import Write
from domain.attachments.model import AttachmentKind, Paper
from domain.errors import StaleVersionError
from domain.meetings.model import (
    AgendaItem,
    AgendaKind,
    Amendment,
    AttendanceRow,
    AttendanceStatus,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingOverview,
    MeetingStatus,
    Resolution,
    Tally,
)
from domain.meetings.ports import CellRule, MeetingFilter, RosterEntry
from domain.meetings.recurrence import MeetingRule, RuleKind
from domain.org.model import MembershipKind
from domain.pagination import Page, PageRequest, PageWithin


def _meeting(row: dict[str, Any], rows: list[dict[str, Any]] | None = None) -> Meeting:
    location = (row["place_lat"], row["place_lon"]) if row["place_lat"] is not None else None
    return Meeting(
        id=row["id"],
        cell_id=row["cell"],
        cell_path=row["cell_path"],
        kind=MeetingKind(row["kind"]),
        status=MeetingStatus(row["status"]),
        planned_start=row["planned_start"],
        planned_end=row["planned_end"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        combined_thematic=bool(row["combined_thematic"]),
        title=row["title"],
        place=row["place"],
        place_location=location,
        occurrence=row["occurrence"],
        notice_published_at=row["notice_published_at"],
        agenda=[
            AgendaItem(
                a["title"],
                AgendaKind(a["kind"]),
                a["minutes"],
                a.get("presenter"),
                UUID(a["task_id"]) if a.get("task_id") else None,
            )
            for a in loads(row["agenda"])
        ],
        papers=[
            Paper(UUID(p["id"]), p["filename"], AttachmentKind(p["kind"]), p["size"])
            for p in loads(row["papers"])
        ],
        actual_start=row["actual_start"],
        actual_end=row["actual_end"],
        chair_id=row["chair"],
        minute_taker_id=row["minute_taker"],
        minutes_text=row["minutes_text"],
        resolutions=[Resolution(**r) for r in loads(row["resolutions"])],
        attendance=[_attendance(r) for r in rows or []],
        logged_at=row["logged_at"],
        finalized_at=row["finalized_at"],
        cancel_reason=row["cancel_reason"],
        move_reason=row["move_reason"],
        version=row["version"],
    )


def _attendance(row: dict[str, Any]) -> AttendanceRow:
    return AttendanceRow(
        person_id=row["person"],
        full_name=row["full_name"],
        membership_kind=MembershipKind(row["membership_kind"]),
        status=AttendanceStatus(row["status"]) if row["status"] else None,
        reason=row["reason"],
        checked_in_at=row["checked_in_at"],
    )


def _columns(meeting: Meeting) -> dict[str, Any]:
    lat, lon = meeting.place_location or (None, None)
    return {
        "kind": meeting.kind.value,
        "status": meeting.status.value,
        "combined_thematic": meeting.combined_thematic,
        "title": meeting.title,
        "place": meeting.place,
        "place_lat": lat,
        "place_lon": lon,
        "planned_start": meeting.planned_start,
        "planned_end": meeting.planned_end,
        "notice_published_at": meeting.notice_published_at,
        "agenda": dumps(
            [
                {
                    "title": a.title,
                    "kind": a.kind.value,
                    "minutes": a.minutes,
                    "presenter": a.presenter,
                    "task_id": str(a.task_id) if a.task_id else None,
                }
                for a in meeting.agenda
            ]
        ),
        "papers": dumps(
            [
                {"id": str(p.id), "filename": p.filename, "kind": p.kind.value, "size": p.size}
                for p in meeting.papers
            ]
        ),
        "actual_start": meeting.actual_start,
        "actual_end": meeting.actual_end,
        "chair": meeting.chair_id,
        "minute_taker": meeting.minute_taker_id,
        "minutes_text": meeting.minutes_text,
        "resolutions": dumps(
            [
                {
                    "text": r.text,
                    "votes_for": r.votes_for,
                    "votes_against": r.votes_against,
                    "votes_abstain": r.votes_abstain,
                }
                for r in meeting.resolutions
            ]
        ),
        "logged_at": meeting.logged_at,
        "finalized_at": meeting.finalized_at,
        "cancel_reason": meeting.cancel_reason,
        "move_reason": meeting.move_reason,
        "occurrence": meeting.occurrence,
        "updated_at": meeting.updated_at,
        "version": meeting.version,
    }


def _meetings() -> Select[Any]:
    return MeetingTable.select(
        *MeetingTable.all_columns(), MeetingTable.cell.path.as_alias("cell_path")
    )


# One meeting with its attendance sheet (every read and write of one meeting starts here),
# written once as SQL: the builder spent ~2 ms of CPU on these two selects per meeting logged.
_MEETING_SQL = (
    'SELECT "meeting".*, "unit"."path" AS "cell_path" FROM "meeting"'
    ' LEFT JOIN "unit" ON "unit"."id" = "meeting"."cell" WHERE "meeting"."id" = {}'
)
_SHEET_SQL = (
    'SELECT "person", "full_name", "membership_kind", "status", "reason", "checked_in_at"'
    ' FROM "attendance" WHERE "meeting" = {} ORDER BY "position"'
)


def _new_row(meeting: Meeting) -> MeetingTable:
    return MeetingTable(
        id=meeting.id,
        cell=meeting.cell_id,
        created_at=meeting.created_at,
        **_columns(meeting),
    )


def _rule(row: dict[str, Any]) -> CellRule:
    hour, minute = (int(x) for x in row["at_time"].split(":"))
    location = (row["place_lat"], row["place_lon"]) if row["place_lat"] is not None else None
    return CellRule(
        cell_id=row["cell"],
        rule=MeetingRule(
            kind=RuleKind(row["kind"]),
            at=time(hour, minute),
            duration_minutes=row["duration_minutes"],
            day=row["day"],
            weekday=row["weekday"],
            nth=row["nth"],
        ),
        place=row["place"],
        place_location=location,
    )


def _visit(row: dict[str, Any]) -> LeaderVisit:
    return LeaderVisit(
        meeting_id=row["meeting"],
        leader_id=row["leader"],
        leader_confirmed_at=row["leader_confirmed_at"],
        secretary_confirmed_at=row["secretary_confirmed_at"],
        remarks=row["remarks"],
    )


_SHEET_COLUMNS = (
    "id, meeting, person, position, full_name, membership_kind, status, reason, checked_in_at"
)


def _sheet_values(meeting_id: UUID, rows: list[tuple[int, AttendanceRow]]) -> tuple[str, list[Any]]:
    """The ``VALUES`` of attendance rows (with their positions on the sheet) and their values."""
    values: list[Any] = []
    for position, row in rows:
        values += [
            uuid4(),
            meeting_id,
            row.person_id,
            position,
            row.full_name,
            row.membership_kind.value,
            row.status.value if row.status else None,
            row.reason,
            row.checked_in_at,
        ]
    return ", ".join(["({}, {}, {}, {}, {}, {}, {}, {}, {})"] * len(rows)), values


async def _insert_sheet(meeting: Meeting) -> None:
    """The whole attendance sheet in one statement, written once as SQL: Piccolo's builder
    spends ~0.25 ms of CPU per row object (bench/README.md, the meeting log)."""
    rows, values = _sheet_values(meeting.id, list(enumerate(meeting.attendance)))
    sql = f"INSERT INTO attendance ({_SHEET_COLUMNS}) VALUES {rows}"  # noqa: S608 - no user text
    await AttendanceTable._meta.db.run_querystring(QueryString(sql, *values))  # noqa: SLF001


def _marked(meeting_id: UUID, rows: list[tuple[int, AttendanceRow]]) -> Write:
    """Attendance rows marked in place: an upsert on (meeting, person), which also writes a
    sheet made from the roster the first time."""
    tuples, values = _sheet_values(meeting_id, rows)
    sql = (
        f"INSERT INTO attendance ({_SHEET_COLUMNS}) VALUES {tuples}"  # noqa: S608 - no user text
        " ON CONFLICT (meeting, person) DO UPDATE SET status = excluded.status,"
        " reason = excluded.reason, checked_in_at = excluded.checked_in_at"
    )
    return Write(sql, values)


async def _stale(meeting_id: UUID) -> StaleVersionError:
    current = (
        await MeetingTable.select(MeetingTable.version).where(MeetingTable.id == meeting_id).first()
    )
    return StaleVersionError(
        "version_mismatch", current_version=current["version"] if current else 0
    )


# The meetings list (GET /api/v1/meetings) in one statement written once as SQL: the page, then
# each meeting's tally by attendance status and its leaders' visits (one row per visit).
_TALLY = ", ".join(
    [
        f'SUM(CASE WHEN "status" = \'{s.value}\' THEN 1 ELSE 0 END) AS "{s.value}"'
        for s in AttendanceStatus
    ]
    + ['SUM(CASE WHEN "status" IS NULL THEN 1 ELSE 0 END) AS "unmarked"']
)
_VISITS = ' LEFT JOIN "leader_visit" ON "leader_visit"."meeting" = "page"."id"'
_OVERVIEW_PAGE = ListSql(
    '"meeting".*, "unit"."path" AS "cell_path"',
    '"meeting" JOIN "unit" ON "unit"."id" = "meeting"."cell"',
    path='"unit"."path"',
    sort='"meeting"."planned_start"',
    row_id='"meeting"."id"',
    key="planned_start",
    around_columns=", "
    + ", ".join(f'"tally"."{s.value}" AS "tally_{s.value}"' for s in AttendanceStatus)
    + ', "tally"."unmarked" AS "tally_unmarked", "leader_visit"."leader" AS "visit_leader",'
    ' "leader_visit"."leader_confirmed_at" AS "visit_leader_confirmed_at",'
    ' "leader_visit"."secretary_confirmed_at" AS "visit_secretary_confirmed_at",'
    ' "leader_visit"."remarks" AS "visit_remarks"',
    # SQLite (no LATERAL) reads the page's sheets by the attendance index for this IN
    around_joins=f' LEFT JOIN (SELECT "meeting", {_TALLY} FROM "attendance"'  # noqa: S608
    ' WHERE "meeting" IN (SELECT "id" FROM "page") GROUP BY "meeting") AS "tally"'
    ' ON "tally"."meeting" = "page"."id"' + _VISITS,
    around_order=', "leader_visit"."leader_confirmed_at"',
)
# PostgreSQL hashed the whole attendance table for that IN (7 ms at the bench's 15,000 rows);
# LATERAL reads each page row's sheet by the index (0.5 ms)
_OVERVIEW_PAGE_POSTGRES = dataclasses.replace(
    _OVERVIEW_PAGE,
    around_joins=f' LEFT JOIN LATERAL (SELECT {_TALLY} FROM "attendance"'  # noqa: S608
    ' WHERE "attendance"."meeting" = "page"."id") AS "tally" ON 1 = 1' + _VISITS,
)


def _overviews(rows: list[dict[str, Any]]) -> tuple[MeetingOverview, ...]:
    """One overview per meeting from its rows (one per visit, or one without any)."""
    found: list[MeetingOverview] = []
    for row in rows:
        if not found or found[-1].meeting.id != row["id"]:
            tally = Tally(
                **{s.value: row[f"tally_{s.value}"] or 0 for s in AttendanceStatus},
                unmarked=row["tally_unmarked"] or 0,
            )
            found.append(MeetingOverview(_meeting(row), tally, ()))
        if row["visit_leader"] is not None:
            visit = LeaderVisit(
                meeting_id=row["id"],
                leader_id=row["visit_leader"],
                leader_confirmed_at=row["visit_leader_confirmed_at"],
                secretary_confirmed_at=row["visit_secretary_confirmed_at"],
                remarks=row["visit_remarks"],
            )
            last = found[-1]
            found[-1] = MeetingOverview(last.meeting, last.tally, (*last.visits, visit))
    return tuple(found)


class PiccoloMeetingRepository:
    async def get(self, meeting_id: UUID) -> Meeting | None:
        run = MeetingTable._meta.db.run_querystring  # noqa: SLF001
        found = await run(QueryString(_MEETING_SQL, meeting_id))
        if not found:
            return None
        return _meeting(found[0], await run(QueryString(_SHEET_SQL, meeting_id)))

    async def add(self, meeting: Meeting) -> None:
        await MeetingTable.insert(_new_row(meeting))

    async def add_planned(self, meetings: list[Meeting]) -> int:
        if not meetings:
            return 0
        inserted = await MeetingTable.insert(*(_new_row(m) for m in meetings)).on_conflict(
            action="DO NOTHING"
        )
        return len(inserted)

    async def save(
        self, meeting: Meeting, *, attendance: bool, expected_version: int | None = None
    ) -> None:
        """With ``expected_version``, write only over that stored version: an update committed
        since the meeting was read (another process) wins, this one gets StaleVersionError."""
        columns = _columns(meeting)
        same = MeetingTable.id == meeting.id
        where = (
            same if expected_version is None else same & (MeetingTable.version == expected_version)
        )
        # moved into a month already taken: regular_meeting_exists (db/unique.py)
        written = await (
            MeetingTable.update({getattr(MeetingTable, k): v for k, v in columns.items()})
            .where(where)
            .returning(MeetingTable.id)
        )
        if expected_version is not None and not written:
            raise await _stale(meeting.id)
        if attendance:
            await AttendanceTable.delete().where(AttendanceTable.meeting == meeting.id)
            if meeting.attendance:
                await _insert_sheet(meeting)

    async def save_changes(self, meeting: Meeting, loaded: Meeting, expected_version: int) -> None:
        """Only what changed since ``loaded``, over ``expected_version``: one ``UPDATE … WHERE
        version … RETURNING`` of the changed columns and one upsert of the changed attendance
        rows, sent with the unit of work's other writes when it is batched (db/writes.py)."""
        old = _columns(loaded)
        changed = {k: v for k, v in _columns(meeting).items() if old[k] != v}
        assignments = ", ".join(f'"{k}" = {{}}' for k in changed)
        engine = MeetingTable._meta.db  # noqa: SLF001
        update = Write(
            f'UPDATE meeting SET {assignments} WHERE "id" = {{}} AND "version" = {{}}'  # noqa: S608
            ' RETURNING "id"',
            (*changed.values(), meeting.id, expected_version),
            when_missing=partial(_stale, meeting.id),
        )
        await write(engine, update)
        before = loaded.attendance
        rows = [
            (position, row)
            for position, row in enumerate(meeting.attendance)
            if position >= len(before) or row != before[position]
        ]
        if rows:
            await write(engine, _marked(meeting.id, rows))

    async def list_meetings(
        self, scopes: tuple[str, ...], where: MeetingFilter, page: PageRequest
    ) -> Page[Meeting]:
        path = MeetingTable.cell.path
        scope = any_prefix(path, scopes)
        if scope is None:
            return Page(items=(), next_cursor=None)
        query = _meetings().where(scope)
        if where.cell_id:
            query = query.where(MeetingTable.cell == where.cell_id)
        if where.starts_from:
            query = query.where(MeetingTable.planned_start >= where.starts_from)
        if where.starts_before:
            query = query.where(MeetingTable.planned_start < where.starts_before)
        if where.status:
            query = query.where(MeetingTable.status == where.status.value)
        if where.kind:
            query = query.where(MeetingTable.kind == where.kind.value)
        return await fetch_page(query, MeetingTable, page, _meeting, MeetingTable.planned_start)

    async def overviews(
        self, scopes: tuple[str, ...], where: MeetingFilter, page: PageRequest
    ) -> PageWithin[MeetingOverview]:
        conditions = Conditions()
        for used, clause, value in (
            (where.cell_id, '"meeting"."cell" = {}', where.cell_id),
            (where.starts_from, '"meeting"."planned_start" >= {}', where.starts_from),
            (where.starts_before, '"meeting"."planned_start" < {}', where.starts_before),
            (where.status, '"meeting"."status" = {}', where.status and where.status.value),
            (where.kind, '"meeting"."kind" = {}', where.kind and where.kind.value),
        ):
            if used:
                conditions.add(clause, value)
        postgres = MeetingTable._meta.db.engine_type == "postgres"  # noqa: SLF001
        rows, cursor, within = await fetch_sql_page(
            MeetingTable,
            _OVERVIEW_PAGE_POSTGRES if postgres else _OVERVIEW_PAGE,
            scopes,
            conditions,
            page,
            where.within_unit_id,
        )
        return PageWithin(Page(_overviews(rows), cursor), within)

    async def upcoming_for(
        self, person_id: UUID, scopes: tuple[str, ...], now: datetime, page: PageRequest
    ) -> Page[Meeting]:
        """Planned meetings of my cells and of the cells I follow inside my leader scope."""
        cells = await self._cells_of(person_id, scopes)
        if not cells:
            return Page(items=(), next_cursor=None)
        query = _meetings().where(
            MeetingTable.cell.is_in(list(cells))
            & (MeetingTable.status == MeetingStatus.PLANNED.value)
            & (MeetingTable.planned_end >= now)
        )
        return await fetch_page(
            query, MeetingTable, page, _meeting, sort=MeetingTable.planned_start
        )

    async def calendar_for(
        self, person_id: UUID, scopes: tuple[str, ...], since: datetime, until: datetime
    ) -> list[Meeting]:
        """Meetings of any status of my cells and followed cells, starting in [since, until)."""
        cells = await self._cells_of(person_id, scopes)
        if not cells:
            return []
        rows = (
            await _meetings()
            .where(
                MeetingTable.cell.is_in(list(cells))
                & (MeetingTable.planned_start >= since)
                & (MeetingTable.planned_start < until)
            )
            .order_by(MeetingTable.planned_start)
        )
        return [_meeting(r) for r in rows]

    async def _cells_of(self, person_id: UUID, scopes: tuple[str, ...]) -> set[UUID]:
        """My cells, and the cells I follow inside my leader scope."""
        cells = {
            r["cell"]
            for r in await MembershipTable.select(MembershipTable.cell).where(
                (MembershipTable.person == person_id) & MembershipTable.left_on.is_null()
            )
        }
        followed = await LeaderAssignmentTable.select(
            LeaderAssignmentTable.cell, LeaderAssignmentTable.cell.path.as_alias("path")
        ).where(
            (LeaderAssignmentTable.leader == person_id) & LeaderAssignmentTable.ended_on.is_null()
        )
        cells |= {r["cell"] for r in followed if any(r["path"].startswith(s) for s in scopes)}
        return cells

    async def roster_on(self, cell_id: UUID, day: date) -> list[RosterEntry]:
        rows = await MembershipTable.select(
            MembershipTable.person,
            MembershipTable.person.full_name.as_alias("full_name"),
            MembershipTable.kind,
            MembershipTable.exempt,
            MembershipTable.exempt_resolution_date,
        ).where(
            (MembershipTable.cell == cell_id)
            & (MembershipTable.joined_on <= day)
            & (MembershipTable.left_on.is_null() | (MembershipTable.left_on > day))
        )
        return [
            (
                r["person"],
                r["full_name"],
                MembershipKind(r["kind"]),
                bool(r["exempt"])
                and r["exempt_resolution_date"] is not None
                and r["exempt_resolution_date"] <= day,
            )
            for r in rows
        ]

    async def regular_meetings(
        self, cell_id: UUID, since: datetime, until: datetime
    ) -> list[tuple[UUID, MeetingStatus, datetime]]:
        rows = await MeetingTable.select(
            MeetingTable.id, MeetingTable.status, MeetingTable.planned_start
        ).where(
            (MeetingTable.cell == cell_id)
            & (MeetingTable.kind == MeetingKind.REGULAR.value)
            & (MeetingTable.planned_start >= since)
            & (MeetingTable.planned_start < until)
        )
        return [(r["id"], MeetingStatus(r["status"]), r["planned_start"]) for r in rows]

    async def rule_of(self, cell_id: UUID) -> CellRule | None:
        row = await MeetingRuleTable.select().where(MeetingRuleTable.cell == cell_id).first()
        return _rule(row) if row else None

    async def set_rule(self, rule: CellRule) -> None:
        lat, lon = rule.place_location or (None, None)
        row = MeetingRuleTable(
            id=uuid4(),
            cell=rule.cell_id,
            kind=rule.rule.kind.value,
            day=rule.rule.day,
            weekday=rule.rule.weekday,
            nth=rule.rule.nth,
            at_time=rule.rule.at.strftime("%H:%M"),
            duration_minutes=rule.rule.duration_minutes,
            place=rule.place,
            place_lat=lat,
            place_lon=lon,
        )
        kept = [c for c in MeetingRuleTable._meta.columns if c._meta.name not in {"id", "cell"}]  # noqa: SLF001
        await MeetingRuleTable.insert(row).on_conflict(
            target=MeetingRuleTable.cell, action="DO UPDATE", values=kept
        )

    async def cells_with_rules(self) -> list[CellRule]:
        return [_rule(r) for r in await MeetingRuleTable.select()]

    async def visit(self, meeting_id: UUID, leader_id: UUID) -> LeaderVisit | None:
        row = (
            await LeaderVisitTable.select()
            .where(
                (LeaderVisitTable.meeting == meeting_id) & (LeaderVisitTable.leader == leader_id)
            )
            .first()
        )
        return _visit(row) if row else None

    async def save_visit(self, visit: LeaderVisit) -> None:
        await LeaderVisitTable.insert(
            LeaderVisitTable(
                id=uuid4(),
                meeting=visit.meeting_id,
                leader=visit.leader_id,
                leader_confirmed_at=visit.leader_confirmed_at,
                secretary_confirmed_at=visit.secretary_confirmed_at,
                remarks=visit.remarks,
            )
        ).on_conflict(
            target=(LeaderVisitTable.meeting, LeaderVisitTable.leader),
            action="DO UPDATE",
            values=[
                LeaderVisitTable.leader_confirmed_at,
                LeaderVisitTable.secretary_confirmed_at,
                LeaderVisitTable.remarks,
            ],
        )

    async def visits_of(self, meeting_id: UUID) -> list[LeaderVisit]:
        rows = await LeaderVisitTable.select().where(LeaderVisitTable.meeting == meeting_id)
        return [_visit(r) for r in rows]

    async def counted_visits(
        self, leader_id: UUID, cell_id: UUID, since: datetime, until: datetime
    ) -> int:
        return await LeaderVisitTable.count().where(  # type: ignore[no-any-return]
            (LeaderVisitTable.leader == leader_id)
            & (LeaderVisitTable.meeting.cell == cell_id)
            & LeaderVisitTable.leader_confirmed_at.is_not_null()
            & LeaderVisitTable.secretary_confirmed_at.is_not_null()
            & (LeaderVisitTable.meeting.planned_start >= since)
            & (LeaderVisitTable.meeting.planned_start < until)
        )

    async def previous_meeting(self, cell_id: UUID, before: datetime) -> Meeting | None:
        row = (
            await _meetings()
            .where(
                (MeetingTable.cell == cell_id)
                & (MeetingTable.planned_start < before)
                & MeetingTable.status.is_in(
                    [MeetingStatus.HELD.value, MeetingStatus.FINALIZED.value]
                )
            )
            .order_by(MeetingTable.planned_start, ascending=False)
            .first()
        )
        return _meeting(row) if row else None

    async def unexcused_absences(
        self, cell_id: UUID, since: datetime, until: datetime
    ) -> list[tuple[UUID, str, datetime]]:
        meeting = AttendanceTable.meeting
        rows = await AttendanceTable.select(
            AttendanceTable.person,
            AttendanceTable.full_name,
            meeting.planned_start.as_alias("start"),
        ).where(
            (meeting.cell == cell_id)
            & (AttendanceTable.status == AttendanceStatus.UNEXCUSED.value)
            & meeting.status.is_in([MeetingStatus.HELD.value, MeetingStatus.FINALIZED.value])
            & (meeting.planned_start >= since)
            & (meeting.planned_start < until)
        )
        return [(r["person"], r["full_name"], r["start"]) for r in rows]

    async def add_amendment(self, amendment: Amendment) -> None:
        await MinutesAmendmentTable.insert(
            MinutesAmendmentTable(
                id=uuid4(),
                meeting=amendment.meeting_id,
                by=amendment.by,
                reason=amendment.reason,
                changes=dumps(amendment.changes),
                at=amendment.at,
            )
        )

    async def amendments_of(self, meeting_id: UUID) -> list[Amendment]:
        rows = (
            await MinutesAmendmentTable.select()
            .where(MinutesAmendmentTable.meeting == meeting_id)
            .order_by(MinutesAmendmentTable.at)
        )
        if not rows:
            return []
        authors = await PersonTable.select(PersonTable.id, PersonTable.full_name).where(
            PersonTable.id.is_in(list({r["by"] for r in rows}))
        )
        names = {a["id"]: a["full_name"] for a in authors}
        return [
            Amendment(
                meeting_id=r["meeting"],
                by=r["by"],
                reason=r["reason"],
                changes=loads(r["changes"]),
                at=r["at"],
                by_name=names.get(r["by"]),
            )
            for r in rows
        ]
