"""The cell report as JSON: the same numbers the .xlsx and .docx show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Self, TypeVar
from uuid import UUID

from api.http.schemas import Out
from domain.compliance.model import FlagKind
from domain.org.model import QuotaPeriod
from domain.quality.model import Band
from domain.reports.attention import Attention, Listed
from domain.reports.issues import IssuedReport, ReportKind
from domain.reports.leaders import LeaderCellRow, LeaderReport
from domain.reports.model import CellReport, CellRow, Figures, Trend, WardTotals
from domain.surveys.model import Reach, SurveyPolicy, Tally
from domain.surveys.service import SatisfactionReport


class FiguresOut(Out):
    """Counts of the period. Tasks and petitions: those created or received in it, in their
    state at ``asOf``; attendance: of the meetings held in it, exempt members left out."""

    regular_due: int
    regular_held: int
    regular_on_time: int
    regular_full_length: int
    thematic_held: int
    attendance_present: int
    attendance_expected: int
    attendance_rate: float | None
    unexcused_absences: int
    repeat_absentees: int
    leader_visits: int
    leader_visit_quota: int
    inspections_planned: int
    inspections_done: int
    tasks: int
    tasks_open: int
    tasks_overdue: int
    tasks_escalated: int
    tasks_closed: int
    tasks_closed_on_time: int
    median_days_to_close: float | None
    petitions_received: int
    petitions_answered_on_time: int
    petitions_answered_late: int
    petitions_overdue: int
    survey_answers: int  # residents' survey answers through the link (assisted ones apart)
    survey_satisfied: int
    survey_not_resolved: int
    survey_assisted: int

    @classmethod
    def of(cls, f: Figures, median_days_to_close: float | None) -> FiguresOut:
        return cls(
            regular_due=f.regular_due,
            regular_held=f.regular_held,
            regular_on_time=f.regular_on_time,
            regular_full_length=f.regular_full_length,
            thematic_held=f.thematic_held,
            attendance_present=f.attendance_present,
            attendance_expected=f.attendance_expected,
            attendance_rate=f.attendance_rate,
            unexcused_absences=f.unexcused_absences,
            repeat_absentees=f.repeat_absentees,
            leader_visits=f.leader_visits,
            leader_visit_quota=f.leader_visit_quota,
            inspections_planned=f.inspections_planned,
            inspections_done=f.inspections_done,
            tasks=f.tasks,
            tasks_open=f.tasks_open,
            tasks_overdue=f.tasks_overdue,
            tasks_escalated=f.tasks_escalated,
            tasks_closed=f.tasks_closed,
            tasks_closed_on_time=f.tasks_closed_on_time,
            median_days_to_close=median_days_to_close,
            petitions_received=f.petitions_received,
            petitions_answered_on_time=f.petitions_answered_on_time,
            petitions_answered_late=f.petitions_answered_late,
            petitions_overdue=f.petitions_overdue,
            survey_answers=f.survey_answers,
            survey_satisfied=f.survey_satisfied,
            survey_not_resolved=f.survey_not_resolved,
            survey_assisted=f.survey_assisted,
        )


class CellRowOut(Out):
    cell_id: UUID
    cell_name: str
    ward_id: UUID
    regular_held_on: date | None
    band: Band | None
    figures: FiguresOut

    @classmethod
    def of(cls, row: CellRow) -> CellRowOut:
        return cls(
            cell_id=row.cell.id,
            cell_name=row.cell.name,
            ward_id=row.cell.ward_id,
            regular_held_on=row.regular_held_on,
            band=row.band,
            figures=FiguresOut.of(row.figures, row.median_days_to_close),
        )


class WardTotalsOut(Out):
    ward_id: UUID
    ward_name: str
    cells: int
    figures: FiguresOut

    @classmethod
    def of(cls, ward: WardTotals) -> WardTotalsOut:
        return cls(
            ward_id=ward.ward_id,
            ward_name=ward.ward_name,
            cells=ward.cells,
            figures=FiguresOut.of(ward.figures, ward.median_days_to_close),
        )


class CellReportOut(Out):
    unit_id: UUID
    unit_name: str
    period: str
    as_of: datetime
    rows: list[CellRowOut]
    wards: list[WardTotalsOut]
    # over every closed task of the report (the printed report's figure); absent from versions
    # filed before it was kept
    median_days_to_close: float | None = None

    @classmethod
    def of(cls, report: CellReport) -> CellReportOut:
        return cls(
            unit_id=report.unit_id,
            unit_name=report.unit_name,
            period=report.period.label,
            as_of=report.as_of,
            rows=[CellRowOut.of(r) for r in report.rows],
            wards=[WardTotalsOut.of(w) for w in report.wards],
            median_days_to_close=report.median_days_to_close,
        )


class InputVersionOut(Out):
    """Where one kind of record the report read stood when it was filed: the last change
    position among them and how many there were in the report's cells."""

    entity: str
    position: int
    objects: int


