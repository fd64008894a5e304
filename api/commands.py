"""What the chibo command does, each with the database opened and closed around it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from api.passwords import Argon2Hasher
from api.phones import to_e164
from api.settings import Settings
from db.engine import Database
from db.migrate import bind
from db.migrate import migrate as apply_migrations
from db.repositories.audit import PiccoloAuditLog
from db.repositories.auth import PiccoloAuthRepository
from db.repositories.org import PiccoloOrgRepository
from domain.auth.passwords import PasswordPolicy
from domain.auth.service import SessionEnding
from domain.clock import Clock, SystemClock
from domain.org import bootstrap
from domain.org.service import OrgService


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url, settings.database_timeouts)
    await database.open()
    bind(database)
    try:
        yield database
    finally:
        await database.close()


def org_service(database: Database, clock: Clock | None = None, origin: str = "cli") -> OrgService:
    """The organisation use cases outside a request (the commands, the demo seed, tests)."""
    clock = clock or SystemClock()
    return OrgService(
        PiccoloOrgRepository(),
        database,
        PiccoloAuditLog(clock, origin),
        clock,
        Argon2Hasher(),
        SessionEnding(PiccoloAuthRepository()),
        PasswordPolicy(),
    )


async def migrate(settings: Settings) -> str:
    async with opened(settings) as database:
        return await apply_migrations(database)


async def create_admin(
    settings: Settings, phone: str, name: str, password: str, root_name: str
) -> str:
    async with opened(settings) as database:
        person, root = await bootstrap.create_admin(
            org_service(database), to_e164(phone), name, password, root_name, "city"
        )
        return f"admin {person.full_name} ({person.phone}) of {root.name}"


async def seed_demo(settings: Settings) -> str:
    from db.seed_demo import seed  # noqa: PLC0415

    async with opened(settings) as database:
        return await seed(org_service(database))


async def worker(settings: Settings) -> None:
    """Run the schedules until SIGTERM or SIGINT (``chibo worker``); migrates nothing."""
    import asyncio  # noqa: PLC0415
    import logging  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from schedules.runner import Runner  # noqa: PLC0415

    # one line per job run; the records carry job, outcome, duration_ms, error as extra fields
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with opened(settings) as database:
        runner = Runner(database, settings)
        await runner.start()
        try:
            await stop.wait()
        finally:
            await runner.stop()
