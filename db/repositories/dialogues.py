"""DialogueRepository on Piccolo: a dialogue is one row (its questions and co-chairs as JSON,
saved with a version check); reception days one row each, unique per ward and day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from piccolo.query import Select

from db.json_columns import dumps, loads
from db.pagination import any_prefix, fetch_page
from db.tables import DialogueTable, MembershipTable, ReceptionDayTable
from domain.dialogues.model import (
    Answer,
    CoChair,
    Deferral,
    Dialogue,
    DialogueFormat,
    DialogueKind,
    Question,
    ReceptionDay,
)
from domain.errors import StaleVersionError
from domain.pagination import Page, PageRequest


def _question(item: dict[str, Any]) -> Question:
    answer, deferral = item.get("answer"), item.get("deferral")
    return Question(
        id=UUID(item["id"]),
        content=item["content"],
        asked_at=datetime.fromisoformat(item["askedAt"]),
        asker_name=item.get("askerName"),
        answer=Answer(
            answer["byName"],
            answer["byTitle"],
            answer["text"],
            datetime.fromisoformat(answer["at"]),
        )
        if answer
        else None,
        deferral=Deferral(
            UUID(deferral["petitionId"]),
            UUID(deferral["ownerId"]),
            date.fromisoformat(deferral["replyDueOn"]),
        )
        if deferral
        else None,
    )


def _question_json(q: Question) -> dict[str, Any]:
    a, d = q.answer, q.deferral
    return {
        "id": str(q.id),
        "content": q.content,
        "askedAt": q.asked_at.isoformat(),
        "askerName": q.asker_name,
        "answer": {
            "byName": a.by_name,
            "byTitle": a.by_title,
            "text": a.text,
            "at": a.at.isoformat(),
        }
        if a
        else None,
        "deferral": {
            "petitionId": str(d.petition_id),
            "ownerId": str(d.owner_id),
            "replyDueOn": d.reply_due_on.isoformat(),
        }
        if d
        else None,
    }


def _dialogue(row: dict[str, Any]) -> Dialogue:
    return Dialogue(
        id=row["id"],
        ward_id=row["ward"],
        ward_path=row["ward_path"],
        title=row["title"],
        kind=DialogueKind(row["kind"]),
        format=DialogueFormat(row["format"]),
        place=row["place"],
        starts_at=row["starts_at"],
        announced_at=row["announced_at"],
        cell_ids=tuple(UUID(c) for c in loads(row["cell_ids"])),
        co_chairs=tuple(CoChair(c["role"], c["name"]) for c in loads(row["co_chairs"])),
        created_by=row["created_by"],
        participants=row["participants"],
        questions=[_question(q) for q in loads(row["questions"])],
        published_at=row["published_at"],
        version=row["version"],
    )


def _dialogues() -> Select[Any]:
    t = DialogueTable
    return t.select(*t.all_columns(), t.ward._.path.as_alias("ward_path"))


def _reception(row: dict[str, Any]) -> ReceptionDay:
    return ReceptionDay(
        id=row["id"],
        ward_id=row["ward"],
        ward_path=row["ward_path"],
        day=row["day"],
        head_name=row["head_name"],
        citizens=row["citizens"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
        note=row["note"],
    )


class PiccoloDialogueRepository:
    async def get(self, dialogue_id: UUID) -> Dialogue | None:
        row = await _dialogues().where(DialogueTable.id == dialogue_id).first()
        return _dialogue(row) if row else None

    async def add(self, dialogue: Dialogue) -> None:
        await DialogueTable.insert(
            DialogueTable(
                id=dialogue.id,
                ward=dialogue.ward_id,
                title=dialogue.title,
                kind=dialogue.kind.value,
                format=dialogue.format.value,
                place=dialogue.place,
                starts_at=dialogue.starts_at,
                announced_at=dialogue.announced_at,
                cell_ids=dumps([str(c) for c in dialogue.cell_ids]),
                co_chairs=dumps([{"role": c.role, "name": c.name} for c in dialogue.co_chairs]),
                created_by=dialogue.created_by,
                participants=dialogue.participants,
                questions=dumps([_question_json(q) for q in dialogue.questions]),
                published_at=dialogue.published_at,
                created_at=dialogue.announced_at,
                version=dialogue.version,
            )
        )

    async def save(self, dialogue: Dialogue, expected_version: int) -> None:
        t = DialogueTable
        written = await (
            t.update(
                {
                    t.questions: dumps([_question_json(q) for q in dialogue.questions]),
                    t.participants: dialogue.participants,
                    t.published_at: dialogue.published_at,
                    t.version: dialogue.version,
                }
            )
            .where((t.id == dialogue.id) & (t.version == expected_version))
            .returning(t.id)
        )
        if not written:
            current = await t.select(t.version).where(t.id == dialogue.id).first()
            raise StaleVersionError(
                "version_mismatch", current_version=current["version"] if current else 0
            )

    async def list_dialogues(
        self, scopes: tuple[str, ...], within_path: str | None, page: PageRequest
    ) -> Page[Dialogue]:
        path = DialogueTable.ward._.path
        scope = any_prefix(path, scopes)
        if scope is None:
            return Page(items=(), next_cursor=None)
        query = _dialogues().where(scope)
        if within_path:
            query = query.where(path.like(f"{within_path}%"))
        return await fetch_page(query, DialogueTable, page, _dialogue, DialogueTable.starts_at)

    async def members_of(self, cell_ids: Iterable[UUID], day: date) -> list[UUID]:
        m = MembershipTable
        cells = list(cell_ids)
        if not cells:
            return []
        rows = await (
            m.select(m.person)
            .where(m.cell.is_in(cells))
            .where(m.joined_on <= day)
            .where(m.left_on.is_null() | (m.left_on > day))
        )
        return list(dict.fromkeys(r["person"] for r in rows))

    async def add_reception_day(self, day: ReceptionDay) -> None:
        await ReceptionDayTable.insert(
            ReceptionDayTable(
                id=day.id,
                ward=day.ward_id,
                day=day.day,
                head_name=day.head_name,
                citizens=day.citizens,
                note=day.note,
                recorded_by=day.recorded_by,
                recorded_at=day.recorded_at,
            )
        )

    async def reception_days(self, ward_id: UUID, first: date, last: date) -> list[ReceptionDay]:
        t = ReceptionDayTable
        rows = await (
            t.select(*t.all_columns(), t.ward._.path.as_alias("ward_path"))
            .where((t.ward == ward_id) & (t.day >= first) & (t.day <= last))
            .order_by(t.day)
        )
        return [_reception(r) for r in rows]
