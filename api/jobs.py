"""GET /api/v1/admin/jobs: the scheduled jobs' last runs and next runs, for admins of the root."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from litestar import get
from litestar.di import NamedDependency

from api.errors import problems
from api.schemas import Out, PageOut, one_page
from db.engine import Database
from db.repositories.job_runs import JobRun, PiccoloJobRuns
from domain.actors import Actor, Role
from domain.errors import ForbiddenError

ROOT_PATH_SLASHES = 2  # "/<root id>/"


class JobOut(Out):
    name: str
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_duration_ms: int | None
    last_outcome: str | None  # ok | error; null: never ran
    last_error: str | None  # the latest error, even if later runs went well
    last_error_at: datetime | None
    next_run_at: datetime | None


def is_root_admin(actor: Actor) -> bool:
    return any(
        g.role is Role.ADMIN and g.unit_path.count("/") == ROOT_PATH_SLASHES for g in actor.grants
    )


@get(
    "/api/v1/admin/jobs",
    operation_id="ListJobs",
    tags=["admin"],
    responses=problems(401, 403),
)
async def list_jobs(
    actor: NamedDependency[Actor],
    database: NamedDependency[Database],
    job_names: NamedDependency[Sequence[str]],
) -> PageOut[JobOut]:
    """Every scheduled job: its last run (start, duration, outcome, error) and its next run."""
    if not is_root_admin(actor):
        raise ForbiddenError("jobs_forbidden")
    runs = await PiccoloJobRuns(database).all()
    out = []
    for name in job_names:
        run = runs.get(name) or JobRun(job=name)
        out.append(
            JobOut(
                name=name,
                last_started_at=run.started_at,
                last_finished_at=run.finished_at,
                last_duration_ms=run.duration_ms,
                last_outcome=run.outcome,
                last_error=run.last_error,
                last_error_at=run.last_error_at,
                next_run_at=run.next_run_at,
            )
        )
    return one_page(out)
