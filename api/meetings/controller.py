"""Meetings: the cell's rule, planning, notice, moving and cancelling, reading."""

from __future__ import annotations

from datetime import time
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.etag import ETAG_HEADER, IfMatch, expected_version, tagged
from api.http.schemas import Cursor, Limit, Month, PageOut
from api.meetings.schemas import (
    CancelIn,
    MeetingIn,
    MeetingMoveIn,
    MeetingOut,
    NoticeIn,
    PlannedOut,
    RuleIn,
    RuleOut,
    agenda_of,
)
from domain.actors import Actor
from domain.meetings.access import MeetingUseCases
from domain.meetings.lifecycle import MeetingLifecycleService, NewMeeting
from domain.meetings.model import MeetingKind, MeetingStatus
from domain.meetings.notice import MeetingNoticeService
from domain.meetings.planning import MeetingPlanningService
from domain.meetings.ports import CellRule, MeetingFilter
from domain.meetings.reading import MeetingReadingService
from domain.meetings.recurrence import MeetingRule, local_month_bounds
from domain.pagination import PageRequest

Lifecycle = NamedDependency[MeetingLifecycleService]
Notice = NamedDependency[MeetingNoticeService]
Planning = NamedDependency[MeetingPlanningService]
Reading = NamedDependency[MeetingReadingService]
Me = NamedDependency[Actor]


def _out(service: MeetingUseCases, meeting: object, *, sheet: bool = True) -> MeetingOut:
    return MeetingOut.of(meeting, service.policy, service.clock.now(), sheet=sheet)  # type: ignore[arg-type]


class MeetingRuleController(Controller):
    path = "/api/v1/units/{cell_id:uuid}"
    tags = ["meetings"]

    @get("/meeting-rule", operation_id="GetMeetingRule", responses=problems(401, 404))
    async def get_rule(
        self, cell_id: FromPath[UUID], actor: Me, meeting_planning: Planning
    ) -> RuleOut:
        return RuleOut.of(await meeting_planning.rule(actor, cell_id))

    @put(
        "/meeting-rule",
        operation_id="SetMeetingRule",
        responses=problems(401, 403, 404, 413, 422),
    )
    async def set_rule(
        self, cell_id: FromPath[UUID], data: JSONBody[RuleIn], actor: Me, meeting_planning: Planning
    ) -> RuleOut:
        """The cell's regular meeting: "day 4 at 19:30" or "first (nth=1) Sunday (weekday=6)".
        A changed rule moves the cell's future planned regular meetings to its day of their month
        (cancelled where that day has passed or does not exist); members who had the notice are
        told the new time."""
        rule = CellRule(
            cell_id=cell_id,
            rule=MeetingRule(
                kind=data.kind,
                at=time.fromisoformat(data.at),
                duration_minutes=data.duration_minutes,
                day=data.day,
                weekday=data.weekday,
                nth=data.nth,
            ),
            place=data.place,
            place_location=(data.place_location.lat, data.place_location.lon)
            if data.place_location
            else None,
        )
        return RuleOut.of(await meeting_planning.set_rule(actor, rule))

    @post(
        "/meetings/plan",
        operation_id="PlanMeetings",
        status_code=200,
        responses=problems(401, 403, 404),
    )
    async def plan(
        self, cell_id: FromPath[UUID], actor: Me, meeting_planning: Planning
    ) -> PlannedOut:
        """Plan the coming months' regular meetings from the rule; running it again adds none."""
        return PlannedOut(planned=await meeting_planning.plan_cell(actor, cell_id))


