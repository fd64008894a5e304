"""InspectionRepository on Piccolo. Sealing is applied inside the list query: the same rule as
domain.inspections.sealing.may_see, written as SQL conditions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.columns.combination import And, Or, Where
from piccolo.query import Select

from db.json_columns import dumps, loads
from db.pagination import any_prefix, fetch_page
from db.tables import (
    ChecklistTemplateTable,
    InspectionMemberTable,
    InspectionTable,
    SealedReadTable,
    UnitTable,
)
from domain.actors import Actor, Permission, Role
from domain.errors import StaleVersionError
from domain.inspections.model import (
    Answer,
    AnswerKind,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Recommendation,
    Severity,
    TemplateOwners,
)
from domain.inspections.planning import Interval
from domain.inspections.ports import InspectionFilter, SealedRead
from domain.pagination import Page, PageRequest
from domain.tasks.model import Priority


def _template(row: dict[str, Any], prefix: str = "") -> ChecklistTemplate:
    return ChecklistTemplate(
        id=row[f"{prefix}id"],
        name=row[f"{prefix}name"],
        version=row[f"{prefix}version"],
        items=tuple(
            ChecklistItem(
                key=i["key"],
                question=i["question"],
                answer_kind=AnswerKind(i["answer_kind"]),
                guidance=i.get("guidance"),
                max_score=i.get("max_score"),
                required=i["required"],
                photo_required=i["photo_required"],
            )
            for i in loads(row[f"{prefix}items"])
        ),
        created_at=row[f"{prefix}created_at"],
        unit_id=row[f"{prefix}owner"],
        unit_path=row[f"{prefix}owner_path"],
        family_id=row.get(f"{prefix}family"),
    )


def _inspection(row: dict[str, Any]) -> Inspection:
    location = (
        (row["check_in_lat"], row["check_in_lon"]) if row["check_in_lat"] is not None else None
    )
    return Inspection(
        id=row["id"],
        target_id=row["target"],
        target_path=row["target_path"],
        kind=InspectionKind(row["kind"]),
        status=InspectionStatus(row["status"]),
        window_start=row["window_start"],
        window_end=row["window_end"],
        topic=row["topic"],
        lead_id=row["lead"],
        member_ids=tuple(UUID(m) for m in loads(row["members"])),
        template=_template(row, "template."),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        plan_id=row["plan_id"],
        lead_checked_in_at=row["lead_checked_in_at"],
        check_in_location=location,
        answers={
            key: Answer(key, a["value"], a.get("note"), tuple(UUID(p) for p in a["photo_ids"]))
            for key, a in loads(row["answers"]).items()
        },
        findings=[
            Finding(UUID(f["id"]), f["text"], Severity(f["severity"]))
            for f in loads(row["findings"])
        ],
        conclusion=row["conclusion"],
        concluded_at=row["concluded_at"],
        recommendations=[
            Recommendation(
                id=UUID(r["id"]),
                text=r["text"],
                due_on=date.fromisoformat(r["due_on"]),
                responsible_unit_id=UUID(r["unit"]) if r.get("unit") else None,
                responsible_person_id=UUID(r["person"]) if r.get("person") else None,
                task_id=UUID(r["task"]) if r.get("task") else None,
                priority=Priority(r.get("priority", Priority.NORMAL)),
            )
            for r in loads(row["recommendations"])
        ],
        override_reason=row["override_reason"],
        version=row["version"],
    )


def _templates() -> Select[Any]:
    return ChecklistTemplateTable.select(
        *ChecklistTemplateTable.all_columns(),
        ChecklistTemplateTable.owner.path.as_alias("owner_path"),
    )


def _select() -> Select[Any]:
    template = InspectionTable.template
    return InspectionTable.select(
        *InspectionTable.all_columns(),
        InspectionTable.target.path.as_alias("target_path"),
        template.id.as_alias("template.id"),
        template.name.as_alias("template.name"),
        template.version.as_alias("template.version"),
        template.items.as_alias("template.items"),
        template.created_at.as_alias("template.created_at"),
        template.owner.as_alias("template.owner"),
        template._.owner._.path.as_alias("template.owner_path"),
        template.family.as_alias("template.family"),
    )


def _state(inspection: Inspection) -> dict[str, Any]:
    lat, lon = inspection.check_in_location or (None, None)
    return {
        "status": inspection.status.value,
        "window_start": inspection.window_start,
        "window_end": inspection.window_end,
        "topic": inspection.topic,
        "lead": inspection.lead_id,
        "members": dumps([str(m) for m in inspection.member_ids]),
        "lead_checked_in_at": inspection.lead_checked_in_at,
        "check_in_lat": lat,
        "check_in_lon": lon,
        "answers": dumps(
            {
                k: {"value": a.value, "note": a.note, "photo_ids": [str(p) for p in a.photo_ids]}
                for k, a in inspection.answers.items()
            }
        ),
        "findings": dumps(
            [
                {"id": str(f.id), "text": f.text, "severity": f.severity.value}
                for f in inspection.findings
            ]
        ),
        "conclusion": inspection.conclusion,
        "concluded_at": inspection.concluded_at,
        "recommendations": dumps(
            [
                {
                    "id": str(r.id),
                    "text": r.text,
                    "due_on": r.due_on.isoformat(),
                    "unit": str(r.responsible_unit_id) if r.responsible_unit_id else None,
                    "person": str(r.responsible_person_id) if r.responsible_person_id else None,
                    "task": str(r.task_id) if r.task_id else None,
                    "priority": r.priority.value,
                }
                for r in inspection.recommendations
            ]
        ),
        "override_reason": inspection.override_reason,
        "updated_at": inspection.updated_at,
        "version": inspection.version,
    }


def _prefixes(path: str) -> list[str]:
    """ "/a/b/c/" -> ["/a/", "/a/b/", "/a/b/c/"]: the units containing a unit, itself included."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _any(conditions: list[Any]) -> Any:  # noqa: ANN401 - a Piccolo condition
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined | condition
    return combined


