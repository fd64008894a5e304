"""Attachment use cases: upload (checked by content) and read within the caller's scope."""

from __future__ import annotations

import hashlib
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.attachments.model import (
    Attachment,
    AttachmentPolicy,
    check_content,
    sanitize_filename,
)
from domain.attachments.ports import AttachmentRepository, AttachmentStore
from domain.audit import audited
from domain.errors import NotFoundError, RuleViolationError
from domain.org.ports import OrgRepository
from domain.ports import AuditLog, Clock, UnitOfWork


class AttachmentService:
    def __init__(
        self,
        repo: AttachmentRepository,
        store: AttachmentStore,
        org: OrgRepository,
        uow: UnitOfWork,
        audit: AuditLog,
        clock: Clock,
        policy: AttachmentPolicy,
    ) -> None:
        self.repo = repo
        self.store = store
        self.org = org
        self.uow = uow
        self.audit = audit
        self.clock = clock
        self.policy = policy

    async def upload(
        self, actor: Actor, unit_id: UUID, content: bytes, filename: str | None
    ) -> Attachment:
        """Whoever manages the meetings of a unit may attach files to it."""
        unit = await self.org.get_unit(unit_id)
        if unit is None:
            raise NotFoundError("unit_not_found")
        actor.require_visible(Permission.VIEW_UNIT, unit.path, "unit_not_found")
        actor.require(Permission.MANAGE_MEETINGS, unit.path, "attachment_upload_forbidden")
        if not unit.active:
            raise RuleViolationError("unit_inactive")
        kind = check_content(content, self.policy)
        # Bytes first, outside the transaction: content-addressed, so a retry or a rolled-back
        # row leaves at most an unreferenced file, never a row without its bytes.
        key = await self.store.put(content)
        attachment = Attachment(
            id=uuid4(),
            unit_id=unit.id,
            unit_path=unit.path,
            kind=kind,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            filename=sanitize_filename(filename, kind),
            uploaded_by=actor.person_id,
            created_at=self.clock.now(),
            storage_key=key,
        )
        async with self.uow.atomic():
            await self.repo.add(attachment)
            await audited(
                self.audit,
                actor.person_id,
                "attachment.upload",
                "Attachment",
                attachment.id,
                unit.path,
                after={
                    "kind": kind.value,
                    "size": attachment.size,
                    "sha256": attachment.sha256,
                    "filename": attachment.filename,
                },
            )
        return attachment

    async def get(self, actor: Actor, attachment_id: UUID) -> Attachment:
        attachment = await self.repo.get(attachment_id)
        if attachment is None:
            raise NotFoundError("attachment_not_found")
        actor.require_visible(Permission.VIEW_UNIT, attachment.unit_path, "attachment_not_found")
        return attachment

    async def content(self, actor: Actor, attachment_id: UUID) -> tuple[Attachment, bytes]:
        attachment = await self.get(actor, attachment_id)
        return attachment, await self.store.read(attachment.storage_key)
