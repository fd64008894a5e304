"""DocumentRepository on Piccolo: the register (a counter row per cell, document type and term,
and a row per number issued) and the discussion the minutes quote.

Issuing is hand-written SQL that both engines run alike: an upsert that changes nothing takes the
counter row's lock (PostgreSQL: a concurrent issuer waits there until this transaction ends; SQLite
has one writer anyway), then the meeting's number is looked up again, now that whoever held the
lock has committed, and only when it is still missing is the counter moved on and the number
written. Two requests never get one number, a meeting's document never gets two, and a rolled-back
request gives its number back with everything else it wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.querystring import QueryString

from db.json_columns import dumps, loads
from db.named_sql import bind
from db.tables import DocumentNumberTable, MeetingDiscussionTable
from domain.documents.model import Discussion, DocumentKind, ItemDiscussion, Opinion
from domain.errors import StaleVersionError

_LOCK_COUNTER = """
INSERT INTO document_counter (id, cell, kind, term, last_number)
VALUES (:id, :cell, :kind, :term, 0)
ON CONFLICT (cell, kind, term) DO UPDATE SET last_number = document_counter.last_number
RETURNING last_number
"""
_NEXT_NUMBER = """
UPDATE document_counter SET last_number = last_number + 1
WHERE cell = :cell AND kind = :kind AND term = :term
RETURNING last_number
"""
_NUMBER_OF = "SELECT number FROM document_number WHERE meeting = :meeting AND kind = :kind"


async def _run(sql: str, **params: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    engine = DocumentNumberTable._meta.db  # noqa: SLF001
    query: QueryString = bind(sql, params)
    rows: list[dict[str, Any]] = await engine.run_querystring(query)
    return rows


def _discussion(row: dict[str, Any]) -> Discussion:
    return Discussion(
        meeting_id=row["meeting"],
        cell_path=row["cell_path"],
        items=[
            ItemDiscussion(
                tuple(Opinion(o["speaker"], o["text"]) for o in item["opinions"]),
                item["conclusion"],
            )
            for item in loads(row["items"])
        ],
        version=row["version"],
        updated_at=row["updated_at"],
    )


class PiccoloDocumentRepository:
    async def number_of(self, meeting_id: UUID, kind: DocumentKind) -> int | None:
        rows = await _run(_NUMBER_OF, meeting=meeting_id, kind=kind.value)
        return int(rows[0]["number"]) if rows else None

    async def issue(
        self,
        cell_id: UUID,
        kind: DocumentKind,
        term: str,
        meeting_id: UUID,
        by: UUID,
        at: datetime,
    ) -> int:
        key = {"cell": cell_id, "kind": kind.value, "term": term}
        await _run(_LOCK_COUNTER, id=uuid4(), **key)
        issued = await self.number_of(meeting_id, kind)
        if issued is not None:
            return issued
        number = int((await _run(_NEXT_NUMBER, **key))[0]["last_number"])
        await DocumentNumberTable.insert(
            DocumentNumberTable(
                id=uuid4(),
                cell=cell_id,
                kind=kind.value,
                term=term,
                number=number,
                meeting=meeting_id,
                issued_by=by,
                issued_at=at,
            )
        )
        return number

    async def discussion(self, meeting_id: UUID) -> Discussion | None:
        table = MeetingDiscussionTable
        row = (
            await table.select(
                *table.all_columns(), table.meeting._.cell._.path.as_alias("cell_path")
            )
            .where(table.meeting == meeting_id)
            .first()
        )
        return _discussion(row) if row else None

    async def save_discussion(self, discussion: Discussion, expected_version: int) -> None:
        table = MeetingDiscussionTable
        items = dumps(
            [
                {
                    "opinions": [{"speaker": o.speaker, "text": o.text} for o in item.opinions],
                    "conclusion": item.conclusion,
                }
                for item in discussion.items
            ]
        )
        if expected_version == 0:
            # a concurrent first write meets the unique meeting column: concurrent_change
            await table.insert(
                table(
                    id=uuid4(),
                    meeting=discussion.meeting_id,
                    items=items,
                    updated_at=discussion.updated_at,
                    version=discussion.version,
                )
            )
            return
        written = await (
            table.update(
                {
                    table.items: items,
                    table.updated_at: discussion.updated_at,
                    table.version: discussion.version,
                }
            )
            .where((table.meeting == discussion.meeting_id) & (table.version == expected_version))
            .returning(table.id)
        )
        if not written:
            current = (
                await table.select(table.version)
                .where(table.meeting == discussion.meeting_id)
                .first()
            )
            raise StaleVersionError(
                "version_mismatch", current_version=current["version"] if current else 0
            )
