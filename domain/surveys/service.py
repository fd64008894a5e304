"""Survey use cases: a survey opened for each contact, its single-use link issued by the staff in
scope, the answer given through the link (or entered for the resident, marked assisted), a
"not resolved" answer reopening the closed task, and the satisfaction figures of a unit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.audit import audited
from domain.dialogues.model import require_holder
from domain.dialogues.ports import DialogueRepository
from domain.errors import ConflictError, NotFoundError
from domain.notifications.model import Category
from domain.notifications.service import Message, Notifier
from domain.org.model import Unit
from domain.org.ports import OrgRepository
from domain.pagination import Page, PageRequest
from domain.ports import AuditLog, Clock, UnitOfWork
from domain.reports.period import Period, parse_period
from domain.surveys.model import (
    Attribution,
    Contact,
    ContactKind,
    LinkState,
    Rating,
    Reach,
    Resolved,
    Survey,
    SurveyAnswer,
    SurveyPolicy,
    Tally,
    opens_at,
    reach,
    reopen_reason,
    tally,
)
from domain.surveys.ports import SurveyRepository
from domain.tasks.ports import TaskRepository
from domain.tasks.service import TaskService
from domain.tokens import hash_token, new_token, well_formed


class SurveyOpener:
    """The ``ContactLog`` the task service calls when a petition is replied to or its task
    closes."""

    def __init__(self, repo: SurveyRepository, clock: Clock, policy: SurveyPolicy) -> None:
        self.repo, self.clock, self.policy = repo, clock, policy

    async def contacted(self, contact: Contact) -> None:
        survey = Survey(uuid4(), contact, opens_at(contact, self.policy), self.clock.now())
        await self.repo.add(survey)


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """The link's token, shown only this once (only its hash is kept)."""

    survey: Survey
    token: str


@dataclass(frozen=True, slots=True)
class SurveyPage:
    """What the page a resident opens shows: the state of the link and, when it is open, what
    the survey is about (never who handled it)."""

    state: LinkState
    survey: Survey | None = None
    unit_name: str = ""


@dataclass(frozen=True, slots=True)
class UnitSatisfaction:
    unit_id: UUID
    unit_name: str
    tally: Tally
    reach: Reach


@dataclass(frozen=True, slots=True)
class HeadSatisfaction:
    head_person_id: UUID | None
    head_name: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class SatisfactionReport:
    unit_id: UUID
    unit_name: str
    period: Period
    as_of: datetime
    tally: Tally
    reach: Reach
    units: tuple[UnitSatisfaction, ...]
    heads: tuple[HeadSatisfaction, ...]
    policy: SurveyPolicy


