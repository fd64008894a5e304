"""The chibo command: serve, worker, migrate, seed-demo, create-admin, backup, restore, move."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from chibo.settings import Settings, SettingsError
from domain.errors import DomainError

if TYPE_CHECKING:
    from chibo.bootstrap import Container

ORIGIN = "cli"  # the request id of the audit entries a command writes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chibo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not run the schedules in this process (SQLite; PostgreSQL never does)",
    )
    commands.add_parser(
        "worker", help="run the schedules and the outbox dispatcher until SIGTERM/SIGINT"
    )
    commands.add_parser("migrate", help="apply pending database migrations")
    commands.add_parser("seed-demo", help="load the demo organisation once and print its logins")
    backup = commands.add_parser(
        "backup", help="copy the live database and the uploads into a new directory"
    )
    backup.add_argument("path", type=Path)
    restore = commands.add_parser(
        "restore", help="restore a backup into an empty database and uploads folder"
    )
    restore.add_argument("path", type=Path)
    move = commands.add_parser(
        "move", help="copy this SQLite database into an empty, migrated PostgreSQL database"
    )
    move.add_argument("--to", required=True, metavar="postgresql://…")
    admin = commands.add_parser("create-admin", help="create an administrator of the root unit")
    admin.add_argument("--phone", required=True)
    admin.add_argument("--name", required=True)
    admin.add_argument("--root-unit", default="Thành ủy", help="name of the root unit if none yet")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"chibo: {error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers, no_worker=args.no_worker)
    if args.command in {"backup", "restore", "move"}:
        return _operate(settings, args.command, args)
    if args.command == "migrate":
        print(asyncio.run(migrate(settings)), end="")
    elif args.command == "worker":
        asyncio.run(worker(settings))
    elif args.command == "seed-demo":
        print(asyncio.run(seed_demo(settings)))
    else:
        password = (
            getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
        )
        try:
            done = asyncio.run(
                create_admin(settings, args.phone, args.name, password, args.root_unit)
            )
        except DomainError as error:  # a weak password, a taken grant: say which, no traceback
            print(f"chibo: {error.code} {error.detail or ''}".rstrip(), file=sys.stderr)
            return 2
        print(done)
    return 0


def _serve(settings: Settings, host: str, port: int, workers: int, *, no_worker: bool) -> int:
    """The schedules run in-process only in the embedded mode: SQLite, one process, no
    --no-worker. On PostgreSQL they never do; run `chibo worker` beside the API processes."""
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415

    from chibo.logging_setup import configure_logging  # noqa: PLC0415
    from chibo.metrics_dir import prepare_metrics_dir  # noqa: PLC0415

    # each uvicorn worker reads the same environment; this is how the flag reaches them
    if no_worker or not settings.is_sqlite:
        os.environ["CHIBO_EMBEDDED_WORKER"] = "0"
    elif workers > 1:
        print(
            "chibo: several processes on SQLite would each run the schedules: "
            "use --workers 1, or --no-worker with one `chibo worker`",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings.log_format)
    prepare_metrics_dir(workers)
    # uvicorn stops on SIGTERM gracefully (below), then raises the signal again; taking it here
    # makes a graceful stop exit 0, as service managers expect
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        "chibo.asgi:app",
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        proxy_headers=False,
        access_log=False,
        log_config=None,  # uvicorn's records go through chibo's logging (CHIBO_LOG_FORMAT)
        # SIGTERM: stop accepting, let in-flight requests finish this long, then the lifespan
        # closes the pool (and stops the embedded worker)
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )
    return 0


def _operate(settings: Settings, command: str, args: argparse.Namespace) -> int:
    """backup, restore, move: what they did on stdout, a refusal in one line on stderr (2)."""
    from db.backup import BackupError, backup, postgres_advice, restore  # noqa: PLC0415
    from db.engine import sqlite_path  # noqa: PLC0415
    from db.move import MoveError, move  # noqa: PLC0415

    uploads = Path(settings.upload_dir)
    try:
        if command == "move":
            if not settings.is_sqlite:
                print("chibo: move copies the embedded SQLite database", file=sys.stderr)
                return 2
            asyncio.run(move(sqlite_path(settings.database_url), args.to))
        elif not settings.is_sqlite:
            if command == "restore":
                print("chibo: on PostgreSQL restore with pg_restore:", file=sys.stderr)
            print(asyncio.run(postgres_advice(settings.database_url)), end="")
            return 0 if command == "backup" else 2
        elif command == "backup":
            print(f"backed up {backup(sqlite_path(settings.database_url), uploads, args.path)}")
        else:
            print(f"restored {restore(args.path, sqlite_path(settings.database_url), uploads)}")
    except (BackupError, MoveError) as error:
        print(f"chibo: {error}", file=sys.stderr)
        return 2
    return 0


def _stopped(signum: int, frame: object) -> NoReturn:
    del signum, frame
    raise SystemExit(0)


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Container]:
    """The program's parts over an opened database, closed again after the command."""
    # imported here, as in the commands below, to keep `chibo --help` fast
    from chibo.bootstrap import Container  # noqa: PLC0415
    from db.engine import Database  # noqa: PLC0415
    from db.migrate import bind  # noqa: PLC0415
    from domain.clock import SystemClock  # noqa: PLC0415

    database = Database(settings.database_url, settings.database_timeouts)
    await database.open()
    bind(database)
    container = Container(settings, SystemClock(), database)
    try:
        yield container
    finally:
        await container.close()
        await database.close()


async def migrate(settings: Settings) -> str:
    from db.migrate import migrate as apply_migrations  # noqa: PLC0415

    async with opened(settings) as container:
        return await apply_migrations(container.database)


async def create_admin(
    settings: Settings, phone: str, name: str, password: str, root_name: str
) -> str:
    from domain.org import bootstrap as org_bootstrap  # noqa: PLC0415
    from domain.org.phones import to_e164  # noqa: PLC0415

    async with opened(settings) as container:
        person, root = await org_bootstrap.create_admin(
            container.org(ORIGIN), to_e164(phone), name, password, root_name, "city"
        )
        return f"admin {person.full_name} ({person.phone}) of {root.name}"


async def seed_demo(settings: Settings) -> str:
    from db.seed_demo import seed  # noqa: PLC0415

    async with opened(settings) as container:
        return await seed(container.demo(ORIGIN))


async def worker(settings: Settings) -> None:
    """Run the schedules until SIGTERM or SIGINT (``chibo worker``); migrates nothing."""
    import asyncio  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from chibo.logging_setup import configure_logging  # noqa: PLC0415

    # one line per job run; the records carry job, outcome, duration_ms, error as extra fields
    configure_logging(settings.log_format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with opened(settings) as container:
        runner = container.runner()
        await runner.start()
        try:
            await stop.wait()
        finally:
            await runner.stop()
