"""The periodic report of a cell or a ward as prose, in the Party's document layout: the header
blocks, the number, the place-and-date line, the title, a section per area of work whose every
figure is the cell report's (``Figures``: for a ward, the sum of its cells), and the recipients
and signature block. A4 upright, Times New Roman 14.

The number line: a filed version prints its register number ("Số 05-BC/CB"), taken when it was
filed; the report read now (``GET …/report.docx``) is a draft and prints the number with its
digits blank ("Số     -BC/CB"), as offices leave them for the register, because a read must not
use up a number. The filed version is printed from its stored body, so its figures are those
filed, whatever the records say now."""

from __future__ import annotations

from dataclasses import fields

import msgspec
from docx.enum.text import WD_ALIGN_PARAGRAPH

from api.documents.layout import (
    BAND_TEXT,
    Heading,
    Style,
    add_text,
    new_document,
    party_header,
    saved,
    signature,
    two_columns,
)
from api.reports.docx import number_text
from api.reports.schemas import CellReportOut, FiguresOut
from api.reports.table import period_text
from domain.clock import local_day
from domain.documents.model import (
    DocumentKind,
    DocumentPolicy,
    issuer_symbol,
    locality,
    number_symbol,
)
from domain.reports.issues import FiledReport
from domain.reports.model import CellRef, CellReport, CellRow, Figures, WardTotals
from domain.reports.period import parse_period


def _rate(part: int, whole: int) -> str:
    return f"{number_text(round(100 * part / whole, 1))}%" if whole else "-"


def sections(report: CellReport) -> list[tuple[str, list[str]]]:
    """The sections' headings and lines; every number from the report's figures."""
    f: Figures = sum((w.figures for w in report.wards), Figures())
    n = number_text
    held = (
        f"Số chi bộ: {n(len(report.rows))}; số lượt sinh hoạt thường kỳ phải tổ chức:"
        f" {n(f.regular_due)}; đã tổ chức: {n(f.regular_held)}"
        f" ({_rate(f.regular_held, f.regular_due)}), trong đó đúng lịch: {n(f.regular_on_time)},"
        f" đủ thời lượng: {n(f.regular_full_length)}."
    )
    attended = (
        f"Đảng viên phải dự: {n(f.attendance_expected)} lượt; có mặt: {n(f.attendance_present)}"
        f" lượt ({_rate(f.attendance_present, f.attendance_expected)}); vắng không lý do:"
        f" {n(f.unexcused_absences)} lượt; đảng viên vắng không lý do 2 trong 3 tháng gần nhất:"
        f" {n(f.repeat_absentees)} đồng chí."
    )
    meetings = [held, f"Sinh hoạt chuyên đề trong quý: {n(f.thematic_held)} buổi.", attended]
    if report.unit_is_cell and report.rows:
        row = report.rows[0]
        day = f"{row.regular_held_on:%d/%m/%Y}" if row.regular_held_on else "chưa sinh hoạt"
        band = BAND_TEXT[row.band] if row.band else "chưa xếp loại"
        meetings.append(f"Ngày sinh hoạt thường kỳ: {day}; xếp loại chất lượng: {band}.")
    else:
        missed = [
            r.cell.name for r in report.rows if r.figures.regular_held < r.figures.regular_due
        ]
        meetings.append(
            f"Chi bộ chưa sinh hoạt đủ: {', '.join(missed)}."
            if missed
            else "Các chi bộ đều đã sinh hoạt đủ."
        )
    median = report.median_days_to_close
    tasks = (
        f"Nhiệm vụ giao trong kỳ: {n(f.tasks)}; đang thực hiện: {n(f.tasks_open)}; quá hạn:"
        f" {n(f.tasks_overdue)}; chuyển cấp trên: {n(f.tasks_escalated)}; hoàn thành:"
        f" {n(f.tasks_closed)}, trong đó đúng hạn: {n(f.tasks_closed_on_time)}"
    ) + (f"; số ngày xử lý (trung vị): {n(median)}." if median is not None else ".")
    petitions = (
        f"Tiếp nhận: {n(f.petitions_received)}; trả lời đúng hạn:"
        f" {n(f.petitions_answered_on_time)}; trả lời trễ hạn: {n(f.petitions_answered_late)};"
        f" quá hạn chưa trả lời: {n(f.petitions_overdue)}."
    )
    visits = (
        f"Số lượt cấp ủy viên cấp trên dự sinh hoạt: {n(f.leader_visits)}, định mức trong kỳ:"
        f" {n(f.leader_visit_quota)}."
    )
    inspections = (
        f"Cuộc kiểm tra theo kế hoạch: {n(f.inspections_planned)}; đã hoàn thành:"
        f" {n(f.inspections_done)}."
    )
    return [
        ("I. TÌNH HÌNH SINH HOẠT CHI BỘ", meetings),
        ("II. CẤP ỦY CẤP TRÊN DỰ SINH HOẠT", [visits]),
        ("III. CÔNG TÁC KIỂM TRA", [inspections]),
        ("IV. THỰC HIỆN NHIỆM VỤ KHẮC PHỤC", [tasks]),
        ("V. TIẾP NHẬN VÀ TRẢ LỜI ĐƠN THƯ, KIẾN NGHỊ", [petitions]),
    ]


