"""ReminderStore on Piccolo: the sweep as one INSERT ... SELECT ... UNION ALL ... ON CONFLICT DO
NOTHING over every kind and day (no row loops, safe to run twice), the claim of pending rows
(PostgreSQL: FOR UPDATE SKIP LOCKED), and what reminded subjects look like now."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from piccolo.columns.combination import Or, Where
from piccolo.querystring import QueryString

from db.engine import Database
from db.named_sql import bind
from db.pagination import any_prefix
from db.repositories.org import HEADS, SECRETARIES, holders
from db.tables import (
    InspectionMemberTable,
    InspectionTable,
    LeaderAssignmentTable,
    MeetingTable,
    MembershipTable,
    NotificationTable,
    PetitionTable,
    ReminderTable,
    RoleGrantTable,
    TaskTable,
)
from domain.actors import Role
from domain.clock import local_day, local_midnight
from domain.inspections.model import InspectionKind, InspectionStatus
from domain.meetings.model import MeetingStatus
from domain.reminders.model import ReminderKind, ReminderStatus, Sweep
from domain.reminders.ports import (
    DigestFacts,
    Due,
    InspectionFacts,
    MeetingFacts,
    PetitionFacts,
    TaskFacts,
)
from domain.tasks.model import TaskStatus

K = ReminderKind
# A petition's task is reminded as a petition until its written reply is in (one push per event):
# its due date is the reply deadline, which the petition kinds already speak of.
LIVE_TASK = "\"status\" IN ('open', 'in_progress') AND reply_ready = TRUE"
MOMENT_RANGE = "{column} > :after AND {column} <= :until"

# kind -> (table, the moment column of a moment kind or None, which rows are reminded)
SOURCES: dict[ReminderKind, tuple[str, str | None, str]] = {
    K.MEETING_DAY_BEFORE: ("meeting", "planned_start", "\"status\" = 'planned'"),
    K.MEETING_SOON: ("meeting", "planned_start", "\"status\" = 'planned'"),
    K.MINUTES_FIRST_NAG: (
        "meeting",
        None,
        "\"status\" IN ('planned', 'held') AND planned_start >= :after AND planned_start < :until",
    ),
    K.MINUTES_SECOND_NAG: (
        "meeting",
        None,
        "\"status\" IN ('planned', 'held') AND planned_start >= :after AND planned_start < :until",
    ),
    K.INSPECTION_DAY_BEFORE: ("inspection", "window_start", "\"status\" = 'planned'"),
    K.INSPECTION_REVEAL: (
        "inspection",
        "window_start",
        "kind = 'surprise' AND \"status\" IN ('planned', 'in_progress')",
    ),
    K.TASK_DUE_FIRST: ("task", None, f"{LIVE_TASK} AND due_on = :due_on"),
    K.TASK_DUE_SECOND: ("task", None, f"{LIVE_TASK} AND due_on = :due_on"),
    K.TASK_DUE_TODAY: ("task", None, f"{LIVE_TASK} AND due_on = :due_on"),
    K.TASK_OVERDUE: ("task", None, f"{LIVE_TASK} AND due_on < :due_before"),
    K.PETITION_REPLY_SOON: ("petition", None, "reply IS NULL AND reply_due_on = :due_on"),
    K.PETITION_REPLY_OVERDUE: ("petition", None, "reply IS NULL AND reply_due_on < :due_before"),
    K.DAILY_DIGEST: ("notification_preference", None, "daily_digest = TRUE"),
}
SUBJECT_COLUMN = {K.DAILY_DIGEST: "person"}  # else the row's id

# a moment as whole Unix seconds, as domain.reminders.model.moment_occurrence writes it
EPOCH_TEXT = {
    "postgres": "CAST(CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT) AS TEXT)",
    "sqlite": "CAST(CAST(strftime('%s', {column}) AS INTEGER) AS TEXT)",
}


def sweep_select(sweep: Sweep, engine: str) -> QueryString:
    """The rows one sweep stands for, as (kind, subject, occurrence): every matching subject."""
    table, moment, where = SOURCES[sweep.kind]
    if moment is None:
        occurrence = ":occurrence"
    else:
        occurrence = EPOCH_TEXT[engine].format(column=moment)
        where = f"{where} AND {MOMENT_RANGE.format(column=moment)}"
    subject = SUBJECT_COLUMN.get(sweep.kind, "id")
    params: dict[str, Any] = {key: _utc(value) for key, value in sweep.params.items()}
    params |= {"kind": sweep.kind.value, "occurrence": sweep.occurrence}
    # table and conditions are the constants above; every value is bound
    return bind(
        f"SELECT :kind AS kind, {subject} AS subject, {occurrence} AS occurrence "  # noqa: S608
        f"FROM {table} WHERE {where}",
        params,
    )


# All sweeps in one INSERT ... SELECT ... UNION ALL ...: one round trip and one plan instead of
# one per kind and day (~22 a sweep), the same rows and ON CONFLICT as before. Only the count
# comes back, not a row per reminder inserted (bench/README.md, "The reminder sweep").
_INSERT = (
    'INSERT INTO reminder (kind, subject, occurrence, "status", created_at) '
    "SELECT kind, subject, occurrence, 'pending', {} FROM ({}) AS due "
    "WHERE TRUE "  # SQLite: an INSERT ... SELECT before ON CONFLICT needs a WHERE
    "ON CONFLICT (kind, subject, occurrence) DO NOTHING"
)
_ENQUEUE_SQL = {
    "postgres": f"WITH inserted AS ({_INSERT} RETURNING 1) SELECT count(*) AS n FROM inserted",  # noqa: S608 - constants
    "sqlite": _INSERT,  # then changes(), on the same connection
}


def sweep_sql(sweeps: Sequence[Sweep], engine: str, now: datetime) -> QueryString:
    """The one statement of a sweep: a pending row per subject each sweep matches, none twice."""
    union = QueryString(
        " UNION ALL ".join("{}" for _ in sweeps),
        *(sweep_select(sweep, engine) for sweep in sweeps),
    )
    return QueryString(_ENQUEUE_SQL[engine], now, union)


_CLAIM_SQL = {
    "postgres": 'SELECT id, kind, subject, occurrence FROM reminder WHERE "status" = {}'
    " ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED",
    "sqlite": 'SELECT id, kind, subject, occurrence FROM reminder WHERE "status" = {}'
    " ORDER BY id LIMIT {}",  # one writer at a time: BEGIN IMMEDIATE is the lock
}


def _utc(value: date | datetime) -> date | datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


class PiccoloReminderStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, sweeps: Sequence[Sweep], now: datetime) -> int:
        if not sweeps:
            return 0
        run = self.db.engine.run_querystring
        if self.db.kind == "postgres":
            rows = await run(sweep_sql(sweeps, "postgres", now))
        else:  # on the writer connection, so that changes() counts this INSERT
            async with self.db.atomic():
                await run(sweep_sql(sweeps, "sqlite", now))
                rows = await run(QueryString("SELECT changes() AS n"))
        return int(rows[0]["n"])

    async def claim(self, limit: int) -> list[Due]:
        rows = await self.db.engine.run_querystring(
            QueryString(
                _CLAIM_SQL[self.db.kind],
                ReminderStatus.PENDING.value,
                limit,
            )
        )
        return [
            Due(r["id"], ReminderKind(r["kind"]), UUID(str(r["subject"])), r["occurrence"])
            for r in rows
        ]

    async def settle(self, outcomes: Sequence[tuple[int, ReminderStatus]], now: datetime) -> None:
        by_status: dict[ReminderStatus, list[int]] = {}
        for row_id, status in outcomes:
            by_status.setdefault(status, []).append(row_id)
        for status, ids in by_status.items():
            await ReminderTable.update(
                {ReminderTable.status: status.value, ReminderTable.handled_at: now}
            ).where(ReminderTable.id.is_in(ids))

    async def meetings(self, ids: Iterable[UUID]) -> dict[UUID, MeetingFacts]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await MeetingTable.select(
            MeetingTable.id,
            MeetingTable.cell,
            MeetingTable.cell.name.as_alias("cell_name"),
            MeetingTable.status,
            MeetingTable.planned_start,
        ).where(MeetingTable.id.is_in(wanted))
        cells = list({r["cell"] for r in rows})
        members = await MembershipTable.select(
            MembershipTable.person,
            MembershipTable.cell,
            MembershipTable.joined_on,
            MembershipTable.left_on,
            MembershipTable.exempt,
            MembershipTable.exempt_resolution_date,
        ).where(MembershipTable.cell.is_in(cells))
        followers = await LeaderAssignmentTable.select(
            LeaderAssignmentTable.leader,
            LeaderAssignmentTable.cell,
            LeaderAssignmentTable.started_on,
            LeaderAssignmentTable.ended_on,
        ).where(LeaderAssignmentTable.cell.is_in(cells))
        secretaries = await holders(cells, SECRETARIES)
        facts = {}
        for row in rows:
            start: datetime = row["planned_start"]
            day = local_day(start)
            audience = [
                m["person"]
                for m in members
                if m["cell"] == row["cell"]
                and m["joined_on"] <= day
                and (m["left_on"] is None or m["left_on"] > day)
                and not (
                    m["exempt"]
                    and m["exempt_resolution_date"] is not None
                    and m["exempt_resolution_date"] <= day
                )
            ] + [
                f["leader"]
                for f in followers
                if f["cell"] == row["cell"]
                and f["started_on"] <= day
                and (f["ended_on"] is None or f["ended_on"] >= day)
            ]
            facts[row["id"]] = MeetingFacts(
                id=row["id"],
                cell_name=row["cell_name"],
                status=MeetingStatus(row["status"]),
                planned_start=start,
                audience=tuple(dict.fromkeys(audience)),
                secretaries=tuple(secretaries.get(row["cell"], ())),
            )
        return facts

    async def inspections(self, ids: Iterable[UUID]) -> dict[UUID, InspectionFacts]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await InspectionTable.select(
            InspectionTable.id,
            InspectionTable.target,
            InspectionTable.target.name.as_alias("unit_name"),
            InspectionTable.kind,
            InspectionTable.status,
            InspectionTable.window_start,
            InspectionTable.window_end,
            InspectionTable.lead,
            InspectionTable.lead_checked_in_at,
        ).where(InspectionTable.id.is_in(wanted))
        team = await InspectionMemberTable.select(
            InspectionMemberTable.inspection, InspectionMemberTable.person
        ).where(InspectionMemberTable.inspection.is_in(wanted))
        heads = await holders(list({r["target"] for r in rows}), HEADS)
        return {
            r["id"]: InspectionFacts(
                id=r["id"],
                unit_name=r["unit_name"],
                kind=InspectionKind(r["kind"]),
                status=InspectionStatus(r["status"]),
                window_start=r["window_start"],
                window_end=r["window_end"],
                lead_checked_in_at=r["lead_checked_in_at"],
                team=tuple(
                    dict.fromkeys(
                        [r["lead"], *(t["person"] for t in team if t["inspection"] == r["id"])]
                    )
                ),
                heads=tuple(heads.get(r["target"], ())),
            )
            for r in rows
        }

    async def tasks(self, ids: Iterable[UUID]) -> dict[UUID, TaskFacts]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await TaskTable.select(
            TaskTable.id, TaskTable.title, TaskTable.assignee, TaskTable.status, TaskTable.due_on
        ).where(TaskTable.id.is_in(wanted))
        return {
            r["id"]: TaskFacts(
                r["id"], r["title"], r["assignee"], TaskStatus(r["status"]), r["due_on"]
            )
            for r in rows
        }

    async def petitions(self, ids: Iterable[UUID]) -> dict[UUID, PetitionFacts]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await PetitionTable.select(
            PetitionTable.id,
            PetitionTable.task,
            PetitionTable.category,
            PetitionTable.reply_due_on,
            PetitionTable.reply,
            PetitionTable.task.assignee.as_alias("assignee"),
            PetitionTable.task.status.as_alias("task_status"),
        ).where(PetitionTable.id.is_in(wanted))
        return {
            r["id"]: PetitionFacts(
                id=r["id"],
                task_id=r["task"],
                category=r["category"],
                reply_due_on=r["reply_due_on"],
                answered=r["reply"] is not None,
                assignee=r["assignee"],
                task_status=TaskStatus(r["task_status"]),
            )
            for r in rows
        }

    async def digest(self, person_id: UUID, day: date) -> DigestFacts:
        grants = await RoleGrantTable.select(RoleGrantTable.unit.path.as_alias("path")).where(
            (RoleGrantTable.person == person_id)
            & RoleGrantTable.revoked_at.is_null()
            & RoleGrantTable.role.is_in([Role.LEADER.value, Role.ADMIN.value])
        )
        scopes = tuple(sorted({g["path"] for g in grants}))
        if not scopes:
            return DigestFacts(person_id, (), 0, 0, 0, 0)
        start, end = local_midnight(day), local_midnight(day + timedelta(days=1))
        unread = await NotificationTable.count().where(
            (NotificationTable.person == person_id)
            & NotificationTable.read_at.is_null()
            & (NotificationTable.created_at >= start - timedelta(days=1))
        )
        meetings = await MeetingTable.count().where(
            _within(MeetingTable.cell.path, scopes)
            & (MeetingTable.status == MeetingStatus.PLANNED.value)
            & (MeetingTable.planned_start >= start)
            & (MeetingTable.planned_start < end)
        )
        inspections = await InspectionTable.count().where(
            _within(InspectionTable.target.path, scopes)
            & (InspectionTable.kind != InspectionKind.SURPRISE.value)
            & (InspectionTable.window_start >= start)
            & (InspectionTable.window_start < end)
        )
        overdue = await TaskTable.count().where(
            _within(TaskTable.unit.path, scopes)
            & TaskTable.status.is_in([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value])
            & (TaskTable.due_on < day)
        )
        return DigestFacts(person_id, scopes, unread, meetings, inspections, overdue)


def _within(path: Any, scopes: tuple[str, ...]) -> Where | Or:  # noqa: ANN401 - a Piccolo column
    scope = any_prefix(path, scopes)
    if scope is None:
        msg = "no scope to count within"
        raise ValueError(msg)
    return scope
