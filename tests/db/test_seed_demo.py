"""The demo behind `make run`: its shape, its logins, and that seeding twice changes nothing."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import datetime, time

import phonenumbers
from piccolo.table import Table

from db.engine import Database
from db.seed_demo import DEMO_PASSWORD, demo_logins, demo_plan, seed
from db.tables import (
    AuditEventTable,
    LeaderAssignmentTable,
    MeetingRuleTable,
    MeetingTable,
    MembershipTable,
    PersonTable,
    RoleGrantTable,
    UnitTable,
)
from domain.clock import LOCAL_TZ
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
    container = services(db, clock)
    org, meetings = container.org("seed"), container.meeting_planning("seed")
    text = await seed(org, meetings)

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
    planned = await MeetingTable.select(
        MeetingTable.cell, MeetingTable.kind, MeetingTable.status, MeetingTable.planned_start
    )
    assert Counter(m["cell"] for m in planned).keys() == cells
    assert all(n >= 2 for n in Counter(m["cell"] for m in planned).values())  # months ahead
    assert {(m["kind"], m["status"]) for m in planned} == {("regular", "planned")}
    assert all(m["planned_start"] > clock.now() for m in planned)
    assert {local_time(m["planned_start"]) for m in planned} == {time(19, 30)}

    counts = await row_counts()
    written = sum(n for name, n in counts.items() if name != "audit_event")
    # every row was written as an audited change (the planned meetings as the planner job
    # writes them: its rule's change is the audited one)
    assert counts["audit_event"] == written

    logins = demo_logins(demo_plan(clock.now().date()))
    with_password = await PersonTable.count().where(PersonTable.password_hash.is_not_null())
    assert with_password == len(logins)
    # the demo logins are printed for everyone: none is asked to change its password first
    assert await PersonTable.count().where(PersonTable.password_temporary == True) == 0  # noqa: E712
    for login in logins:
        assert login.phone in text
        assert login.unit in text
    assert DEMO_PASSWORD in text

    again = await seed(org, meetings)

    assert await row_counts() == counts
    assert again.splitlines()[1:] == text.splitlines()[1:]
