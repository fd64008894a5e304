"""AttachmentRepository on Piccolo: metadata rows; the bytes are in the attachment store."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.query import Select

from db.tables import AttachmentTable
from domain.attachments.model import Attachment, AttachmentKind


def _select() -> Select[Any]:
    return AttachmentTable.select(
        *AttachmentTable.all_columns(), AttachmentTable.unit.path.as_alias("unit_path")
    )


def _attachment(row: dict[str, Any]) -> Attachment:
    return Attachment(
        id=row["id"],
        unit_id=row["unit"],
        unit_path=row["unit_path"],
        kind=AttachmentKind(row["kind"]),
        size=row["size"],
        sha256=row["sha256"],
        filename=row["filename"],
        uploaded_by=row["uploaded_by"],
        created_at=row["created_at"],
        storage_key=row["storage_key"],
    )


class PiccoloAttachmentRepository:
    async def add(self, attachment: Attachment) -> None:
        await AttachmentTable.insert(
            AttachmentTable(
                id=attachment.id,
                unit=attachment.unit_id,
                kind=attachment.kind.value,
                size=attachment.size,
                sha256=attachment.sha256,
                storage_key=attachment.storage_key,
                filename=attachment.filename,
                uploaded_by=attachment.uploaded_by,
                created_at=attachment.created_at,
            )
        )

    async def get(self, attachment_id: UUID) -> Attachment | None:
        row = await _select().where(AttachmentTable.id == attachment_id).first()
        return _attachment(row) if row else None

    async def get_many(self, attachment_ids: list[UUID]) -> list[Attachment]:
        if not attachment_ids:
            return []
        rows = await _select().where(AttachmentTable.id.is_in(attachment_ids))
        return [_attachment(r) for r in rows]
