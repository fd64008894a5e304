"""The reports as .docx in the Party's document layout (the header blocks, the title, the
signature block of api/documents/layout.py), the table on a turned A4 page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Emu, Pt

from api.documents.layout import (
    FONT,
    Heading,
    Style,
    add_text,
    day_text,
    new_document,
    party_header,
    saved,
    signature,
    two_columns,
)
from api.reports.table import Grid, Value, cell_grid, leader_grid, period_text
from domain.clock import local_day
from domain.documents.model import DocumentPolicy, locality
from domain.reports.leaders import LeaderReport
from domain.reports.model import CellReport

TABLE_PT = 7
HEADING_PT = 6
HEADING_ROWS = 2
SIGNATURE_SHARE = 0.55  # the recipients on the left, the signature block on the right


def number_text(value: float) -> str:
    """The Vietnamese forms: 1.234 and 66,7."""
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{value:,}".replace(",", ".")


def _text(value: Value) -> str:
    """Vietnamese number and date forms: 1.234 and 66,7; 04/12/2026."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int | float):
        return number_text(value)
    return value


def cell_report_docx(report: CellReport, policy: DocumentPolicy) -> bytes:
    upper = report.upper_name or report.unit_name
    place = locality(upper if report.unit_is_cell else report.unit_name)
    heading = Heading(
        upper_body=upper,
        locality=place,
        issuer=report.unit_name,
        number=None,
        day=local_day(report.as_of),
        title="BÁO CÁO",
        subject=f"Kết quả sinh hoạt và hoạt động của chi bộ {period_text(report.period.label)}",
    )
    body = "CHI BỘ" if report.unit_is_cell else "ĐẢNG ỦY"
    return table_docx(
        policy,
        heading,
        f"Số liệu lập từ hồ sơ trên hệ thống, {day_text(local_day(report.as_of))}.",
        cell_grid(report),
        Signed(report.upper_name, [f"T/M {body}", "BÍ THƯ"], ""),
    )


def leader_report_docx(report: LeaderReport, policy: DocumentPolicy) -> bytes:
    upper = report.upper_name or report.unit_name
    heading = Heading(
        upper_body=upper,
        locality=locality(report.unit_name),
        issuer=report.unit_name,
        number=None,
        day=local_day(report.as_of),
        title="BÁO CÁO",
        subject=f"Kết quả dự sinh hoạt chi bộ của đồng chí {report.leader_name} "
        f"{period_text(report.period.label)}",
    )
    return table_docx(
        policy,
        heading,
        f"Số liệu lập từ hồ sơ trên hệ thống, {day_text(local_day(report.as_of))}. Chưa dự: "
        f"không dự sinh hoạt trong {report.unvisited_months} tháng kể từ tháng "
        f"{report.unvisited_since:%m/%Y}.",
        leader_grid(report),
        Signed(report.unit_name, ["NGƯỜI BÁO CÁO"], report.leader_name),
    )


@dataclass(frozen=True, slots=True)
class Signed:
    recipient: str | None  # the body the report goes to (b/c), beside the archive
    captions: list[str]
    name: str


def table_docx(
    policy: DocumentPolicy, heading: Heading, note: str, grid: Grid, signed: Signed
) -> bytes:
    """The header, a note on where the figures come from, the table, the recipients and the
    signature block."""
    document = new_document(policy, landscape=True)
    party_header(document, heading)
    add_text(document, note, Style(size=12, italic=True))
    _table(document, grid)
    add_text(document, "")
    left, right = two_columns(document, SIGNATURE_SHARE)
    flush = WD_ALIGN_PARAGRAPH.LEFT
    add_text(left, "Nơi nhận:", Style(size=12, bold=True, underline=True), flush)
    if signed.recipient:
        add_text(left, f"- {signed.recipient} (b/c),", Style(size=12), flush)
    add_text(left, "- Lưu.", Style(size=12), flush)
    signature(right, signed.captions, signed.name)
    return saved(document)


def _table(document: DocxDocument, grid: Grid) -> None:
    """Two heading rows (the groups, then each column's own; a column alone spans both), then
    a line per cell and per ward's totals."""
    section = document.sections[0]
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    shares = [c.width for c in grid.columns]
    widths = [Emu(int(width * s / sum(shares))) for s in shares]
    columns = grid.columns
    table = document.add_table(rows=2 + len(grid.rows), cols=len(columns))
    table.style = document.styles["Table Grid"]
    # the table's font once in its style: a font on each of ~30 runs per line costs more than
    # the rest of the document
    table.style.font.name, table.style.font.size = FONT, Pt(TABLE_PT)
    table.autofit = False
    for column, cell_width in zip(table.columns, widths, strict=True):
        column.width = cell_width
    texts = [
        [c.group for c in columns],
        [c.heading for c in columns],
        *([_text(value) for value in values] for values, _ in grid.rows),
    ]
    firsts = {first for _, first, _ in grid.groups()}
    for n, values in enumerate(texts):
        bold = n < HEADING_ROWS or grid.rows[n - HEADING_ROWS][1]
        cells = table.rows[n].cells
        for i, (cell, text, cell_width) in enumerate(zip(cells, values, widths, strict=True)):
            cell.width = cell_width
            paragraph = cell.paragraphs[0]
            left = n >= HEADING_ROWS and i == 0  # a cell's name; headings and numbers centred
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            if (n == 0 and i not in firsts) or (n == 1 and columns[i].group == text):
                continue  # a group's heading once; a column alone's only in the first row
            run = paragraph.add_run(text)
            if bold:
                run.bold = True
            if n < HEADING_ROWS:
                run.font.size = Pt(HEADING_PT)
    top, below = table.rows[0].cells, table.rows[1].cells
    for group, first, last in grid.groups():
        if first < last:
            top[first].merge(top[last])
        elif columns[first].heading == group:
            top[first].merge(below[first])
