"""The cell report as .xlsx, written with XlsxWriter in constant-memory mode: each row goes to
disk as it is finished, so a city's 1,200 cells take no more memory than a ward's 40."""

from __future__ import annotations

import tempfile
from datetime import date
from io import BytesIO

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from api.reports.table import COLUMNS, groups, lines, period_text
from domain.clock import local_day
from domain.reports.model import CellReport

HEADING_ROW = 3
XLSX_WIDTH = 1.5  # characters of 11 pt per share of the table


def cell_report_xlsx(report: CellReport) -> bytes:
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
    sheet = book.add_worksheet("Báo cáo chi bộ")
    sheet.write(0, 0, f"{report.unit_name.upper()}: KẾT QUẢ HOẠT ĐỘNG CÁC CHI BỘ", title)
    sheet.write(
        1,
        0,
        f"Kỳ báo cáo: {period_text(report.period.label)}. Số liệu lập từ hồ sơ ngày "
        f"{local_day(report.as_of):%d/%m/%Y}.",
        note,
    )
    for column, spec in enumerate(COLUMNS):
        sheet.set_column(column, column, spec.width * XLSX_WIDTH)
    _headings(sheet, heading)
    for n, line in enumerate(lines(report), start=HEADING_ROW + 2):
        styles = formats[line.total]
        for column, spec in enumerate(COLUMNS):
            value = spec.value(line)
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


def _headings(sheet: Worksheet, heading: Format) -> None:
    """Row by row (constant memory): the group headings, then each column's own."""
    for group, first, last in groups():
        if first < last:
            sheet.merge_range(HEADING_ROW, first, HEADING_ROW, last, group, heading)
        else:  # a column alone keeps its heading in the row below
            alone = COLUMNS[first].heading == group
            sheet.write(HEADING_ROW, first, "" if alone else group, heading)
    sheet.set_row(HEADING_ROW + 1, 45)
    for column, spec in enumerate(COLUMNS):
        sheet.write(HEADING_ROW + 1, column, spec.heading, heading)
