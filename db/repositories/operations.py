"""What the operator watches, read from the tables at scrape time: the outbox, the reminders and
the last good run of each job. Reading the tables (not counters kept in memory) gives the same
answer from every API process, whichever process or worker machine did the work; each statement
is answered from an index (delivery_by_status, reminder_by_status, job_run's few rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from piccolo.querystring import QueryString

from db.engine import Database


@dataclass(frozen=True, slots=True)
class Operations:
    deliveries: dict[str, int]  # by status: pending, sent, failed, cancelled
    oldest_pending_delivery: datetime | None
    reminders: dict[str, int]  # by status: pending (due), sent, skipped, dropped
    last_success: dict[str, datetime | None]  # by job


class OperationsReader:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def read(self) -> Operations:
        run = self.db.engine.run_querystring
        deliveries = await run(
            QueryString("SELECT status, count(*) AS n FROM delivery GROUP BY status")
        )
        oldest = await run(
            QueryString(
                "SELECT created_at FROM delivery WHERE status = 'pending' "
                "ORDER BY created_at LIMIT 1"
            )
        )
        reminders = await run(
            QueryString("SELECT status, count(*) AS n FROM reminder GROUP BY status")
        )
        jobs = await run(QueryString("SELECT job, last_success_at FROM job_run"))
        return Operations(
            deliveries={r["status"]: int(r["n"]) for r in deliveries},
            oldest_pending_delivery=oldest[0]["created_at"] if oldest else None,
            reminders={r["status"]: int(r["n"]) for r in reminders},
            last_success={r["job"]: r["last_success_at"] for r in jobs},
        )
