"""What the reminder tests share: the service as the job builds it, and what reminders are
about, written straight through the repositories: tasks, petitions, meetings and inspections of
any cell (``*_in``), and the same for cell A of a build_world() organisation (its secretary owns
the tasks, the inspector leads the inspections).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from chibo.settings import Settings
from db.engine import Database
from db.repositories.inspections import PiccoloInspectionRepository
from db.repositories.meetings import PiccoloMeetingRepository
from db.repositories.tasks import PiccoloTaskRepository
from domain.inspections.model import (
    AnswerKind,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionKind,
    InspectionStatus,
)
from domain.meetings.model import Meeting, MeetingKind, MeetingStatus
from domain.reminders.model import ReminderPolicy
from domain.reminders.service import ReminderService
from domain.tasks.model import Evidence, Priority, Step, StepKind, Task, TaskSource, TaskStatus
from domain.tasks.petitions import Channel, Petition
from domain.tasks.service import TaskService
from tests.conftest import TEST_SECRET, services
from tests.factories import World
from tests.fakes import START, FakeClock


def reminder_service(
    db: Database, clock: FakeClock, policy: ReminderPolicy | None = None
) -> ReminderService:
    settings = Settings(
        database_url="sqlite:///unused",
        secret_key=TEST_SECRET,
        reminder_policy=policy or ReminderPolicy(),
    )
    return services(db, clock, settings).reminders()


def escalation_service(db: Database, clock: FakeClock) -> TaskService:
    """The task use cases as the escalation job gets them, pushes included."""
    return services(db, clock).tasks("test")


async def add_task_in(
    unit_id: UUID,
    unit_path: str,
    assignee: UUID,
    due_on: date,
    status: TaskStatus = TaskStatus.OPEN,
    priority: Priority = Priority.NORMAL,
    title: str = "Sửa mái nhà văn hóa",
) -> Task:
    task = Task(
        id=uuid4(),
        title=title,
        unit_id=unit_id,
        unit_path=unit_path,
        assignee_id=assignee,
        source=TaskSource.LEADER,
        priority=priority,
        due_on=due_on,
        status=status,
        created_at=START,
        evidence=Evidence("Đã sửa", no_evidence_reason="Làm ban đêm")
        if status in {TaskStatus.SUBMITTED, TaskStatus.CLOSED}
        else None,
        steps=[Step(StepKind.CREATED, None, START)],
    )
    await PiccoloTaskRepository().add(task)
    return task


async def add_task(world: World, due_on: date, status: TaskStatus = TaskStatus.OPEN) -> Task:
    return await add_task_in(
        world.cell_a.id, world.cell_a.path, world.secretary_a.id, due_on, status
    )


async def add_petition(world: World, reply_due_on: date) -> Petition:
    """A petition with its task (due far later, so that only the petition's reminders fire)."""
    task = await add_task(world, reply_due_on + timedelta(days=60))
    petition = Petition(
        id=uuid4(),
        unit_id=world.cell_a.id,
        unit_path=world.cell_a.path,
        task_id=task.id,
        petitioner_name="Nguyễn Thị Hạnh",
        petitioner_contact="0912345678",
        channel=Channel.RECEPTION_DAY,
        category="Vệ sinh môi trường",
        content="Cống ngõ 12 bị tắc",
        received_at=START,
        reply_due_on=reply_due_on,
        created_at=START,
    )
    await PiccoloTaskRepository().add_petition(petition)
    return petition


async def add_meeting_in(
    cell_id: UUID, cell_path: str, start: datetime, status: MeetingStatus = MeetingStatus.PLANNED
) -> Meeting:
    meeting = Meeting(
        id=uuid4(),
        cell_id=cell_id,
        cell_path=cell_path,
        kind=MeetingKind.REGULAR,
        status=status,
        planned_start=start,
        planned_end=start + timedelta(hours=2),
        created_at=START,
        updated_at=START,
    )
    await PiccoloMeetingRepository().add(meeting)
    return meeting


async def add_meeting(
    world: World, start: datetime, status: MeetingStatus = MeetingStatus.PLANNED
) -> Meeting:
    return await add_meeting_in(world.cell_a.id, world.cell_a.path, start, status)


async def add_inspection_in(
    target_id: UUID,
    target_path: str,
    team: tuple[UUID, ...],
    start: datetime,
    end: datetime | None = None,
    kind: InspectionKind = InspectionKind.PERIODIC,
) -> Inspection:
    """Led by the first of ``team``, who also created it."""
    repo = PiccoloInspectionRepository()
    item = ChecklistItem("so_sach", "Sổ sách có đầy đủ không?", AnswerKind.YES_NO)
    template = ChecklistTemplate(
        uuid4(), "Kiểm tra chi bộ", 1, (item,), START, target_id, target_path
    )
    await repo.add_template(template.id, template)
    inspection = Inspection(
        id=uuid4(),
        target_id=target_id,
        target_path=target_path,
        kind=kind,
        status=InspectionStatus.PLANNED,
        window_start=start,
        window_end=end or start + timedelta(hours=4),
        topic="Việc thực hiện nghị quyết",
        lead_id=team[0],
        member_ids=team[1:],
        template=template,
        created_by=team[0],
        created_at=START,
        updated_at=START,
    )
    await repo.add(inspection)
    return inspection


async def add_inspection(
    world: World,
    start: datetime,
    end: datetime | None = None,
    kind: InspectionKind = InspectionKind.PERIODIC,
) -> Inspection:
    return await add_inspection_in(
        world.cell_a.id, world.cell_a.path, (world.inspector.id,), start, end, kind
    )
