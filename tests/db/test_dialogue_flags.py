"""The dialogue checks on both engines: results published late, a ward's year without enough
dialogues, a month without enough reception days; each flag once, only wards that existed
before the period, listed to the ward's overseers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from db.engine import Database
from db.repositories.dialogues import PiccoloDialogueRepository
from db.repositories.org import PiccoloOrgRepository
from domain.actors import Actor, Grant, Role
from domain.clock import local_at
from domain.compliance.model import FlagFilter, FlagKind
from domain.dialogues.model import Dialogue, DialogueFormat, DialogueKind, ReceptionDay
from domain.pagination import PageRequest
from schedules.jobs import JOBS
from tests.conftest import services
from tests.db.test_compliance import world_long_set_up
from tests.factories import World, make_unit
from tests.fakes import FakeClock

K = FlagKind


def dialogue(world: World, day: date, *, published: bool = False) -> Dialogue:
    starts = local_at(day, 8)
    return Dialogue(
        id=uuid4(), ward_id=world.ward1.id, ward_path=world.ward1.path, title="Đối thoại",
        kind=DialogueKind.PERIODIC, format=DialogueFormat.IN_PERSON, place="Hội trường",
        starts_at=starts, announced_at=starts - timedelta(days=10), cell_ids=(world.cell_a.id,),
        co_chairs=(), created_by=world.leader_1.id, participants=10,
        published_at=starts if published else None,
    )  # fmt: skip


def reception(world: World, day: date) -> ReceptionDay:
    return ReceptionDay(
        uuid4(), world.ward1.id, world.ward1.path, day, "Vũ Đức Minh", 3, world.leader_1.id,
        local_at(day, 17),
    )  # fmt: skip


async def test_results_late_from_the_day_after_the_deadline(db: Database, clock: FakeClock) -> None:
    world = await world_long_set_up()
    late, on_time = dialogue(world, date(2026, 11, 2)), dialogue(world, date(2026, 11, 3))
    for d in (late, on_time, dialogue(world, date(2026, 10, 1), published=True)):
        await PiccoloDialogueRepository().add(d)
    clock.reset(datetime(2026, 11, 13, 1, 30, tzinfo=UTC))  # the 13th, 08:30 in Hà Nội
    compliance = services(db, clock).compliance("test")
    raised = [
        f for f in await compliance.raise_dialogue_flags() if f.kind is K.DIALOGUE_RESULTS_LATE
    ]
    # due on the 12th: late on the 13th; the one due today is not late yet
    assert [(f.subject, f.unit_id, f.period) for f in raised] == [
        (late.id, world.ward1.id, "2026-11")
    ]
    clock.advance(timedelta(days=1))
    again = [
        f for f in await compliance.raise_dialogue_flags() if f.kind is K.DIALOGUE_RESULTS_LATE
    ]
    assert [f.subject for f in again] == [on_time.id]  # and the first not again


async def test_wards_short_of_reception_days_and_dialogues(db: Database, clock: FakeClock) -> None:
    world = await world_long_set_up()
    # made on START (27/11/2026): judged for December, not for the year 2026
    young_ward = make_unit(world.city, "Đảng ủy phường Mới", "ward")
    await PiccoloOrgRepository().add_unit(young_ward)
    await PiccoloOrgRepository().add_unit(make_unit(young_ward, "Chi bộ 9", "cell", is_cell=True))
    repo = PiccoloDialogueRepository()
    for day in (date(2026, 12, 3), date(2026, 12, 17)):
        await repo.add_reception_day(reception(world, day))
    await repo.add(dialogue(world, date(2026, 6, 1), published=True))
    clock.reset(datetime(2027, 1, 5, 1, 30, tzinfo=UTC))  # the checks of the 5th, 08:00 local
    compliance = services(db, clock).compliance("test")
    raised = {(f.kind, f.unit_id, f.period) for f in await compliance.raise_dialogue_flags()}
    assert raised == {
        (K.TOO_FEW_RECEPTION_DAYS, world.ward2.id, "2026-12"),
        (K.TOO_FEW_RECEPTION_DAYS, young_ward.id, "2026-12"),
        (K.TOO_FEW_DIALOGUES, world.ward2.id, "2026"),
    }
    assert await compliance.raise_dialogue_flags() == []  # safe to run twice
    leader = Actor(
        world.leader_2.id, uuid4(), (Grant(Role.LEADER, world.ward2.id, world.ward2.path),)
    )
    listed = await compliance.list_flags(leader, FlagFilter(), PageRequest())
    assert {f.kind for f in listed.items} == {K.TOO_FEW_RECEPTION_DAYS, K.TOO_FEW_DIALOGUES}
    assert "raise-dialogue-flags" in JOBS