class SurveyService:
    def __init__(
        self,
        repo: SurveyRepository,
        org: OrgRepository,
        dialogues: DialogueRepository,
        task_repo: TaskRepository,
        tasks: TaskService,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        notifier: Notifier,
        policy: SurveyPolicy,
    ) -> None:
        self.repo, self.org, self.dialogues, self.task_repo = repo, org, dialogues, task_repo
        self.tasks, self.uow, self.audit, self.clock = tasks, uow, audit, clock
        self.notifier, self.policy = notifier, policy

    # -- staff ----------------------------------------------------------------------------------

    async def survey(self, actor: Actor, survey_id: UUID) -> Survey:
        """Seen by who manages the unit's tasks; otherwise exactly like a missing survey."""
        found = await self.repo.get(survey_id)
        if found is None or not actor.may(Permission.VIEW_UNIT, found.unit_path):
            raise NotFoundError("survey_not_found")
        actor.require(Permission.MANAGE_TASKS, found.unit_path, "survey_manage_forbidden")
        return found

    async def list_surveys(
        self, actor: Actor, within_path: str | None, answered: bool | None, page: PageRequest
    ) -> Page[Survey]:
        scopes = actor.scopes(Permission.MANAGE_TASKS)
        return await self.repo.list_surveys(scopes, within_path, answered, page)

    async def issue_link(self, actor: Actor, survey_id: UUID) -> IssuedLink:
        """A new single-use link; any earlier link of the survey stops working."""
        async with self.uow.atomic():
            survey = await self.survey(actor, survey_id)
            return await self._issue(actor, survey)

    async def _issue(self, actor: Actor, survey: Survey) -> IssuedLink:
        token = new_token()
        survey.issue_link(hash_token(token), self.clock.now(), self.policy)
        await self.repo.save_link(survey)
        await self._audit(actor.person_id, "survey.link", survey, {})
        return IssuedLink(survey, token)

    async def for_dialogue(self, actor: Actor, dialogue_id: UUID) -> IssuedLink:
        """A survey for one more participant of a published dialogue, with its link; at most
        as many as the dialogue had participants."""
        async with self.uow.atomic():
            dialogue = await self.dialogues.get(dialogue_id)
            if dialogue is None or not actor.may(Permission.VIEW_UNIT, dialogue.ward_path):
                raise NotFoundError("dialogue_not_found")
            require_holder(actor, dialogue.ward_path)
            if dialogue.published_at is None:
                raise ConflictError("dialogue_not_published")
            surveyed = await self.repo.count_of(ContactKind.DIALOGUE, dialogue.id)
            if surveyed >= (dialogue.participants or 0):
                raise ConflictError("dialogue_surveys_exhausted", participants=surveyed)
            contact = Contact(
                ContactKind.DIALOGUE,
                dialogue.id,
                dialogue.ward_id,
                dialogue.ward_path,
                dialogue.published_at,
            )
            survey = Survey(
                uuid4(),
                contact,
                opens_at(contact, self.policy),
                self.clock.now(),
                slot=surveyed + 1,  # unique with the dialogue: of two made at once, one fails
            )
            await self.repo.add(survey)
            return await self._issue(actor, survey)

    async def answer_assisted(self, actor: Actor, survey_id: UUID, rating: Rating) -> Survey:
        """An answer staff entered for the resident (on paper, by phone): kept apart from the
        headline figures."""
        async with self.uow.atomic():
            survey = await self.survey(actor, survey_id)
            return await self._answer(survey, rating, actor.person_id)

    # -- the resident's link --------------------------------------------------------------------

    async def page(self, token: str) -> SurveyPage:
        survey = await self.repo.by_link(hash_token(token)) if well_formed(token) else None
        if survey is None:
            return SurveyPage(LinkState.UNKNOWN)
        state = survey.link_state(self.clock.now())
        if state is not LinkState.OPEN:
            return SurveyPage(state)
        unit = await self.org.get_unit(survey.contact.unit_id)
        return SurveyPage(state, survey, unit.name if unit else "")

    async def answer_by_link(self, token: str, rating: Rating) -> Survey:
        """``survey_link_not_found`` for an unknown or replaced link, ``survey_link_expired``,
        ``survey_already_answered``."""
        async with self.uow.atomic():
            survey = await self.repo.by_link(hash_token(token)) if well_formed(token) else None
            if survey is None:
                raise NotFoundError("survey_link_not_found")
            if survey.link_state(self.clock.now()) is LinkState.EXPIRED:
                raise ConflictError("survey_link_expired")
            return await self._answer(survey, rating, None)

    async def _answer(self, survey: Survey, rating: Rating, entered_by: UUID | None) -> Survey:
        now = self.clock.now()
        survey.answer(rating, now)
        attribution = await self._attribution(survey)
        answer = SurveyAnswer(uuid4(), survey.id, rating, attribution, now, entered_by)
        await self.repo.add_answer(survey, answer)
        await self._audit(entered_by, "survey.answer", survey, {"assisted": answer.assisted})
        task_id = survey.contact.task_id
        if rating.resolved is Resolved.NO and task_id is not None:
            task = await self.tasks.reopen_unresolved(task_id, reopen_reason(rating))
            if task is not None:
                heads = (
                    [attribution.head_person_id]
                    if attribution.head_person_id
                    else await self.org.heads_of(attribution.unit_id)
                )
                await self.notifier.notify(
                    heads,
                    Category.TASK,
                    f"task:{task.id}",
                    Message(template="survey_not_resolved", params={"title": task.title}),
                    data={"taskId": str(task.id)},
                )
        return survey

    async def _attribution(self, survey: Survey) -> Attribution:
        """The unit where it stands now and the responsible head now: the head the petition's
        reply names, else the first head of the unit."""
        contact = survey.contact
        unit = await self.org.get_unit(contact.unit_id)
        path = unit.path if unit else contact.unit_path
        petition = None
        if contact.kind is ContactKind.PETITION_REPLY:
            petition = await self.task_repo.get_petition(contact.subject_id)
        elif contact.kind is ContactKind.TASK_CLOSED:
            petition = await self.task_repo.petition_of_task(contact.subject_id)
        if petition is not None and petition.reply is not None:
            reply = petition.reply
            return Attribution(contact.unit_id, path, reply.head_person_id, reply.head_name)
        heads = await self.org.heads_of(contact.unit_id)
        head = await self.org.get_person(heads[0]) if heads else None
        return Attribution(
            contact.unit_id, path, head.id if head else None, head.full_name if head else ""
        )

    async def _audit(
        self, actor_id: UUID | None, action: str, survey: Survey, after: dict[str, object]
    ) -> None:
        await audited(
            self.audit,
            actor_id,
            action,
            "Survey",
            survey.id,
            survey.unit_path,
            after={"kind": survey.contact.kind.value, **after},
        )

    # -- the figures ----------------------------------------------------------------------------

    async def satisfaction(
        self, actor: Actor, unit_id: UUID, period_text: str
    ) -> SatisfactionReport:
        """The unit's subtree: answers given in the period, attributed as when they were given;
        the response rate over the surveys that opened in the period."""
        period = parse_period(period_text)
        unit = await self.org.get_unit(unit_id)
        if unit is None or not actor.may(Permission.VIEW_UNIT, unit.path):
            raise NotFoundError("unit_not_found")
        answers = await self.repo.answers_within(unit.path, period.since, period.until)
        opened = await self.repo.opened_within(unit.path, period.since, period.until)
        by_unit: defaultdict[UUID, list[SurveyAnswer]] = defaultdict(list)
        by_head: defaultdict[tuple[UUID | None, str], list[SurveyAnswer]] = defaultdict(list)
        for answer in answers:
            by_unit[answer.attribution.unit_id].append(answer)
            by_head[answer.attribution.head_person_id, answer.attribution.head_name].append(answer)
        unit_ids = list(dict.fromkeys([*by_unit, *(o.unit_id for o in opened)]))
        names = {u: await self._name(u) for u in unit_ids}
        return SatisfactionReport(
            unit_id=unit.id,
            unit_name=unit.name,
            period=period,
            as_of=self.clock.now(),
            tally=tally(answers),
            reach=reach(opened),
            units=tuple(
                UnitSatisfaction(
                    u,
                    names[u],
                    tally(by_unit[u]),
                    reach(o for o in opened if o.unit_id == u),
                )
                for u in sorted(unit_ids, key=lambda u: names[u])
            ),
            heads=tuple(
                HeadSatisfaction(person, name, tally(group))
                for (person, name), group in sorted(by_head.items(), key=lambda kv: kv[0][1])
            ),
            policy=self.policy,
        )

    async def _name(self, unit_id: UUID) -> str:
        unit: Unit | None = await self.org.get_unit(unit_id)
        return unit.name if unit else ""
