"""What an upload is, decided by its bytes: sniffing, the size limit, the file name."""

from __future__ import annotations

import struct

import pytest

from domain.attachments.model import (
    AttachmentKind,
    AttachmentPolicy,
    check_content,
    sanitize_filename,
    sniff,
)
from domain.errors import PayloadTooLargeError, RuleViolationError

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 64


def heif(brand: bytes) -> bytes:
    return struct.pack(">I", 24) + b"ftyp" + brand + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 32


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (JPEG, AttachmentKind.JPEG),
        (PNG, AttachmentKind.PNG),
        (PDF, AttachmentKind.PDF),
        (heif(b"heic"), AttachmentKind.HEIC),
        (heif(b"heix"), AttachmentKind.HEIC),
        (heif(b"hevc"), AttachmentKind.HEIC),
        (heif(b"hevx"), AttachmentKind.HEIC),
        (heif(b"mif1"), AttachmentKind.HEIC),
        (heif(b"msf1"), AttachmentKind.HEIC),
    ],
)
def test_each_accepted_kind_is_recognised_by_its_content(
    content: bytes, kind: AttachmentKind
) -> None:
    assert sniff(content) is kind
    assert check_content(content, AttachmentPolicy()) is kind


@pytest.mark.parametrize(
    "content",
    [
        EXE,
        ZIP,
        b"",
        b"hello, world",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        heif(b"mp42"),  # an MP4 video is ISO-BMFF too, but not HEIF
        b"\x00\x00\x00\x18ftpyheic",  # a misspelt box type
        b"\xff\xd8",  # shorter than the JPEG signature
        b" %PDF-1.7",  # the signature must come first
    ],
)
def test_anything_else_is_refused(content: bytes) -> None:
    assert sniff(content) is None
    with pytest.raises(RuleViolationError) as error:
        check_content(content, AttachmentPolicy())
    assert error.value.code == "attachment_type_not_allowed"


def test_a_png_named_pdf_is_a_png_and_keeps_its_given_name() -> None:
    kind = check_content(PNG, AttachmentPolicy())
    assert kind is AttachmentKind.PNG
    assert sanitize_filename("bien-ban.pdf", kind) == "bien-ban.pdf"


def test_size_limit_is_inclusive_and_configurable() -> None:
    policy = AttachmentPolicy(max_bytes=1000)
    exactly = PDF + b"0" * (1000 - len(PDF))
    assert check_content(exactly, policy) is AttachmentKind.PDF
    with pytest.raises(PayloadTooLargeError) as error:
        check_content(exactly + b"0", policy)
    assert error.value.code == "attachment_too_large"


def test_size_is_checked_before_the_kind() -> None:
    with pytest.raises(PayloadTooLargeError):
        check_content(EXE * 100, AttachmentPolicy(max_bytes=100))


def test_default_limit_is_ten_mebibytes() -> None:
    assert AttachmentPolicy().max_bytes == 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Nghị quyết số 12.pdf", "Nghị quyết số 12.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\bi thu\\anh.jpg", "anh.jpg"),
        ("ảnh\x00biên\x1fbản.jpg", "ảnhbiênbản.jpg"),
        ("  nhiều   khoảng   trắng.png  ", "nhiều khoảng trắng.png"),
        ("Nghi\u0323 quye\u0302\u0301t.pdf", "Nghị quyết.pdf"),  # decomposed -> NFC
        ("", "attachment.pdf"),
        (None, "attachment.pdf"),
        ("..", "attachment.pdf"),
        ("dir/", "attachment.pdf"),
    ],
)
def test_file_names_are_sanitised(given: str | None, expected: str) -> None:
    assert sanitize_filename(given, AttachmentKind.PDF) == expected


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = sanitize_filename("a" * 500 + ".heic", AttachmentKind.HEIC)
    assert len(name) == 200
    assert name.endswith("a.heic")
