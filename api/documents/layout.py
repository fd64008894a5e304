"""The biên bản and the nghị quyết as .docx in the Party's document layout (guidance 36-HD/VPTW):
the two header blocks, number and symbol, the place-and-date line, the centred title, the body,
the signature blocks; A4, Times New Roman, margins from the settings. Official documents are in
Vietnamese whatever the caller's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Emu, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from domain.clock import LOCAL_TZ
from domain.documents.model import DocumentKind, DocumentPolicy
from domain.documents.service import MeetingDocument
from domain.meetings.model import AttendanceStatus, MeetingKind, voters_present, votes_cast
from domain.quality.model import Band

FONT = "Times New Roman"
BODY_PT = 14
A4_MM = (210, 297)

KIND_TEXT = {
    MeetingKind.REGULAR: "thường kỳ",
    MeetingKind.THEMATIC: "chuyên đề",
    MeetingKind.EXTRAORDINARY: "bất thường",
}
BAND_TEXT = {Band.GOOD: "Tốt", Band.FAIR: "Khá", Band.AVERAGE: "Trung bình", Band.POOR: "Kém"}
HEADER_LINE_CHARS = 22  # capitals at 14 pt that fit on one line of the issuing body's block
HEADER_LEFT_SHARE = 0.47  # the issuing body's block; the wider right one holds the date line
TITLE = {DocumentKind.MINUTES: "BIÊN BẢN", DocumentKind.RESOLUTION: "NGHỊ QUYẾT"}


@dataclass(frozen=True, slots=True)
class Style:
    size: int = BODY_PT
    bold: bool = False
    italic: bool = False
    underline: bool = False


def day_text(day: date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def time_text(at: datetime) -> str:
    local = at.astimezone(LOCAL_TZ)
    return f"{local.hour} giờ {local.minute:02d} phút"


def upper_body_lines(upper_body: str, locality: str) -> str:
    """The upper body's name in capitals; a long one broken before its locality's name
    ("ĐẢNG ỦY PHƯỜNG" / "HOÀN KIẾM"), not wherever the line happens to end."""
    name, place = upper_body.upper(), locality.upper()
    if len(name) <= HEADER_LINE_CHARS or not name.endswith(f" {place}"):
        return name
    return f"{name.removesuffix(place).rstrip()}\n{place}"


def subject(doc: MeetingDocument) -> str:
    m = doc.meeting
    kind = "thường kỳ kết hợp chuyên đề" if m.combined_thematic else KIND_TEXT[m.kind]
    head = f"Sinh hoạt chi bộ {kind} tháng {doc.day.month:02d} năm {doc.day.year}"
    return f"{head}: {m.title}" if m.title else head


def add_text(
    target: DocxDocument | _Cell,
    text: str,
    style: Style = Style(),
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
) -> Paragraph:
    paragraph = target.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(3)
    for n, line in enumerate(text.split("\n")):
        if n:
            paragraph.runs[-1].add_break()
        run = paragraph.add_run(line)
        run.font.name, run.font.size = FONT, Pt(style.size)
        run.bold, run.italic, run.underline = style.bold, style.italic, style.underline
    return paragraph


def new_document(policy: DocumentPolicy, *, landscape: bool = False) -> DocxDocument:
    """A4 (turned for a wide table), Times New Roman, the policy's margins (the wide left one
    stays on the binding side)."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    section = document.sections[0]
    width, height = (A4_MM[1], A4_MM[0]) if landscape else A4_MM
    section.page_width, section.page_height = Mm(width), Mm(height)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.top_margin, section.bottom_margin = (
        Mm(policy.margin_top_mm),
        Mm(policy.margin_bottom_mm),
    )
    section.left_margin, section.right_margin = (
        Mm(policy.margin_left_mm),
        Mm(policy.margin_right_mm),
    )
    return document