class IssuedReportOut(Out):
    """A filed version; its body, as issued, at `GET /api/v1/reports/issues/{id}`, and as the
    printed report at `GET /api/v1/reports/issues/{id}/report.docx`. `number` and
    `numberSymbol` ("05-BC/CB": a cell's; "05-BC/ĐU": a ward committee's): its register number,
    taken when it was filed (none on versions filed before reports were numbered)."""

    id: UUID
    unit_id: UUID
    kind: ReportKind
    period: str
    version: int
    content_hash: str
    issued_by: UUID
    issued_at: datetime
    inputs: list[InputVersionOut]
    number: int | None
    number_symbol: str | None

    @classmethod
    def of(cls, issue: IssuedReport) -> IssuedReportOut:
        return cls(
            id=issue.id,
            unit_id=issue.unit_id,
            kind=issue.kind,
            period=issue.period,
            version=issue.version,
            content_hash=issue.content_hash,
            issued_by=issue.issued_by,
            issued_at=issue.issued_at,
            inputs=[
                InputVersionOut(entity=i.entity, position=i.position, objects=i.objects)
                for i in issue.inputs
            ],
            number=issue.number,
            number_symbol=issue.number_symbol,
        )


class TrendPointOut(Out):
    period: str
    value: int | float | None


class TrendOut(Out):
    unit_id: UUID
    metric: str
    points: list[TrendPointOut]

    @classmethod
    def of(cls, trend: Trend, metric: str) -> TrendOut:
        return cls(
            unit_id=trend.unit_id,
            metric=metric,
            points=[TrendPointOut(period=p.period, value=p.value) for p in trend.points],
        )


class SatisfactionFiguresOut(Out):
    """Answers given through the link (the headline): how many, the share satisfied (4-5) and
    the share "not resolved" (in percent, one decimal); ``lowSample`` under
    CHIBO_SURVEY_LOW_SAMPLE (30) answers. ``assisted``: answers entered by staff, counted apart.
    ``surveysOpened`` / ``responseRate``: the surveys that opened in the period and the share of
    them answered through the link (null for a responsible head)."""

    answers: int
    satisfied_rate: float | None
    not_resolved_rate: float | None
    assisted: int
    low_sample: bool
    surveys_opened: int | None
    response_rate: float | None

    @classmethod
    def of(cls, tally: Tally, reach: Reach | None, policy: SurveyPolicy) -> SatisfactionFiguresOut:
        return cls(
            answers=tally.answers,
            satisfied_rate=tally.satisfied_rate,
            not_resolved_rate=tally.not_resolved_rate,
            assisted=tally.assisted,
            low_sample=tally.low_sample(policy),
            surveys_opened=reach.opened if reach else None,
            response_rate=reach.response_rate if reach else None,
        )


class UnitSatisfactionOut(Out):
    unit_id: UUID
    unit_name: str
    figures: SatisfactionFiguresOut


class HeadSatisfactionOut(Out):
    head_person_id: UUID | None
    head_name: str
    figures: SatisfactionFiguresOut


class SatisfactionReportOut(Out):
    """Answers given in the period in the unit's subtree, each counted for the unit and the
    responsible head it had when it was given. Who answered is never shown."""

    unit_id: UUID
    unit_name: str
    period: str
    as_of: datetime
    figures: SatisfactionFiguresOut
    units: list[UnitSatisfactionOut]
    heads: list[HeadSatisfactionOut]

    @classmethod
    def of(cls, report: SatisfactionReport) -> SatisfactionReportOut:
        policy = report.policy
        return cls(
            unit_id=report.unit_id,
            unit_name=report.unit_name,
            period=report.period.label,
            as_of=report.as_of,
            figures=SatisfactionFiguresOut.of(report.tally, report.reach, policy),
            units=[
                UnitSatisfactionOut(
                    unit_id=u.unit_id,
                    unit_name=u.unit_name,
                    figures=SatisfactionFiguresOut.of(u.tally, u.reach, policy),
                )
                for u in report.units
            ],
            heads=[
                HeadSatisfactionOut(
                    head_person_id=h.head_person_id,
                    head_name=h.head_name,
                    figures=SatisfactionFiguresOut.of(h.tally, None, policy),
                )
                for h in report.heads
            ],
        )


