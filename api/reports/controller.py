"""Reports made from the records: the cells of a unit's subtree, and a leader's visits, for a
period, as JSON, .xlsx or .docx (by `?format=` or the `Accept` header), the same numbers in
each."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from api.http.errors import problems
from api.http.openapi import file_reply
from api.http.schemas import Out, PageOut
from api.reports.docx import cell_report_docx, leader_report_docx
from api.reports.schemas import (
    AttentionOut,
    CellReportOut,
    IssuedReportOut,
    LeaderReportOut,
    SatisfactionReportOut,
    TrendOut,
)
from api.reports.summary import filed_report, unit_report_docx
from api.reports.xlsx import cell_report_xlsx, leader_report_xlsx
from domain.actors import Actor
from domain.reports.attention import DEFAULT_ATTENTION_ITEMS, MAX_ATTENTION_ITEMS
from domain.reports.filing import ReportFilingService
from domain.reports.leaders import DEFAULT_UNVISITED_MONTHS, MAX_UNVISITED_MONTHS
from domain.reports.model import CellReport
from domain.reports.service import ReportService
from domain.surveys.service import SurveyService

Me = NamedDependency[Actor]
Reports = NamedDependency[ReportService]
Filing = NamedDependency[ReportFilingService]
Period = Annotated[
    str,
    QueryParameter(
        max_length=10,
        description="A month `2026-11`, a quarter "
        "`2026-Q1`, a half `2026-H1`, nine months `2026-9M`, a year",
    ),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportFormat(StrEnum):
    JSON = "json"
    XLSX = "xlsx"
    DOCX = "docx"


MEDIA = {ReportFormat.XLSX: XLSX, ReportFormat.DOCX: DOCX}


ReportOperation = file_reply(*MEDIA.values(), or_json=True)
Format = Annotated[ReportFormat | None, QueryParameter(description="Else by the Accept header")]


def chosen(asked: ReportFormat | None, accept: str) -> ReportFormat:
    """``?format=`` first, else a file type named in ``Accept``, else JSON."""
    if asked is not None:
        return asked
    return next((f for f, media in MEDIA.items() if media in accept), ReportFormat.JSON)


class UnitReportController(Controller):
    path = "/api/v1/reports/units/{unit_id:uuid}"
    tags = ["reports"]

    @get(
        "/cells",
        operation_id="GetCellReport",
        operation_class=ReportOperation,
        responses=problems(401, 404, 422),
    )
    async def cells(
        self,
        request: Request[Actor, Any, Any],
        unit_id: FromPath[UUID],
        actor: Me,
        reports: Reports,
        period: Period,
        format: Format = None,  # noqa: A002 - the query parameter's name
    ) -> Response[CellReportOut | bytes]:
        """One row per active cell of the unit's subtree that the caller may view, and a totals
        row per ward (the sum of its cells). 422 `report_period_invalid` for another period."""
        report = await reports.cells(actor, unit_id, period)
        return _reply(
            chosen(format, request.headers.get("accept", "")),
            lambda: CellReportOut.of(report),
            lambda: cell_report_xlsx(report),
            lambda: cell_report_docx(report, reports.document_policy),
            f"bao-cao-chi-bo-{report.period.label}",
        )

    @get(
        "/report.docx",
        operation_id="GetUnitReportDocument",
        operation_class=file_reply(DOCX),
        responses=problems(401, 404, 422),
    )
    async def document(
        self, unit_id: FromPath[UUID], actor: Me, reports: Reports, period: Period
    ) -> Response[bytes]:
        """The period's report of a cell or a ward in the Party's document layout: a section per
        area of work (meetings and attendance, leaders' visits, inspections, tasks, petitions),
        every figure that of the cell report (a ward's: the sum of its cells in the caller's
        view), then the recipients and the signature block. A draft, read now: its number's
        digits are blank ("Số     -BC/CB"); a filed version prints its register number at
        `GET /api/v1/reports/issues/{issueId}/report.docx`."""
        report = await reports.cells(actor, unit_id, period)
        content = unit_report_docx(report, reports.document_policy, None)
        return _file(content, ReportFormat.DOCX, f"bao-cao-{report.period.label}")

    @get("/trend", operation_id="GetReportTrend", responses=problems(401, 404, 422))
    async def trend(
        self,
        unit_id: FromPath[UUID],
        actor: Me,
        reports: Reports,
        metric: Annotated[
            str, QueryParameter(max_length=40, description="A figure's name, e.g. `attendanceRate`")
        ],
        months: Annotated[int, QueryParameter(ge=1, le=24)] = 12,
    ) -> TrendOut:
        """The monthly series of one figure of the cell report, summed over the subtree's cells
        in the caller's view, the current month (so far) last. 422 `report_metric_invalid`."""
        snake = re.sub(r"[A-Z]", lambda m: f"_{m[0].lower()}", metric)
        return TrendOut.of(await reports.trend(actor, unit_id, snake, months), metric)

    @get("/satisfaction", operation_id="GetSatisfactionReport", responses=problems(401, 404, 422))
    async def satisfaction(
        self,
        unit_id: FromPath[UUID],
        actor: Me,
        surveys: NamedDependency[SurveyService],
        period: Period,
    ) -> SatisfactionReportOut:
        """Residents' satisfaction in the unit's subtree: answers given in the period, by unit
        and by responsible head as they stood when each answer was given; assisted answers
        (entered by staff) apart from the headline. 422 `report_period_invalid`."""
        return SatisfactionReportOut.of(await surveys.satisfaction(actor, unit_id, period))

    @post(
        "/cells/issues",
        operation_id="IssueCellReport",
        status_code=201,
        responses=problems(401, 403, 404, 409, 422),
    )
    async def issue(
        self, unit_id: FromPath[UUID], actor: Me, report_filing: Filing, period: Period
    ) -> Response[IssuedReportOut]:
        """Files the period's report as read now (a secretary for a cell, a leader or an
        administrator above): 201 with a new version when its figures differ from the latest
        filed one, with the next register number of the unit's reports (`numberSymbol`
        "05-BC/CB", a ward's "05-BC/ĐU"), else 200 with that one and its number (none taken).
        A filed version never changes; nothing is typed in."""
        issue, made = await report_filing.issue_cells(actor, unit_id, period, _json)
        return Response(IssuedReportOut.of(issue), status_code=201 if made else 200)

    @get("/cells/issues", operation_id="ListCellReportIssues", responses=problems(401, 404, 422))
    async def issues(
        self, unit_id: FromPath[UUID], actor: Me, report_filing: Filing, period: Period
    ) -> PageOut[IssuedReportOut]:
        """Every version filed for the period, the first first (the whole list), each with its
        register number."""
        found = await report_filing.cell_issues(actor, unit_id, period)
        return PageOut(items=[IssuedReportOut.of(i) for i in found], next_cursor=None)


def _reply(
    kind: ReportFormat,
    json: Callable[[], Out],
    xlsx: Callable[[], bytes],
    docx: Callable[[], bytes],
    name: str,
) -> Response[Any]:
    """The report in the chosen format: only that one is made."""
    if kind is ReportFormat.JSON:
        return Response(json())
    return _file(xlsx() if kind is ReportFormat.XLSX else docx(), kind, name)


def _file(content: bytes, kind: ReportFormat, name: str) -> Response[Any]:
    return Response(
        content,
        media_type=MEDIA[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{kind.value}"',
            "Cache-Control": "private, no-store",
        },
    )


class LeaderReportController(Controller):
    path = "/api/v1/reports/leaders/{person_id:uuid}"
    tags = ["reports"]

    @get(
        "/",
        operation_id="GetLeaderReport",
        operation_class=ReportOperation,
        responses=problems(401, 404, 422),
    )
    async def leader(
        self,
        request: Request[Actor, Any, Any],
        person_id: FromPath[UUID],
        actor: Me,
        reports: Reports,
        period: Period,
        months: Annotated[
            int,
            QueryParameter(
                ge=1,
                le=MAX_UNVISITED_MONTHS,
                description="A followed cell with no visit in the last N calendar months (up to"
                " the period's last) is `unvisited`",
            ),
        ] = DEFAULT_UNVISITED_MONTHS,
        format: Format = None,  # noqa: A002 - the query parameter's name
    ) -> Response[LeaderReportOut | bytes]:
        """A leader's visits to the cells they follow (confirmed both ways) against the quota
        owed in the period, pro rata, and the cells not visited for N months; the cells in the
        caller's view. To the leader themself, or to whoever may view people in the leader's
        unit; else 404 `person_not_found`."""
        report = await reports.leader(actor, person_id, period, months)
        return _reply(
            chosen(format, request.headers.get("accept", "")),
            lambda: LeaderReportOut.of(report),
            lambda: leader_report_xlsx(report),
            lambda: leader_report_docx(report, reports.document_policy),
            f"bao-cao-du-sinh-hoat-{report.period.label}",
        )


@get(
    "/api/v1/me/attention",
    operation_id="GetMyAttention",
    tags=["reports"],
    responses=problems(401, 422),
)
async def attention(
    actor: Me,
    reports: Reports,
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_ATTENTION_ITEMS, description="Items per list")
    ] = DEFAULT_ATTENTION_ITEMS,
) -> AttentionOut:
    """What needs the caller now, each list in their scope with the count of all and the first
    `limit` items: cells that have not held their regular meeting this month (cells whose
    meetings they run or visit), leaders behind their visit quota pro rata (themselves, and
    those following cells under a leader's or administrator's grant), tasks not closed that are
    overdue or near due (their own, and those of units where they manage tasks), unanswered
    petitions near or past their reply deadline, compliance flags raised this month or the last
    (of cells where they may see people)."""
    return AttentionOut.of(await reports.attention(actor, limit))