class MeetingController(Controller):
    path = "/api/v1/meetings"
    tags = ["meetings"]

    @get("/", operation_id="ListMeetings", responses=problems(401, 404, 422))
    async def list_meetings(
        self,
        actor: Me,
        meeting_reading: Reading,
        limit: Limit = 50,
        cursor: Cursor = None,
        cell_id: Annotated[UUID | None, QueryParameter(name="cellId")] = None,
        unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None,
        month: Month = None,
        status: Annotated[MeetingStatus | None, QueryParameter()] = None,
        kind: Annotated[MeetingKind | None, QueryParameter()] = None,
    ) -> PageOut[MeetingOut]:
        """Meetings the caller can see, by cell or unit subtree and local month, each with its
        attendance tally and the leaders' visits (a ward's oversight at a glance)."""
        return await meetings_page(
            actor,
            meeting_reading,
            limit=limit,
            cursor=cursor,
            cell_id=cell_id,
            unit_id=unit_id,
            month=month,
            status=status,
            kind=kind,
        )

    @get("/upcoming", operation_id="ListMyUpcomingMeetings", responses=problems(401, 422))
    async def upcoming(
        self,
        actor: Me,
        meeting_reading: Reading,
        limit: Limit = 20,
        cursor: Cursor = None,
    ) -> PageOut[MeetingOut]:
        """Planned meetings of my cells and of the cells I follow as a leader, soonest first."""
        page = await meeting_reading.upcoming(actor, PageRequest(limit, cursor))
        return PageOut(
            items=[_out(meeting_reading, m, sheet=False) for m in page.items],
            next_cursor=page.next_cursor,
        )

    @get(
        "/{meeting_id:uuid}",
        operation_id="GetMeeting",
        responses=problems(401, 404),
        response_headers=ETAG_HEADER,
    )
    async def get_meeting(
        self, meeting_id: FromPath[UUID], actor: Me, meeting_reading: Reading
    ) -> Response[MeetingOut]:
        """One meeting with its notice, record, attendance sheet, counts and flags."""
        meeting = await meeting_reading.sheet(actor, meeting_id)
        return tagged(_out(meeting_reading, meeting), meeting.version)

    @post(
        "/",
        operation_id="CreateMeeting",
        responses=problems(401, 403, 404, 409, 413, 422),
        response_headers=ETAG_HEADER,
    )
    async def create(
        self, data: JSONBody[MeetingIn], actor: Me, meeting_lifecycle: Lifecycle
    ) -> Response[MeetingOut]:
        """Add a thematic, extraordinary or regular meeting (the client may give its id); a cell
        has at most one regular meeting a month (409 `regular_meeting_exists`)."""
        meeting = await meeting_lifecycle.create(
            actor,
            NewMeeting(
                cell_id=data.cell_id,
                kind=data.kind,
                planned_start=data.planned_start,
                planned_end=data.planned_end,
                title=data.title,
                place=data.place,
                place_location=(data.place_location.lat, data.place_location.lon)
                if data.place_location
                else None,
                combined_thematic=data.combined_thematic,
                id=data.id,
            ),
        )
        return tagged(_out(meeting_lifecycle, meeting, sheet=False), meeting.version, 201)

    @post(
        "/{meeting_id:uuid}/move",
        operation_id="MoveMeeting",
        status_code=200,
        responses=problems(401, 403, 404, 409, 412, 413, 422, 428),
        response_headers=ETAG_HEADER,
    )
    async def move(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[MeetingMoveIn],
        actor: Me,
        meeting_lifecycle: Lifecycle,
        if_match: IfMatch = None,
    ) -> Response[MeetingOut]:
        meeting = await meeting_lifecycle.move(
            actor,
            meeting_id,
            expected_version(if_match),
            data.planned_start,
            data.planned_end,
            data.reason,
        )
        return tagged(_out(meeting_lifecycle, meeting, sheet=False), meeting.version)

    @post(
        "/{meeting_id:uuid}/cancel",
        operation_id="CancelMeeting",
        status_code=200,
        responses=problems(401, 403, 404, 409, 412, 413, 422, 428),
        response_headers=ETAG_HEADER,
    )
    async def cancel(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[CancelIn],
        actor: Me,
        meeting_lifecycle: Lifecycle,
        if_match: IfMatch = None,
    ) -> Response[MeetingOut]:
        meeting = await meeting_lifecycle.cancel(
            actor, meeting_id, expected_version(if_match), data.reason
        )
        return tagged(_out(meeting_lifecycle, meeting, sheet=False), meeting.version)

    @put(
        "/{meeting_id:uuid}/notice",
        operation_id="PublishMeetingNotice",
        responses=problems(401, 403, 404, 409, 412, 413, 422, 428),
        response_headers=ETAG_HEADER,
    )
    async def notice(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[NoticeIn],
        actor: Me,
        meeting_notice: Notice,
        if_match: IfMatch = None,
    ) -> Response[MeetingOut]:
        """Publish the notice with its agenda and papers (attachments uploaded to the cell);
        members should have it 24 hours ahead."""
        meeting = await meeting_notice.publish_notice(
            actor,
            meeting_id,
            expected_version(if_match),
            agenda_of(data.agenda),
            data.paper_ids,
        )
        return tagged(_out(meeting_notice, meeting, sheet=False), meeting.version)


async def meetings_page(
    actor: Actor,
    meeting_reading: MeetingReadingService,
    *,
    limit: int = 50,
    cursor: str | None = None,
    cell_id: UUID | None = None,
    unit_id: UUID | None = None,
    month: str | None = None,
    status: MeetingStatus | None = None,
    kind: MeetingKind | None = None,
) -> PageOut[MeetingOut]:
    """The reply of ``list_meetings``, also served by api/http/fast_reads.py."""
    starts_from = starts_before = None
    if month:
        starts_from, starts_before = local_month_bounds(int(month[:4]), int(month[5:]))
    page = await meeting_reading.list_meetings(
        actor,
        MeetingFilter(
            cell_id=cell_id,
            within_unit_id=unit_id,
            starts_from=starts_from,
            starts_before=starts_before,
            status=status,
            kind=kind,
        ),
        PageRequest(limit, cursor),
    )
    now = meeting_reading.clock.now()
    return PageOut(
        items=[
            MeetingOut.of(o.meeting, meeting_reading.policy, now, sheet=False, overview=o)
            for o in page.items
        ],
        next_cursor=page.next_cursor,
    )
