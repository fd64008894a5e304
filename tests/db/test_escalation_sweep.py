from __future__ import annotations

from datetime import date, timedelta

from db.engine import Database
from db.repositories.tasks import PiccoloTaskRepository
from domain.tasks.model import Priority, StepKind, TaskStatus
from tests.factories import build_world
from tests.fakes import FakeClock
from tests.reminder_subjects import add_task_in, escalation_service


async def test_escalation_sweep_is_idempotent_and_climbs_the_tree(
    db: Database, clock: FakeClock
) -> None:
    world = await build_world()
    repo = PiccoloTaskRepository()
    task = await add_task_in(
        world.cell_a.id,
        world.cell_a.path,
        world.secretary_a.id,
        date(2026, 11, 20),
        TaskStatus.IN_PROGRESS,
        Priority.URGENT,
    )
    service = escalation_service(db, clock)
    # 27 November: 5 working days late -> cell head, then the ward (every 3 more)
    assert await service.escalate_overdue() == 2
    assert await service.escalate_overdue() == 0
    stored = await repo.get(task.id)
    assert stored is not None
    assert stored.escalation_level == 2
    reached = [s.unit_id for s in stored.steps if s.kind is StepKind.ESCALATED]
    assert reached == [world.cell_a.id, world.ward1.id]

    clock.advance(timedelta(days=14))
    assert await service.escalate_overdue() == 1  # the city, and no higher
    clock.advance(timedelta(days=30))
    assert await service.escalate_overdue() == 0
