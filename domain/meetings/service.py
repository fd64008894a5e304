"""Meeting use cases: plan from the cell's rule, notice, log, attendance, check-in, finalise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.attachments.model import Paper
from domain.audit import audited, bump_version, require_version
from domain.clock import LOCAL_TZ, local_midnight
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.meetings import checkin
from domain.meetings.model import (
    AgendaItem,
    AgendaKind,
    Amendment,
    AttendanceStatus,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingOverview,
    MeetingPolicy,
    MeetingStatus,
    Resolution,
    Tally,
    attendance_sheet,
    check_window,
    meeting_day,
    month_taken,
    regular_month,
    review_flags,
    unexcused_months,
)
from domain.meetings.ports import CellRule, MeetingFilter, MeetingRepository, OpenTasks
from domain.meetings.quota import QuotaProgress, period_of, progress
from domain.meetings.recurrence import month_of, planned_occurrences, replanned
from domain.notifications.model import Category
from domain.notifications.service import Message, Notifier
from domain.org.model import LeaderAssignment, check_cell
from domain.org.ports import AssignmentFilter, OrgRepository
from domain.pagination import MAX_PAGE_SIZE, Page, PageRequest
from domain.ports import AuditLog, Clock, UnitOfWork
from domain.references import References
from domain.snapshots import plain, snapshot

RULE_CHANGED = "Đổi theo lịch sinh hoạt mới của chi bộ"


@dataclass(frozen=True, slots=True)
class NewMeeting:
    cell_id: UUID
    kind: MeetingKind
    planned_start: datetime
    planned_end: datetime
    title: str | None = None
    place: str | None = None
    place_location: tuple[float, float] | None = None
    combined_thematic: bool = False
    id: UUID | None = None


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    actual_start: datetime
    actual_end: datetime
    chair_id: UUID | None
    minute_taker_id: UUID | None
    minutes_text: str | None
    resolutions: list[Resolution]
    attendance: list[tuple[UUID, AttendanceStatus, str | None]]


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    state = snapshot(meeting)
    del state["amendments"]  # audited one by one as they are made
    return state


class MeetingService:
    def __init__(
        self,
        repo: MeetingRepository,
        org: OrgRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        policy: MeetingPolicy,
        checkin_policy: checkin.CheckinPolicy,
        key: bytes,
        references: References,
        open_tasks: OpenTasks,
        notifier: Notifier,
    ) -> None:
        self.open_tasks = open_tasks
        self.notifier = notifier
        self.repo = repo
        self.org = org
        self.uow = uow
        self.audit = audit
        self.clock = clock
        self.policy = policy
        self.checkin_policy = checkin_policy
        self.key = key
        self.references = references

    async def _record(
        self, actor: Actor | None, action: str, meeting: Meeting, before: dict[str, Any] | None
    ) -> None:
        await audited(
            self.audit,
            actor.person_id if actor else None,
            action,
            "Meeting",
            meeting.id,
            meeting.cell_path,
            before=before,
            after=_snapshot(meeting),
        )

    # -- reading --------------------------------------------------------------------------------

    async def meeting(self, actor: Actor, meeting_id: UUID) -> Meeting:
        meeting = await self.repo.get(meeting_id)
        if meeting is None:
            raise NotFoundError("meeting_not_found")
        actor.require_visible(Permission.VIEW_UNIT, meeting.cell_path, "meeting_not_found")
        return meeting

    async def list_meetings(
        self, actor: Actor, where: MeetingFilter, page: PageRequest
    ) -> Page[MeetingOverview]:
        """A page of meetings with their attendance tallies and leaders' visits: three queries
        for the page, whatever its length."""
        found = await self.repo.list_meetings(actor.scopes(Permission.VIEW_UNIT), where, page)
        ids = [m.id for m in found.items]
        tallies, visits = await self.repo.tallies(ids), await self.repo.visits_of_many(ids)
        return Page(
            items=tuple(
                MeetingOverview(m, tallies.get(m.id, Tally()), tuple(visits.get(m.id, ())))
                for m in found.items
            ),
            next_cursor=found.next_cursor,
        )

    async def upcoming(self, actor: Actor, page: PageRequest) -> Page[Meeting]:
        return await self.repo.upcoming_for(
            actor.person_id, actor.scopes(Permission.VISIT_MEETINGS), self.clock.now(), page
        )

    async def visits(self, actor: Actor, meeting_id: UUID) -> list[LeaderVisit]:
        await self.meeting(actor, meeting_id)
        return await self.repo.visits_of(meeting_id)

    async def _managed(self, actor: Actor, meeting_id: UUID, version: int | None) -> Meeting:
        meeting = await self.meeting(actor, meeting_id)
        actor.require(Permission.MANAGE_MEETINGS, meeting.cell_path, "meeting_manage_forbidden")
        require_version(meeting, version)
        return meeting

    async def _save(
        self, actor: Actor, action: str, meeting: Meeting, before: dict[str, Any], *, rows: bool
    ) -> Meeting:
        expected = bump_version(meeting)
        meeting.updated_at = self.clock.now()
        await self.repo.save(meeting, attendance=rows, expected_version=expected)
        await self._record(actor, action, meeting, before)
        return meeting

    # -- the cell's rule and planning ------------------------------------------------------------

    async def rule(self, actor: Actor, cell_id: UUID) -> CellRule:
        cell = await self.org.get_unit(cell_id)
        if cell is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, cell.path, "unit_not_found")
        rule = await self.repo.rule_of(cell_id)
        if rule is None:
            raise NotFoundError("meeting_rule_not_found")
        return rule

    async def set_rule(self, actor: Actor, rule: CellRule) -> CellRule:
        rule.rule.check()
        async with self.uow.atomic():
            cell = await self.org.get_unit(rule.cell_id)
            if cell is None:
                raise NotFoundError("unit_not_found")
            actor.require_visible(Permission.VIEW_UNIT, cell.path, "unit_not_found")
            actor.require(Permission.MANAGE_MEETINGS, cell.path, "meeting_manage_forbidden")
            check_cell(cell)
            await self.repo.set_rule(rule)
            await self._replan(actor, rule)
            await audited(
                self.audit,
                actor.person_id,
                "meeting_rule.set",
                "MeetingRule",
                cell.id,
                cell.path,
                after={"rule": plain(rule.rule), "place": rule.place},
            )
        return rule

    async def _replan(self, actor: Actor, rule: CellRule) -> None:
        """The cell's future regular meetings not yet held follow the new rule: moved to its day
        of their month, or cancelled when that day has passed or does not exist; members who had
        the notice are told the new time."""
        now = self.clock.now()
        cell = await self.org.get_unit(rule.cell_id)
        assert cell is not None  # noqa: S101 - set_rule found it
        coming = await self.repo.list_meetings(
            (cell.path,),
            MeetingFilter(
                cell_id=cell.id,
                starts_from=now,
                status=MeetingStatus.PLANNED,
                kind=MeetingKind.REGULAR,
            ),
            PageRequest(limit=MAX_PAGE_SIZE),
        )
        for meeting in coming.items:
            target = replanned(
                rule.rule, meeting.occurrence or month_of(meeting.planned_start), now
            )
            if target == (meeting.planned_start, meeting.planned_end):
                continue
            before = _snapshot(meeting)
            if target is None:
                meeting.cancel(RULE_CHANGED)
            else:
                meeting.move(*target, RULE_CHANGED)
            await self._save(actor, "meeting.replan", meeting, before, rows=False)
            if meeting.notice_published_at is not None and target is not None:
                await self._announce(meeting)

    async def _require_month_free(self, meeting: Meeting) -> None:
        """One regular meeting per cell and month (the unique index decides under races)."""
        if meeting.occurrence is None:
            return
        since, until = local_month_bounds(int(meeting.occurrence[:4]), int(meeting.occurrence[5:]))
        others = await self.repo.regular_meetings(meeting.cell_id, since, until)
        if month_taken(meeting.occurrence, others, meeting.id):
            raise ConflictError("regular_meeting_exists", month=meeting.occurrence)

    async def plan_all(self) -> int:
        """Plan every cell's regular meetings ahead; safe to run any number of times."""
        planned = 0
        for rule in await self.repo.cells_with_rules():
            planned += await self._plan(rule)
        return planned

    async def plan_cell(self, actor: Actor, cell_id: UUID) -> int:
        rule = await self.rule(actor, cell_id)
        cell = await self.org.get_unit(cell_id)
        assert cell is not None  # noqa: S101 - rule() found it
        actor.require(Permission.MANAGE_MEETINGS, cell.path, "meeting_manage_forbidden")
        return await self._plan(rule)

    async def _plan(self, rule: CellRule) -> int:
        async with self.uow.atomic():
            cell = await self.org.get_unit(rule.cell_id)
            if cell is None or not cell.active:
                return 0
            now = self.clock.now()
            ahead = planned_occurrences(rule.rule, now, self.policy.plan_months_ahead)
            if not ahead:
                return 0
            # A month that has a regular meeting, even a cancelled one, is not planned again.
            held = {
                month_of(start)
                for _, _, start in await self.repo.regular_meetings(
                    cell.id, *local_month_range(ahead[0][0], ahead[-1][0])
                )
            }
            meetings = [
                Meeting(
                    id=uuid4(),
                    cell_id=cell.id,
                    cell_path=cell.path,
                    kind=MeetingKind.REGULAR,
                    status=MeetingStatus.PLANNED,
                    planned_start=start,
                    planned_end=end,
                    created_at=now,
                    updated_at=now,
                    place=rule.place,
                    place_location=rule.place_location,
                    occurrence=occurrence,
                )
                for occurrence, start, end in ahead
                if occurrence not in held
            ]
            return await self.repo.add_planned(meetings)

    async def create(self, actor: Actor, new: NewMeeting) -> Meeting:
        check_window(new.planned_start, new.planned_end)
        async with self.uow.atomic():
            cell = await self.org.get_unit(new.cell_id)
            if cell is None:
                raise NotFoundError("unit_not_found")
            actor.require_visible(Permission.VIEW_UNIT, cell.path, "unit_not_found")
            actor.require(Permission.MANAGE_MEETINGS, cell.path, "meeting_manage_forbidden")
            check_cell(cell)
            if new.id is not None and await self.repo.get(new.id) is not None:
                raise ConflictError("id_conflict")
            now = self.clock.now()
            meeting = Meeting(
                id=new.id or uuid4(),
                cell_id=cell.id,
                cell_path=cell.path,
                kind=new.kind,
                status=MeetingStatus.PLANNED,
                planned_start=new.planned_start,
                planned_end=new.planned_end,
                created_at=now,
                updated_at=now,
                combined_thematic=new.combined_thematic and new.kind is MeetingKind.REGULAR,
                title=new.title,
                place=new.place,
                place_location=new.place_location,
                occurrence=regular_month(new.kind, new.planned_start),
            )
            await self._require_month_free(meeting)
            await self.repo.add(meeting)
            await self._record(actor, "meeting.create", meeting, None)
            return meeting

    async def move(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        start: datetime,
        end: datetime,
        reason: str,
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = _snapshot(meeting)
            meeting.move(start, end, reason)
            await self._require_month_free(meeting)
            return await self._save(actor, "meeting.move", meeting, before, rows=False)

    async def cancel(
        self, actor: Actor, meeting_id: UUID, version: int | None, reason: str
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = _snapshot(meeting)
            meeting.cancel(reason)
            return await self._save(actor, "meeting.cancel", meeting, before, rows=False)

    async def publish_notice(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        agenda: list[AgendaItem],
        paper_ids: list[UUID] | None = None,
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = _snapshot(meeting)
            papers = [
                Paper.of(a)
                for a in await self.references.attachments_for(
                    actor, paper_ids or (), meeting.cell_path
                )
            ]
            agenda = agenda + await self._carried_forward(meeting, agenda)
            meeting.publish_notice(agenda, self.clock.now(), papers)
            saved = await self._save(actor, "meeting.notice", meeting, before, rows=False)
            await self._announce(meeting)
            return saved

    async def _announce(self, meeting: Meeting) -> None:
        """The notice reaches the cell's members and the leaders following it."""
        cell = await self.org.get_unit(meeting.cell_id)
        members = [
            p
            for p, _, _, exempt in await self.repo.roster_on(meeting.cell_id, meeting_day(meeting))
            if not exempt
        ]
        followers = await self.org.list_assignments(
            (meeting.cell_path,), AssignmentFilter(live=True), PageRequest(limit=MAX_PAGE_SIZE)
        )
        await self.notifier.notify(
            [*members, *(a.leader_id for a in followers.items)],
            Category.MEETING,
            f"meeting:{meeting.id}",
            Message(
                template="meeting_published",
                params={
                    "cell": cell.name if cell else "",
                    "start": meeting.planned_start,
                    "place": meeting.place or "—",
                },
            ),
            digestible=True,  # for a leader who takes scope news in the daily digest
            data={"meetingId": str(meeting.id)},
        )

    async def _carried_forward(
        self, meeting: Meeting, agenda: list[AgendaItem]
    ) -> list[AgendaItem]:
        """Review items added to every notice: the cell's open tasks and the resolutions of
        its previous meeting (those the secretary did not already put on the agenda)."""
        review = [
            AgendaItem(f"Kiểm điểm việc: {title}", AgendaKind.REVIEW, 5, None, task_id)
            for task_id, title in await self.open_tasks.open_tasks_of(meeting.cell_id)
        ]
        previous = await self.repo.previous_meeting(meeting.cell_id, meeting.planned_start)
        if previous is not None:
            review += [
                AgendaItem(f"Kiểm điểm nghị quyết: {r.text[:200]}", AgendaKind.REVIEW, 5)
                for r in previous.resolutions
            ]
        present = {(a.task_id, a.title) for a in agenda}
        return [a for a in review if (a.task_id, a.title) not in present]

    # -- the record -----------------------------------------------------------------------------

    async def _ensure_sheet(self, meeting: Meeting) -> None:
        """The attendance sheet is the cell roster as it was on the meeting day."""
        if not meeting.attendance:
            roster = await self.repo.roster_on(meeting.cell_id, meeting_day(meeting))
            meeting.attendance = attendance_sheet(roster)

    async def sheet(self, actor: Actor, meeting_id: UUID) -> Meeting:
        """The whole meeting: its sheet and, once final, the amendments of its minutes."""
        meeting = await self.meeting(actor, meeting_id)
        await self._ensure_sheet(meeting)
        await self._load_amendments(meeting)
        return meeting

    async def _load_amendments(self, meeting: Meeting) -> None:
        if meeting.status is MeetingStatus.FINALIZED:  # only final minutes are amended
            meeting.amendments = await self.repo.amendments_of(meeting.id)

    async def log(
        self, actor: Actor, meeting_id: UUID, version: int | None, record: MeetingRecord
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = _snapshot(meeting)
            await self._ensure_sheet(meeting)
            now = self.clock.now()
            for person_id, status, reason in record.attendance:
                meeting.mark(person_id, status, reason, None)
            meeting.log(
                actual_start=record.actual_start,
                actual_end=record.actual_end,
                chair_id=record.chair_id,
                minute_taker_id=record.minute_taker_id,
                minutes_text=record.minutes_text,
                resolutions=record.resolutions,
                at=now,
            )
            return await self._save(actor, "meeting.log", meeting, before, rows=True)

    async def mark(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        person_id: UUID,
        status: AttendanceStatus,
        reason: str | None,
    ) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = _snapshot(meeting)
            await self._ensure_sheet(meeting)
            meeting.mark(person_id, status, reason, self.clock.now())
            return await self._save(actor, "meeting.attendance", meeting, before, rows=True)

    async def finalize(self, actor: Actor, meeting_id: UUID, version: int | None) -> Meeting:
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            before = _snapshot(meeting)
            await self._ensure_sheet(meeting)
            meeting.finalize(self.policy, self.clock.now())
            return await self._save(actor, "meeting.finalize", meeting, before, rows=True)

    async def amend(
        self,
        actor: Actor,
        meeting_id: UUID,
        version: int | None,
        reason: str,
        minutes_text: str | None,
        resolutions: list[Resolution] | None,
    ) -> Meeting:
        """Finalised minutes change only by an amendment: who, why, what changed."""
        async with self.uow.atomic():
            meeting = await self._managed(actor, meeting_id, version)
            if meeting.status is not MeetingStatus.FINALIZED:
                raise RuleViolationError("meeting_not_finalized")
            before = _snapshot(meeting)
            changes: dict[str, object] = {}
            if minutes_text is not None and minutes_text != meeting.minutes_text:
                changes["minutesText"] = {"from": meeting.minutes_text, "to": minutes_text}
                meeting.minutes_text = minutes_text
            if resolutions is not None and resolutions != meeting.resolutions:
                changes["resolutions"] = {
                    "from": [plain(r) for r in meeting.resolutions],
                    "to": [plain(r) for r in resolutions],
                }
                meeting.amend_resolutions(resolutions)
            if not changes:
                raise RuleViolationError("amendment_empty")
            now = self.clock.now()
            await self.repo.add_amendment(
                Amendment(meeting.id, actor.person_id, reason, changes, now)
            )
            saved = await self._save(actor, "meeting.amend", meeting, before, rows=False)
            await self._load_amendments(saved)
            return saved

    # -- check-in and leaders' visits -----------------------------------------------------------

    async def checkin_code(self, actor: Actor, meeting_id: UUID) -> checkin.IssuedCode:
        meeting = await self._managed(actor, meeting_id, None)
        self._require_checkin_open(meeting)
        return checkin.issue_code(self.key, meeting.id, self.clock.now(), self.checkin_policy)

    def _require_checkin_open(self, meeting: Meeting) -> None:
        if meeting.status in {MeetingStatus.CANCELLED, MeetingStatus.FINALIZED}:
            raise RuleViolationError("checkin_closed")
        end = meeting.actual_end or meeting.planned_end
        checkin.check_window(meeting.planned_start, end, self.clock.now(), self.checkin_policy)

    async def check_in(
        self,
        actor: Actor,
        meeting_id: UUID,
        code: str,
        where: tuple[float, float] | None,
    ) -> Meeting:
        """A member or a visiting leader scans the code shown by the secretary's phone."""
        async with self.uow.atomic():
            meeting = await self.meeting(actor, meeting_id)
            now = self.clock.now()
            self._require_checkin_open(meeting)
            checkin.verify_code(self.key, meeting.id, code, now, self.checkin_policy)
            checkin.check_place(meeting.place_location, where, self.checkin_policy)
            await self._ensure_sheet(meeting)
            before = _snapshot(meeting)
            if any(row.person_id == actor.person_id for row in meeting.attendance):
                meeting.mark(actor.person_id, AttendanceStatus.PRESENT, None, now)
                return await self._save(actor, "meeting.check_in", meeting, before, rows=True)
            # Neither on the sheet nor a leader over the cell: seen, but not theirs to check in.
            actor.require(Permission.VISIT_MEETINGS, meeting.cell_path, "checkin_forbidden")
            visit = await self.repo.visit(meeting.id, actor.person_id) or LeaderVisit(
                meeting.id, actor.person_id
            )
            visit.leader_confirmed_at = visit.leader_confirmed_at or now
            await self.repo.save_visit(visit)
            await self._record(actor, "meeting.leader_check_in", meeting, None)
            return meeting

    async def confirm_visit(
        self, actor: Actor, meeting_id: UUID, leader_id: UUID, remarks: str | None
    ) -> LeaderVisit:
        """Both sides confirm: the leader (their own visit, with remarks) and the secretary."""
        async with self.uow.atomic():
            meeting = await self.meeting(actor, meeting_id)
            now = self.clock.now()
            visit = await self.repo.visit(meeting.id, leader_id) or LeaderVisit(
                meeting.id, leader_id
            )
            if actor.person_id == leader_id:
                actor.require(Permission.VISIT_MEETINGS, meeting.cell_path, "visit_forbidden")
                visit.leader_confirmed_at = visit.leader_confirmed_at or now
                visit.remarks = remarks if remarks is not None else visit.remarks
            else:
                actor.require(Permission.MANAGE_MEETINGS, meeting.cell_path, "visit_forbidden")
                leader_grants = await self.org.live_grants_of(leader_id)
                if not any(
                    meeting.cell_path.startswith(g.unit_path) and g.role.value == "leader"
                    for g in leader_grants
                ):
                    raise RuleViolationError("not_a_leader_of_cell")
                visit.secretary_confirmed_at = visit.secretary_confirmed_at or now
            await self.repo.save_visit(visit)
            await self._record(actor, "meeting.visit_confirm", meeting, None)
            return visit


@dataclass(frozen=True, slots=True)
class FollowedCell:
    assignment: LeaderAssignment
    cell_name: str
    progress: QuotaProgress
    upcoming: list[Meeting]


@dataclass(frozen=True, slots=True)
class ReviewFlag:
    person_id: UUID
    full_name: str
    months: list[int]


class OversightService:
    """What leaders read: the cells they follow with their quota, members to review."""

    def __init__(self, meetings: MeetingService) -> None:
        self.meetings = meetings

    async def followed(self, actor: Actor) -> list[FollowedCell]:
        repo, org = self.meetings.repo, self.meetings.org
        now = self.meetings.clock.now()
        today = now.astimezone(LOCAL_TZ).date()
        upcoming = (await self.meetings.upcoming(actor, PageRequest(limit=MAX_PAGE_SIZE))).items
        assignments = [
            a
            for a in await org.live_assignments_of(actor.person_id)
            if actor.may(Permission.VISIT_MEETINGS, a.cell_path)
        ]
        names = {u.id: u.name for u in await org.units_by_ids({a.cell_id for a in assignments})}
        result = []
        for assignment in assignments:
            start, end = period_of(today, assignment.period)
            attended = await repo.counted_visits(
                actor.person_id, assignment.cell_id, local_midnight(start), local_midnight(end)
            )
            result.append(
                FollowedCell(
                    assignment=assignment,
                    cell_name=names.get(assignment.cell_id, ""),
                    progress=progress(assignment.quota, assignment.period, attended, today),
                    upcoming=[m for m in upcoming if m.cell_id == assignment.cell_id][:3],
                )
            )
        return result

    async def review_flags(self, actor: Actor, cell_id: UUID, year: int) -> list[ReviewFlag]:
        """Members with unexcused absences in N months of ``year`` (N from the policy)."""
        cell = await self.meetings.org.get_unit(cell_id)
        if cell is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, cell.path, "unit_not_found")
        actor.require(Permission.VIEW_PEOPLE, cell.path, "absence_flags_forbidden")
        since = datetime(year, 1, 1, tzinfo=LOCAL_TZ)
        until = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)
        rows = await self.meetings.repo.unexcused_absences(cell_id, since, until)
        names = {person: name for person, name, _ in rows}
        months = unexcused_months(((person, at) for person, _, at in rows), year)
        flagged = review_flags(((p, at) for p, _, at in rows), year, self.meetings.policy)
        return [
            ReviewFlag(person, names[person], sorted(months[person]))
            for person in sorted(flagged, key=lambda p: names[p])
        ]


def local_month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """UTC bounds of a local calendar month, for "a cell's meetings by month"."""
    start = datetime(year, month, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=LOCAL_TZ)  # noqa: PLR2004
    return start, end


def local_month_range(first: str, last: str) -> tuple[datetime, datetime]:
    """UTC bounds from the start of month ``first`` to the end of month ``last`` ("2026-12")."""
    since, _ = local_month_bounds(int(first[:4]), int(first[5:]))
    _, until = local_month_bounds(int(last[:4]), int(last[5:]))
    return since, until
