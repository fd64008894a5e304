"""The demo organisation behind `make run`: a city, two wards, six cells and their people, and
each cell's monthly meeting rule with its next regular meetings planned; the last two months'
meetings held and logged in full (attendance, discussion, votes), scored, the ward leader's visit
confirmed, so that each gives a biên bản.

The demo is planned in full from a fixed random seed, so names, phone numbers and logins are the
same on every machine and every run; only dates follow today. It is written through the
organisation and meeting use cases, as an admin, so every change is audited, and all in one
transaction: a failed seed leaves nothing behind. Seeding again finds the demo admin and only
prints the logins.

Only the people who get a demo login have a password: hashing one costs ~30 ms.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid4

from domain.actors import Actor, Grant, Role
from domain.clock import LOCAL_TZ
from domain.dialogues.model import CoChair, DialogueFormat, DialogueKind
from domain.dialogues.service import DialogueService, NewDialogue
from domain.documents.model import ItemDiscussion, Opinion
from domain.documents.service import DocumentService
from domain.meetings.attendance import MeetingAttendanceService
from domain.meetings.lifecycle import MeetingLifecycleService, NewMeeting
from domain.meetings.model import (
    AgendaItem,
    AgendaKind,
    AttendanceStatus,
    MeetingKind,
    Resolution,
)
from domain.meetings.planning import MeetingPlanningService
from domain.meetings.ports import CellRule
from domain.meetings.record import MeetingRecord, MeetingRecordService
from domain.meetings.recurrence import MeetingRule, RuleKind
from domain.org import bootstrap
from domain.org.model import MembershipKind, QuotaPeriod, Unit
from domain.org.service import NewMembership, NewPerson, OrgService
from domain.quality.service import QualityService
from domain.surveys.model import Rating, Resolved, Score
from domain.surveys.service import SurveyService

DEMO_PASSWORD = "chibo-demo-2026"  # noqa: S105 - printed for everyone to use; demo only
RANDOM_SEED = 2026
CITY = "Đảng bộ Thành phố Hà Nội"
WARDS = ("Đảng ủy phường Ba Đình", "Đảng ủy phường Hoàn Kiếm")
CELLS_PER_WARD = 3
MEMBERS_PER_CELL = (12, 28)
LEADER_QUOTA = 4  # meetings a ward leader attends in each cell they follow, per year
MEETING_AT, MEETING_MINUTES = time(19, 30), 120  # the demo cells' monthly meetings

# Easy to type on a phone: 0900 000 0NN, by role; random numbers stay out of this block.
LOGIN_BLOCK = "+849000000"
ADMIN_PHONE = "+84900000001"
LEADER_PHONES = ("+84900000011", "+84900000012")
INSPECTOR_PHONES = ("+84900000021", "+84900000022")
SECRETARY_PHONE_BASE = 30  # the secretary of cell N logs in with 0900 000 03N
MEMBER_PHONE_BASE = 40

# Mobile prefixes after +84 (Viettel, VinaPhone, MobiFone), as phones have them since 2018.
MOBILE_PREFIXES = (
    "96", "97", "98", "86", "32", "33", "34", "35", "36", "37", "38", "39",
    "91", "94", "88", "81", "82", "83", "84", "85",
    "90", "93", "70", "76", "77", "78", "79",
)  # fmt: skip

# Family names weighted roughly by how common they are.
FAMILY_NAMES = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 2),
    ("Phan", 4), ("Vũ", 4), ("Võ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1),
    ("Ngô", 1), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Đào", 1), ("Lương", 1),
)  # fmt: skip
MALE_MIDDLE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Xuân", "Đình")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Bích", "Hồng")
MALE_GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
    "Long", "Minh", "Nam", "Phong", "Quang", "Sơn", "Thắng", "Thành", "Trung", "Tuấn", "Tùng",
    "Việt", "Vinh",
)  # fmt: skip
FEMALE_GIVEN = (
    "Anh", "Hà", "Hằng", "Hạnh", "Hiền", "Hoa", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan",
    "Mai", "Nga", "Nhung", "Oanh", "Phương", "Thảo", "Thủy", "Trang", "Vân", "Yến",
)  # fmt: skip


HELD_MONTHS = 2  # the months before this one whose meetings the demo logs in full
ABSENCE_REASONS = ("ốm", "đi công tác", "chăm người nhà ốm", "về quê", "trực cơ quan")
AGENDA = (
    ("Đánh giá kết quả thực hiện nghị quyết tháng trước", AgendaKind.REPORT, 30),
    ("Thông tin thời sự, quán triệt văn bản của cấp trên", AgendaKind.DOCUMENT, 25),
    ("Thảo luận nhiệm vụ tháng tới của khu dân cư", AgendaKind.DISCUSSION, 45),
)
OPINIONS = (
    "Nhất trí với báo cáo của chi ủy.",
    "Đề nghị vận động các hộ gia đình phân loại rác tại nguồn.",
    "Cần quan tâm hơn đến các gia đình chính sách trong khu dân cư.",
    "Đề nghị tổ dân phố phối hợp kiểm tra đèn chiếu sáng ngõ xóm.",
    "Đảng viên cao tuổi gương mẫu tham gia sinh hoạt đều đặn.",
)
# what residents asked at the demo's dialogue; None: deferred to a written reply
DIALOGUE_QUESTIONS = (
    (
        "Đèn chiếu sáng ngõ 12 hỏng đã hai tháng, đề nghị phường sửa.",
        "Phường đã giao tổ dân phố kiểm tra; đèn được thay trong tuần này.",
    ),
    (
        "Xe tải chở vật liệu xây dựng đi vào khu dân cư giờ cao điểm.",
        "Công an phường tăng tuần tra và xử lý xe vi phạm giờ cấm.",
    ),
    ("Đề nghị làm rõ tiến độ cải tạo sân chơi chung của khu tập thể.", None),
)
PEOPLES_COMMITTEE_CHAIR = "Lê Minh Quang"
# what participants of the held dialogue answered through their survey links; after these, one
# answer entered by staff (assisted) and two links never used
DIALOGUE_RATINGS = (
    (5, Resolved.YES, None),
    (4, Resolved.YES, None),
    (4, Resolved.YES, None),
    (5, Resolved.YES, "Lãnh đạo phường trả lời thẳng thắn, cụ thể."),
    (3, Resolved.UNKNOWN, None),
    (4, Resolved.YES, None),
    (2, Resolved.NO, "Chưa có lịch cải tạo sân chơi của khu tập thể."),
    (5, Resolved.YES, None),
    (1, Resolved.NO, "Xe tải vẫn đi vào khu dân cư giờ cao điểm."),
)
DIALOGUE_UNANSWERED = 2

CONCLUSIONS = (
    "Chi bộ thống nhất đánh giá tháng qua hoàn thành tốt nhiệm vụ.",
    "Đảng viên nghiên cứu kỹ văn bản, tuyên truyền đến gia đình và nhân dân.",
    "Giao chi ủy phân công đảng viên phụ trách từng nhóm hộ, báo cáo tại kỳ họp sau.",
)
RESOLUTIONS = (
    "Tổ chức tổng vệ sinh môi trường khu dân cư vào sáng Chủ nhật đầu tháng",
    "Vận động 100% đảng viên đóng đảng phí đúng hạn",
)
# points of the default criteria set that a demo meeting may lose, one at a time
LOSABLE = ("prep_notice", "con_tasks", "con_criticism", "att_rate", "con_contributions")
FULL_POINTS = {
    "prep_content": 10, "prep_notice": 5, "att_rate": 10, "att_duration": 10,
    "con_procedure": 10, "con_contributions": 15, "con_tasks": 10, "con_criticism": 10,
    "clo_resolution": 10, "clo_minutes": 10,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoServices:
    """The use cases the demo is written through, built by the composition root."""

    org: OrgService
    planning: MeetingPlanningService
    lifecycle: MeetingLifecycleService
    record: MeetingRecordService
    attendance: MeetingAttendanceService
    documents: DocumentService
    quality: QualityService
    dialogues: DialogueService
    surveys: SurveyService


@dataclass(frozen=True, slots=True)
class DemoPerson:
    full_name: str
    phone: str
    login: bool


@dataclass(frozen=True, slots=True)
class DemoMember:
    person: DemoPerson
    kind: MembershipKind
    joined_on: date
    exempt_since: date | None = None


@dataclass(frozen=True, slots=True)
class DemoCell:
    number: int  # cell N meets on day 2 + N of the month in the cultural house of quarter N
    name: str
    members: tuple[DemoMember, ...]  # the first one is the secretary


@dataclass(frozen=True, slots=True)
class DemoWard:
    name: str
    leader: DemoPerson
    cells: tuple[DemoCell, ...]


@dataclass(frozen=True, slots=True)
class DemoPlan:
    admin: DemoPerson
    inspectors: tuple[DemoPerson, ...]
    wards: tuple[DemoWard, ...]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: Role
    unit: str
    phone: str
    full_name: str


class _People:
    """Unique names and phone numbers drawn from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.phones: set[str] = set()

    def person(self, phone: str | None = None) -> DemoPerson:
        return DemoPerson(self._name(), phone or self._phone(), login=phone is not None)

    def _name(self) -> str:
        rng = self.rng
        family = rng.choices([n for n, _ in FAMILY_NAMES], [w for _, w in FAMILY_NAMES])[0]
        female = rng.random() < 0.5  # noqa: PLR2004 - as many women as men
        while True:
            middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
            given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
            name = f"{family} {middle} {given}"
            if middle != given and name not in self.names:
                self.names.add(name)
                return name

    def _phone(self) -> str:
        while True:
            phone = f"+84{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**7):07d}"
            if phone not in self.phones and not phone.startswith(LOGIN_BLOCK):
                self.phones.add(phone)
                return phone


