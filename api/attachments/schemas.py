"""Bodies of the attachment endpoints."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from api.http.schemas import Out
from domain.attachments.model import Attachment, AttachmentKind


class AttachmentOut(Out):
    id: UUID
    unit_id: UUID
    kind: AttachmentKind
    media_type: str
    size: int
    sha256: str
    filename: str
    uploaded_by: UUID
    created_at: datetime

    @classmethod
    def of(cls, a: Attachment) -> AttachmentOut:
        return cls(
            id=a.id,
            unit_id=a.unit_id,
            kind=a.kind,
            media_type=a.media_type,
            size=a.size,
            sha256=a.sha256,
            filename=a.filename,
            uploaded_by=a.uploaded_by,
            created_at=a.created_at,
        )
