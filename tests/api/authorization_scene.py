"""The scene and the request recipes of the authorization tests: the factory world with one more
object of each kind per side, every caller logged in, one request per (operation, target,
caller), each answered inside a savepoint that is rolled back."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest

from api.reports.schemas import CellReportOut
from chibo.settings import Settings
from db.engine import Database
from db.files import LocalAttachmentStore
from db.repositories.attachments import PiccoloAttachmentRepository
from db.repositories.auth import PiccoloAuthRepository
from db.repositories.calendar_feed import PiccoloCalendarTokenRepository
from db.repositories.dialogues import PiccoloDialogueRepository
from db.repositories.documents import PiccoloDocumentRepository
from db.repositories.inspections import PiccoloInspectionRepository
from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.notifications import PiccoloNotificationStore
from db.repositories.org import PiccoloOrgRepository
from db.repositories.quality import PiccoloQualityRepository
from db.repositories.reports import PiccoloReportRepository
from db.repositories.surveys import PiccoloSurveyRepository
from db.repositories.tasks import PiccoloTaskRepository
from domain.actors import Role
from domain.attachments.model import Attachment, AttachmentKind
from domain.auth.model import DeviceSession, new_salt
from domain.calendar_feed.model import CalendarToken
from domain.dialogues.model import (
    Answer as DialogueAnswer,
)
from domain.dialogues.model import (
    CoChair,
    Dialogue,
    DialogueFormat,
    DialogueKind,
    Question,
)
from domain.documents.model import Discussion, ItemDiscussion
from domain.inspections.model import (
    Answer,
    AnswerKind,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionKind,
    InspectionStatus,
)
from domain.meetings import checkin
from domain.meetings.model import (
    AgendaItem,
    AgendaKind,
    AttendanceStatus,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingStatus,
    attendance_sheet,
    meeting_day,
)
from domain.meetings.model import Resolution as MeetingResolution
from domain.meetings.ports import CellRule
from domain.meetings.recurrence import MeetingRule, RuleKind
from domain.notifications.model import Category, Device, Platform
from domain.notifications.service import Message, Notifier
from domain.org.model import (
    LeaderAssignment,
    Membership,
    MembershipKind,
    Person,
    QuotaPeriod,
    RoleGrant,
    Unit,
)
from domain.quality.model import scored
from domain.reports.issues import IssuedReport, ReportKind
from domain.surveys.model import Contact, ContactKind, Survey
from domain.tasks.model import (
    Closing,
    Evidence,
    Priority,
    Resolution,
    Step,
    StepKind,
    Task,
    TaskSource,
    TaskStatus,
)
from domain.tasks.petitions import Channel, Petition, Reply
from domain.tokens import hash_token
from notifications.texts import TemplateTexts
from tests.api.document_calls import FULL_POINTS, WARD_SHEET
from tests.factories import (
    PASSWORD,
    World,
    build_world,
    make_person,
    make_unit,
    password_hash,
)
from tests.fakes import START, FakeClock

MATRIX = Path(__file__).with_name("authorization_matrix.csv")
OPENAPI = "/api/docs/openapi.json"
CALLERS = (
    "anonymous",
    "member_a",
    "secretary_a",
    "secretary_b",
    "leader_1",
    "leader_2",
    "inspector",
    "admin",
)
TARGETS = ("in", "out", "-")


@dataclass(frozen=True, slots=True)
class Row:
    operation: str
    target: str
    expected: dict[str, int]


def read_matrix() -> list[Row]:
    lines = [
        line
        for line in MATRIX.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    reader = csv.reader(lines)
    header = [cell.strip() for cell in next(reader)]
    assert header == ["operation", "target", *CALLERS]
    rows = []
    for values in reader:
        operation, target, *statuses = (cell.strip() for cell in values)
        assert target in TARGETS, f"{operation}: unknown target {target!r}"
        assert len(statuses) == len(CALLERS), f"{operation},{target}: one status per caller"
        rows.append(Row(operation, target, dict(zip(CALLERS, map(int, statuses), strict=True))))
    return rows


async def live_operations(client: httpx.AsyncClient) -> dict[str, tuple[str, str]]:
    """operationId -> (method, path template) of the OpenAPI document the app serves."""
    reply = await client.get(OPENAPI)
    assert reply.status_code == 200
    return {
        op["operationId"]: (method.upper(), path)
        for path, item in reply.json()["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


@pytest.fixture(name="settings")
def uploads_in_tmp_path(settings: Settings, tmp_path: Path) -> Settings:
    """The settings of the test, with uploads in its own directory (a module imports this to use
    it)."""
    return dataclasses.replace(settings, upload_dir=str(tmp_path / "uploads"))


# -- the scene: the factory world, one more object of each kind per side, logged-in callers ------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
# Every meeting and inspection of the scene is at its first version: updates send its ETag, so
# that the matrix tests who may change it, not concurrency.
IF_MATCH = {"If-Match": '"1"'}
CHECKLIST = (
    ChecklistItem("so_sach", "Sổ sách, biên bản có đầy đủ không?", AnswerKind.YES_NO),
    ChecklistItem("chat_luong", "Chất lượng sinh hoạt", AnswerKind.SCORE, max_score=10),
)


@dataclass(frozen=True, slots=True)
class Login:
    headers: dict[str, str]
    refresh_token: str
    session_id: UUID


@dataclass(frozen=True, slots=True)
class Side:
    """The meetings, files and inspections of one cell (in: cell A, out: cell B)."""

    secretary: Person
    member: Person  # on the roster: the minute-taker, the row MarkAttendance marks
    leader: Person  # on the ward, follows the cell
    inspector: Person  # on the ward, leads the cell's inspections
    planned: Meeting  # starts in 15 minutes: check-in is open
    held: Meeting  # logged with everything the minutes need: can be finalised
    finalized: Meeting  # with all its documents need, scored by the secretary, the leader visited
    attachment: Attachment
    sealed: Inspection  # a surprise one, made by the leader, whose window has not started
    running: Inspection  # periodic, the lead checked in, every item answered
    checkin_code: str
    assignee: Person  # of the tasks: a caller on each side (member_a, secretary_b)
    open_task: Task
    submitted_task: Task  # with evidence, for a verifier
    closed_task: Task
    petition: Petition  # not answered yet
    answered_petition: Petition
    dialogue: Dialogue  # of the cell's ward: started, one question open
    ready_dialogue: Dialogue  # every question answered, participants counted: may be published
    published_dialogue: Dialogue
    issued_report: IssuedReport  # the cell's report of November as filed
    survey: Survey  # of the answered petition's reply: open, no link yet


@dataclass
class Scene:
    world: World
    person: dict[str, Person]
    membership: dict[str, Membership]
    grant: dict[str, RoleGrant]
    assignment: dict[str, LeaderAssignment]
    empty_cell: dict[str, Unit]
    city_leader: Person
    foreign_session: UUID
    side: dict[str, Side]
    template: dict[str, ChecklistTemplate]
    feed_token: dict[str, str]
    revoked_feed_token: str
    logins: dict[str, Login] = field(default_factory=dict)
    notification: dict[str, UUID] = field(default_factory=dict)  # one per caller, and "out"
    device_token: dict[str, str] = field(default_factory=dict)

    def cell(self, target: str) -> Unit:
        return self.world.cell_a if target == "in" else self.world.cell_b

    def ward(self, target: str) -> Unit:
        return self.world.ward1 if target == "in" else self.world.ward2

    def caller(self, caller: str) -> Person:
        """The person behind a caller; anonymous requests that need one borrow member_a's."""
        person: Person = getattr(self.world, "member_a" if caller == "anonymous" else caller)
        return person

    def login(self, caller: str) -> Login:
        return self.logins["member_a" if caller == "anonymous" else caller]


