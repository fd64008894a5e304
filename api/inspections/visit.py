"""The visit: inspector check-in, answers, findings, the conclusion with recommendations."""

from __future__ import annotations

from uuid import UUID, uuid4

from litestar import Controller, Response, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.http.errors import problems
from api.http.etag import ETAG_HEADER, IfMatch, expected_version, tagged
from api.inspections.schemas import (
    AnswerIn,
    ConclusionIn,
    FindingIn,
    InspectionCheckInIn,
    InspectionOut,
)
from domain.actors import Actor
from domain.inspections.model import Answer, Recommendation
from domain.inspections.service import InspectionService

Inspections = NamedDependency[InspectionService]
Me = NamedDependency[Actor]
UPDATE_PROBLEMS = problems(401, 403, 404, 409, 412, 413, 422, 428)


class InspectionVisitController(Controller):
    path = "/api/v1/inspections/{inspection_id:uuid}"
    tags = ["inspections"]

    @post(
        "/check-in",
        operation_id="CheckInInspection",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def check_in(
        self,
        inspection_id: FromPath[UUID],
        data: JSONBody[InspectionCheckInIn],
        actor: Me,
        inspections: Inspections,
        if_match: IfMatch = None,
    ) -> Response[InspectionOut]:
        """The lead inspector's check-in starts the visit (and reveals a surprise one)."""
        where = (data.location.lat, data.location.lon) if data.location else None
        inspection = await inspections.check_in(
            actor, inspection_id, expected_version(if_match), where
        )
        return tagged(InspectionOut.of(inspection, inspections.policy), inspection.version)

    @put(
        "/answers/{item_key:str}",
        operation_id="AnswerChecklistItem",
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def answer(
        self,
        inspection_id: FromPath[UUID],
        item_key: FromPath[str],
        data: JSONBody[AnswerIn],
        actor: Me,
        inspections: Inspections,
        if_match: IfMatch = None,
    ) -> Response[InspectionOut]:
        inspection = await inspections.answer(
            actor,
            inspection_id,
            expected_version(if_match),
            Answer(item_key, data.value, data.note, tuple(data.photo_ids)),
        )
        return tagged(InspectionOut.of(inspection, inspections.policy), inspection.version)

    @post(
        "/findings",
        operation_id="AddFinding",
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def finding(
        self,
        inspection_id: FromPath[UUID],
        data: JSONBody[FindingIn],
        actor: Me,
        inspections: Inspections,
        if_match: IfMatch = None,
    ) -> Response[InspectionOut]:
        inspection = await inspections.add_finding(
            actor, inspection_id, expected_version(if_match), data.text, data.severity
        )
        return tagged(InspectionOut.of(inspection, inspections.policy), inspection.version, 201)

    @post(
        "/conclusion",
        operation_id="ConcludeInspection",
        status_code=200,
        responses=UPDATE_PROBLEMS,
        response_headers=ETAG_HEADER,
    )
    async def conclude(
        self,
        inspection_id: FromPath[UUID],
        data: JSONBody[ConclusionIn],
        actor: Me,
        inspections: Inspections,
        if_match: IfMatch = None,
    ) -> Response[InspectionOut]:
        """The lead issues the conclusion; every required checklist item must be answered
        (409 `checklist_incomplete` lists the missing ones)."""
        recommendations = [
            Recommendation(
                id=uuid4(),
                text=r.text,
                due_on=r.due_on,
                responsible_unit_id=r.responsible_unit_id,
                responsible_person_id=r.responsible_person_id,
                priority=r.priority,
            )
            for r in data.recommendations
        ]
        inspection = await inspections.conclude(
            actor, inspection_id, expected_version(if_match), data.text, recommendations
        )
        return tagged(InspectionOut.of(inspection, inspections.policy), inspection.version)
