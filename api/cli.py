"""The chibo command: serve, worker-less embedded server, migrate, seed-demo, create-admin."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from api.settings import Settings, SettingsError
from domain.errors import DomainError


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
    from api import commands as run  # noqa: PLC0415 - keep `chibo --help` fast

    if args.command == "migrate":
        print(asyncio.run(run.migrate(settings)), end="")
    elif args.command == "worker":
        asyncio.run(run.worker(settings))
    elif args.command == "seed-demo":
        print(asyncio.run(run.seed_demo(settings)))
    else:
        password = (
            getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
        )
        try:
            done = asyncio.run(
                run.create_admin(settings, args.phone, args.name, password, args.root_unit)
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

    import uvicorn  # noqa: PLC0415

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
    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        proxy_headers=False,
        access_log=False,
    )
    return 0