def two_columns(document: DocxDocument, left_share: float) -> tuple[_Cell, _Cell]:
    """A borderless two-block row across the text width, ``left_share`` of it on the left."""
    section = document.sections[0]
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Emu(int(width * left_share)), Emu(width - int(width * left_share)))
    for column, cell, column_width in zip(table.columns, table.rows[0].cells, widths, strict=True):
        column.width = cell.width = column_width  # the grid (LibreOffice) and the cell (Word)
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell._element.remove(cell.paragraphs[0]._element)  # noqa: SLF001 - no empty first line
    return left, right


@dataclass(frozen=True, slots=True)
class Heading:
    """What the header of a Party document names: the issuing body and the one above it, its
    number (a report may have none), the place-and-date line, the title and the subject."""

    upper_body: str
    locality: str
    issuer: str
    number: str | None
    day: date
    title: str
    subject: str


def party_header(document: DocxDocument, heading: Heading) -> None:
    """The two header blocks, the centred title and subject (guidance 36-HD/VPTW)."""
    left, right = two_columns(document, HEADER_LEFT_SHARE)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    add_text(left, upper_body_lines(heading.upper_body, heading.locality), Style(), centre)
    add_text(left, heading.issuer.upper(), Style(bold=True), centre)
    add_text(left, "*", Style(), centre)
    if heading.number is not None:
        add_text(left, f"Số {heading.number}", Style(), centre)
    add_text(right, "ĐẢNG CỘNG SẢN VIỆT NAM", Style(size=15, bold=True, underline=True), centre)
    add_text(right, "", Style(), centre)
    add_text(right, f"{heading.locality}, {day_text(heading.day)}", Style(italic=True), centre)
    add_text(document, "")
    add_text(document, heading.title, Style(size=16, bold=True), centre)
    add_text(document, heading.subject, Style(bold=True), centre)
    add_text(document, "")


def _header(document: DocxDocument, doc: MeetingDocument) -> None:
    party_header(
        document,
        Heading(
            doc.upper_body,
            doc.locality,
            doc.cell,
            doc.number,
            doc.day,
            TITLE[doc.kind],
            subject(doc),
        ),
    )


def signature(cell: _Cell, captions: list[str], name: str) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    for caption in captions:
        add_text(cell, caption, Style(bold=True), centre)
    add_text(cell, "(Ký, ghi rõ họ tên)", Style(italic=True), centre)
    for _ in range(3):
        add_text(cell, "", Style(), centre)
    add_text(cell, name, Style(bold=True), centre)


def _members(doc: MeetingDocument) -> list[str]:
    c = doc.counts
    absent = c.excused + c.unexcused
    lines = [
        (
            f"Tổng số đảng viên của chi bộ: {c.members} đồng chí; miễn sinh hoạt: {c.exempt} đồng"
            f" chí; phải dự: {c.full + c.probationary} đồng chí (chính thức: {c.full}, dự bị:"
            f" {c.probationary})."
        ),
        (
            f"Có mặt: {c.present} đồng chí (chính thức: {c.present_full}, dự bị:"
            f" {c.present - c.present_full}); vắng mặt: {absent} đồng chí (có lý do: {c.excused},"
            f" không lý do: {c.unexcused}); sinh hoạt nơi khác: {c.elsewhere} đồng chí."
        ),
    ]
    if doc.absentees:
        lines.append("Đảng viên vắng mặt:")
        for row in doc.absentees:
            why = (
                f"vắng có lý do ({row.reason})"
                if row.status is AttendanceStatus.EXCUSED
                else f"vắng không lý do ({row.reason})"
                if row.reason
                else "vắng không lý do"
            )
            lines.append(f"- Đồng chí {row.full_name}: {why}.")
    guests = ", ".join(f"đồng chí {g}" for g in doc.guests) if doc.guests else "không có"
    lines.append(f"Khách mời (cấp ủy cấp trên dự): {guests}.")
    lines.append(f"Chủ trì: đồng chí {doc.chair}. Thư ký: đồng chí {doc.minute_taker}.")
    return lines