def unit_report_docx(report: CellReport, policy: DocumentPolicy, number: int | None) -> bytes:
    """``number``: the filed version's register number; None prints a draft's blank digits."""
    upper = report.upper_name or report.unit_name
    place = locality(upper if report.unit_is_cell else report.unit_name)
    document = new_document(policy)
    party_header(
        document,
        Heading(
            upper_body=upper,
            locality=place,
            issuer=report.unit_name,
            number=number_symbol(
                DocumentKind.REPORT, number, issuer_symbol(is_cell=report.unit_is_cell)
            ),
            day=local_day(report.as_of),
            title="BÁO CÁO",
            subject=f"Kết quả công tác {period_text(report.period.label)}",
        ),
    )
    add_text(
        document,
        f"Thực hiện chế độ báo cáo định kỳ, {report.unit_name} báo cáo kết quả công tác"
        f" {period_text(report.period.label)} như sau (số liệu lập từ hồ sơ trên hệ thống):",
    )
    for heading, lines in sections(report):
        add_text(document, heading, Style(bold=True))
        for line in lines:
            add_text(document, f"- {line}")
    add_text(document, "")
    left, right = two_columns(document, 0.5)
    flush = WD_ALIGN_PARAGRAPH.LEFT
    add_text(left, "Nơi nhận:", Style(size=12, bold=True, underline=True), flush)
    if report.upper_name:
        add_text(left, f"- {report.upper_name} (b/c),", Style(size=12), flush)
    add_text(left, "- Lưu.", Style(size=12), flush)
    signature(right, [f"T/M {'CHI BỘ' if report.unit_is_cell else 'ĐẢNG ỦY'}", "BÍ THƯ"], "")
    return saved(document)


def filed_report(filed: FiledReport) -> CellReport:
    """The report as it was filed, read back from the stored body (``CellReportOut``)."""
    body = msgspec.json.decode(filed.issue.body, type=CellReportOut)
    ward_names = {w.ward_id: w.ward_name for w in body.wards}
    return CellReport(
        unit_id=body.unit_id,
        unit_name=body.unit_name,
        unit_is_cell=filed.unit_is_cell,
        upper_name=filed.upper_name,
        period=parse_period(body.period),
        as_of=body.as_of,
        rows=[
            CellRow(
                CellRef(r.cell_id, r.cell_name, r.ward_id, ward_names.get(r.ward_id, "")),
                _figures(r.figures),
                r.regular_held_on,
                r.band,
                r.figures.median_days_to_close,
            )
            for r in body.rows
        ],
        wards=[
            WardTotals(
                w.ward_id, w.ward_name, w.cells, _figures(w.figures), w.figures.median_days_to_close
            )
            for w in body.wards
        ],
        median_days_to_close=body.median_days_to_close,
    )


def _figures(out: FiguresOut) -> Figures:
    return Figures(**{f.name: getattr(out, f.name) for f in fields(Figures)})