async def _documented(meeting: Meeting, scorer: Person, leader: Person) -> None:
    """What the minutes and resolution of ``meeting`` need beyond the logged record, its score
    on the default criteria set (by the secretary) and the visit of the cell's leader."""
    meeting.place = "Nhà văn hóa khu dân cư"
    meeting.agenda = [AgendaItem("Kiểm điểm công tác tháng", AgendaKind.REPORT, 30)]
    meeting.resolutions = [MeetingResolution("Tổ chức tổng vệ sinh khu dân cư", votes_for=1)]
    repo = PiccoloMeetingRepository()
    await repo.save(meeting, attendance=False)
    await PiccoloDocumentRepository().save_discussion(
        Discussion(meeting.id, meeting.cell_path, [ItemDiscussion((), "Thống nhất.")], 1, START),
        0,
    )
    [criteria] = await PiccoloQualityRepository().sets_of([])  # the default set
    await PiccoloQualityRepository().add_score(
        scored(meeting.id, meeting.cell_path, criteria, FULL_POINTS, scorer.id, START)
    )
    await repo.save_visit(LeaderVisit(meeting.id, leader.id, leader_confirmed_at=START))


async def _held(
    cell: Unit, start: datetime, chair: Person, taker: Person, *, final: bool
) -> Meeting:
    """A meeting logged in full (everyone present), finalised or not."""
    meeting = _meeting(cell, MeetingStatus.FINALIZED if final else MeetingStatus.HELD, start)
    repo = PiccoloMeetingRepository()
    meeting.attendance = attendance_sheet(await repo.roster_on(cell.id, meeting_day(meeting)))
    for row in meeting.attendance:
        row.status = AttendanceStatus.PRESENT
    meeting.actual_start, meeting.actual_end = meeting.planned_start, meeting.planned_end
    meeting.chair_id, meeting.minute_taker_id = chair.id, taker.id
    meeting.minutes_text = "Chi bộ quán triệt nghị quyết, phân công đảng viên."
    meeting.logged_at = meeting.actual_end
    meeting.finalized_at = meeting.actual_end if final else None
    await repo.add(meeting)
    await repo.save(meeting, attendance=True)
    return meeting


def _meeting(
    cell: Unit, status: MeetingStatus, start: datetime, kind: MeetingKind = MeetingKind.REGULAR
) -> Meeting:
    return Meeting(
        uuid4(), cell.id, cell.path, kind, status, start, start + timedelta(hours=2), START, START,
    )  # fmt: skip


def _inspection(
    cell: Unit,
    kind: InspectionKind,
    status: InspectionStatus,
    window_start: datetime,
    lead: Person,
    creator: Person,
    template: ChecklistTemplate,
) -> Inspection:
    return Inspection(
        id=uuid4(),
        target_id=cell.id,
        target_path=cell.path,
        kind=kind,
        status=status,
        window_start=window_start,
        window_end=window_start + timedelta(days=1),
        topic="Việc thực hiện nghị quyết của chi bộ",
        lead_id=lead.id,
        member_ids=(),
        template=template,
        created_by=creator.id,
        created_at=START,
        updated_at=START,
    )


def _task(cell: Unit, assignee: Person, status: TaskStatus, *, petition: bool = False) -> Task:
    return Task(
        id=uuid4(),
        title="Khơi thông cống rãnh ngõ 12",
        unit_id=cell.id,
        unit_path=cell.path,
        assignee_id=assignee.id,
        source=TaskSource.PETITION if petition else TaskSource.LEADER,
        priority=Priority.NORMAL,
        due_on=date(2026, 12, 15),
        status=status,
        created_at=START,
        evidence=Evidence("Đã khơi thông", no_evidence_reason="Làm ban đêm")
        if status in {TaskStatus.SUBMITTED, TaskStatus.CLOSED}
        else None,
        closing=Closing(Resolution.RESOLVED) if status is TaskStatus.CLOSED else None,
        reply_ready=not petition,
        steps=[Step(StepKind.CREATED, None, START)],
    )


