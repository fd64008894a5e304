"""The periodic report of a cell or a ward as prose, in the Party's document layout: the header
blocks, the number, the place-and-date line, the title, a section per area of work whose every
figure is the cell report's (``Figures``: for a ward, the sum of its cells), and the recipients
and signature block. A4 upright, Times New Roman 14."""

from __future__ import annotations

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
from api.reports.table import period_text
from domain.clock import local_day
from domain.documents.model import DocumentPolicy, locality
from domain.reports.model import CellReport, Figures

REPORT_SYMBOL = {True: "BC/CB", False: "BC/ĐU"}  # issued by a cell, by a ward's committee


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


def unit_report_docx(report: CellReport, policy: DocumentPolicy) -> bytes:
    """The number's digits are left for the register to fill in (reports take no number of
    their own yet: decision 17)."""
    upper = report.upper_name or report.unit_name
    place = locality(upper if report.unit_is_cell else report.unit_name)
    document = new_document(policy)
    party_header(
        document,
        Heading(
            upper_body=upper,
            locality=place,
            issuer=report.unit_name,
            number=f"    -{REPORT_SYMBOL[report.unit_is_cell]}",
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