def _votes(doc: MeetingDocument) -> list[str]:
    voters = voters_present(doc.meeting.attendance)
    return [
        f"{n}. {r.text}: tán thành {r.votes_for}/{voters} đồng chí"
        f" ({round(100 * r.votes_for / voters) if voters else 0}%), không tán thành"
        f" {r.votes_against}, không biểu quyết {r.votes_abstain}."
        f"{'' if votes_cast(r) else ' (chưa biểu quyết)'}"
        for n, r in enumerate(doc.meeting.resolutions, start=1)
    ]


def minutes_docx(doc: MeetingDocument, policy: DocumentPolicy) -> bytes:
    document = new_document(policy)
    _header(document, doc)
    m = doc.meeting
    add_text(document, f"Thời gian bắt đầu: {time_text(doc.opened_at)}, {day_text(doc.day)}.")
    add_text(document, f"Địa điểm: {m.place}.")
    for line in _members(doc):
        add_text(document, line)
    add_text(document, "NỘI DUNG SINH HOẠT", Style(bold=True))
    for n, (item, said) in enumerate(zip(m.agenda, doc.discussion.items, strict=True), start=1):
        add_text(document, f"{n}. {item.title}", Style(bold=True))
        if item.presenter:
            add_text(document, f"Người trình bày: đồng chí {item.presenter}.")
        if said.opinions:
            add_text(document, "Ý kiến phát biểu:", Style(italic=True))
            for opinion in said.opinions:
                add_text(document, f"- Đồng chí {opinion.speaker}: {opinion.text}")
        add_text(document, f"Kết luận của chủ trì: {said.conclusion}")
    if m.minutes_text:
        add_text(document, "Ghi chép chung:", Style(italic=True))
        add_text(document, m.minutes_text)
    add_text(document, "BIỂU QUYẾT", Style(bold=True))
    for line in _votes(doc):
        add_text(document, line)
    quality = doc.quality
    band = (
        f"{BAND_TEXT[quality.band]} ({quality.total} điểm"
        f"{', đã được cấp trên xác nhận' if quality.confirmed_at else ''})"
        if quality
        else "chưa xếp loại"
    )
    add_text(document, f"Xếp loại chất lượng sinh hoạt chi bộ: {band}.")
    add_text(
        document,
        "Biên bản đã được đọc lại cho chi bộ nghe và nhất trí thông qua. Hội nghị kết thúc lúc"
        f" {time_text(doc.closed_at)} cùng ngày.",
    )
    add_text(document, "")
    left, right = two_columns(document, 0.5)
    signature(left, ["NGƯỜI GHI BIÊN BẢN"], doc.minute_taker)
    signature(right, ["CHỦ TRÌ HỘI NGHỊ"], doc.chair)
    return saved(document)


def resolution_docx(doc: MeetingDocument, policy: DocumentPolicy) -> bytes:
    document = new_document(policy)
    _header(document, doc)
    c = doc.counts
    add_text(
        document,
        f"{doc.cell} họp {day_text(doc.day)}"
        f"{f' tại {doc.meeting.place}' if doc.meeting.place else ''}, có {c.present}/"
        f"{c.full + c.probationary} đảng viên dự. Sau khi thảo luận, Chi bộ",
    )
    add_text(document, "QUYẾT NGHỊ:", Style(bold=True), WD_ALIGN_PARAGRAPH.CENTER)
    voters = voters_present(doc.meeting.attendance)
    for n, r in enumerate(doc.meeting.resolutions, start=1):
        add_text(document, f"{n}. {r.text} (tán thành {r.votes_for}/{voters} đồng chí).")
    add_text(document, "")
    left, right = two_columns(document, 0.5)
    flush = WD_ALIGN_PARAGRAPH.LEFT
    add_text(left, "Nơi nhận:", Style(size=12, bold=True, underline=True), flush)
    for line in (f"- {doc.upper_body} (b/c),", "- Đảng viên trong chi bộ,", "- Lưu Chi bộ."):
        add_text(left, line, Style(size=12), flush)
    signature(right, ["T/M CHI BỘ", "BÍ THƯ"], doc.chair)
    return saved(document)


def saved(document: DocxDocument) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