async def _petition(cell: Unit, assignee: Person, reply: Reply | None) -> Petition:
    tasks = PiccoloTaskRepository()
    task = _task(cell, assignee, TaskStatus.OPEN, petition=True)
    await tasks.add(task)
    petition = Petition(
        uuid4(), cell.id, cell.path, task.id, "Nguyễn Thị Hạnh", "0912345678",
        Channel.RECEPTION_DAY, "Vệ sinh môi trường", "Cống ngõ 12 bị tắc",
        START - timedelta(days=1), date(2026, 12, 10), START,
    )  # fmt: skip
    await tasks.add_petition(petition)
    if reply is not None:
        petition.reply = reply
        await tasks.save_petition(petition)
    return petition


async def _build_side(
    settings: Settings,
    cell: Unit,
    secretary: Person,
    member: Person,
    leader: Person,
    inspector: Person,
    template: ChecklistTemplate,
    assignee: Person,
) -> Side:
    meetings = PiccoloMeetingRepository()
    await meetings.set_rule(
        CellRule(cell.id, MeetingRule(RuleKind.DAY_OF_MONTH, time(19, 30), 120, day=4), None, None)
    )
    # extraordinary: the held meeting is the month's regular one
    planned = _meeting(
        cell, MeetingStatus.PLANNED, START + timedelta(minutes=15), MeetingKind.EXTRAORDINARY
    )
    await meetings.add(planned)
    held = await _held(cell, START - timedelta(days=2), secretary, member, final=False)
    finalized = await _held(cell, START - timedelta(days=30), secretary, member, final=True)
    await _documented(finalized, secretary, leader)
    key = await LocalAttachmentStore(Path(settings.upload_dir)).put(PNG)
    attachment = Attachment(
        uuid4(), cell.id, cell.path, AttachmentKind.PNG, len(PNG),
        hashlib.sha256(PNG).hexdigest(), "Dự thảo nghị quyết.png", secretary.id, START, key,
    )  # fmt: skip
    await PiccoloAttachmentRepository().add(attachment)
    inspections = PiccoloInspectionRepository()
    sealed = _inspection(
        cell, InspectionKind.SURPRISE, InspectionStatus.PLANNED, START + timedelta(days=5),
        inspector, leader, template,
    )  # fmt: skip
    running = _inspection(
        cell, InspectionKind.PERIODIC, InspectionStatus.IN_PROGRESS, START - timedelta(hours=1),
        inspector, leader, template,
    )  # fmt: skip
    running.lead_checked_in_at = running.window_start
    running.answers = {
        "so_sach": Answer("so_sach", value=True),
        "chat_luong": Answer("chat_luong", 8),
    }
    for inspection in (sealed, running):
        await inspections.add(inspection)
    code = checkin.issue_code(
        settings.secret_key.encode(), planned.id, START, settings.checkin_policy
    ).code
    tasks = PiccoloTaskRepository()
    open_task, submitted_task, closed_task = (
        _task(cell, assignee, status)
        for status in (TaskStatus.OPEN, TaskStatus.SUBMITTED, TaskStatus.CLOSED)
    )
    for task in (open_task, submitted_task, closed_task):
        await tasks.add(task)
    petition = await _petition(cell, assignee, None)
    answered = await _petition(
        cell, assignee,
        Reply("Phường đã cử đội vệ sinh", "Trần Văn Nam", "Chủ tịch UBND phường", leader.id, START),
    )  # fmt: skip
    dialogues = [_dialogue(cell, leader, n) for n in range(3)]
    for dialogue in dialogues:
        await PiccoloDialogueRepository().add(dialogue)
    issued = IssuedReport(
        uuid4(), cell.id, cell.path, ReportKind.CELLS, "2026-11", 1, "0" * 64,
        msgspec.json.encode(
            CellReportOut(
                unit_id=cell.id, unit_name=cell.name, period="2026-11", as_of=START, rows=[],
                wards=[],
            )
        ),
        secretary.id, START,
    )  # fmt: skip
    await PiccoloReportRepository().add_issue(issued)
    dialogue, ready_dialogue, published_dialogue = dialogues
    survey = Survey(
        uuid4(),
        Contact(
            ContactKind.PETITION_REPLY, answered.id, cell.id, cell.path, START, answered.task_id
        ),
        START - timedelta(hours=1),
        START,
    )
    await PiccoloSurveyRepository().add(survey)
    return Side(
        secretary, member, leader, inspector, planned, held, finalized, attachment, sealed,
        running, code, assignee, open_task, submitted_task, closed_task, petition, answered,
        dialogue, ready_dialogue, published_dialogue, issued, survey,
    )  # fmt: skip


def _dialogue(cell: Unit, leader: Person, stage: int) -> Dialogue:
    """A dialogue of the cell's ward that started an hour ago, with one question: open
    (``stage`` 0), answered with the participants counted (1), and published too (2)."""
    ward_path = cell.path.removesuffix(f"{cell.id.hex}/")
    starts = START - timedelta(hours=1)
    question = Question(uuid4(), "Ngõ 12 thiếu đèn chiếu sáng", starts, "Ông Hỏi")
    if stage:
        question.answer = DialogueAnswer("Vũ Đức Minh", "Bí thư", "Tháng sau lắp đèn", starts)
    return Dialogue(
        id=uuid4(), ward_id=cell.parent_id or cell.id, ward_path=ward_path, title="Đối thoại",
        kind=DialogueKind.PERIODIC, format=DialogueFormat.IN_PERSON, place="Hội trường phường",
        starts_at=starts, announced_at=starts - timedelta(days=7), cell_ids=(cell.id,),
        co_chairs=(CoChair("Bí thư Đảng ủy phường", "Vũ Đức Minh"),), created_by=leader.id,
        participants=40 if stage else None, questions=[question],
        published_at=START if stage == 2 else None,
    )  # fmt: skip