async def visibility(actor: Actor, now: datetime) -> Any:  # noqa: ANN401 - a Piccolo condition
    """Insiders (creator, team) always; the unit scope when not sealed; leaders strictly above
    the target, who hold nothing inside it, also while sealed."""
    path = InspectionTable.target.path
    mine = [
        r["inspection"]
        for r in await InspectionMemberTable.select(InspectionMemberTable.inspection).where(
            InspectionMemberTable.person == actor.person_id
        )
    ]
    insider: list[Where | And | Or] = [InspectionTable.created_by == actor.person_id]
    if mine:
        insider.append(InspectionTable.id.is_in(mine))
    open_to_scope: list[Any] = []
    scope = any_prefix(path, actor.scopes(Permission.VIEW_UNIT))
    if scope is not None:
        not_sealed = (
            (InspectionTable.kind != InspectionKind.SURPRISE.value)
            | (InspectionTable.window_start <= now)
            | (InspectionTable.lead_checked_in_at <= now)
        )
        open_to_scope.append(not_sealed & scope)
    above = [
        path.like(f"{g.unit_path}%") & (path != g.unit_path)
        for g in actor.grants
        if g.role in {Role.LEADER, Role.ADMIN}
    ]
    if above:
        inside = sorted({p for path in actor.footholds() for p in _prefixes(path)})
        open_to_scope.append(_any(above) & path.not_in(inside))
    return _any([*insider, *open_to_scope])


