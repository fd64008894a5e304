"""The reports as .xlsx, written with XlsxWriter in constant-memory mode: each row goes to
disk as it is finished, so a city's 1,200 cells take no more memory than a ward's 40."""

from __future__ import annotations

import tempfile
from datetime import date
from io import BytesIO

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from api.reports.table import Grid, cell_grid, leader_grid, period_text
from domain.clock import local_day
from domain.reports.leaders import LeaderReport
from domain.reports.model import CellReport

HEADING_ROW = 3
XLSX_WIDTH = 1.5  # characters of 11 pt per share of the table


def cell_report_xlsx(report: CellReport) -> bytes:
    return table_xlsx(
        "Báo cáo chi bộ",
        f"{report.unit_name.upper()}: KẾT QUẢ HOẠT ĐỘNG CÁC CHI BỘ",
        f"Kỳ báo cáo: {period_text(report.period.label)}. Số liệu lập từ hồ sơ ngày "
        f"{local_day(report.as_of):%d/%m/%Y}.",
        cell_grid(report),
    )


def leader_report_xlsx(report: LeaderReport) -> bytes:
    return table_xlsx(
        "Cấp ủy dự sinh hoạt",
        f"ĐỒNG CHÍ {report.leader_name.upper()}: DỰ SINH HOẠT CHI BỘ",
        f"Kỳ báo cáo: {period_text(report.period.label)}. Chưa dự: không dự trong "
        f"{report.unvisited_months} tháng từ {report.unvisited_since:%m/%Y}. Số liệu lập từ hồ sơ"
        f" ngày {local_day(report.as_of):%d/%m/%Y}.",
        leader_grid(report),
    )


def table_xlsx(sheet_name: str, title_text: str, note_text: str, grid: Grid) -> bytes:
    """A title, a note, the two heading rows, then the lines (totals in bold, grey)."""
    output = BytesIO()
    book = xlsxwriter.Workbook(
        output, {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "remove_timezone": True}
    )
    base = {"font_name": "Times New Roman", "font_size": 11, "border": 1, "valign": "vcenter"}
    title = book.add_format({"font_name": "Times New Roman", "font_size": 14, "bold": True})
    note = book.add_format({"font_name": "Times New Roman", "font_size": 11, "italic": True})
    heading = book.add_format({**base, "bold": True, "text_wrap": True, "align": "center"})
    formats = {}
    for total in (False, True):
        extra = {"bold": True, "bg_color": "#EEEEEE"} if total else {}
        formats[total] = {
            int: book.add_format({**base, **extra, "num_format": "#,##0"}),
            float: book.add_format({**base, **extra, "num_format": "0.0"}),
            date: book.add_format({**base, **extra, "num_format": "dd/mm/yyyy"}),
            str: book.add_format({**base, **extra, "text_wrap": True}),
        }
    sheet = book.add_worksheet(sheet_name)
    sheet.write(0, 0, title_text, title)
    sheet.write(1, 0, note_text, note)
    for column, spec in enumerate(grid.columns):
        sheet.set_column(column, column, spec.width * XLSX_WIDTH)
    _headings(sheet, heading, grid)
    for n, (values, total) in enumerate(grid.rows, start=HEADING_ROW + 2):
        styles = formats[total]
        for column, value in enumerate(values):
            if value is None or value == "":
                sheet.write_blank(n, column, None, styles[str])
            elif isinstance(value, date):
                sheet.write_datetime(n, column, value, styles[date])
            elif isinstance(value, str):
                sheet.write_string(n, column, value, styles[str])
            else:
                sheet.write_number(n, column, value, styles[type(value)])
    sheet.freeze_panes(HEADING_ROW + 2, 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return output.getvalue()


def _headings(sheet: Worksheet, heading: Format, grid: Grid) -> None:
    """Row by row (constant memory): the group headings, then each column's own."""
    for group, first, last in grid.groups():
        if first < last:
            sheet.merge_range(HEADING_ROW, first, HEADING_ROW, last, group, heading)
        else:  # a column alone keeps its heading in the row below
            alone = grid.columns[first].heading == group
            sheet.write(HEADING_ROW, first, "" if alone else group, heading)
    sheet.set_row(HEADING_ROW + 1, 45)
    for column, spec in enumerate(grid.columns):
        sheet.write(HEADING_ROW + 1, column, spec.heading, heading)
