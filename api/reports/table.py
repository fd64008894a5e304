"""The reports as tables, for the .xlsx and the .docx: their lines (the cell report: each ward's
cells, then the ward's totals; the leader report: a line per cell, then the totals) and their
columns with the Vietnamese headings. Both files write exactly these values, so they show the
numbers the JSON reply has."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from api.documents.layout import BAND_TEXT
from domain.reports.leaders import LeaderReport
from domain.reports.model import CellReport, Figures

Value = int | float | str | date | None


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    figures: Figures
    held_on: date | None
    band: str
    median_days: float | None
    total: bool = False


class Totalled(Protocol):
    @property
    def total(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Column:
    group: str  # the heading over a run of columns; a column alone has its own as its heading
    heading: str
    value: Callable[[Any], Value]  # of a line of its report
    width: float = 5.0  # in characters (the .xlsx) and shares of the table (the .docx)


@dataclass(frozen=True, slots=True)
class Grid:
    """What a writer puts in the table: the columns, and each line's values (a totals line in
    bold)."""

    columns: tuple[Column, ...]
    rows: list[tuple[list[Value], bool]]

    def groups(self) -> list[tuple[str, int, int]]:
        """(heading, first column, last column) of each run of columns under one group."""
        runs: list[tuple[str, int, int]] = []
        for n, column in enumerate(self.columns):
            if runs and runs[-1][0] == column.group:
                runs[-1] = (column.group, runs[-1][1], n)
            else:
                runs.append((column.group, n, n))
        return runs


def grid(columns: tuple[Column, ...], items: Sequence[Totalled]) -> Grid:
    return Grid(columns, [([c.value(item) for c in columns], item.total) for item in items])


def _count(name: str) -> Callable[[Line], Value]:
    return lambda line: getattr(line.figures, name)


REGULAR, ATTENDANCE, VISITS = "Sinh hoạt thường kỳ", "Dự sinh hoạt", "Cấp ủy cấp trên dự"
TASKS, PETITIONS, SURVEYS = "Nhiệm vụ", "Đơn thư, kiến nghị", "Khảo sát hài lòng"
COLUMNS: tuple[Column, ...] = (
    Column("Chi bộ", "Chi bộ", lambda line: line.label, 17),
    Column(REGULAR, "Ngày họp", lambda line: line.held_on, 10),
    Column(REGULAR, "Số tháng", _count("regular_due")),
    Column(REGULAR, "Đã họp", _count("regular_held")),
    Column(REGULAR, "Đúng lịch", _count("regular_on_time")),
    Column(REGULAR, "Đủ thời lượng", _count("regular_full_length"), 6),
    Column("Chuyên đề", "Trong quý", _count("thematic_held")),
    Column(ATTENDANCE, "Có mặt", _count("attendance_present"), 6),
    Column(ATTENDANCE, "Phải dự", _count("attendance_expected"), 6),
    Column(ATTENDANCE, "Tỷ lệ (%)", lambda line: line.figures.attendance_rate, 6),
    Column(ATTENDANCE, "Lượt vắng không lý do", _count("unexcused_absences"), 6),
    Column(ATTENDANCE, "Vắng không lý do 2/3 tháng", _count("repeat_absentees"), 6),
    Column(VISITS, "Lượt dự", _count("leader_visits")),
    Column(VISITS, "Định mức", _count("leader_visit_quota")),
    Column("Kiểm tra", "Kế hoạch", _count("inspections_planned")),
    Column("Kiểm tra", "Đã xong", _count("inspections_done")),
    Column(TASKS, "Giao", _count("tasks")),
    Column(TASKS, "Đang làm", _count("tasks_open")),
    Column(TASKS, "Quá hạn", _count("tasks_overdue")),
    Column(TASKS, "Chuyển cấp trên", _count("tasks_escalated")),
    Column(TASKS, "Hoàn thành", _count("tasks_closed"), 6),
    Column(TASKS, "Đúng hạn", _count("tasks_closed_on_time")),
    Column(TASKS, "Số ngày xử lý (trung vị)", lambda line: line.median_days, 6),
    Column(PETITIONS, "Tiếp nhận", _count("petitions_received")),
    Column(PETITIONS, "Trả lời đúng hạn", _count("petitions_answered_on_time")),
    Column(PETITIONS, "Trả lời trễ hạn", _count("petitions_answered_late")),
    Column(PETITIONS, "Quá hạn chưa trả lời", _count("petitions_overdue"), 6),
    Column(SURVEYS, "Số phiếu", _count("survey_answers")),
    Column(SURVEYS, "Hài lòng", _count("survey_satisfied")),
    Column(SURVEYS, "Chưa giải quyết", _count("survey_not_resolved"), 6),
    Column(SURVEYS, "Cán bộ nhập hộ", _count("survey_assisted"), 6),
    Column("Xếp loại", "Xếp loại", lambda line: line.band, 6),
)


def period_text(label: str) -> str:
    """ "2026-11" -> "tháng 11 năm 2026", "2026-Q1" -> "quý I năm 2026" …"""
    year, _, part = label.partition("-")
    if not part:
        return f"năm {year}"
    named = {"Q1": "quý I", "Q2": "quý II", "Q3": "quý III", "Q4": "quý IV"}
    named |= {"H1": "6 tháng đầu", "H2": "6 tháng cuối", "9M": "9 tháng"}
    return f"{named.get(part, f'tháng {part}')} năm {year}"


def cell_grid(report: CellReport) -> Grid:
    return grid(COLUMNS, lines(report))


def lines(report: CellReport) -> list[Line]:
    """Each ward's cells in the report's order, then the ward's totals."""
    out: list[Line] = []
    for ward in report.wards:
        for row in report.rows:
            if row.cell.ward_id == ward.ward_id:
                band = BAND_TEXT[row.band] if row.band else ""
                out.append(
                    Line(row.cell.name, row.figures, row.regular_held_on, band,
                         row.median_days_to_close)
                )  # fmt: skip
        out.append(
            Line(
                f"Cộng {ward.ward_name}",
                ward.figures,
                None,
                "",
                ward.median_days_to_close,
                total=True,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class LeaderLine:
    label: str
    visits: int
    quota: int
    last_visited_on: date | None
    unvisited: str  # "x" when not visited in the months looked at; a count on the totals line
    total: bool = False


LEADER_COLUMNS: tuple[Column, ...] = (
    Column("Chi bộ", "Chi bộ", lambda line: line.label, 20),
    Column(VISITS, "Lượt dự", lambda line: line.visits, 6),
    Column(VISITS, "Định mức", lambda line: line.quota, 6),
    Column(VISITS, "Lần dự gần nhất", lambda line: line.last_visited_on, 9),
    Column("Chưa dự", "Chưa dự", lambda line: line.unvisited, 8),
)


def leader_grid(report: LeaderReport) -> Grid:
    """A line per cell, then the totals."""
    rows = [
        LeaderLine(
            r.cell_name if r.followed else f"{r.cell_name} (không phụ trách)",
            r.visits,
            r.quota,
            r.last_visited_on,
            "x" if r.unvisited else "",
        )
        for r in report.rows
    ]
    t = report.totals
    rows.append(LeaderLine("Cộng", t.visits, t.quota, None, str(t.unvisited), total=True))
    return grid(LEADER_COLUMNS, rows)