def demo_plan(today: date) -> DemoPlan:
    """The whole demo. Only the dates depend on ``today``; everything else on the seed."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - demo data, not secrets
    people = _People(rng)
    admin = people.person(ADMIN_PHONE)
    inspectors = tuple(people.person(phone) for phone in INSPECTOR_PHONES)
    wards = []
    for w, ward_name in enumerate(WARDS):
        leader = people.person(LEADER_PHONES[w])
        cells = []
        for c in range(CELLS_PER_WARD):
            number = w * CELLS_PER_WARD + c + 1
            secretary = people.person(_login_phone(SECRETARY_PHONE_BASE + number))
            members = [DemoMember(secretary, MembershipKind.FULL, _years_ago(rng, today, 15, 40))]
            # One plain member per ward can log in, to show what a member sees.
            login_phone = _login_phone(MEMBER_PHONE_BASE + w + 1) if c == 0 else None
            members.append(
                DemoMember(
                    people.person(login_phone),
                    MembershipKind.FULL,
                    _years_ago(rng, today, 2, 30),
                )
            )
            size = rng.randint(*MEMBERS_PER_CELL)
            members += [_member(rng, today, people) for _ in range(size - len(members))]
            if c == 1:
                # An elderly member excused from meetings by the cell's resolution.
                old = members[-1]
                members[-1] = DemoMember(
                    old.person,
                    MembershipKind.FULL,
                    _years_ago(rng, today, 40, 55),
                    today - timedelta(days=rng.randint(60, 700)),
                )
            cells.append(DemoCell(number, f"Chi bộ khu dân cư số {number}", tuple(members)))
        wards.append(DemoWard(ward_name, leader, tuple(cells)))
    return DemoPlan(admin, inspectors, tuple(wards))


def _member(rng: random.Random, today: date, people: _People) -> DemoMember:
    if rng.random() < 0.1:  # noqa: PLR2004 - a few admitted this year, on probation
        return DemoMember(
            people.person(),
            MembershipKind.PROBATIONARY,
            today - timedelta(days=rng.randint(30, 330)),
        )
    return DemoMember(people.person(), MembershipKind.FULL, _years_ago(rng, today, 2, 45))


def _years_ago(rng: random.Random, today: date, low: int, high: int) -> date:
    return date(today.year - rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))


def _login_phone(number: int) -> str:
    return f"{LOGIN_BLOCK}{number:02d}"


def demo_logins(plan: DemoPlan, root_name: str = CITY) -> list[DemoLogin]:
    cells = [cell for ward in plan.wards for cell in ward.cells]
    return [
        DemoLogin(Role.ADMIN, root_name, plan.admin.phone, plan.admin.full_name),
        *(DemoLogin(Role.LEADER, w.name, w.leader.phone, w.leader.full_name) for w in plan.wards),
        *(DemoLogin(Role.INSPECTOR, root_name, p.phone, p.full_name) for p in plan.inspectors),
        *(
            DemoLogin(
                Role.SECRETARY, c.name, c.members[0].person.phone, c.members[0].person.full_name
            )
            for c in cells
        ),
        *(
            DemoLogin(Role.MEMBER, c.name, m.person.phone, m.person.full_name)
            for c in cells
            for m in c.members[1:]
            if m.person.login
        ),
    ]


def logins_text(logins: list[DemoLogin], *, created: bool) -> str:
    rows = [("role", "unit", "phone", "name")]
    rows += [(x.role.value, x.unit, x.phone, x.full_name) for x in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    heading = "Demo seeded." if created else "Demo already in place."
    lines = [f"{heading} Demo logins, all with the password {DEMO_PASSWORD}:"]
    lines += [
        "  " + "  ".join([*(v.ljust(w) for v, w in zip(row, widths, strict=False)), row[3]])
        for row in rows
    ]
    return "\n".join(lines)


async def seed(demo: DemoServices) -> str:
    """Write the demo unless it is there; either way return its logins."""
    org = demo.org
    plan = demo_plan(org.clock.now().date())
    async with org.uow.atomic():
        created = await org.repo.person_by_phone(plan.admin.phone) is None
        if created:
            await _write(demo, plan)
        root = await org.repo.root_unit()
    # A root made earlier by `chibo create-admin` keeps its own name.
    return logins_text(demo_logins(plan, root.name if root else CITY), created=created)


async def _write(demo: DemoServices, plan: DemoPlan) -> None:
    org = demo.org
    admin, root = await bootstrap.create_admin(
        org, plan.admin.phone, plan.admin.full_name, DEMO_PASSWORD, CITY, "city"
    )
    actor = Actor(admin.id, uuid4(), (Grant(Role.ADMIN, root.id, root.path),))
    today = org.clock.now().date()
    ward_held = True  # the first ward held its dialogue; the second announces one
    for inspector in plan.inspectors:
        person_id = await _person(org, actor, root, inspector)
        await org.create_grant(actor, person_id, root.id, Role.INSPECTOR)
    for demo_ward in plan.wards:
        ward = await org.create_unit(actor, root.id, demo_ward.name, "ward", is_cell=False)
        leader_id = await _person(org, actor, ward, demo_ward.leader)
        await org.create_grant(actor, leader_id, ward.id, Role.LEADER)
        leader = Actor(leader_id, uuid4(), (Grant(Role.LEADER, ward.id, ward.path),))
        cells: list[UUID] = []
        secretaries: list[UUID] = []
        for demo_cell in demo_ward.cells:
            people: list[UUID] = []
            cell = await org.create_unit(actor, ward.id, demo_cell.name, "cell", is_cell=True)
            cells.append(cell.id)
            for member in demo_cell.members:
                person_id = await _person(org, actor, cell, member.person)
                people.append(person_id)
                await org.create_membership(
                    actor,
                    NewMembership(
                        person_id=person_id,
                        cell_id=cell.id,
                        kind=member.kind,
                        joined_on=member.joined_on,
                        exempt=member.exempt_since is not None,
                        exempt_resolution_date=member.exempt_since,
                    ),
                )
                if member is demo_cell.members[0]:
                    await org.create_grant(actor, person_id, cell.id, Role.SECRETARY)
                    secretaries.append(person_id)
            await org.create_assignment(
                actor, leader_id, cell.id, LEADER_QUOTA, QuotaPeriod.YEAR, date(today.year, 1, 1)
            )
            await _plan_meetings(demo.planning, actor, cell.id, demo_cell.number)
            for months_ago in range(HELD_MONTHS, 0, -1):
                await _held_meeting(
                    demo, actor, leader if months_ago == 1 else None, cell.id, demo_cell, people,
                    months_ago,
                )  # fmt: skip
        await _dialogue(demo, leader, demo_ward, ward.id, cells, secretaries[0], held=ward_held)
        ward_held = False


async def _dialogue(
    demo: DemoServices,
    leader: Actor,
    ward: DemoWard,
    ward_id: UUID,
    cells: list[UUID],
    owner: UUID,
    *,
    held: bool,
) -> None:
    """The ward's dialogue with its residents: held 12 days ago (two questions answered on the
    spot, one deferred to a cell's secretary, results published) and the leader's reception days
    of last month, and its participants' satisfaction surveys; or announced for 10 days ahead."""
    dialogues = demo.dialogues
    now = dialogues.clock.now()
    if not held:
        start = datetime.combine(now.astimezone(LOCAL_TZ).date(), time(8), LOCAL_TZ)
        later = _new_dialogue(ward, ward_id, cells, start + timedelta(days=10))
        await dialogues.announce(leader, later)
        return
    day = (now - timedelta(days=12)).astimezone(LOCAL_TZ).date()
    start = datetime.combine(day, time(8), LOCAL_TZ)
    dialogue = await dialogues.announce(leader, _new_dialogue(ward, ward_id, cells, start))
    chair = ward.leader.full_name
    for n, (content, answer) in enumerate(DIALOGUE_QUESTIONS):
        dialogue = await dialogues.raise_question(
            leader, dialogue.id, None, content, "Bà Nguyễn Thị Thu" if n == 0 else None
        )
        question = dialogue.questions[-1].id
        if answer is None:
            dialogue = await dialogues.defer(leader, dialogue.id, question, None, owner)
        else:
            dialogue = await dialogues.answer(
                leader, dialogue.id, question, None, chair, "Bí thư Đảng ủy phường", answer
            )
    dialogue = await dialogues.record_participants(leader, dialogue.id, None, 124)
    await dialogues.publish(leader, dialogue.id, None)
    await _surveys(demo.surveys, leader, dialogue.id)
    last_month = now.astimezone(LOCAL_TZ).date().replace(day=1) - timedelta(days=1)
    for day_of_month, citizens in ((8, 5), (22, 3)):
        await dialogues.record_reception_day(
            leader, ward_id, last_month.replace(day=day_of_month), chair, citizens, None
        )


