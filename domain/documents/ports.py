"""Storage the document use cases need (implemented in db/repositories/documents.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.documents.model import Discussion, DocumentKind


class DocumentRepository(Protocol):
    async def number_of(self, meeting_id: UUID, kind: DocumentKind) -> int | None:
        """The register number the meeting's document of ``kind`` was issued with, if any."""

    async def issue(
        self,
        cell_id: UUID,
        kind: DocumentKind,
        term: str,
        meeting_id: UUID,
        by: UUID,
        at: datetime,
    ) -> int:
        """The meeting's number for ``kind``: the one it has, or the next of the cell's counter
        for ``kind`` and ``term``, taken in one step that concurrent issuers wait on (two
        requests never get one number, and a number once issued is never issued again)."""

    async def issue_report(
        self, unit_id: UUID, term: str, report_issue_id: UUID, by: UUID, at: datetime
    ) -> int:
        """The next number of the unit's counter for reports and ``term``, given to the filed
        version ``report_issue_id`` (written in the same transaction, just before): taken under
        the same lock as ``issue``, so concurrent filings of one unit never share a number."""

    async def report_numbers(self, report_issue_ids: list[UUID]) -> dict[UUID, int]:
        """The numbers the filed versions were given (versions filed before reports were
        numbered have none)."""

    async def discussion(self, meeting_id: UUID) -> Discussion | None: ...
    async def save_discussion(self, discussion: Discussion, expected_version: int) -> None:
        """Insert (``expected_version`` 0) or update; StaleVersionError when another write came
        first."""