class PiccoloInspectionRepository:
    async def template(self, template_id: UUID) -> ChecklistTemplate | None:
        row = await _templates().where(ChecklistTemplateTable.id == template_id).first()
        return _template(row) if row else None

    async def latest_template(self, family_id: UUID) -> ChecklistTemplate | None:
        row = (
            await _templates()
            .where(ChecklistTemplateTable.family == family_id)
            .order_by(ChecklistTemplateTable.version, ascending=False)
            .first()
        )
        return _template(row) if row else None

    async def list_templates(
        self, owners: TemplateOwners, page: PageRequest
    ) -> Page[ChecklistTemplate]:
        owner = ChecklistTemplateTable.owner
        inside = any_prefix(owner.path, owners.within)
        if inside is None:
            return Page(items=(), next_cursor=None)
        admitted = owner.path.is_in(sorted(owners.at)) | inside if owners.at else inside
        query = _templates().where(admitted)
        return await fetch_page(query, ChecklistTemplateTable, page, _template)

    async def add_template(self, family_id: UUID, template: ChecklistTemplate) -> None:
        await ChecklistTemplateTable.insert(
            ChecklistTemplateTable(
                id=template.id,
                family=family_id,
                name=template.name,
                version=template.version,
                items=dumps(
                    [
                        {
                            "key": i.key,
                            "question": i.question,
                            "answer_kind": i.answer_kind.value,
                            "guidance": i.guidance,
                            "max_score": i.max_score,
                            "required": i.required,
                            "photo_required": i.photo_required,
                        }
                        for i in template.items
                    ]
                ),
                created_at=template.created_at,
                owner=template.unit_id,
            )
        )

    async def get(self, inspection_id: UUID) -> Inspection | None:
        row = await _select().where(InspectionTable.id == inspection_id).first()
        return _inspection(row) if row else None

    async def overlapping(self, target_id: UUID, window: Interval) -> list[Inspection]:
        """The unit's inspections overlapping ``window``; the unit's row stays locked until the
        transaction ends, so two planners cannot both find the window free (SQLite's single
        writer already runs write transactions one at a time)."""
        if UnitTable._meta.db.engine_type == "postgres":  # noqa: SLF001 - the bound engine
            await (
                UnitTable.select(UnitTable.id)
                .where(UnitTable.id == target_id)
                .lock_rows("NO KEY UPDATE")
            )
        rows = await _select().where(
            (InspectionTable.target == target_id)
            & (InspectionTable.window_start < window[1])
            & (InspectionTable.window_end > window[0])
        )
        return [_inspection(r) for r in rows]

    async def of_plan(self, plan_id: UUID) -> list[Inspection]:
        rows = (
            await _select()
            .where(InspectionTable.plan_id == plan_id)
            .order_by(InspectionTable.window_start)
        )
        return [_inspection(r) for r in rows]

    async def add(self, inspection: Inspection) -> None:
        await InspectionTable.insert(
            InspectionTable(
                id=inspection.id,
                target=inspection.target_id,
                kind=inspection.kind.value,
                template=inspection.template.id,
                created_by=inspection.created_by,
                plan_id=inspection.plan_id,
                created_at=inspection.created_at,
                **_state(inspection),
            )
        )
        await InspectionMemberTable.insert(
            *(
                InspectionMemberTable(
                    id=uuid4(),
                    inspection=inspection.id,
                    person=person,
                    window_start=inspection.window_start,
                    window_end=inspection.window_end,
                )
                for person in inspection.team
            )
        )

    async def save(self, inspection: Inspection, expected_version: int) -> None:
        state = _state(inspection)
        saved = (
            await InspectionTable.update({getattr(InspectionTable, k): v for k, v in state.items()})
            .where(
                (InspectionTable.id == inspection.id)
                & (InspectionTable.version == expected_version)
            )
            .returning(InspectionTable.id)
        )
        if not saved:
            current = (
                await InspectionTable.select(InspectionTable.version)
                .where(InspectionTable.id == inspection.id)
                .first()
            )
            raise StaleVersionError(
                "version_mismatch", current_version=current["version"] if current else 0
            )

    async def bookings(
        self, inspector_ids: list[UUID], window: Interval, excluding: list[UUID]
    ) -> dict[UUID, list[Interval]]:
        if not inspector_ids:
            return {}
        query = InspectionMemberTable.select().where(
            InspectionMemberTable.person.is_in(inspector_ids)
            & (InspectionMemberTable.window_start < window[1])
            & (InspectionMemberTable.window_end > window[0])
        )
        if excluding:
            query = query.where(InspectionMemberTable.inspection.not_in(excluding))
        booked: dict[UUID, list[Interval]] = {}
        for row in await query:
            booked.setdefault(row["person"], []).append((row["window_start"], row["window_end"]))
        return booked

    async def visible(
        self, actor: Actor, now: datetime, where: InspectionFilter, page: PageRequest
    ) -> Page[Inspection]:
        path = InspectionTable.target.path
        query = _select().where(await visibility(actor, now))
        if where.within_path:
            query = query.where(path.like(f"{where.within_path}%"))
        if where.target_id:
            query = query.where(InspectionTable.target == where.target_id)
        if where.starts_from:
            query = query.where(InspectionTable.window_start >= where.starts_from)
        if where.starts_before:
            query = query.where(InspectionTable.window_start < where.starts_before)
        if where.status:
            query = query.where(InspectionTable.status == where.status.value)
        if where.kind:
            query = query.where(InspectionTable.kind == where.kind.value)
        if where.inspector_id:
            booked = await InspectionMemberTable.select(InspectionMemberTable.inspection).where(
                InspectionMemberTable.person == where.inspector_id
            )
            ids = [r["inspection"] for r in booked]
            if not ids:
                return Page(items=(), next_cursor=None)
            query = query.where(InspectionTable.id.is_in(ids))
        return await fetch_page(
            query, InspectionTable, page, _inspection, InspectionTable.window_start
        )

    async def sealed(self, now: datetime) -> list[Inspection]:
        rows = await _select().where(
            (InspectionTable.kind == InspectionKind.SURPRISE.value)
            & (InspectionTable.window_start > now)
            & (
                InspectionTable.lead_checked_in_at.is_null()
                | (InspectionTable.lead_checked_in_at > now)
            )
        )
        return [_inspection(r) for r in rows]

    async def log_sealed_read(self, read: SealedRead) -> None:
        await SealedReadTable.insert(
            SealedReadTable(
                id=uuid4(),
                inspection=read.inspection_id,
                person=read.person_id,
                endpoint=read.endpoint,
                at=read.at,
            )
        )

    async def sealed_reads(self, inspection_id: UUID) -> list[SealedRead]:
        rows = (
            await SealedReadTable.select()
            .where(SealedReadTable.inspection == inspection_id)
            .order_by(SealedReadTable.at)
        )
        return [SealedRead(r["inspection"], r["person"], r["endpoint"], r["at"]) for r in rows]