async def _surveys(surveys: SurveyService, leader: Actor, dialogue_id: UUID) -> None:
    """Participants' surveys of the published dialogue: most answered through their links, one
    entered by the leader for a resident without a phone, two not answered."""
    for score, resolved, reason in DIALOGUE_RATINGS:
        issued = await surveys.for_dialogue(leader, dialogue_id)
        await surveys.answer_by_link(issued.token, Rating(Score(score), resolved, reason))
    assisted = await surveys.for_dialogue(leader, dialogue_id)
    await surveys.answer_assisted(leader, assisted.survey.id, Rating(Score(4), Resolved.YES))
    for _ in range(DIALOGUE_UNANSWERED):
        await surveys.for_dialogue(leader, dialogue_id)


def _new_dialogue(ward: DemoWard, ward_id: UUID, cells: list[UUID], start: datetime) -> NewDialogue:
    return NewDialogue(
        ward_id=ward_id,
        title=f"Đối thoại với Nhân dân năm {start.year}: trật tự đô thị và môi trường",
        kind=DialogueKind.PERIODIC,
        format=DialogueFormat.BOTH,
        place="Hội trường Đảng ủy phường",
        starts_at=start,
        cell_ids=tuple(cells),
        co_chairs=(
            CoChair("Bí thư Đảng ủy phường", ward.leader.full_name),
            CoChair("Chủ tịch Ủy ban nhân dân phường", PEOPLES_COMMITTEE_CHAIR),
        ),
    )


