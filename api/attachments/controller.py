"""Attachments: upload to a unit (raw body), read metadata and content within the caller's scope."""

from __future__ import annotations

import unicodedata
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, RawBody

from api.attachments.schemas import AttachmentOut
from api.http.errors import problems
from api.http.openapi import file_reply
from api.http.raw_body import raw_body_operation
from domain.actors import Actor
from domain.attachments.model import MEDIA_TYPES
from domain.attachments.service import AttachmentService

# A body one byte over the limit still reaches the domain, which answers 413
# attachment_too_large; anything bigger stops at the framework (413 payload_too_large) unread.
BODY_SLACK = 1

Attachments = NamedDependency[AttachmentService]
Me = NamedDependency[Actor]


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact one in RFC 5987 form."""
    plain = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(
        c for c in plain.encode("ascii", "ignore").decode() if c.isprintable() and c not in '"\\'
    )
    fallback = ascii_name or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


UploadOperation = raw_body_operation(
    "application/octet-stream",
    "The file itself (JPEG, PNG, HEIC or PDF). Any Content-Type is accepted: the kind is read"
    " from the content.",
    binary=True,
)


ContentOperation = file_reply(*MEDIA_TYPES.values())


class AttachmentController(Controller):
    path = "/api/v1"
    tags = ["attachments"]

    @post(
        "/units/{unit_id:uuid}/attachments",
        operation_id="UploadAttachment",
        operation_class=UploadOperation,
        responses=problems(401, 403, 404, 413, 422),
    )
    async def upload(
        self,
        unit_id: FromPath[UUID],
        body: RawBody,
        actor: Me,
        attachments: Attachments,
        filename: Annotated[
            str | None, QueryParameter(max_length=255, description="The file's name, for show")
        ] = None,
    ) -> AttachmentOut:
        """Attach a file to a unit (a cell's papers, photos of the minutes book): allowed to
        whoever manages that unit's meetings. The kind is read from the content, never from the
        name or the Content-Type; at most the configured size (10 MiB by default)."""
        return AttachmentOut.of(await attachments.upload(actor, unit_id, body, filename))

    @get(
        "/attachments/{attachment_id:uuid}",
        operation_id="GetAttachment",
        responses=problems(401, 404),
    )
    async def get_attachment(
        self, attachment_id: FromPath[UUID], actor: Me, attachments: Attachments
    ) -> AttachmentOut:
        return AttachmentOut.of(await attachments.get(actor, attachment_id))

    @get(
        "/attachments/{attachment_id:uuid}/content",
        operation_id="GetAttachmentContent",
        operation_class=ContentOperation,
        responses=problems(401, 404),
    )
    async def get_content(
        self, attachment_id: FromPath[UUID], actor: Me, attachments: Attachments
    ) -> Response[bytes]:
        """The file, with the media type its content was recognised as."""
        attachment, content = await attachments.content(actor, attachment_id)
        return Response(
            content,
            media_type=attachment.media_type,
            headers={
                "Content-Disposition": content_disposition(attachment.filename),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, max-age=86400",
                "ETag": f'"{attachment.sha256}"',
            },
        )


def attachment_router(max_bytes: int) -> Router:
    """The attachment routes, with a request body limit of the attachment size instead of the
    app's (uploads only; the other routes take no body)."""
    return Router(
        path="/",
        route_handlers=[AttachmentController],
        request_max_body_size=max_bytes + BODY_SLACK,
    )