async def build_scene(settings: Settings) -> Scene:
    world = await build_world()
    repo = PiccoloOrgRepository()
    person, membership, grant = {}, {}, {}
    for target, cell in (("in", world.cell_a), ("out", world.cell_b)):
        person[target] = make_person(cell, f"Nguyễn Văn Thường {target}")
        await repo.add_person(person[target], password_hash())
        membership[target] = Membership(
            uuid4(), person[target].id, cell.id, cell.path, MembershipKind.FULL,
            exempt=False, exempt_resolution_date=None, joined_on=date(2021, 3, 1), left_on=None,
            created_at=START, updated_at=START,
        )  # fmt: skip
        await repo.add_membership(membership[target])
        grant[target] = RoleGrant(
            uuid4(), person[target].id, cell.id, cell.path, Role.MEMBER, None, START, START
        )
        await repo.add_grant(grant[target])
    assignment_out = LeaderAssignment(
        uuid4(), world.leader_2.id, world.cell_b.id, world.cell_b.path, 4, QuotaPeriod.YEAR,
        date(2026, 1, 1), None, START, START,
    )  # fmt: skip
    await repo.add_assignment(assignment_out)
    empty_cell = {
        "in": make_unit(world.ward1, "Chi bộ khu dân cư số 3", "cell", is_cell=True),
        "out": make_unit(world.ward2, "Chi bộ khu dân cư số 9", "cell", is_cell=True),
    }
    for unit in empty_cell.values():
        await repo.add_unit(unit)
    # A leader on the whole city may follow any cell: the body of CreateLeaderAssignment.
    city_leader = make_person(world.city, "Ngô Thị Thu")
    await repo.add_person(city_leader, None)
    await repo.add_grant(
        RoleGrant(uuid4(), city_leader.id, world.city.id, world.city.path, Role.LEADER, None,
                  START, START)
    )  # fmt: skip
    foreign = DeviceSession(
        uuid4(), person["out"].id, "phone", 0, new_salt(), START, START, START + timedelta(days=30)
    )
    await PiccoloAuthRepository().add_session(foreign)
    inspector_2 = make_person(world.ward2, "Đinh Văn Khoa")  # leads cell B's inspections
    await repo.add_person(inspector_2, None)
    await repo.add_grant(
        RoleGrant(uuid4(), inspector_2.id, world.ward2.id, world.ward2.path, Role.INSPECTOR, None,
                  START, START)
    )  # fmt: skip
    # each ward's own template: its cells use it, other wards never see it
    template = {
        target: ChecklistTemplate(
            uuid4(), "Kiểm tra chi bộ khu dân cư", 1, CHECKLIST, START, ward.id, ward.path
        )
        for target, ward in (("in", world.ward1), ("out", world.ward2))
    }
    for each in template.values():
        await PiccoloInspectionRepository().add_template(each.id, each)
    side = {
        "in": await _build_side(
            settings, world.cell_a, world.secretary_a, world.member_a, world.leader_1,
            world.inspector, template["in"], world.member_a,
        ),
        "out": await _build_side(
            settings, world.cell_b, world.secretary_b, person["out"], world.leader_2, inspector_2,
            template["out"], world.secretary_b,
        ),
    }  # fmt: skip
    tokens = PiccoloCalendarTokenRepository()
    feed_token = {}
    for caller in CALLERS[1:]:
        feed_token[caller] = secrets.token_urlsafe(32)
        await tokens.add(
            CalendarToken(uuid4(), getattr(world, caller).id, hash_token(feed_token[caller]), START)
        )
    revoked = secrets.token_urlsafe(32)
    await tokens.add(
        CalendarToken(uuid4(), world.member_a.id, hash_token(revoked), START, revoked_at=START)
    )
    return Scene(
        world=world,
        person=person,
        membership=membership,
        grant=grant,
        assignment={"in": world.assignment_1, "out": assignment_out},
        empty_cell=empty_cell,
        city_leader=city_leader,
        foreign_session=foreign.id,
        side=side,
        template=template,
        feed_token=feed_token,
        revoked_feed_token=revoked,
    )