async def _plan_meetings(
    meetings: MeetingPlanningService, actor: Actor, cell_id: UUID, number: int
) -> None:
    """The cell's monthly rule, and its regular meetings planned months ahead, as the planner
    job would (members open them from their phones; the reminders follow)."""
    rule = MeetingRule(RuleKind.DAY_OF_MONTH, MEETING_AT, MEETING_MINUTES, day=2 + number)
    place = f"Nhà văn hóa tổ dân phố số {number}"
    await meetings.set_rule(actor, CellRule(cell_id, rule, place, None))
    await meetings.plan_cell(actor, cell_id)


async def _person(org: OrgService, actor: Actor, home: Unit, demo: DemoPerson) -> UUID:
    person = await org.create_person(
        actor,
        NewPerson(
            home_unit_id=home.id,
            full_name=demo.full_name,
            phone=demo.phone,
            password=DEMO_PASSWORD if demo.login else None,
            password_temporary=False,  # printed for everyone: nobody is asked to change it
        ),
    )
    return person.id


async def _held_meeting(
    demo: DemoServices,
    actor: Actor,
    visitor: Actor | None,
    cell_id: UUID,
    cell: DemoCell,
    people: list[UUID],
    months_ago: int,
) -> None:
    """A regular meeting of a past month, logged as its secretary would: the attendance sheet,
    what each agenda item's speakers said, the votes; then scored, and confirmed by the ward
    leader who attended it (the visit confirmed by both sides)."""
    rng = random.Random(RANDOM_SEED * 100 + cell.number * 10 + months_ago)  # noqa: S311 - demo
    today = demo.org.clock.now().astimezone(LOCAL_TZ).date()
    month = today.year * 12 + today.month - 1 - months_ago
    start = datetime.combine(
        date(month // 12, month % 12 + 1, 2 + cell.number), MEETING_AT, LOCAL_TZ
    )
    place = f"Nhà văn hóa tổ dân phố số {cell.number}"
    meeting = await demo.lifecycle.create(
        actor,
        NewMeeting(
            cell_id, MeetingKind.REGULAR, start, start + timedelta(minutes=120), place=place
        ),
    )
    agenda = [AgendaItem(title, kind, minutes) for title, kind, minutes in AGENDA]
    meeting = await demo.planning.notice.publish_notice(actor, meeting.id, None, agenda)
    roster = await demo.planning.repo.roster_on(cell_id, start.date())
    chair, taker = people[0], people[1]  # the secretary and a long-standing member
    attendance: list[tuple[UUID, AttendanceStatus, str | None]] = []
    for person_id, _, _, exempt in roster:
        if exempt:
            continue
        draw = rng.random()
        if person_id in {chair, taker} or draw < 0.82:  # noqa: PLR2004 - most come
            attendance.append((person_id, AttendanceStatus.PRESENT, None))
        elif draw < 0.95:  # noqa: PLR2004 - most absences are excused
            attendance.append((person_id, AttendanceStatus.EXCUSED, rng.choice(ABSENCE_REASONS)))
        else:
            attendance.append((person_id, AttendanceStatus.UNEXCUSED, None))
    full = {p for p, _, kind, exempt in roster if kind is MembershipKind.FULL and not exempt}
    voters = sum(
        1 for p, status, _ in attendance if status is AttendanceStatus.PRESENT and p in full
    )
    names = {p: name for p, name, _, _ in roster}
    await demo.record.log(
        actor,
        meeting.id,
        None,
        MeetingRecord(
            actual_start=start,
            actual_end=start + timedelta(minutes=rng.randint(100, 135)),
            chair_id=chair,
            minute_taker_id=taker,
            minutes_text="Chi bộ sinh hoạt đúng giờ, đảng viên phát biểu sôi nổi, thẳng thắn.",
            resolutions=[
                Resolution(text, votes_for=voters - n, votes_abstain=n)
                for n, text in enumerate(RESOLUTIONS)
            ],
            attendance=attendance,
        ),
    )
    present = [p for p, status, _ in attendance if status is AttendanceStatus.PRESENT]
    items = [
        ItemDiscussion(
            tuple(Opinion(names[p], rng.choice(OPINIONS)) for p in rng.sample(present, k=2)),
            CONCLUSIONS[n] if n < len(CONCLUSIONS) else "Chi bộ thống nhất.",
        )
        for n in range(len(meeting.agenda))
    ]
    await demo.documents.set_discussion(actor, meeting.id, 0, items)
    points = dict(FULL_POINTS)
    for criterion in rng.sample(LOSABLE, k=rng.randint(0, 2)):
        points[criterion] -= rng.randint(1, 3)
    await demo.quality.score(actor, meeting.id, 0, points)
    if visitor is not None:
        await demo.attendance.confirm_visit(
            visitor, meeting.id, visitor.person_id, "Chi bộ sinh hoạt nền nếp, nội dung thiết thực."
        )
        # the secretary's side: the visit counts toward the leader's quota once both confirmed
        await demo.attendance.confirm_visit(actor, meeting.id, visitor.person_id, None)
        await demo.quality.confirm(visitor, meeting.id, 1)
