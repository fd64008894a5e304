"""A meeting's official documents: the discussion its minutes quote, and the minutes (biên bản)
and resolution (nghị quyết) as .docx with their register numbers."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.documents.layout import minutes_docx, resolution_docx
from api.documents.schemas import DiscussionIn, DiscussionOut
from api.http.errors import problems
from api.http.etag import ETAG_HEADER, IfMatch, expected_version, tagged
from api.http.openapi import file_reply
from domain.actors import Actor
from domain.documents.model import DocumentKind
from domain.documents.service import DocumentService

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_PREFIX = {DocumentKind.MINUTES: "bien-ban", DocumentKind.RESOLUTION: "nghi-quyet"}

Me = NamedDependency[Actor]
Documents = NamedDependency[DocumentService]


DocxOperation = file_reply(DOCX)


class MeetingDocumentController(Controller):
    path = "/api/v1/meetings/{meeting_id:uuid}"
    tags = ["documents"]

    @get(
        "/discussion",
        operation_id="GetMeetingDiscussion",
        responses=problems(401, 404),
        response_headers=ETAG_HEADER,
    )
    async def discussion(
        self, meeting_id: FromPath[UUID], actor: Me, documents: Documents
    ) -> Response[DiscussionOut]:
        """Named speakers and the chair's conclusion per agenda item (version 0: none yet)."""
        found = await documents.discussion(actor, meeting_id)
        return tagged(DiscussionOut.of(found), found.version)

    @put(
        "/discussion",
        operation_id="SetMeetingDiscussion",
        responses=problems(401, 403, 404, 409, 412, 422, 428),
        response_headers=ETAG_HEADER,
    )
    async def set_discussion(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[DiscussionIn],
        actor: Me,
        documents: Documents,
        if_match: IfMatch = None,
    ) -> Response[DiscussionOut]:
        """One entry per agenda item, in its order (`If-Match: "0"` the first time)."""
        saved = await documents.set_discussion(
            actor, meeting_id, expected_version(if_match), [i.to_domain() for i in data.items]
        )
        return tagged(DiscussionOut.of(saved), saved.version)

    @get(
        "/minutes.docx",
        operation_id="GetMinutesDocument",
        operation_class=DocxOperation,
        responses=problems(401, 403, 404, 409),
    )
    async def minutes(
        self, meeting_id: FromPath[UUID], actor: Me, documents: Documents
    ) -> Response[bytes]:
        """The biên bản. The first download takes the next number of the cell's register (by
        whoever manages its meetings); later ones show the same number. 409
        `document_incomplete` lists in `missing` what the record still lacks."""
        return await _document(documents, actor, meeting_id, DocumentKind.MINUTES)

    @get(
        "/resolution.docx",
        operation_id="GetResolutionDocument",
        operation_class=DocxOperation,
        responses=problems(401, 403, 404, 409),
    )
    async def resolution(
        self, meeting_id: FromPath[UUID], actor: Me, documents: Documents
    ) -> Response[bytes]:
        """The nghị quyết, with a number of its own from the register."""
        return await _document(documents, actor, meeting_id, DocumentKind.RESOLUTION)


async def _document(
    documents: DocumentService, actor: Actor, meeting_id: UUID, kind: DocumentKind
) -> Response[bytes]:
    doc = await documents.issue(actor, meeting_id, kind)
    render = minutes_docx if kind is DocumentKind.MINUTES else resolution_docx
    filename = f"{FILE_PREFIX[kind]}-{doc.number.replace('/', '-')}.docx"
    return Response(
        render(doc, documents.policy),
        media_type=DOCX,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