async def log_in_everyone(client: httpx.AsyncClient, scene: Scene) -> None:
    for caller in CALLERS[1:]:
        person = scene.caller(caller)
        reply = await client.post(
            "/api/v1/auth/login", json={"phone": person.phone, "password": PASSWORD}
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        scene.logins[caller] = Login(
            headers={"Authorization": f"Bearer {body['accessToken']}"},
            refresh_token=body["refreshToken"],
            session_id=UUID(body["sessionId"]),
        )


# -- one request per (operation, target, caller) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """What varies between operations: the object in the path (``path`` names the other path
    parameters), the query, the body (JSON, or raw ``content`` of ``content_type``), headers."""

    object_id: UUID | None = None
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    content_type: str | None = None
    path: dict[str, object] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def url(self, template: str) -> str:
        """The path template filled in: named parameters from ``path``, the rest the object."""
        return re.sub(r"\{([^}]+)\}", lambda m: str(self.path.get(m[1], self.object_id)), template)


@dataclass(frozen=True, slots=True)
class Ask:
    """One request to build: which operation target, for which caller; ``n`` makes it unique."""

    scene: Scene
    target: str
    caller: str
    n: int


Recipe = Callable[[Ask], Call]


def _plain(_: Ask) -> Call:
    return Call()


def _my_notification(a: Ask) -> Call:
    """The caller's own notification ("in"), or another person's ("out")."""
    if a.target == "in":
        return Call(a.scene.notification["member_a" if a.caller == "anonymous" else a.caller])
    return Call(a.scene.notification["out"])


def _phone(n: int) -> str:
    return f"+8498{n:07d}"


def _unit_filter(name: str) -> Recipe:
    return lambda a: Call(params={name: str(a.scene.cell(a.target).id)})


def _roster(a: Ask) -> Call:
    lines = [
        "họ và tên,số điện thoại,loại,ngày vào sinh hoạt",
        f"Đỗ Thị Mai {a.n},{_phone(a.n)},dự bị,",
    ]
    return Call(
        a.scene.cell(a.target).id,
        content=("\n".join(lines) + "01/09/2025\n").encode(),
        content_type="text/csv",
    )


def _side(a: Ask) -> Side:
    return a.scene.side[a.target]


def _update(object_of: Callable[[Side], Meeting | Inspection | Task], **body: Any) -> Recipe:
    """An update of an object of the scene, made against its current version."""
    return lambda a: Call(object_of(_side(a)).id, json=body or None, headers=IF_MATCH)


def _plan(a: Ask) -> dict[str, Any]:
    return {
        "unitId": str(a.scene.cell(a.target).id),
        "firstDay": "2027-01-04",
        "lastDay": "2027-01-29",
        "topic": "Lãnh đạo công tác dân vận",
        "kind": "periodic",
        "templateId": str(a.scene.template[a.target].id),
        "inspectorIds": [str(_side(a).inspector.id)],
    }


def new_inspection(a: Ask) -> dict[str, Any]:
    return {
        "targetId": str(a.scene.cell(a.target).id),
        "kind": "thematic",
        "windowStart": "2027-02-01T01:00:00+00:00",
        "windowEnd": "2027-02-03T10:00:00+00:00",
        "topic": "Công tác phát triển đảng viên",
        "leadId": str(_side(a).inspector.id),
        "templateId": str(a.scene.template[a.target].id),
    }


def _record(a: Ask) -> dict[str, Any]:
    held, side = _side(a).held, _side(a)
    assert held.actual_start is not None
    assert held.actual_end is not None
    return {
        "actualStart": held.actual_start.isoformat(),
        "actualEnd": (held.actual_end + timedelta(minutes=10)).isoformat(),
        "chairId": str(side.secretary.id),
        "minuteTakerId": str(side.member.id),
        "minutesText": "Chi bộ thống nhất phân công theo dõi các hộ gia đình.",
        "resolutions": [{"text": "Tổ chức tổng vệ sinh khu dân cư", "votesFor": 1}],
        "attendance": [{"personId": str(side.member.id), "status": "present"}],
    }


TEMPLATE = {
    "name": "Kiểm tra việc thực hiện Điều lệ",
    "items": [
        {"key": "nghi_quyet", "question": "Chi bộ có nghị quyết tháng?", "answerKind": "yes_no"}
    ],
}


RECIPES: dict[str, Recipe] = {
    "HealthLive": _plain,
    "HealthReady": _plain,
    "Login": lambda a: Call(json={"phone": a.scene.caller(a.caller).phone, "password": PASSWORD}),
    "RefreshSession": lambda a: Call(json={"refreshToken": a.scene.login(a.caller).refresh_token}),
    "Logout": _plain,
    "ListMySessions": _plain,
    "RevokeMySession": lambda a: Call(
        a.scene.login(a.caller).session_id if a.target == "in" else a.scene.foreign_session
    ),
    "ChangePassword": lambda a: Call(
        json={"currentPassword": PASSWORD, "newPassword": f"mat-khau-moi-{a.n}"}
    ),
    "GetMe": _plain,
    "SyncPull": _plain,
    # a push answers 200 with a result per mutation; the mutation's own refusal is inside
    "SyncPush": lambda a: Call(
        json={
            "mutations": [
                {
                    "mutationId": f"matrix-push-{a.n}",
                    "operation": "CommentOnTask",
                    "params": {"task_id": str(a.scene.side["in"].open_task.id)},
                    "body": {"text": "Đã liên hệ tổ dân phố"},
                }
            ]
        }
    ),
    "ListAudit": _plain,
    "ListJobs": _plain,
    "ListUnits": _unit_filter("within"),
    "GetUnit": lambda a: Call(a.scene.cell(a.target).id),
    "CreateUnit": lambda a: Call(
        json={
            "parentId": str(a.scene.ward(a.target).id),
            "name": f"Chi bộ {a.n}",
            "level": "cell",
            "isCell": True,
        }
    ),
    "UpdateUnit": lambda a: Call(a.scene.cell(a.target).id, json={"name": f"Chi bộ số {a.n}"}),
    "MoveUnit": lambda a: Call(
        a.scene.cell(a.target).id,
        json={"parentId": str(a.scene.ward("out" if a.target == "in" else "in").id)},
    ),
    "DeactivateUnit": lambda a: Call(a.scene.empty_cell[a.target].id),
    "ImportRoster": _roster,
    "ListPeople": _unit_filter("unitId"),
    "GetPerson": lambda a: Call(a.scene.person[a.target].id),
    "CreatePerson": lambda a: Call(
        json={
            "homeUnitId": str(a.scene.cell(a.target).id),
            "fullName": f"Phan Văn An {a.n}",
            "phone": _phone(a.n),
        }
    ),
    "UpdatePerson": lambda a: Call(
        a.scene.person[a.target].id, json={"fullName": f"Lý Văn Hải {a.n}"}
    ),
    "DeactivatePerson": lambda a: Call(a.scene.person[a.target].id),
    "ActivatePerson": lambda a: Call(a.scene.person[a.target].id),
    "ListMemberships": _unit_filter("unitId"),
    "GetMembership": lambda a: Call(a.scene.membership[a.target].id),
    "CreateMembership": lambda a: Call(
        json={
            "personId": str(
                (a.scene.world.leader_1 if a.target == "in" else a.scene.world.leader_2).id
            ),
            "cellId": str(a.scene.cell(a.target).id),
            "kind": "full",
            "joinedOn": "2026-11-01",
        }
    ),
    "UpdateMembership": lambda a: Call(
        a.scene.membership[a.target].id, json={"kind": "probationary"}
    ),
    "EndMembership": lambda a: Call(a.scene.membership[a.target].id, json={"on": "2026-11-01"}),
    "ListGrants": _unit_filter("unitId"),
    "GetGrant": lambda a: Call(a.scene.grant[a.target].id),
    "CreateGrant": lambda a: Call(
        json={
            "personId": str(a.scene.person[a.target].id),
            "unitId": str(a.scene.cell(a.target).id),
            "role": "deputy_secretary",
        }
    ),
    "RevokeGrant": lambda a: Call(a.scene.grant[a.target].id),
    "ListLeaderAssignments": _unit_filter("unitId"),
    "GetLeaderAssignment": lambda a: Call(a.scene.assignment[a.target].id),
    "CreateLeaderAssignment": lambda a: Call(
        json={
            "leaderId": str(a.scene.city_leader.id),
            "cellId": str(a.scene.cell(a.target).id),
            "quota": 2,
            "period": "quarter",
            "startedOn": "2026-11-01",
        }
    ),
    "UpdateLeaderAssignment": lambda a: Call(a.scene.assignment[a.target].id, json={"quota": 6}),
    # meetings
    "GetMeetingRule": lambda a: Call(a.scene.cell(a.target).id),
    "SetMeetingRule": lambda a: Call(
        a.scene.cell(a.target).id,
        json={"kind": "nth_weekday", "at": "08:00", "weekday": 6, "nth": 1, "place": "Nhà văn hóa"},
    ),
    "PlanMeetings": lambda a: Call(a.scene.cell(a.target).id),
    "ListMeetings": _unit_filter("unitId"),
    "ListMyUpcomingMeetings": _plain,
    "GetMeeting": lambda a: Call(_side(a).planned.id),
    "CreateMeeting": lambda a: Call(
        json={
            "cellId": str(a.scene.cell(a.target).id),
            "kind": "thematic",
            "plannedStart": "2026-12-12T12:30:00+00:00",
            "plannedEnd": "2026-12-12T14:30:00+00:00",
            "title": "Học tập chuyên đề năm 2026",
        }
    ),
    "MoveMeeting": _update(
        lambda s: s.planned,
        plannedStart="2026-11-28T12:30:00+00:00",
        plannedEnd="2026-11-28T14:30:00+00:00",
        reason="Trùng lịch họp tổ dân phố",
    ),
    "CancelMeeting": _update(lambda s: s.planned, reason="Mưa bão"),
    "PublishMeetingNotice": lambda a: Call(
        _side(a).planned.id,
        json={
            "agenda": [{"title": "Kiểm điểm công tác tháng", "kind": "report", "minutes": 30}],
            "paperIds": [str(_side(a).attachment.id)],
        },
        headers=IF_MATCH,
    ),
    "LogMeeting": lambda a: Call(_side(a).held.id, json=_record(a), headers=IF_MATCH),
    "MarkAttendance": lambda a: Call(
        _side(a).planned.id,
        path={"personId": _side(a).member.id},
        json={"status": "excused", "reason": "Đi công tác"},
        headers=IF_MATCH,
    ),
    "FinalizeMinutes": _update(lambda s: s.held),
    "AmendMinutes": _update(
        lambda s: s.finalized, reason="Ghi sót ý kiến", minutesText="Biên bản đã sửa."
    ),
    "GetCheckinCode": lambda a: Call(_side(a).planned.id),
    "CheckIn": lambda a: Call(_side(a).planned.id, json={"code": _side(a).checkin_code}),
    "ListLeaderVisits": lambda a: Call(_side(a).planned.id),
    "ConfirmLeaderVisit": lambda a: Call(
        _side(a).planned.id,
        path={"leaderId": _side(a).leader.id},
        json={"remarks": "Chi bộ sinh hoạt nền nếp"},
    ),
    "ListMyFollowedCells": _plain,
    "ListAbsenceReviewFlags": lambda a: Call(a.scene.cell(a.target).id, params={"year": "2026"}),
    "ListComplianceFlags": _unit_filter("unitId"),
    # meeting quality and documents
    "GetQualityCriteria": lambda a: Call(a.scene.cell(a.target).id),
    "CreateQualityCriteria": lambda a: Call(a.scene.ward(a.target).id, json=WARD_SHEET),
    "GetAnnualQuality": lambda a: Call(a.scene.cell(a.target).id, params={"year": "2026"}),
    # reports
    "GetCellReport": lambda a: Call(a.scene.cell(a.target).id, params={"period": "2026-12"}),
    "GetReportTrend": lambda a: Call(
        a.scene.cell(a.target).id, params={"metric": "tasks", "months": "2"}
    ),
    "IssueCellReport": lambda a: Call(a.scene.cell(a.target).id, params={"period": "2026-12"}),
    "ListCellReportIssues": lambda a: Call(a.scene.cell(a.target).id, params={"period": "2026-11"}),
    "GetReportIssue": lambda a: Call(_side(a).issued_report.id),
    "GetReportIssueDocument": lambda a: Call(_side(a).issued_report.id),
    "GetSatisfactionReport": lambda a: Call(
        a.scene.cell(a.target).id, params={"period": "2026-11"}
    ),
    # satisfaction surveys
    "ListSurveys": _unit_filter("unitId"),
    "GetSurvey": lambda a: Call(_side(a).survey.id),
    "IssueSurveyLink": lambda a: Call(_side(a).survey.id),
    "AnswerSurveyForResident": lambda a: Call(
        _side(a).survey.id, json={"score": 4, "resolved": "yes"}
    ),
    "CreateDialogueSurvey": lambda a: Call(_side(a).published_dialogue.id),
    "GetMyAttention": _plain,
    "GetUnitReportDocument": lambda a: Call(
        a.scene.cell(a.target).id, params={"period": "2026-12"}
    ),
    "GetLeaderReport": lambda a: Call(_side(a).leader.id, params={"period": "2026-12"}),
    "GetMeetingQuality": lambda a: Call(_side(a).finalized.id),
    "ScoreMeeting": lambda a: Call(
        _side(a).held.id, json={"points": FULL_POINTS}, headers={"If-Match": '"0"'}
    ),
    "ConfirmMeetingQuality": _update(lambda s: s.finalized),
    "GetMeetingDiscussion": lambda a: Call(_side(a).held.id),
    "SetMeetingDiscussion": lambda a: Call(
        _side(a).held.id, json={"items": []}, headers={"If-Match": '"0"'}
    ),
    "GetMinutesDocument": lambda a: Call(_side(a).finalized.id),
    "GetResolutionDocument": lambda a: Call(_side(a).finalized.id),
    # dialogues and reception days
    "AnnounceDialogue": lambda a: Call(
        json={
            "wardId": str(a.scene.ward(a.target).id),
            "title": "Đối thoại về môi trường",
            "kind": "ad_hoc",
            "format": "both",
            "place": "Hội trường phường",
            "startsAt": "2026-12-20T01:00:00Z",
            "cellIds": [str(a.scene.cell(a.target).id)],
            "coChairs": [{"role": "Bí thư Đảng ủy phường", "name": "Vũ Đức Minh"}],
        }
    ),
    "ListDialogues": lambda a: Call(params={"unitId": str(a.scene.ward(a.target).id)}),
    "GetDialogue": lambda a: Call(_side(a).dialogue.id),
    "RaiseDialogueQuestion": lambda a: Call(
        _side(a).dialogue.id, json={"content": "Rác ở chợ"}, headers=IF_MATCH
    ),
    "AnswerDialogueQuestion": lambda a: Call(
        _side(a).dialogue.id,
        path={"questionId": _side(a).dialogue.questions[0].id},
        json={"byName": "Vũ Đức Minh", "byTitle": "Bí thư", "text": "Sẽ lắp đèn"},
        headers=IF_MATCH,
    ),
    "DeferDialogueQuestion": lambda a: Call(
        _side(a).dialogue.id,
        path={"questionId": _side(a).dialogue.questions[0].id},
        json={"ownerId": str(_side(a).secretary.id)},
        headers=IF_MATCH,
    ),
    "RecordDialogueParticipants": lambda a: Call(
        _side(a).dialogue.id, json={"participants": 55}, headers=IF_MATCH
    ),
    "PublishDialogueResults": lambda a: Call(_side(a).ready_dialogue.id, headers=IF_MATCH),
    "GetDialogueResultsNotice": lambda a: Call(_side(a).published_dialogue.id),
    "RecordReceptionDay": lambda a: Call(
        a.scene.ward(a.target).id,
        json={"day": "2026-11-20", "headName": "Vũ Đức Minh", "citizens": 3},
    ),
    "GetReceptionMonth": lambda a: Call(a.scene.ward(a.target).id, params={"month": "2026-11"}),
    # attachments and the calendar feed
    "UploadAttachment": lambda a: Call(
        a.scene.cell(a.target).id,
        params={"filename": "bien-ban.png"},
        content=PNG,
        content_type="application/octet-stream",
    ),
    "GetAttachment": lambda a: Call(_side(a).attachment.id),
    "GetAttachmentContent": lambda a: Call(_side(a).attachment.id),
    "CreateCalendarToken": _plain,
    "RevokeCalendarTokens": _plain,
    "GetCalendarFeed": lambda a: Call(
        path={
            "feed": (
                a.scene.feed_token["member_a" if a.caller == "anonymous" else a.caller]
                if a.target == "in"
                else a.scene.revoked_feed_token
            )
            + ".ics"
        }
    ),
    # inspections
    "CreateChecklistTemplate": lambda _: Call(json=TEMPLATE),
    "ReviseChecklistTemplate": lambda a: Call(a.scene.template[a.target].id, json=TEMPLATE),
    "GetChecklistTemplate": lambda a: Call(a.scene.template[a.target].id),
    "ListChecklistTemplates": lambda _: Call(),
    "PreviewInspectionPlan": lambda a: Call(json=_plan(a)),
    "CommitInspectionPlan": lambda a: Call(json=_plan(a)),
    "CreateInspection": lambda a: Call(json=new_inspection(a)),
    "ListInspections": _unit_filter("unitId"),
    "GetInspection": lambda a: Call(_side(a).sealed.id),
    "ListSealedReads": lambda a: Call(_side(a).sealed.id),
    "CheckInInspection": _update(lambda s: s.sealed, location={"lat": 21.03, "lon": 105.84}),
    "AnswerChecklistItem": lambda a: Call(
        _side(a).running.id,
        path={"itemKey": "chat_luong"},
        json={"value": 9, "note": "Sinh hoạt có chất lượng"},
        headers=IF_MATCH,
    ),
    "AddFinding": _update(
        lambda s: s.running, text="Sổ nghị quyết ghi chưa đầy đủ", severity="medium"
    ),
    "ConcludeInspection": _update(
        lambda s: s.running,
        text="Chi bộ thực hiện tốt nghị quyết",
        recommendations=[{"text": "Bổ sung sổ nghị quyết", "dueOn": "2027-01-15"}],
    ),
    # tasks, petitions, the working-day calendar
    "CreateTask": lambda a: Call(
        json={
            "title": "Vận động hộ gia đình phân loại rác",
            "unitId": str(a.scene.cell(a.target).id),
            "assigneeId": str(_side(a).assignee.id),
            "dueOn": "2026-12-20",
        }
    ),
    "ListTasks": _unit_filter("unitId"),
    "ListMyTasks": _plain,
    "ListTasksToVerify": _plain,
    "GetTask": lambda a: Call(_side(a).open_task.id),
    "StartTask": _update(lambda s: s.open_task),
    "SubmitTask": _update(
        lambda s: s.open_task, note="Đã hoàn thành", noEvidenceReason="Không chụp được ảnh"
    ),
    "ReturnTask": _update(lambda s: s.submitted_task, reason="Cần ảnh chụp hiện trường"),
    "CloseTask": _update(lambda s: s.submitted_task, resolution="resolved"),
    "ReopenTask": _update(lambda s: s.closed_task, reason="Cống lại bị tắc"),
    "ReassignTask": lambda a: Call(
        _side(a).open_task.id,
        json={"assigneeId": str(a.scene.person[a.target].id), "reason": "Đồng chí đi công tác"},
        headers=IF_MATCH,
    ),
    "ExtendTask": _update(lambda s: s.open_task, dueOn="2027-03-01", reason="Chờ vật tư"),
    "CommentOnTask": lambda a: Call(_side(a).open_task.id, json={"text": "Đã liên hệ tổ dân phố"}),
    "ListTaskComments": lambda a: Call(_side(a).open_task.id),
    "RecordPetition": lambda a: Call(
        json={
            "unitId": str(a.scene.cell(a.target).id),
            "assigneeId": str(_side(a).assignee.id),
            "petitionerName": "Lê Văn Tám",
            "channel": "dialogue",
            "category": "Trật tự đô thị",
            "content": "Lấn chiếm vỉa hè ngõ 5",
            "receivedAt": "2026-11-26T02:00:00+00:00",
        }
    ),
    "ListPetitions": _unit_filter("unitId"),
    "GetPetition": lambda a: Call(_side(a).petition.id),
    "ReplyToPetition": lambda a: Call(
        _side(a).petition.id,
        json={
            "text": "Phường sẽ xử lý trong tuần",
            "headName": "Trần Văn Nam",
            "headTitle": "Chủ tịch UBND phường",
        },
    ),
    "RecordPetitionSatisfaction": lambda a: Call(
        _side(a).answered_petition.id, json={"satisfaction": "satisfied"}
    ),
    "ListCalendarExceptions": lambda _: Call(params={"year": "2027"}),
    "SetCalendarDay": lambda _: Call(
        path={"day": "2027-01-02"}, json={"working": False, "note": "Nghỉ bù"}
    ),
    # notifications: always the caller's own; another person's reads as missing
    "RegisterDevice": lambda a: Call(
        json={"token": f"fcm-token-{a.n}", "platform": "android", "appVersion": "1.0.0"}
    ),
    "UnregisterDevice": lambda a: Call(
        path={"token": a.scene.device_token["member_a" if a.caller == "anonymous" else a.caller]}
        if a.target == "in"
        else {"token": a.scene.device_token["out"]}
    ),
    "ListMyNotifications": _plain,
    "CountMyUnreadNotifications": _plain,
    "GetMyNotification": _my_notification,
    "MarkNotificationRead": _my_notification,
    "MarkAllNotificationsRead": _plain,
    "GetNotificationPreferences": _plain,
    "SetNotificationPreferences": lambda _: Call(
        json={"categories": {"task": False}, "quietHours": {"start": "22:00", "end": "06:00"}}
    ),
}


async def add_notifications(scene: Scene) -> None:
    """A notification and a registered device for every caller, and for someone outside."""
    store = PiccoloNotificationStore()
    owners = {caller: scene.caller(caller).id for caller in CALLERS[1:]}
    owners["out"] = scene.person["out"].id
    notifier = Notifier(store, NoTransaction(), FakeClock(), TemplateTexts())
    for key, person_id in owners.items():
        scene.device_token[key] = f"fcm-{key}"
        await store.save_device(
            Device(uuid4(), person_id, f"fcm-{key}", Platform.ANDROID, "1.0", "vi", None,
                   START, START)
        )  # fmt: skip
        (sent,) = await notifier.notify(
            [person_id], Category.TASK, f"task:{key}",
            Message(template="task_closed", params={"title": "Khơi thông cống rãnh"}),
        )  # fmt: skip
        scene.notification[key] = sent.id


class NoTransaction:
    """The scene is written inside the test's transaction already."""

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[None]:
        yield

    batched = atomic


