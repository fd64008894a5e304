"""GET /metrics: the Prometheus text format, for the addresses and the token the settings allow.

The series a request or a process changes live in prometheus_client's metrics below; under
``PROMETHEUS_MULTIPROC_DIR`` (set by ``chibo serve`` for several workers) every process writes
them to files there and a scrape sums them, whichever worker answers it. What the outbox, the
reminders and the jobs look like is read from the tables at scrape time
(db/repositories/operations.py): the same answer from every process, cheap for the scraper.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from db.engine import Database
from db.pool_use import pool_use
from db.repositories.operations import Operations, OperationsReader
from domain.ports import Clock

# no `_created` twin of every counter: half the series to scrape
disable_created_metrics()  # type: ignore[no-untyped-call]
REQUEST_SECONDS = Histogram(
    "chibo_http_request_duration_seconds",
    "Requests by method, route template and status, and how long they took (its _count counts)",
    ["method", "route", "status"],
)
PROBLEMS = Counter(
    "chibo_problems_total",
    "Problem replies by status and stable code: login failures are code invalid_credentials "
    "(current_password_wrong on a password change), throttles too_many_login_attempts",
    ["status", "code"],
)
DB_CONNECTIONS = Gauge(
    "chibo_db_connections",
    "Database connections of the API processes: open, in use, at most",
    ["state"],
    multiprocess_mode="livesum",
)
# labelled, like every series here: a series without labels writes its file when the module is
# imported, so a command that never serves (chibo migrate) would leave one in the shared folder
DB_WRITER_WAITING = Gauge(
    "chibo_db_writer_waiting",
    "Transactions waiting for SQLite's one writer connection",
    ["engine"],
    multiprocess_mode="livesum",
)
POOL_SAMPLE_SECONDS = 1.0
FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")
# the text format every Prometheus reads (Litestar adds the charset)
TEXT_FORMAT = "text/plain; version=0.0.4"

Network = IPv4Network | IPv6Network


@dataclass(frozen=True, slots=True)
class MetricsAccess:
    """Who may scrape: a caller presenting the token, or one connecting straight (no proxy's
    forwarding header) from an allowed address. Anyone else is answered as if there were no such
    route."""

    token: str = ""
    allow: Sequence[Network] = ()

    def allows(self, request: Request[Any, Any, Any]) -> bool:
        if self.token:
            given = request.headers.get("authorization", "")
            if hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                return True
        if any(name in request.headers for name in FORWARDED):
            return False  # a proxy on an allowed address speaks for someone else
        try:
            address = ip_address(request.client.host if request.client else "")
        except ValueError:
            return False
        return any(address in network for network in self.allow)


def metrics_handler(access: MetricsAccess, database: Database, clock: Clock) -> HTTPRouteHandler:
    reader = OperationsReader(database)

    @get("/metrics", include_in_schema=False, exclude_from_auth=True)
    async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
        if not access.allows(request):
            raise NotFoundException
        scrape = _Scrape(_process_metrics(), operations_metrics(await reader.read(), clock))
        return Response(generate_latest(scrape), media_type=TEXT_FORMAT)

    return metrics


def _process_metrics() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


@dataclass(frozen=True, slots=True)
class _Scrape:
    """The processes' series and those read from the tables, as one collector."""

    registry: CollectorRegistry
    tables: list[Metric]

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()
        yield from self.tables


def operations_metrics(ops: Operations, clock: Clock) -> list[Metric]:
    deliveries = GaugeMetricFamily(
        "chibo_outbox_deliveries",
        "Pushes in the outbox by status (kept for a while)",
        labels=["status"],
    )
    for status in ("pending", "sent", "failed", "cancelled"):
        deliveries.add_metric([status], ops.deliveries.get(status, 0))
    oldest = ops.oldest_pending_delivery
    age = GaugeMetricFamily(
        "chibo_outbox_oldest_pending_age_seconds",
        "How long the oldest pending push has waited (0: none pending)",
        value=max(0.0, (clock.now() - oldest).total_seconds()) if oldest else 0.0,
    )
    reminders = GaugeMetricFamily(
        "chibo_reminders",
        "Reminders by status: pending (due, not yet sent), sent, skipped (too late), dropped",
        labels=["status"],
    )
    for status in ("pending", "sent", "skipped", "dropped"):
        reminders.add_metric([status], ops.reminders.get(status, 0))
    jobs = GaugeMetricFamily(
        "chibo_job_last_success_timestamp_seconds",
        "When each scheduled job last ran without an error (0: never)",
        labels=["job"],
    )
    for job, at in sorted(ops.last_success.items()):
        jobs.add_metric([job], at.timestamp() if at else 0.0)
    return [deliveries, age, reminders, jobs]


@contextlib.asynccontextmanager
async def pool_sampling(database: Database) -> AsyncIterator[None]:
    """The app's lifespan part that keeps this process's connection gauges current."""

    async def sample_forever() -> None:
        while True:
            use = pool_use(database)
            DB_CONNECTIONS.labels("open").set(use.size)
            DB_CONNECTIONS.labels("in_use").set(use.in_use)
            DB_CONNECTIONS.labels("max").set(use.max_size)
            if database.kind == "sqlite":
                DB_WRITER_WAITING.labels("sqlite").set(use.writer_waiting)
            await asyncio.sleep(POOL_SAMPLE_SECONDS)

    task = asyncio.create_task(sample_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            # this process's live gauges leave the sum; its counters stay counted
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