class LeaderCellOut(Out):
    cell_id: UUID
    cell_name: str
    followed: bool  # an assignment overlaps the period; else a cell only visited
    visits: int  # confirmed both ways, at meetings of the period
    quota: int  # owed in the period, pro rata of the months the assignment covers
    last_visited_on: date | None  # up to the period's end
    unvisited: bool  # followed from before, and no visit since `unvisitedSince`

    @classmethod
    def of(cls, row: LeaderCellRow) -> LeaderCellOut:
        return cls(
            cell_id=row.cell_id,
            cell_name=row.cell_name,
            followed=row.followed,
            visits=row.visits,
            quota=row.quota,
            last_visited_on=row.last_visited_on,
            unvisited=row.unvisited,
        )


class LeaderTotalsOut(Out):
    cells: int
    visits: int
    quota: int
    unvisited: int
    behind: bool


class LeaderReportOut(Out):
    leader_id: UUID
    leader_name: str
    period: str
    as_of: datetime
    unvisited_months: int
    unvisited_since: date
    rows: list[LeaderCellOut]
    totals: LeaderTotalsOut

    @classmethod
    def of(cls, report: LeaderReport) -> LeaderReportOut:
        t = report.totals
        return cls(
            leader_id=report.leader_id,
            leader_name=report.leader_name,
            period=report.period.label,
            as_of=report.as_of,
            unvisited_months=report.unvisited_months,
            unvisited_since=report.unvisited_since,
            rows=[LeaderCellOut.of(r) for r in report.rows],
            totals=LeaderTotalsOut(
                cells=t.cells,
                visits=t.visits,
                quota=t.quota,
                unvisited=t.unvisited,
                behind=t.behind,
            ),
        )


ItemOut = TypeVar("ItemOut", bound=Out)


class CountedOut(Out, Generic[ItemOut]):
    count: int  # all of them
    items: list[ItemOut]  # the first `limit`, most urgent first

    @classmethod
    def of(cls, found: Listed[Any], out: type[ItemOut]) -> Self:
        """The domain's items in their reply shape (the same field names)."""
        return cls(
            count=found.count,
            items=[out(**{f: getattr(i, f) for f in out.__struct_fields__}) for i in found.items],
        )


class CellToMeetOut(Out):
    cell_id: UUID
    cell_name: str


class LeaderBehindOut(Out):
    leader_id: UUID
    leader_name: str
    cell_id: UUID
    cell_name: str
    quota: int
    period: QuotaPeriod
    attended: int
    expected_by_now: int


class TaskDueOut(Out):
    task_id: UUID
    title: str
    unit_id: UUID
    unit_name: str
    assignee_id: UUID
    due_on: date
    overdue: bool


class PetitionDueOut(Out):
    petition_id: UUID
    task_id: UUID
    unit_id: UUID
    unit_name: str
    category: str
    reply_due_on: date
    overdue: bool


class FlagRaisedOut(Out):
    flag_id: UUID
    kind: FlagKind
    unit_id: UUID
    unit_name: str
    subject_id: UUID
    period: str
    raised_at: datetime


class CellsToMeetOut(CountedOut[CellToMeetOut]):
    pass


class LeadersBehindOut(CountedOut[LeaderBehindOut]):
    pass


class TasksDueOut(CountedOut[TaskDueOut]):
    pass


class PetitionsDueOut(CountedOut[PetitionDueOut]):
    pass


class FlagsRaisedOut(CountedOut[FlagRaisedOut]):
    pass


class AttentionOut(Out):
    """Each list: `count` of all, `items` the first few (`limit`), most urgent first."""

    as_of: datetime
    cells_not_met: CellsToMeetOut  # no regular meeting held this month (yet)
    leaders_behind: LeadersBehindOut  # behind their visit quota pro rata, today
    tasks: TasksDueOut  # not closed: overdue, or due within the first reminder's lead
    petitions: PetitionsDueOut  # unanswered: overdue, or due within the reminder's lead
    flags: FlagsRaisedOut  # compliance flags raised this month or the last

    @classmethod
    def of(cls, a: Attention) -> AttentionOut:
        return cls(
            as_of=a.as_of,
            cells_not_met=CellsToMeetOut.of(a.cells_not_met, CellToMeetOut),
            leaders_behind=LeadersBehindOut.of(a.leaders_behind, LeaderBehindOut),
            tasks=TasksDueOut.of(a.tasks, TaskDueOut),
            petitions=PetitionsDueOut.of(a.petitions, PetitionDueOut),
            flags=FlagsRaisedOut.of(a.flags, FlagRaisedOut),
        )
