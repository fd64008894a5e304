"""DocumentRepository on Piccolo: the register (a counter row per issuing unit — a cell, or for a
report a ward's committee —, document type and term, and a row per number issued, to a meeting's
document or to a filed report version) and the discussion the minutes quote.

Issuing is hand-written SQL that both engines run alike: an upsert that changes nothing takes the
counter row's lock (PostgreSQL: a concurrent issuer waits there until this transaction ends; SQLite
has one writer anyway), then the meeting's number is looked up again, now that whoever held the
lock has committed, and only when it is still missing is the counter moved on and the number
written. Two requests never get one number, a meeting's document never gets two, and a rolled-back
request gives its number back with everything else it wrote. A filed report's version is new in
its transaction, so after the lock its number is simply the next one.
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


async def _lock_counter(unit_id: UUID, kind: DocumentKind, term: str) -> None:
    await _run(_LOCK_COUNTER, id=uuid4(), cell=unit_id, kind=kind.value, term=term)


async def _take_next(
    unit_id: UUID,
    kind: DocumentKind,
    term: str,
    by: UUID,
    at: datetime,
    *,
    meeting: UUID | None = None,
    report_issue: UUID | None = None,
) -> int:
    """Moves the counter on (its lock held) and writes the number, to a meeting's document or
    to a filed report."""
    rows = await _run(_NEXT_NUMBER, cell=unit_id, kind=kind.value, term=term)
    number = int(rows[0]["last_number"])
    await DocumentNumberTable.insert(
        DocumentNumberTable(
            id=uuid4(),
            cell=unit_id,
            kind=kind.value,
            term=term,
            number=number,
            meeting=meeting,
            report_issue=report_issue,
            issued_by=by,
            issued_at=at,
        )
    )
    return number


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
        await _lock_counter(cell_id, kind, term)
        issued = await self.number_of(meeting_id, kind)
        if issued is not None:
            return issued
        return await _take_next(cell_id, kind, term, by, at, meeting=meeting_id)

    async def issue_report(
        self, unit_id: UUID, term: str, report_issue_id: UUID, by: UUID, at: datetime
    ) -> int:
        await _lock_counter(unit_id, DocumentKind.REPORT, term)
        return await _take_next(
            unit_id, DocumentKind.REPORT, term, by, at, report_issue=report_issue_id
        )

    async def report_numbers(self, report_issue_ids: list[UUID]) -> dict[UUID, int]:
        if not report_issue_ids:
            return {}
        table = DocumentNumberTable
        rows = await table.select(table.report_issue, table.number).where(
            table.report_issue.is_in(report_issue_ids)
        )
        return {row["report_issue"]: int(row["number"]) for row in rows}

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
