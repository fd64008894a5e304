"""GET /api/v1/admin/jobs: the scheduled jobs' last runs and next runs, for admins of the root."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import get
from litestar.di import NamedDependency

from api.http.errors import problems
from api.http.schemas import PageOut, one_page
from api.jobs.schemas import JobOut
from db.engine import Database
from db.repositories.job_runs import JobRun, PiccoloJobRuns
from domain.actors import Actor, is_root_admin
from domain.errors import ForbiddenError


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
