"""Satisfaction surveys for the staff in scope: the surveys of their units, a link to hand over
or send (shown once), a survey for a dialogue's participant, an answer entered for a resident."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.schemas import Cursor, Limit, PageOut
from api.surveys.schemas import RatingIn, SurveyLinkOut, SurveyOut
from domain.actors import Actor
from domain.org.service import OrgService
from domain.pagination import PageRequest
from domain.surveys.service import IssuedLink, SurveyService

Me = NamedDependency[Actor]
Surveys = NamedDependency[SurveyService]
NO_STORE = {"Cache-Control": "no-store"}


def _link(issued: IssuedLink) -> Response[SurveyLinkOut]:
    return Response(SurveyLinkOut.of(issued), status_code=201, headers=NO_STORE)


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]

    @get("/", operation_id="ListSurveys", responses=problems(401, 404, 422))
    async def list_surveys(
        self,
        actor: Me,
        surveys: Surveys,
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None,
        answered: Annotated[
            bool | None, QueryParameter(description="Only answered ones, or only unanswered")
        ] = None,
    ) -> PageOut[SurveyOut]:
        """Surveys of the units whose tasks the caller manages, by the time they open."""
        within = (await org.unit(actor, unit_id)).path if unit_id else None
        page = await surveys.list_surveys(actor, within, answered, PageRequest(limit, cursor))
        return PageOut(items=[SurveyOut.of(s) for s in page.items], next_cursor=page.next_cursor)

    @get("/{survey_id:uuid}", operation_id="GetSurvey", responses=problems(401, 403, 404))
    async def get_survey(self, survey_id: FromPath[UUID], actor: Me, surveys: Surveys) -> SurveyOut:
        return SurveyOut.of(await surveys.survey(actor, survey_id))

    @post(
        "/{survey_id:uuid}/link",
        operation_id="IssueSurveyLink",
        responses=problems(401, 403, 404, 409),
    )
    async def issue_link(
        self,
        survey_id: FromPath[UUID],
        actor: Me,
        surveys: Surveys,
    ) -> Response[SurveyLinkOut]:
        """A single-use link for the resident, shown only this once; an earlier link of the
        survey stops working. 409 `survey_not_open` before the survey opens (a petition's reply
        is rated `CHIBO_SURVEY_DELAY_HOURS` after it was given), `survey_already_answered`."""
        return _link(await surveys.issue_link(actor, survey_id))

    @post(
        "/{survey_id:uuid}/answer",
        operation_id="AnswerSurveyForResident",
        status_code=200,
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def answer(
        self, survey_id: FromPath[UUID], data: JSONBody[RatingIn], actor: Me, surveys: Surveys
    ) -> SurveyOut:
        """An answer the resident gave on paper or by phone, entered by staff: recorded as
        assisted and left out of the headline figures. One answer per survey (409
        `survey_already_answered`); a reason for the two lowest scores (422
        `survey_reason_required`); "not resolved" reopens the petition's closed task."""
        return SurveyOut.of(await surveys.answer_assisted(actor, survey_id, data.rating()))


@post(
    "/api/v1/dialogues/{dialogue_id:uuid}/surveys",
    operation_id="CreateDialogueSurvey",
    tags=["surveys"],
    responses=problems(401, 403, 404, 409),
)
async def create_dialogue_survey(
    dialogue_id: FromPath[UUID], actor: Me, surveys: Surveys
) -> Response[SurveyLinkOut]:
    """A survey for one participant of a published dialogue, with its link (shown only this
    once); at most as many as the dialogue had participants (409 `dialogue_surveys_exhausted`),
    none before the results are published (409 `dialogue_not_published`)."""
    return _link(await surveys.for_dialogue(actor, dialogue_id))
