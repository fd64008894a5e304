"""The cell's meeting rule and the regular meetings planned from it, replanned when it changes."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.audit import audited
from domain.errors import NotFoundError
from domain.meetings.access import MeetingParts, MeetingUseCases, audit_state
from domain.meetings.model import Meeting, MeetingKind, MeetingStatus
from domain.meetings.notice import MeetingNoticeService
from domain.meetings.ports import CellRule, MeetingFilter
from domain.meetings.recurrence import local_month_range, month_of, planned_occurrences, replanned
from domain.pagination import MAX_PAGE_SIZE, PageRequest
from domain.snapshots import plain

RULE_CHANGED = "Đổi theo lịch sinh hoạt mới của chi bộ"


class MeetingPlanningService(MeetingUseCases):
    def __init__(
        self,
        *,
        notice: MeetingNoticeService,
        **parts: Unpack[MeetingParts],
    ) -> None:
        super().__init__(**parts)
        self.notice = notice  # a replanned meeting whose notice is out is announced again

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
            cell = await self._managed_cell(actor, rule.cell_id)
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
            before = audit_state(meeting)
            if target is None:
                meeting.cancel(RULE_CHANGED)
            else:
                meeting.move(*target, RULE_CHANGED)
            await self._save(actor, "meeting.replan", meeting, before, rows=False)
            if meeting.notice_published_at is not None and target is not None:
                await self.notice.announce(meeting)

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
