"""What attachments need from outside the domain: where bytes and metadata live."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.attachments.model import Attachment


class AttachmentStore(Protocol):
    """Where the bytes live. Keys are opaque to the domain."""

    async def put(self, content: bytes) -> str:
        """Store ``content``; returns its storage key. Storing the same bytes twice is harmless."""

    async def read(self, key: str) -> bytes: ...


class AttachmentRepository(Protocol):
    async def add(self, attachment: Attachment) -> None: ...
    async def get(self, attachment_id: UUID) -> Attachment | None: ...
    async def get_many(self, attachment_ids: list[UUID]) -> list[Attachment]: ...
