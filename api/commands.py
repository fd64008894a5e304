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
from db.repositories.org import PiccoloOrgRepository
from domain.clock import SystemClock
from domain.org import bootstrap
from domain.org.service import OrgService


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url)
    await database.open()
    bind(database)
    try:
        yield database
    finally:
        await database.close()


def org_service(database: Database) -> OrgService:
    clock = SystemClock()
    return OrgService(
        PiccoloOrgRepository(), database, PiccoloAuditLog(clock, "cli"), clock, Argon2Hasher()
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