@asynccontextmanager
async def rolled_back(db: Database) -> AsyncIterator[None]:
    """Undo whatever the request wrote, inside the test's own transaction."""
    transaction = db.engine.current_transaction.get()
    assert transaction is not None
    savepoint = await transaction.savepoint()
    try:
        yield
    finally:
        await savepoint.rollback_to()
        await savepoint.release()


VOLATILE_HEADERS = {"x-request-id", "date", "content-length"}
REQUEST_ID = re.compile(r'"requestId":"[0-9a-f]+"')


async def answer(
    client: httpx.AsyncClient, db: Database, method: str, path: str, call: Call, sent: str
) -> tuple[int, str, dict[str, str]]:
    """Status, the body's bytes and the headers, all but the request id (and an echoed sent id,
    as a validation message may quote it)."""
    headers = dict(call.headers)
    if call.content_type is not None:
        headers["Content-Type"] = call.content_type
    async with rolled_back(db):
        reply = await client.request(
            method, path, params=call.params, json=call.json, content=call.content, headers=headers
        )
    text = REQUEST_ID.sub('"requestId":"-"', reply.text).replace(sent, "<sent>")
    kept = {k: v for k, v in reply.headers.items() if k.lower() not in VOLATILE_HEADERS}
    return reply.status_code, text, kept
