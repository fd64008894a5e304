"""Inspection use cases: templates, campaign plans, single inspections, the visit, reading.

Every read goes through ``sealing.may_see``; a sealed inspection that is not visible reads as
missing (the same 404 as a random id), and every read of a sealed one is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain.actors import Actor, Permission, Role, is_within
from domain.audit import audited, bump_version, require_version
from domain.clock import LOCAL_TZ
from domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RuleViolationError,
)
from domain.inspections.model import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionKind,
    InspectionPolicy,
    InspectionStatus,
    Recommendation,
    Severity,
    TemplateOwners,
)
from domain.inspections.planning import (
    Interval,
    PlannedVisit,
    check_period,
    overlaps,
    plan_campaign,
)
from domain.inspections.ports import FollowUps, InspectionFilter, InspectionRepository, SealedRead
from domain.inspections.sealing import is_sealed, may_see
from domain.notifications.model import Category
from domain.notifications.service import Message, Notifier
from domain.org.model import Unit
from domain.org.ports import OrgRepository, UnitFilter
from domain.pagination import Page, PageRequest
from domain.ports import AuditLog, Clock, UnitOfWork
from domain.references import References
from domain.tasks.ports import WorkingDays

MAX_TARGETS = 500
PLAN_NAMESPACE = uuid5(NAMESPACE_URL, "urn:chibo:inspection-plan")


@dataclass(frozen=True, slots=True)
class NewInspection:
    target_id: UUID
    kind: InspectionKind
    window: Interval
    topic: str
    lead_id: UUID
    member_ids: tuple[UUID, ...]
    template_id: UUID
    override_reason: str | None = None
    id: UUID | None = None


@dataclass(frozen=True, slots=True)
class PlanSpec:
    unit_id: UUID
    first: date
    last: date
    topic: str
    kind: InspectionKind
    template_id: UUID
    inspector_ids: tuple[UUID, ...]
    team_size: int = 1
    visit_days: int = 1

    @property
    def identity(self) -> UUID:
        """The same plan, committed again or by someone else, has the same id: its inspections
        are found, not made twice."""
        parts = (
            self.unit_id,
            self.first,
            self.last,
            self.topic,
            self.kind.value,
            self.template_id,
            ",".join(str(i) for i in self.inspector_ids),
            self.team_size,
            self.visit_days,
        )
        return uuid5(PLAN_NAMESPACE, "|".join(str(p) for p in parts))


class InspectionService:
    def __init__(
        self,
        repo: InspectionRepository,
        org: OrgRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        policy: InspectionPolicy,
        follow_ups: FollowUps,
        references: References,
        working_days: WorkingDays,
        notifier: Notifier,
    ) -> None:
        self.references = references
        self.follow_ups = follow_ups
        self.working_days = working_days
        self.notifier = notifier
        self.repo = repo
        self.org = org
        self.uow = uow
        self.audit = audit
        self.clock = clock
        self.policy = policy

    async def _audit(self, actor: Actor, action: str, inspection: Inspection) -> None:
        unit_path = inspection.target_path
        if is_sealed(inspection.seal, self.clock.now()):
            # Filed on the target's parent: audit readers inside the target must not see it.
            unit_path = unit_path.rstrip("/").rsplit("/", 1)[0] + "/"
        await audited(
            self.audit,
            actor.person_id,
            action,
            "Inspection",
            inspection.id,
            unit_path,
            after={
                "status": inspection.status.value,
                "kind": inspection.kind.value,
                "windowStart": inspection.window_start.isoformat(),
                "version": inspection.version,
            },
        )

    # -- templates ------------------------------------------------------------------------------

    @staticmethod
    def _sees_template(actor: Actor, template: ChecklistTemplate) -> bool:
        """Planners and inspectors within the owner's subtree use it; those above it see it
        (the rule the template list applies in SQL)."""
        return _template_owners(actor).admit(template.unit_path)

    async def template(self, actor: Actor, template_id: UUID) -> ChecklistTemplate:
        template = await self.repo.template(template_id)
        if template is None or not self._sees_template(actor, template):
            raise NotFoundError("template_not_found")
        return template

    async def _usable_template(
        self, actor: Actor, template_id: UUID, target_path: str
    ) -> ChecklistTemplate:
        """A template for an inspection of the unit at ``target_path``: one its owner's subtree
        holds; any other reads as missing."""
        template = await self.template(actor, template_id)
        if not is_within(target_path, template.unit_path):
            raise NotFoundError("template_not_found")
        return template

    def _planning_unit(self, actor: Actor) -> UUID:
        """The one unit where the caller plans inspections: the owner of a template made
        without naming one."""
        scopes = actor.scopes(Permission.PLAN_INSPECTIONS)
        if not scopes:
            raise ForbiddenError("inspection_plan_forbidden")
        if len(scopes) > 1:
            raise RuleViolationError("template_unit_required")
        return UUID(hex=scopes[0].strip("/").rsplit("/", 1)[-1])

    async def save_template(
        self,
        actor: Actor,
        name: str,
        items: tuple[ChecklistItem, ...],
        family_id: UUID | None,
        unit_id: UUID | None = None,
    ) -> ChecklistTemplate:
        """A new template owned by a unit, or a new version of one; inspections keep the version
        they used. Only planners on the owner (or above it) publish its versions."""
        async with self.uow.atomic():
            if family_id is not None:
                latest = await self.repo.latest_template(family_id)
                if latest is None or not self._sees_template(actor, latest):
                    raise NotFoundError("template_not_found")
                owner_id, owner_path, version = latest.unit_id, latest.unit_path, latest.version + 1
            else:
                owner = await self.references.unit(actor, unit_id or self._planning_unit(actor))
                owner_id, owner_path, version = owner.id, owner.path, 1
            actor.require(Permission.PLAN_INSPECTIONS, owner_path, "template_manage_forbidden")
            template_id = uuid4()
            template = ChecklistTemplate(
                id=template_id,
                name=name,
                version=version,
                items=items,
                created_at=self.clock.now(),
                unit_id=owner_id,
                unit_path=owner_path,
                family_id=family_id or template_id,
            )
            template.check()
            await self.repo.add_template(family_id or template.id, template)
            return template

    async def list_templates(self, actor: Actor, page: PageRequest) -> Page[ChecklistTemplate]:
        """The templates a planner or inspector may pick, every version."""
        owners = _template_owners(actor)
        if not owners.within:
            return Page(items=(), next_cursor=None)
        return await self.repo.list_templates(owners, page)

    # -- reading --------------------------------------------------------------------------------

    async def inspection(self, actor: Actor, inspection_id: UUID, endpoint: str) -> Inspection:
        inspection = await self.repo.get(inspection_id)
        now = self.clock.now()
        if inspection is None or not may_see(actor, inspection.seal, now):
            raise NotFoundError("inspection_not_found")
        if is_sealed(inspection.seal, now):
            async with self.uow.atomic():
                await self.repo.log_sealed_read(
                    SealedRead(inspection.id, actor.person_id, endpoint, now)
                )
        return inspection

    async def list_inspections(
        self, actor: Actor, where: InspectionFilter, page: PageRequest, endpoint: str
    ) -> Page[Inspection]:
        now = self.clock.now()
        found = await self.repo.visible(actor, now, where, page)
        sealed = [i for i in found.items if is_sealed(i.seal, now)]
        if sealed:
            async with self.uow.atomic():
                for inspection in sealed:
                    await self.repo.log_sealed_read(
                        SealedRead(inspection.id, actor.person_id, endpoint, now)
                    )
        return found

    async def hidden_from(self, actor: Actor) -> list[UUID]:
        """Ids of the sealed inspections ``actor`` may not see: whatever else is derived from
        them (their audit entries) must read as if they did not exist."""
        now = self.clock.now()
        return [i.id for i in await self.repo.sealed(now) if not may_see(actor, i.seal, now)]

    async def sealed_reads(self, actor: Actor, inspection_id: UUID) -> list[SealedRead]:
        """The read log, for the superiors of the inspection's creator."""
        inspection = await self.inspection(actor, inspection_id, "sealed-reads")
        creator_paths = [g.unit_path for g in await self.org.live_grants_of(inspection.created_by)]
        superior = any(
            g.role in {Role.LEADER, Role.ADMIN} and is_within(c, g.unit_path) and c != g.unit_path
            for g in actor.grants
            for c in creator_paths
        )
        if not superior:
            raise ForbiddenError("sealed_log_forbidden")
        return await self.repo.sealed_reads(inspection.id)

    # -- planning -------------------------------------------------------------------------------

    async def _targets(self, unit: Unit) -> list[UUID]:
        """The cells a campaign over ``unit`` visits."""
        if unit.is_cell:
            return [unit.id]
        cells = await self.org.list_units(
            (unit.path,), UnitFilter(active=True), PageRequest(limit=MAX_TARGETS)
        )
        return [c.id for c in cells.items if c.is_cell]

    async def preview_plan(self, actor: Actor, spec: PlanSpec) -> list[PlannedVisit]:
        if spec.kind is InspectionKind.SURPRISE:
            raise RuleViolationError("plan_kind_invalid")
        check_period(spec.first, spec.last)
        unit = await self._plannable(actor, spec.unit_id)
        targets = await self._targets(unit)
        await self._usable_template(actor, spec.template_id, unit.path)
        for person_id in spec.inspector_ids:
            await self.references.person(actor, person_id, unit.path, Role.INSPECTOR)
        period = (
            datetime.combine(spec.first, time(0, 0), tzinfo=LOCAL_TZ),
            datetime.combine(
                spec.last + timedelta(days=spec.visit_days), time(0, 0), tzinfo=LOCAL_TZ
            ),
        )
        # a sealed inspection the planner may not see books nobody, as far as they can tell
        hidden = await self.hidden_from(actor)
        booked = await self.repo.bookings(list(spec.inspector_ids), period, hidden)
        calendar = await self.working_days.calendar(range(spec.first.year, spec.last.year + 1))
        return plan_campaign(
            targets,
            spec.first,
            spec.last,
            list(spec.inspector_ids),
            booked,
            calendar,
            visit_days=spec.visit_days,
            team_size=spec.team_size,
        )

    async def commit_plan(self, actor: Actor, spec: PlanSpec) -> list[Inspection]:
        """Idempotent: committing the same plan again returns the inspections it made."""
        async with self.uow.atomic():
            await self._plannable(actor, spec.unit_id)  # the right to plan, before any reply
            plan_id = spec.identity
            made = await self.repo.of_plan(plan_id)
            if made:
                return made
            visits = await self.preview_plan(actor, spec)
            if not all(v.staffed for v in visits):
                raise ConflictError("plan_unstaffed")
            template = await self.template(actor, spec.template_id)
            created = []
            for visit in visits:
                assert visit.lead_id is not None  # noqa: S101 - staffed above
                inspection = await self._new(
                    actor,
                    NewInspection(
                        target_id=visit.target_id,
                        kind=spec.kind,
                        window=visit.window,
                        topic=spec.topic,
                        lead_id=visit.lead_id,
                        member_ids=visit.member_ids,
                        template_id=template.id,
                        id=uuid5(plan_id, str(visit.target_id)),
                    ),
                    plan_id,
                )
                created.append(inspection)
            return created

    # -- single inspections and the visit --------------------------------------------------------

    async def create(self, actor: Actor, new: NewInspection) -> Inspection:
        async with self.uow.atomic():
            # Who may plan here comes first: a refused caller must learn nothing of existing
            # inspections or bookings (a sealed one would show through a 409).
            await self._plannable(actor, new.target_id)
            if new.id is not None and await self.repo.get(new.id) is not None:
                raise ConflictError("id_conflict")
            team = [new.lead_id, *new.member_ids]
            booked = await self.repo.bookings(team, new.window, await self.hidden_from(actor))
            clash = [
                p for p, taken in booked.items() if any(overlaps(new.window, w) for w in taken)
            ]
            if clash and not new.override_reason:
                raise ConflictError("inspector_double_booked", inspectors=[str(p) for p in clash])
            return await self._new(actor, new, None)

    async def _new(self, actor: Actor, new: NewInspection, plan_id: UUID | None) -> Inspection:
        if new.window[1] <= new.window[0]:
            raise RuleViolationError("inspection_window_invalid")
        target = await self._plannable(actor, new.target_id)
        await self._refuse_overlap(actor, target.id, new.window)
        template = await self._usable_template(actor, new.template_id, target.path)
        for person_id in dict.fromkeys((new.lead_id, *new.member_ids)):
            await self.references.person(actor, person_id, target.path, Role.INSPECTOR)
        now = self.clock.now()
        inspection = Inspection(
            id=new.id or uuid4(),
            target_id=target.id,
            target_path=target.path,
            kind=new.kind,
            status=InspectionStatus.PLANNED,
            window_start=new.window[0],
            window_end=new.window[1],
            topic=new.topic,
            lead_id=new.lead_id,
            member_ids=tuple(m for m in new.member_ids if m != new.lead_id),
            template=template,
            created_by=actor.person_id,
            created_at=now,
            updated_at=now,
            plan_id=plan_id,
            override_reason=new.override_reason,
        )
        await self.repo.add(inspection)
        await self._audit(actor, "inspection.create", inspection)
        await self._tell_unit(inspection, "inspection_scheduled")
        return inspection

    async def _refuse_overlap(self, actor: Actor, target_id: UUID, window: Interval) -> None:
        """A unit gets no two inspections at once. A sealed one the caller may not see does not
        count: refusing would reveal it (the sealing rule wins)."""
        now = self.clock.now()
        clashes = [
            i for i in await self.repo.overlapping(target_id, window) if may_see(actor, i.seal, now)
        ]
        if clashes:
            raise ConflictError("inspection_overlaps", inspections=[str(i.id) for i in clashes])

    async def _plannable(self, actor: Actor, target_id: UUID) -> Unit:
        target = await self.references.unit(actor, target_id)
        actor.require(Permission.PLAN_INSPECTIONS, target.path, "inspection_plan_forbidden")
        return target

    async def _change(
        self, actor: Actor, inspection_id: UUID, version: int | None, endpoint: str
    ) -> Inspection:
        inspection = await self.inspection(actor, inspection_id, endpoint)
        require_version(inspection, version)
        return inspection

    async def _save(self, actor: Actor, action: str, inspection: Inspection) -> Inspection:
        expected = bump_version(inspection)
        inspection.updated_at = self.clock.now()
        await self.repo.save(inspection, expected)
        await self._audit(actor, action, inspection)
        return inspection

    async def check_in(
        self,
        actor: Actor,
        inspection_id: UUID,
        version: int | None,
        where: tuple[float, float] | None,
    ) -> Inspection:
        async with self.uow.atomic():
            inspection = await self._change(actor, inspection_id, version, "check-in")
            was_sealed = is_sealed(inspection.seal, self.clock.now())
            inspection.check_in(actor.person_id, self.clock.now(), where)
            saved = await self._save(actor, "inspection.check_in", inspection)
            if was_sealed and not is_sealed(inspection.seal, self.clock.now()):
                await self._tell_unit(inspection, "inspection_revealed")
            return saved

    async def _tell_unit(self, inspection: Inspection, template: str) -> None:
        """The inspected unit's secretaries and leaders; never while the inspection is sealed."""
        if is_sealed(inspection.seal, self.clock.now()):
            return
        unit = await self.org.get_unit(inspection.target_id)
        if unit is None:
            return
        await self.notifier.notify(
            await self.org.heads_of(unit.id),
            Category.INSPECTION,
            f"inspection:{inspection.id}",
            Message(
                template=template, params={"unit": unit.name, "start": inspection.window_start}
            ),
            digestible=template == "inspection_scheduled",  # news; a reveal is not
            data={"inspectionId": str(inspection.id)},
        )

    async def answer(
        self, actor: Actor, inspection_id: UUID, version: int | None, answer: Answer
    ) -> Inspection:
        async with self.uow.atomic():
            inspection = await self._change(actor, inspection_id, version, "answers")
            inspection.answer(actor.person_id, answer)
            await self.references.attachments_for(actor, answer.photo_ids, inspection.target_path)
            return await self._save(actor, "inspection.answer", inspection)

    async def add_finding(
        self, actor: Actor, inspection_id: UUID, version: int | None, text: str, severity: Severity
    ) -> Inspection:
        async with self.uow.atomic():
            inspection = await self._change(actor, inspection_id, version, "findings")
            inspection.add_finding(actor.person_id, Finding(uuid4(), text, severity))
            return await self._save(actor, "inspection.finding", inspection)

    async def conclude(
        self,
        actor: Actor,
        inspection_id: UUID,
        version: int | None,
        text: str,
        recommendations: list[Recommendation],
    ) -> Inspection:
        async with self.uow.atomic():
            inspection = await self._change(actor, inspection_id, version, "conclusion")
            inspection.conclude(actor.person_id, text, recommendations, self.clock.now())
            for recommendation in inspection.recommendations:
                if recommendation.responsible_unit_id is not None:
                    await self.references.unit(
                        actor, recommendation.responsible_unit_id, inspection.target_path
                    )
                recommendation.task_id = await self.follow_ups.open_follow_up(
                    actor,
                    recommendation.responsible_unit_id or inspection.target_id,
                    recommendation.responsible_person_id,
                    recommendation.text,
                    recommendation.due_on,
                    recommendation.priority,
                    inspection.id,
                )
            return await self._save(actor, "inspection.conclude", inspection)


def _template_owners(actor: Actor) -> TemplateOwners:
    """Whose templates a caller may see: planners' and inspectors' scopes."""
    return TemplateOwners.of(
        (*actor.scopes(Permission.PLAN_INSPECTIONS), *actor.scopes(Permission.INSPECT))
    )


class InspectionClosing:
    """An inspection closes when the last of its follow-up tasks closes."""

    def __init__(self, repo: InspectionRepository, audit: AuditLog, clock: Clock) -> None:
        self.repo, self.audit, self.clock = repo, audit, clock

    async def follow_up_closed(self, source_id: UUID, still_open: int) -> None:
        inspection = await self.repo.get(source_id)
        if inspection is None or still_open or inspection.status is not InspectionStatus.CONCLUDED:
            return
        inspection.close(still_open)
        expected = bump_version(inspection)
        inspection.updated_at = self.clock.now()
        await self.repo.save(inspection, expected)
        await audited(
            self.audit,
            None,
            "inspection.close",
            "Inspection",
            inspection.id,
            inspection.target_path,
            after={"status": inspection.status.value, "version": inspection.version},
        )