def _json(report: CellReport) -> bytes:
    return msgspec.json.encode(CellReportOut.of(report))


class ReportIssueController(Controller):
    path = "/api/v1/reports/issues/{issue_id:uuid}"
    tags = ["reports"]

    @get("/", operation_id="GetReportIssue", responses=problems(401, 404))
    async def issued(
        self, issue_id: FromPath[UUID], actor: Me, report_filing: Filing
    ) -> Response[CellReportOut]:
        """The report exactly as it was filed, byte for byte (the `ETag` is its figures' hash;
        `Report-Inputs` where the records it read stood: `entity=position/objects`, …;
        `Report-Number` its register number, absent on versions filed before reports were
        numbered)."""
        issue = (await report_filing.issued(actor, issue_id)).issue
        inputs = ", ".join(f"{i.entity}={i.position}/{i.objects}" for i in issue.inputs)
        number = {} if issue.number is None else {"Report-Number": str(issue.number)}
        return Response(
            content=issue.body,  # type: ignore[arg-type]  # the stored bytes, sent as they are
            media_type="application/json",
            headers={
                "ETag": f'"{issue.content_hash}"',
                "Report-Version": str(issue.version),
                "Report-Inputs": inputs,
                **number,
            },
        )

    @get(
        "/report.docx",
        operation_id="GetReportIssueDocument",
        operation_class=file_reply(DOCX),
        responses=problems(401, 404),
    )
    async def document(
        self, issue_id: FromPath[UUID], actor: Me, report_filing: Filing
    ) -> Response[bytes]:
        """The filed version as the printed report in the Party's document layout, with its
        register number ("Số 05-BC/CB"; a ward committee's "Số 05-BC/ĐU") and the figures as
        filed (read from the stored body, not from the records now)."""
        filed = await report_filing.issued(actor, issue_id)
        policy = report_filing.reports.document_policy
        content = unit_report_docx(filed_report(filed), policy, filed.issue.number)
        name = f"bao-cao-{filed.issue.period}-v{filed.issue.version}"
        return _file(content, ReportFormat.DOCX, name)
