"""Meeting quality: the criteria set a unit uses and its new versions, a meeting's score and its
confirmation by the attending upper-level cadre, a cell's annual band."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.etag import ETAG_HEADER, IfMatch, expected_version, tagged
from api.quality.schemas import (
    AnnualQualityOut,
    CriteriaSetIn,
    CriteriaSetOut,
    MeetingQualityOut,
    ScoreIn,
)
from domain.actors import Actor
from domain.quality.service import QualityService

Me = NamedDependency[Actor]
Quality = NamedDependency[QualityService]


class UnitQualityController(Controller):
    path = "/api/v1/units/{unit_id:uuid}"
    tags = ["meeting-quality"]

    @get("/quality-criteria", operation_id="GetQualityCriteria", responses=problems(401, 404))
    async def criteria(
        self, unit_id: FromPath[UUID], actor: Me, quality: Quality
    ) -> CriteriaSetOut:
        """The criteria the unit's meetings are scored with: the latest version of its own set,
        else of the nearest unit up the tree that chose one, else the default."""
        return CriteriaSetOut.of(await quality.criteria(actor, unit_id))

    @post(
        "/quality-criteria",
        operation_id="CreateQualityCriteria",
        responses=problems(401, 403, 404, 409, 422),
    )
    async def add_criteria(
        self, unit_id: FromPath[UUID], data: JSONBody[CriteriaSetIn], actor: Me, quality: Quality
    ) -> CriteriaSetOut:
        """A new version of the unit's own set (a ward or a city; an administrator of it). Its
        cells' meetings scored from now on use it; those already scored keep theirs."""
        return CriteriaSetOut.of(await quality.add_criteria(actor, unit_id, data.to_domain()))

    @get("/quality-annual", operation_id="GetAnnualQuality", responses=problems(401, 404, 422))
    async def annual(
        self,
        unit_id: FromPath[UUID],
        actor: Me,
        quality: Quality,
        year: Annotated[int, QueryParameter(ge=2000, le=2100, description="Calendar year")],
    ) -> AnnualQualityOut:
        """The cell's band for the year from its scored meetings, by the annual rule of the set
        that applies to it."""
        return AnnualQualityOut.of(await quality.annual(actor, unit_id, year))


class MeetingQualityController(Controller):
    path = "/api/v1/meetings/{meeting_id:uuid}/quality-score"
    tags = ["meeting-quality"]

    @get(
        "/",
        operation_id="GetMeetingQuality",
        responses=problems(401, 404),
        response_headers=ETAG_HEADER,
    )
    async def get_score(
        self, meeting_id: FromPath[UUID], actor: Me, quality: Quality
    ) -> Response[MeetingQualityOut]:
        score, criteria = await quality.score_of(actor, meeting_id)
        return tagged(MeetingQualityOut.of(score, criteria), score.version)

    @put(
        "/",
        operation_id="ScoreMeeting",
        responses=problems(401, 403, 404, 409, 412, 422, 428),
        response_headers=ETAG_HEADER,
    )
    async def score(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[ScoreIn],
        actor: Me,
        quality: Quality,
        if_match: IfMatch = None,
    ) -> Response[MeetingQualityOut]:
        """The points of every criterion, as the cell agreed them; the band follows (Tốt needs
        the must-be-full criteria full). `If-Match: "0"` scores a meeting the first time; a
        confirmed score no longer changes (409 `quality_already_confirmed`)."""
        score, criteria = await quality.score(
            actor, meeting_id, expected_version(if_match), data.points
        )
        return tagged(MeetingQualityOut.of(score, criteria), score.version)

    @post(
        "/confirm",
        operation_id="ConfirmMeetingQuality",
        status_code=200,
        responses=problems(401, 403, 404, 409, 412, 428),
        response_headers=ETAG_HEADER,
    )
    async def confirm(
        self, meeting_id: FromPath[UUID], actor: Me, quality: Quality, if_match: IfMatch = None
    ) -> Response[MeetingQualityOut]:
        """The upper-level cadre who attended the meeting (a leader's visit they checked in to)
        confirms the score; not the person who entered it."""
        score, criteria = await quality.confirm(actor, meeting_id, expected_version(if_match))
        return tagged(MeetingQualityOut.of(score, criteria), score.version)
