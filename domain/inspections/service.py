"""Inspection use cases: templates, campaign plans, single inspections, the visit, reading.

Every read goes through ``sealing.may_see``; a sealed inspection that is not visible reads as
missing (the same 404 as a random id), and every read of a sealed one is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain.actors import Actor, Permission, Role, is_within
from domain.clock import LOCAL_TZ, Clock
from domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RuleViolationError,
    StaleVersionError,
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
from domain.ports import AuditEntry, AuditLog, UnitOfWork
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
        working_days: WorkingDays,
        notifier: Notifier | None = None,
    ) -> None:
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
        await self.audit.record(
            AuditEntry(
                actor_id=actor.person_id,
                action=action,
                object_type="Inspection",
                object_id=inspection.id,
                unit_path=unit_path,
                before=None,
                after={
                    "status": inspection.status.value,
                    "kind": inspection.kind.value,
                    "windowStart": inspection.window_start.isoformat(),
                    "version": inspection.version,
                },
            )
        )

    # -- templates ------------------------------------------------------------------------------

    async def template(self, actor: Actor, template_id: UUID) -> ChecklistTemplate:
        template = await self.repo.template(template_id)
        if template is None or not (
            actor.scopes(Permission.PLAN_INSPECTIONS) or actor.scopes(Permission.INSPECT)
        ):
            raise NotFoundError("template_not_found")
        return template

    async def save_template(
        self, actor: Actor, name: str, items: tuple[ChecklistItem, ...], family_id: UUID | None
    ) -> ChecklistTemplate:
        """A new template, or a new version of one; inspections keep the version they used."""
        if not actor.scopes(Permission.PLAN_INSPECTIONS):
            raise ForbiddenError("inspection_plan_forbidden")
        async with self.uow.atomic():
            latest = await self.repo.latest_template(family_id) if family_id else None
            if family_id is not None and latest is None:
                raise NotFoundError("template_not_found")
            template_id = uuid4()
            template = ChecklistTemplate(
                id=template_id,
                name=name,
                version=latest.version + 1 if latest else 1,
                items=items,
                created_at=self.clock.now(),
                family_id=family_id or template_id,
                owner_id=latest.owner_id if latest else _home_unit(actor),
            )
            template.check()
            await self.repo.add_template(family_id or template.id, template)
            return template

    async def list_templates(self, actor: Actor, page: PageRequest) -> Page[ChecklistTemplate]:
        """The templates a planner or inspector may pick, every version."""
        scopes = (*actor.scopes(Permission.PLAN_INSPECTIONS), *actor.scopes(Permission.INSPECT))
        if not scopes:
            return Page(items=(), next_cursor=None)
        return await self.repo.list_templates(TemplateOwners.of(scopes), page)

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

    async def _targets(self, actor: Actor, unit_id: UUID) -> list[UUID]:
        unit = await self.org.get_unit(unit_id)
        if unit is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, unit.path, "unit_not_found")
        actor.require(Permission.PLAN_INSPECTIONS, unit.path, "inspection_plan_forbidden")
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
        targets = await self._targets(actor, spec.unit_id)
        await self.template(actor, spec.template_id)
        period = (
            datetime.combine(spec.first, time(0, 0), tzinfo=LOCAL_TZ),
            datetime.combine(
                spec.last + timedelta(days=spec.visit_days), time(0, 0), tzinfo=LOCAL_TZ
            ),
        )
        booked = await self.repo.bookings(list(spec.inspector_ids), period, None)
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
            await self._targets(actor, spec.unit_id)
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
                raise ConflictError("inspection_exists")
            team = [new.lead_id, *new.member_ids]
            booked = await self.repo.bookings(team, new.window, None)
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
        template = await self.template(actor, new.template_id)
        for person_id in {new.lead_id, *new.member_ids}:
            grants = await self.org.live_grants_of(person_id)
            if not any(g.role is Role.INSPECTOR for g in grants):
                raise RuleViolationError("not_an_inspector", person=person_id)
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
        target = await self.org.get_unit(target_id)
        if target is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, target.path, "unit_not_found")
        actor.require(Permission.PLAN_INSPECTIONS, target.path, "inspection_plan_forbidden")
        return target

    async def _change(
        self, actor: Actor, inspection_id: UUID, version: int | None, endpoint: str
    ) -> Inspection:
        inspection = await self.inspection(actor, inspection_id, endpoint)
        if version is not None and version != inspection.version:
            raise StaleVersionError("version_mismatch", current_version=inspection.version)
        return inspection

    async def _save(self, actor: Actor, action: str, inspection: Inspection) -> Inspection:
        expected = inspection.version
        inspection.version += 1
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
        if self.notifier is None or is_sealed(inspection.seal, self.clock.now()):
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
                recommendation.task_id = await self.follow_ups.open_follow_up(
                    actor,
                    recommendation.responsible_unit_id or inspection.target_id,
                    recommendation.responsible_person_id,
                    recommendation.text,
                    recommendation.due_on,
                    inspection.id,
                )
            return await self._save(actor, "inspection.conclude", inspection)


def _home_unit(actor: Actor) -> UUID:
    """A new template belongs to the highest unit its maker plans inspections for."""
    scopes = actor.scopes(Permission.PLAN_INSPECTIONS)
    return next(g.unit_id for g in actor.grants if g.unit_path == min(scopes, key=len))


class InspectionClosing:
    """An inspection closes when the last of its follow-up tasks closes."""

    def __init__(self, repo: InspectionRepository, audit: AuditLog, clock: Clock) -> None:
        self.repo, self.audit, self.clock = repo, audit, clock

    async def follow_up_closed(self, source_id: UUID, still_open: int) -> None:
        inspection = await self.repo.get(source_id)
        if inspection is None or still_open or inspection.status is not InspectionStatus.CONCLUDED:
            return
        inspection.close(still_open)
        expected = inspection.version
        inspection.version += 1
        inspection.updated_at = self.clock.now()
        await self.repo.save(inspection, expected)
        await self.audit.record(
            AuditEntry(
                actor_id=None,
                action="inspection.close",
                object_type="Inspection",
                object_id=inspection.id,
                unit_path=inspection.target_path,
                before=None,
                after={"status": inspection.status.value, "version": inspection.version},
            )
        )
