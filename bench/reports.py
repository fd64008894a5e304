"""What writing the cell report's files costs as the number of cells grows: the .xlsx
(XlsxWriter, constant memory) and the .docx, for a ward (40 cells), a city (1,200) and ten
cities (12,000), with made-up figures. Prints the time and the peak of Python memory
(tracemalloc, which also slows both down) of each; the .xlsx peak should stay flat in the number
of rows.

    python -m bench.reports

The report's statements on a city seed, against one hand-written statement, with their plans:
bench/report_sql.py.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import uuid4

from api.reports.docx import cell_report_docx
from api.reports.xlsx import cell_report_xlsx
from domain.documents.model import DocumentPolicy
from domain.quality.model import Band
from domain.reports.model import CellRef, CellReport, CellRow, Figures, ward_totals
from domain.reports.period import parse_period

CELLS_PER_WARD = 40
DOCX_CELLS = 1_200  # a printed report of more cells than a city's is not a document anyone reads
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def report(cells: int) -> CellReport:
    rows = []
    wards = [(uuid4(), f"Đảng ủy phường {n + 1}") for n in range(cells // CELLS_PER_WARD)]
    for n in range(cells):
        ward_id, ward_name = wards[n // CELLS_PER_WARD]
        figures = Figures(
            regular_due=1, regular_held=1, regular_on_time=1, regular_full_length=1,
            attendance_present=25 + n % 5, attendance_expected=30, unexcused_absences=n % 3,
            leader_visits=n % 2, tasks=40 + n % 7, tasks_open=10, tasks_closed=30,
            tasks_closed_on_time=25, petitions_received=17, petitions_answered_on_time=15,
        )  # fmt: skip
        cell = CellRef(uuid4(), f"Chi bộ khu dân cư số {n + 1}", ward_id, ward_name)
        rows.append(CellRow(cell, figures, date(2026, 11, 4), Band.GOOD, 6.5))
    return CellReport(
        unit_id=uuid4(),
        unit_name="Đảng bộ Thành phố Hà Nội",
        unit_is_cell=False,
        upper_name=None,
        period=parse_period("2026-11"),
        as_of=NOW,
        rows=rows,
        wards=ward_totals(rows, []),
    )


def measure(write: Callable[[CellReport], bytes], data: CellReport) -> tuple[float, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    size = len(write(data))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, size


def main() -> None:
    policy = DocumentPolicy()
    print("| cells | .xlsx s | .xlsx peak MiB | .xlsx KiB | .docx s | .docx peak MiB | .docx KiB |")
    print("|---|---|---|---|---|---|---|")
    for cells in (CELLS_PER_WARD, 1_200, 12_000):
        data = report(cells)
        xs, xm, xb = measure(cell_report_xlsx, data)
        if cells > DOCX_CELLS:
            print(f"| {cells:,} | {xs:.2f} | {xm:.1f} | {xb // 1024:,} | – | – | – |")
            continue
        ds, dm, db = measure(lambda r: cell_report_docx(r, policy), data)
        print(
            f"| {cells:,} | {xs:.2f} | {xm:.1f} | {xb // 1024:,} | {ds:.2f} | {dm:.1f} "
            f"| {db // 1024:,} |"
        )


if __name__ == "__main__":
    main()
