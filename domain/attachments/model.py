"""Attachments: papers of a meeting notice, photos of the minutes book, evidence later.

Only images (JPEG, PNG, HEIC) and PDF are accepted, decided by the content itself (magic bytes),
never by the file name or the declared content type. Bytes go to an ``AttachmentStore`` (a local
directory by default), metadata to an ``AttachmentRepository``; an attachment belongs to a unit,
and whoever may see that unit may read it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.errors import PayloadTooLargeError, RuleViolationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_FILENAME_LENGTH = 200


class AttachmentKind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    HEIC = "heic"
    PDF = "pdf"


MEDIA_TYPES: dict[AttachmentKind, str] = {
    AttachmentKind.JPEG: "image/jpeg",
    AttachmentKind.PNG: "image/png",
    AttachmentKind.HEIC: "image/heic",
    AttachmentKind.PDF: "application/pdf",
}
EXTENSIONS: dict[AttachmentKind, str] = {
    AttachmentKind.JPEG: "jpg",
    AttachmentKind.PNG: "png",
    AttachmentKind.HEIC: "heic",
    AttachmentKind.PDF: "pdf",
}
# ISO-BMFF major brands of HEIF/HEIC stills and sequences (phones write heic or mif1).
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"


@dataclass(frozen=True, slots=True)
class AttachmentPolicy:
    max_bytes: int = DEFAULT_MAX_BYTES


def sniff(content: bytes) -> AttachmentKind | None:
    """The kind of ``content`` by its first bytes, or None when it is none of the accepted ones."""
    if content.startswith(JPEG_SIGNATURE):
        return AttachmentKind.JPEG
    if content.startswith(PNG_SIGNATURE):
        return AttachmentKind.PNG
    if content.startswith(PDF_SIGNATURE):
        return AttachmentKind.PDF
    if content[4:8] == b"ftyp" and content[8:12] in HEIF_BRANDS:
        return AttachmentKind.HEIC
    return None


def check_content(content: bytes, policy: AttachmentPolicy) -> AttachmentKind:
    """The kind of an upload, or the error that refuses it."""
    if len(content) > policy.max_bytes:
        raise PayloadTooLargeError("attachment_too_large", max_bytes=policy.max_bytes)
    kind = sniff(content)
    if kind is None:
        # 422 like any other broken rule: the request is well-formed, its content is refused.
        raise RuleViolationError("attachment_type_not_allowed")
    return kind


def sanitize_filename(name: str | None, kind: AttachmentKind) -> str:
    """The name as given, made harmless: no directories, no control characters, NFC, bounded.
    The extension is not trusted for anything; a missing name becomes ``attachment.<ext>``."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split()).strip(" .")
    if len(text) > MAX_FILENAME_LENGTH:
        stem, dot, ext = text.rpartition(".")
        keep = ext if dot and stem and len(ext) <= 10 else ""  # noqa: PLR2004 - a plausible extension
        text = text[: MAX_FILENAME_LENGTH - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return text or f"attachment.{EXTENSIONS[kind]}"


@dataclass(frozen=True, slots=True)
class Attachment:
    id: UUID
    unit_id: UUID
    unit_path: str
    kind: AttachmentKind
    size: int
    sha256: str
    filename: str
    uploaded_by: UUID
    created_at: datetime
    storage_key: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


@dataclass(frozen=True, slots=True)
class Paper:
    """An attachment as a meeting notice lists it (attachments never change, so this is a copy)."""

    id: UUID
    filename: str
    kind: AttachmentKind
    size: int

    @classmethod
    def of(cls, attachment: Attachment) -> Paper:
        return cls(attachment.id, attachment.filename, attachment.kind, attachment.size)
