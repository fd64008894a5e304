"""SurveyRepository on Piccolo: a survey row per contact (its link only as a hash), an answer row
per survey (unique: of two answers sent at once, one loses with ``survey_already_answered``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.query import Select

from db.pagination import any_prefix, fetch_page
from db.tables import SurveyAnswerTable, SurveyTable
from domain.pagination import Page, PageRequest
from domain.surveys.model import (
    Attribution,
    Contact,
    ContactKind,
    OpenedSurvey,
    Rating,
    Resolved,
    Score,
    Survey,
    SurveyAnswer,
)


def _surveys() -> Select[Any]:
    t = SurveyTable
    return t.select(*t.all_columns(), t.unit._.path.as_alias("unit_path"))


def _survey(row: dict[str, Any]) -> Survey:
    return Survey(
        id=row["id"],
        contact=Contact(
            kind=ContactKind(row["kind"]),
            subject_id=row["subject"],
            unit_id=row["unit"],
            unit_path=row["unit_path"],
            at=row["contact_at"],
            task_id=row["task"],
        ),
        opens_at=row["opens_at"],
        created_at=row["created_at"],
        link_hash=row["link_hash"],
        link_expires_at=row["link_expires_at"],
        answered_at=row["answered_at"],
        slot=row["slot"],
    )


def _answer(row: dict[str, Any]) -> SurveyAnswer:
    return SurveyAnswer(
        id=row["id"],
        survey_id=row["survey"],
        rating=Rating(Score(row["score"]), Resolved(row["resolved"]), row["reason"]),
        attribution=Attribution(
            row["unit"], row["unit_path"], row["head_person"], row["head_name"]
        ),
        answered_at=row["answered_at"],
        entered_by=row["entered_by"],
    )


class PiccoloSurveyRepository:
    async def add(self, survey: Survey) -> None:
        contact = survey.contact
        await SurveyTable.insert(
            SurveyTable(
                id=survey.id,
                kind=contact.kind.value,
                subject=contact.subject_id,
                unit=contact.unit_id,
                task=contact.task_id,
                contact_at=contact.at,
                opens_at=survey.opens_at,
                link_hash=survey.link_hash,
                link_expires_at=survey.link_expires_at,
                answered_at=survey.answered_at,
                created_at=survey.created_at,
                slot=survey.slot,
            )
        )

    async def get(self, survey_id: UUID) -> Survey | None:
        row = await _surveys().where(SurveyTable.id == survey_id).first()
        return _survey(row) if row else None

    async def by_link(self, link_hash: str) -> Survey | None:
        row = await _surveys().where(SurveyTable.link_hash == link_hash).first()
        return _survey(row) if row else None

    async def save_link(self, survey: Survey) -> None:
        t = SurveyTable
        await t.update(
            {t.link_hash: survey.link_hash, t.link_expires_at: survey.link_expires_at}
        ).where(t.id == survey.id)

    async def add_answer(self, survey: Survey, answer: SurveyAnswer) -> None:
        rating, who = answer.rating, answer.attribution
        await SurveyAnswerTable.insert(
            SurveyAnswerTable(
                id=answer.id,
                survey=answer.survey_id,
                score=int(rating.score),
                resolved=rating.resolved.value,
                reason=rating.reason,
                entered_by=answer.entered_by,
                answered_at=answer.answered_at,
                unit=who.unit_id,
                unit_path=who.unit_path,
                head_person=who.head_person_id,
                head_name=who.head_name,
            )
        )
        t = SurveyTable
        await t.update({t.answered_at: survey.answered_at}).where(t.id == survey.id)

    async def count_of(self, kind: ContactKind, subject_id: UUID) -> int:
        t = SurveyTable
        count: int = await t.count().where((t.kind == kind.value) & (t.subject == subject_id))
        return count

    async def list_surveys(
        self,
        scopes: tuple[str, ...],
        within_path: str | None,
        answered: bool | None,
        page: PageRequest,
    ) -> Page[Survey]:
        path = SurveyTable.unit._.path
        scope = any_prefix(path, scopes)
        if scope is None:
            return Page(items=(), next_cursor=None)
        query = _surveys().where(scope)
        if within_path:
            query = query.where(path.like(f"{within_path}%"))
        if answered is not None:
            column = SurveyTable.answered_at
            query = query.where(column.is_not_null() if answered else column.is_null())
        return await fetch_page(query, SurveyTable, page, _survey, SurveyTable.opens_at)

    async def answers_within(
        self, unit_path: str, since: datetime, until: datetime
    ) -> list[SurveyAnswer]:
        t = SurveyAnswerTable
        rows = await (
            t.select()
            .where(t.unit_path.like(f"{unit_path}%"))
            .where((t.answered_at >= since) & (t.answered_at < until))
        )
        return [_answer(r) for r in rows]

    async def opened_within(
        self, unit_path: str, since: datetime, until: datetime
    ) -> list[OpenedSurvey]:
        t, a = SurveyTable, SurveyAnswerTable
        rows = await (
            t.select(t.id, t.unit, t.answered_at)
            .where(t.unit._.path.like(f"{unit_path}%"))
            .where((t.opens_at >= since) & (t.opens_at < until))
        )
        assisted = {
            r["survey"]
            for r in await a.select(a.survey).where(
                a.entered_by.is_not_null() & a.unit_path.like(f"{unit_path}%")
            )
        }
        return [
            OpenedSurvey(r["unit"], r["answered_at"] is not None and r["id"] not in assisted)
            for r in rows
        ]
