"""The demo behind `make run`: its shape, its logins, and that seeding twice changes nothing."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import datetime, time
from uuid import uuid4

import phonenumbers
from piccolo.table import Table

from db.engine import Database
from db.json_columns import loads
from db.seed_demo import ADMIN_PHONE, DEMO_PASSWORD, HELD_MONTHS, demo_logins, demo_plan, seed
from db.tables import (
    AuditEventTable,
    DialogueTable,
    LeaderAssignmentTable,
    MeetingQualityTable,
    MeetingRuleTable,
    MeetingTable,
    MembershipTable,
    PersonTable,
    PetitionTable,
    ReceptionDayTable,
    RoleGrantTable,
    UnitTable,
)
from domain.actors import Actor, Grant, Role
from domain.clock import LOCAL_TZ
from domain.documents.model import DocumentKind
from tests.conftest import services
from tests.fakes import FakeClock


def local_time(moment: datetime) -> time:
    return moment.astimezone(LOCAL_TZ).time()


TABLES: tuple[type[Table], ...] = (
    UnitTable,
    PersonTable,
    MembershipTable,
    RoleGrantTable,
    LeaderAssignmentTable,
    MeetingRuleTable,
    AuditEventTable,
)


async def row_counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count() for table in TABLES}


def test_plan_is_the_same_every_time_with_real_names_and_valid_phones(clock: FakeClock) -> None:
    today = clock.now().date()
    plan = demo_plan(today)
    assert plan == demo_plan(today)
    people = [plan.admin, *plan.inspectors]
    for ward in plan.wards:
        people.append(ward.leader)
        people += [member.person for cell in ward.cells for member in cell.members]
    phones = [p.phone for p in people]
    assert len(set(phones)) == len(phones)
    for phone in phones:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, phone
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone
        assert phone[3] in "3789", phone
    names = [p.full_name for p in people]
    assert len(set(names)) == len(names)
    for name in names:
        assert unicodedata.normalize("NFC", name) == name
        assert len(name.split()) == 3, name
    assert any(not name.isascii() for name in names)


async def test_seed_writes_the_demo_once_through_audited_use_cases(
    db: Database, clock: FakeClock
) -> None:
    demo = services(db, clock).demo("seed")
    text = await seed(demo)

    units = await UnitTable.select(UnitTable.id, UnitTable.level, UnitTable.is_cell)
    assert Counter(u["level"] for u in units) == {"city": 1, "ward": 2, "cell": 6}
    cells = {u["id"] for u in units if u["is_cell"]}
    assert len(cells) == 6
    live = await MembershipTable.select(
        MembershipTable.cell, MembershipTable.kind, MembershipTable.exempt
    ).where(MembershipTable.left_on.is_null())
    per_cell = Counter(m["cell"] for m in live)
    assert set(per_cell) == cells
    assert all(10 <= n <= 30 for n in per_cell.values()), per_cell
    assert any(m["kind"] == "probationary" for m in live)
    assert 1 <= sum(m["exempt"] for m in live) <= 2

    grants = await RoleGrantTable.select(RoleGrantTable.role, RoleGrantTable.unit)
    assert Counter(g["role"] for g in grants) == {
        "admin": 1,
        "leader": 2,
        "inspector": 2,
        "secretary": 6,
    }
    assert {g["unit"] for g in grants if g["role"] == "secretary"} == cells
    assignments = await LeaderAssignmentTable.select(LeaderAssignmentTable.cell)
    assert {a["cell"] for a in assignments} == cells

    rules = await MeetingRuleTable.select(MeetingRuleTable.cell)
    assert {r["cell"] for r in rules} == cells
    meetings = await MeetingTable.select(
        MeetingTable.id, MeetingTable.cell, MeetingTable.kind, MeetingTable.status,
        MeetingTable.planned_start,
    )  # fmt: skip
    planned = [m for m in meetings if m["status"] == "planned"]
    assert {m["status"] for m in meetings} == {"planned", "held"}
    assert Counter(m["cell"] for m in planned).keys() == cells
    assert all(n >= 2 for n in Counter(m["cell"] for m in planned).values())  # months ahead
    assert all(m["planned_start"] > clock.now() for m in planned)
    assert {local_time(m["planned_start"]) for m in meetings} == {time(19, 30)}
    assert {m["kind"] for m in meetings} == {"regular"}
    counts = await row_counts()
    written = sum(n for name, n in counts.items() if name != "audit_event")
    # every row was written as an audited change (the planned meetings as the planner job
    # writes them: its rule's change is the audited one; the held ones below have their own)
    # (the ward's dialogues, reception days, the petition a deferred question opened and the
    # dialogue's surveys are checked on their own below)
    organisation = AuditEventTable.object_type.not_in(
        ["Meeting", "MeetingQuality", "Dialogue", "ReceptionDay", "Task", "Survey"]
    )
    assert await AuditEventTable.count().where(organisation) == written

    logins = demo_logins(demo_plan(clock.now().date()))
    with_password = await PersonTable.count().where(PersonTable.password_hash.is_not_null())
    assert with_password == len(logins)
    # the demo logins are printed for everyone: none is asked to change its password first
    assert await PersonTable.count().where(PersonTable.password_temporary == True) == 0  # noqa: E712
    for login in logins:
        assert login.phone in text
        assert login.unit in text
    assert DEMO_PASSWORD in text

    again = await seed(demo)

    assert await row_counts() == counts
    assert await MeetingTable.count() == len(meetings)
    assert again.splitlines()[1:] == text.splitlines()[1:]


async def test_the_demo_logs_last_months_meetings_each_giving_its_minutes(
    db: Database, clock: FakeClock
) -> None:
    demo = services(db, clock).demo("seed")
    await seed(demo)
    cells = {u["id"] for u in await UnitTable.select(UnitTable.id).where(UnitTable.is_cell == True)}  # noqa: E712
    meetings = await MeetingTable.select(
        MeetingTable.id, MeetingTable.cell, MeetingTable.status, MeetingTable.planned_start
    )
    # the last two months' meetings held and logged, each giving its biên bản, all scored
    held = [m for m in meetings if m["status"] == "held"]
    assert Counter(m["cell"] for m in held) == dict.fromkeys(cells, HELD_MONTHS)
    assert all(m["planned_start"] < clock.now() for m in held)
    admin = await PersonTable.select(PersonTable.id).where(PersonTable.phone == ADMIN_PHONE).first()
    root = (
        await UnitTable.select(UnitTable.id, UnitTable.path)
        .where(UnitTable.parent.is_null())
        .first()
    )
    assert admin is not None
    assert root is not None
    actor = Actor(admin["id"], uuid4(), (Grant(Role.ADMIN, root["id"], root["path"]),))
    for meeting in held:
        minutes = await demo.documents.issue(actor, meeting["id"], DocumentKind.MINUTES)
        assert minutes.quality is not None
        assert minutes.discussion.items
    bands = await MeetingQualityTable.select(MeetingQualityTable.band)
    assert len(bands) == len(held)
    assert {b["band"] for b in bands} <= {"good", "fair"}
    assert await MeetingQualityTable.count().where(
        MeetingQualityTable.confirmed_at.is_not_null()
    ) == len(cells)  # the ward leader confirmed last month's

    actions = await AuditEventTable.select(AuditEventTable.action).where(
        AuditEventTable.object_id == held[0]["id"]
    )
    assert {a["action"] for a in actions} >= {
        "meeting.create", "meeting.notice", "meeting.log", "meeting.discussion", "quality.score",
        "document.minutes",
    }  # fmt: skip


async def test_the_demo_holds_a_dialogue_with_answered_and_deferred_questions(
    db: Database, clock: FakeClock
) -> None:
    container = services(db, clock)
    await seed(container.demo("seed"))
    dialogues = await DialogueTable.select().order_by(DialogueTable.starts_at)
    held, announced = dialogues
    assert held["published_at"] is not None
    assert announced["published_at"] is None
    assert announced["starts_at"] > clock.now()
    states = [
        "answered" if q["answer"] else "deferred" if q["deferral"] else "open"
        for q in loads(held["questions"])
    ]
    assert states == ["answered", "answered", "deferred"]
    petitions = await PetitionTable.select(PetitionTable.channel, PetitionTable.unit)
    assert petitions == [{"channel": "dialogue", "unit": held["ward"]}]
    assert await ReceptionDayTable.count().where(ReceptionDayTable.ward == held["ward"]) == 2

    # its participants rated it: 9 through their links, 1 entered by staff, 2 links unused
    ward = await UnitTable.select(UnitTable.path).where(UnitTable.id == held["ward"]).first()
    assert ward is not None
    leader = Actor(uuid4(), uuid4(), (Grant(Role.LEADER, held["ward"], ward["path"]),))
    month = clock.now().astimezone(LOCAL_TZ).strftime("%Y-%m")
    report = await container.surveys("seed").satisfaction(leader, held["ward"], month)
    figures = report.tally
    assert (figures.answers, figures.satisfied, figures.not_resolved, figures.assisted) == (
        9,
        6,
        2,
        1,
    )
    assert (report.reach.opened, report.reach.answered) == (12, 9)
    [head] = report.heads
    assert head.tally.answers == 9
