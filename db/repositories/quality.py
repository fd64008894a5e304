"""QualityRepository on Piccolo: criteria sets (their definition as JSON, never updated) and the
meetings' scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.query.functions.aggregate import Max

from db.json_columns import dumps, loads
from db.tables import MeetingQualityTable, QualityCriteriaSetTable
from domain.errors import StaleVersionError
from domain.meetings.model import MeetingKind, MeetingStatus
from domain.quality.model import (
    AnnualStep,
    Band,
    CriteriaSet,
    Criterion,
    MeetingQuality,
    Thresholds,
)

SCORED_KINDS = [MeetingKind.REGULAR.value, MeetingKind.THEMATIC.value]
HELD = [MeetingStatus.HELD.value, MeetingStatus.FINALIZED.value]


def _set(row: dict[str, Any]) -> CriteriaSet:
    definition = loads(row["definition"])
    return CriteriaSet(
        id=row["id"],
        unit_id=row["unit"],
        version=row["version"],
        name=row["name"],
        criteria=tuple(Criterion(**c) for c in definition["criteria"]),
        thresholds=Thresholds(**definition["thresholds"]),
        annual=tuple(
            AnnualStep(
                Band(s["band"]), s["meetings"], Band(s["none_below"]) if s["none_below"] else None
            )
            for s in definition["annual"]
        ),
        created_at=row["created_at"],
        created_by=row["created_by"],
    )


def _definition(criteria: CriteriaSet) -> dict[str, Any]:
    t = criteria.thresholds
    return {
        "criteria": [
            {
                "code": c.code,
                "group": c.group,
                "title": c.title,
                "max_points": c.max_points,
                "must_be_full": c.must_be_full,
            }
            for c in criteria.criteria
        ],
        "thresholds": {"good": t.good, "fair": t.fair, "average": t.average},
        "annual": [
            {
                "band": s.band.value,
                "meetings": s.meetings,
                "none_below": s.none_below.value if s.none_below else None,
            }
            for s in criteria.annual
        ],
    }


def _quality(row: dict[str, Any]) -> MeetingQuality:
    return MeetingQuality(
        meeting_id=row["meeting"],
        cell_path=row["cell_path"],
        criteria_set_id=row["criteria_set"],
        points=loads(row["points"]),
        total=row["total"],
        band=Band(row["band"]),
        scored_by=row["scored_by"],
        scored_at=row["scored_at"],
        confirmed_by=row["confirmed_by"],
        confirmed_at=row["confirmed_at"],
        version=row["version"],
    )


class PiccoloQualityRepository:
    async def sets_of(self, unit_ids: list[UUID]) -> list[CriteriaSet]:
        table = QualityCriteriaSetTable
        default = table.unit.is_null()
        rows = await table.select().where(
            (table.unit.is_in(unit_ids) | default) if unit_ids else default
        )
        latest: dict[UUID | None, dict[str, Any]] = {}
        for row in rows:
            if row["unit"] not in latest or latest[row["unit"]]["version"] < row["version"]:
                latest[row["unit"]] = row
        return [_set(row) for row in latest.values()]

    async def get_set(self, set_id: UUID) -> CriteriaSet | None:
        table = QualityCriteriaSetTable
        row = await table.select().where(table.id == set_id).first()
        return _set(row) if row else None

    async def add_set(self, criteria: CriteriaSet) -> None:
        # (unit, version) taken by a concurrent writer: concurrent_change (db/unique.py)
        await QualityCriteriaSetTable.insert(
            QualityCriteriaSetTable(
                id=criteria.id,
                unit=criteria.unit_id,
                version=criteria.version,
                name=criteria.name,
                definition=dumps(_definition(criteria)),
                created_at=criteria.created_at,
                created_by=criteria.created_by,
            )
        )

    async def latest_version(self, unit_id: UUID) -> int:
        table = QualityCriteriaSetTable
        row = await table.select(Max(table.version, alias="v")).where(table.unit == unit_id).first()
        return int(row["v"] or 0) if row else 0

    async def get_score(self, meeting_id: UUID) -> MeetingQuality | None:
        table = MeetingQualityTable
        row = (
            await table.select(
                *table.all_columns(), table.meeting._.cell._.path.as_alias("cell_path")
            )
            .where(table.meeting == meeting_id)
            .first()
        )
        return _quality(row) if row else None

    async def add_score(self, quality: MeetingQuality) -> None:
        await MeetingQualityTable.insert(
            MeetingQualityTable(id=uuid4(), meeting=quality.meeting_id, **self._columns(quality))
        )

    async def save_score(self, quality: MeetingQuality, expected_version: int) -> None:
        table = MeetingQualityTable
        written = await (
            table.update({getattr(table, k): v for k, v in self._columns(quality).items()})
            .where((table.meeting == quality.meeting_id) & (table.version == expected_version))
            .returning(table.id)
        )
        if not written:
            current = (
                await table.select(table.version).where(table.meeting == quality.meeting_id).first()
            )
            raise StaleVersionError(
                "version_mismatch", current_version=current["version"] if current else 0
            )

    @staticmethod
    def _columns(quality: MeetingQuality) -> dict[str, Any]:
        return {
            "criteria_set": quality.criteria_set_id,
            "points": dumps(quality.points),
            "total": quality.total,
            "band": quality.band.value,
            "scored_by": quality.scored_by,
            "scored_at": quality.scored_at,
            "confirmed_by": quality.confirmed_by,
            "confirmed_at": quality.confirmed_at,
            "version": quality.version,
        }

    async def bands_of(self, cell_id: UUID, since: datetime, until: datetime) -> list[Band]:
        table = MeetingQualityTable
        rows = await table.select(table.band).where(
            (table.meeting.cell == cell_id)
            & table.meeting.kind.is_in(SCORED_KINDS)
            & table.meeting.status.is_in(HELD)
            & (table.meeting.planned_start >= since)
            & (table.meeting.planned_start < until)
        )
        return [Band(r["band"]) for r in rows]
