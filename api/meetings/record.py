"""The meeting record: logging, attendance, finalising, amendments, check-in, leaders' visits."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.http.errors import problems
from api.http.etag import ETAG_HEADER, IfMatch, expected_version, tagged
from api.http.schemas import PageOut, one_page
from api.meetings.schemas import (
    AmendIn,
    CheckinCodeOut,
    ConfirmVisitIn,
    MarkIn,
    MeetingCheckInIn,
    MeetingOut,
    RecordIn,
    VisitOut,
)
from domain.actors import Actor
from domain.meetings.attendance import MeetingAttendanceService
from domain.meetings.record import MeetingRecord, MeetingRecordService

Attendance = NamedDependency[MeetingAttendanceService]
Record = NamedDependency[MeetingRecordService]
Me = NamedDependency[Actor]
UPDATE_PROBLEMS = problems(401, 403, 404, 409, 412, 413, 422, 428)


class MeetingRecordController(Controller):
    path = "/api/v1/meetings/{meeting_id:uuid}"
    tags = ["meetings"]

    @put(
        "/record",
        operation_id="LogMeeting",
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def log(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[RecordIn],
        actor: Me,
        meeting_record: Record,
        if_match: IfMatch = None,
    ) -> Response[MeetingOut]:
        """Times, chair, minute-taker, minutes, resolutions and attendance, in one write.
        Logged days after the meeting from an offline phone: accepted and flagged."""
        record = MeetingRecord(
            actual_start=data.actual_start,
            actual_end=data.actual_end,
            chair_id=data.chair_id,
            minute_taker_id=data.minute_taker_id,
            minutes_text=data.minutes_text,
            resolutions=[r.to_domain() for r in data.resolutions],
            attendance=[(a.person_id, a.status, a.reason) for a in data.attendance],
        )
        meeting = await meeting_record.log(actor, meeting_id, expected_version(if_match), record)
        return tagged(
            MeetingOut.of(meeting, meeting_record.policy, meeting_record.clock.now(), sheet=True),
            meeting.version,
        )

    @put(
        "/attendance/{person_id:uuid}",
        operation_id="MarkAttendance",
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def mark(
        self,
        meeting_id: FromPath[UUID],
        person_id: FromPath[UUID],
        data: JSONBody[MarkIn],
        actor: Me,
        meeting_record: Record,
        if_match: IfMatch = None,
    ) -> Response[MeetingOut]:
        """The secretary marks one member by hand (present, excused with reason, ...)."""
        meeting = await meeting_record.mark(
            actor, meeting_id, expected_version(if_match), person_id, data.status, data.reason
        )
        return tagged(
            MeetingOut.of(meeting, meeting_record.policy, meeting_record.clock.now(), sheet=True),
            meeting.version,
        )

    @post(
        "/finalize",
        operation_id="FinalizeMinutes",
        status_code=200,
        responses=problems(401, 403, 404, 409, 412, 422, 428),
        response_headers=ETAG_HEADER,
    )
    async def finalize(
        self,
        meeting_id: FromPath[UUID],
        actor: Me,
        meeting_record: Record,
        if_match: IfMatch = None,
    ) -> Response[MeetingOut]:
        """Close the minutes; 409 `minutes_incomplete` lists in `missing` what is lacking."""
        meeting = await meeting_record.finalize(actor, meeting_id, expected_version(if_match))
        return tagged(
            MeetingOut.of(meeting, meeting_record.policy, meeting_record.clock.now(), sheet=True),
            meeting.version,
        )

    @post(
        "/amendments",
        operation_id="AmendMinutes",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def amend(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[AmendIn],
        actor: Me,
        meeting_record: Record,
        if_match: IfMatch = None,
    ) -> Response[MeetingOut]:
        """Correct finalised minutes: who, why and what changed are kept and audited."""
        meeting = await meeting_record.amend(
            actor,
            meeting_id,
            expected_version(if_match),
            data.reason,
            data.minutes_text,
            [r.to_domain() for r in data.resolutions] if data.resolutions is not None else None,
        )
        return tagged(
            MeetingOut.of(meeting, meeting_record.policy, meeting_record.clock.now(), sheet=True),
            meeting.version,
        )

    @get("/checkin-code", operation_id="GetCheckinCode", responses=problems(401, 403, 404, 422))
    async def checkin_code(
        self, meeting_id: FromPath[UUID], actor: Me, meeting_attendance: Attendance
    ) -> CheckinCodeOut:
        """The short-lived code the secretary's phone shows as a QR code; ask again to rotate."""
        issued = await meeting_attendance.checkin_code(actor, meeting_id)
        return CheckinCodeOut(code=issued.code, expires_at=issued.expires_at)

    @post(
        "/check-in",
        operation_id="CheckIn",
        status_code=200,
        responses=problems(401, 403, 404, 413, 422),
    )
    async def check_in(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[MeetingCheckInIn],
        actor: Me,
        meeting_attendance: Attendance,
    ) -> MeetingOut:
        """A member or a visiting leader checks in with the scanned code."""
        where = (data.location.lat, data.location.lon) if data.location else None
        meeting = await meeting_attendance.check_in(actor, meeting_id, data.code, where)
        return MeetingOut.of(
            meeting, meeting_attendance.policy, meeting_attendance.clock.now(), sheet=False
        )

    @get("/leader-visits", operation_id="ListLeaderVisits", responses=problems(401, 404))
    async def visits(
        self, meeting_id: FromPath[UUID], actor: Me, meeting_attendance: Attendance
    ) -> PageOut[VisitOut]:
        return one_page(
            [VisitOut.of(v) for v in await meeting_attendance.visits(actor, meeting_id)]
        )

    @post(
        "/leader-visits/{leader_id:uuid}/confirm",
        operation_id="ConfirmLeaderVisit",
        status_code=200,
        responses=problems(401, 403, 404, 413, 422),
    )
    async def confirm_visit(
        self,
        meeting_id: FromPath[UUID],
        leader_id: FromPath[UUID],
        data: JSONBody[ConfirmVisitIn],
        actor: Me,
        meeting_attendance: Attendance,
    ) -> VisitOut:
        """The leader confirms their own visit (with remarks), the secretary confirms it too;
        it counts toward the leader's quota once both have."""
        return VisitOut.of(
            await meeting_attendance.confirm_visit(actor, meeting_id, leader_id, data.remarks)
        )
