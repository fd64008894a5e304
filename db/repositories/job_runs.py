"""The last run of each scheduled job (job_run), for GET /api/v1/admin/jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from db.engine import Database
from db.tables import JobRunTable


@dataclass(frozen=True, slots=True)
class JobRun:
    job: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: int | None = None
    outcome: str | None = None  # ok | error
    error: str | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    next_run_at: datetime | None = None


class PiccoloJobRuns:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, run: JobRun) -> None:
        """Upsert the job's row; a good run keeps the last error of an earlier one."""
        t = JobRunTable
        values: list[Any] = [
            t.started_at,
            t.finished_at,
            t.duration_ms,
            t.outcome,
            t.error,
            t.next_run_at,
        ]
        if run.outcome == "error":
            values += [t.last_error, t.last_error_at]
        else:
            values.append(t.last_success_at)
        row = t(
            id=uuid4(),
            job=run.job,
            started_at=run.started_at,
            finished_at=run.finished_at,
            duration_ms=run.duration_ms,
            outcome=run.outcome,
            error=run.error,
            last_error=run.error,
            last_error_at=run.finished_at if run.error else None,
            last_success_at=None if run.error else run.finished_at,
            next_run_at=run.next_run_at,
        )
        async with self.db.atomic():
            await t.insert(row).on_conflict(target=t.job, action="DO UPDATE", values=values)

    async def scheduled(self, job: str, next_run_at: datetime | None) -> None:
        t = JobRunTable
        async with self.db.atomic():
            await t.insert(t(id=uuid4(), job=job, next_run_at=next_run_at)).on_conflict(
                target=t.job, action="DO UPDATE", values=[t.next_run_at]
            )

    async def all(self) -> dict[str, JobRun]:
        rows = await JobRunTable.select()
        return {
            r["job"]: JobRun(
                job=r["job"],
                started_at=r["started_at"],
                finished_at=r["finished_at"],
                duration_ms=r["duration_ms"],
                outcome=r["outcome"],
                error=r["error"],
                last_error=r["last_error"],
                last_error_at=r["last_error_at"],
                next_run_at=r["next_run_at"],
            )
            for r in rows
        }
