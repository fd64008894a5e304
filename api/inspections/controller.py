"""Inspections: checklist templates, campaign plans, single inspections, calendars, reading."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.http.errors import problems
from api.http.etag import ETAG_HEADER, tagged
from api.http.schemas import Cursor, Limit, Month, PageOut, one_page
from api.inspections.schemas import (
    InspectionIn,
    InspectionOut,
    NewTemplateIn,
    PlanIn,
    PlannedVisitOut,
    SealedReadOut,
    TemplateIn,
    TemplateOut,
)
from domain.actors import Actor
from domain.inspections.model import InspectionKind, InspectionStatus
from domain.inspections.ports import InspectionFilter
from domain.inspections.service import InspectionService, NewInspection, PlanSpec
from domain.meetings.recurrence import local_month_bounds
from domain.org.service import OrgService
from domain.pagination import PageRequest

Inspections = NamedDependency[InspectionService]
Me = NamedDependency[Actor]


def _spec(data: PlanIn) -> PlanSpec:
    return PlanSpec(
        unit_id=data.unit_id,
        first=data.first_day,
        last=data.last_day,
        topic=data.topic,
        kind=data.kind,
        template_id=data.template_id,
        inspector_ids=tuple(data.inspector_ids),
        team_size=data.team_size,
        visit_days=data.visit_days,
    )


class ChecklistTemplateController(Controller):
    path = "/api/v1/checklist-templates"
    tags = ["inspections"]

    @post("/", operation_id="CreateChecklistTemplate", responses=problems(401, 403, 404, 413, 422))
    async def create(
        self, data: JSONBody[NewTemplateIn], actor: Me, inspections: Inspections
    ) -> TemplateOut:
        """A template owned by ``unitId``: its subtree uses it, its planners revise it."""
        items = tuple(i.to_domain() for i in data.items)
        return TemplateOut.of(
            await inspections.save_template(actor, data.name, items, None, data.unit_id)
        )

    @put(
        "/{template_id:uuid}",
        operation_id="ReviseChecklistTemplate",
        responses=problems(401, 403, 404, 413, 422),
    )
    async def revise(
        self,
        template_id: FromPath[UUID],
        data: JSONBody[TemplateIn],
        actor: Me,
        inspections: Inspections,
    ) -> TemplateOut:
        """Editing makes a new version; inspections keep the version they were planned with."""
        items = tuple(i.to_domain() for i in data.items)
        return TemplateOut.of(await inspections.save_template(actor, data.name, items, template_id))

    @get("/", operation_id="ListChecklistTemplates", responses=problems(401, 422))
    async def list_templates(
        self, actor: Me, inspections: Inspections, limit: Limit = 50, cursor: Cursor = None
    ) -> PageOut[TemplateOut]:
        """Every version of the templates the caller may pick: those of the units above the
        caller's units and of the units inside them, oldest first. The versions of one template
        share `familyId`; pick the highest `version`."""
        page = await inspections.list_templates(actor, PageRequest(limit, cursor))
        return PageOut(items=[TemplateOut.of(t) for t in page.items], next_cursor=page.next_cursor)

    @get("/{template_id:uuid}", operation_id="GetChecklistTemplate", responses=problems(401, 404))
    async def get_template(
        self, template_id: FromPath[UUID], actor: Me, inspections: Inspections
    ) -> TemplateOut:
        return TemplateOut.of(await inspections.template(actor, template_id))


class InspectionPlanController(Controller):
    path = "/api/v1/inspection-plans"
    tags = ["inspections"]

    @post(
        "/preview",
        operation_id="PreviewInspectionPlan",
        status_code=200,
        responses=problems(401, 403, 404, 413, 422),
    )
    async def preview(
        self, data: JSONBody[PlanIn], actor: Me, inspections: Inspections
    ) -> list[PlannedVisitOut]:
        """What the plan would create: one visit per cell, spread out, staffed evenly."""
        return [PlannedVisitOut.of(v) for v in await inspections.preview_plan(actor, _spec(data))]

    @post(
        "/", operation_id="CommitInspectionPlan", responses=problems(401, 403, 404, 409, 413, 422)
    )
    async def commit(
        self, data: JSONBody[PlanIn], actor: Me, inspections: Inspections
    ) -> list[InspectionOut]:
        """Create the plan's inspections. Committing the same plan again returns the same
        inspections; a unit already inspected in an overlapping window refuses the whole plan
        (409 `inspection_overlaps`). Visits fall on working days only."""
        created = await inspections.commit_plan(actor, _spec(data))
        return [InspectionOut.of(i, inspections.policy) for i in created]


class InspectionController(Controller):
    path = "/api/v1/inspections"
    tags = ["inspections"]

    @post(
        "/",
        operation_id="CreateInspection",
        responses=problems(401, 403, 404, 409, 413, 422),
        response_headers=ETAG_HEADER,
    )
    async def create(
        self, data: JSONBody[InspectionIn], actor: Me, inspections: Inspections
    ) -> Response[InspectionOut]:
        """Schedule one inspection; an inspector booked in an overlapping window answers 409
        unless `overrideReason` is given."""
        inspection = await inspections.create(
            actor,
            NewInspection(
                target_id=data.target_id,
                kind=data.kind,
                window=(data.window_start, data.window_end),
                topic=data.topic,
                lead_id=data.lead_id,
                member_ids=tuple(data.member_ids),
                template_id=data.template_id,
                override_reason=data.override_reason,
                id=data.id,
            ),
        )
        return tagged(InspectionOut.of(inspection, inspections.policy), inspection.version, 201)

    @get("/", operation_id="ListInspections", responses=problems(401, 404, 422))
    async def list_inspections(
        self,
        actor: Me,
        inspections: Inspections,
        org: NamedDependency[OrgService],
        limit: Limit = 50,
        cursor: Cursor = None,
        unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None,
        month: Month = None,
        status: Annotated[InspectionStatus | None, QueryParameter()] = None,
        kind: Annotated[InspectionKind | None, QueryParameter()] = None,
        inspector_id: Annotated[UUID | None, QueryParameter(name="inspectorId")] = None,
    ) -> PageOut[InspectionOut]:
        """The calendar: inspections the caller may see, by unit subtree, month, status, kind,
        inspector (an inspector's agenda is `inspectorId=<me>`)."""
        within = (await org.unit(actor, unit_id)).path if unit_id else None
        starts_from = starts_before = None
        if month:
            starts_from, starts_before = local_month_bounds(int(month[:4]), int(month[5:]))
        page = await inspections.list_inspections(
            actor,
            InspectionFilter(
                within_path=within,
                starts_from=starts_from,
                starts_before=starts_before,
                status=status,
                kind=kind,
                inspector_id=inspector_id,
            ),
            PageRequest(limit, cursor),
            "ListInspections",
        )
        return PageOut(
            items=[InspectionOut.of(i, inspections.policy) for i in page.items],
            next_cursor=page.next_cursor,
        )

    @get(
        "/{inspection_id:uuid}",
        operation_id="GetInspection",
        responses=problems(401, 404),
        response_headers=ETAG_HEADER,
    )
    async def get_inspection(
        self, inspection_id: FromPath[UUID], actor: Me, inspections: Inspections
    ) -> Response[InspectionOut]:
        inspection = await inspections.inspection(actor, inspection_id, "GetInspection")
        return tagged(InspectionOut.of(inspection, inspections.policy), inspection.version)

    @get(
        "/{inspection_id:uuid}/sealed-reads",
        operation_id="ListSealedReads",
        responses=problems(401, 403, 404),
    )
    async def sealed_reads(
        self, inspection_id: FromPath[UUID], actor: Me, inspections: Inspections
    ) -> PageOut[SealedReadOut]:
        """Who read this inspection while it was sealed; for the creator's superiors."""
        reads = await inspections.sealed_reads(actor, inspection_id)
        return one_page([SealedReadOut.of(r) for r in reads])
