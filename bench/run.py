"""``make bench``: chibo against the minimal baseline (bench/minimal.py) on SQLite and PostgreSQL.

For each engine: a fresh database, ``chibo migrate``, the data set of bench/seed.py (``--scale``),
then two servers in their own processes with the settings of ``chibo serve`` (uvloop,
httptools, lifespan on, no access log, the same worker count): the app (``chibo.asgi:app``) and
the minimal baseline (``bench.minimal:app``). Before measuring, each hot endpoint's reply from
the minimal app must be the app's byte for byte (the meeting record's but for the time and
version of the write). Then wrk (another process) against each endpoint, chibo and minimal in
the order A B B A, printing req/s, p50, p99, the server's CPU per request, errors and the ratio
chibo ÷ minimal. The push fan-out (bench/fanout.py) and the reminder sweep (bench/reminders.py)
are suites of their own. Numbers only: nothing here asserts on speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import fanout, reminders
from bench.machine import (
    CLK_TCK,
    POSTGRES_URL,
    ROOT,
    _safe,
    machine_busy,
    migrated,
    postgres_database,
    wait_for_quiet,
)
from bench.seed import SHAPES, BenchCell, BenchWorld, load

REPORT_LUA = Path(__file__).with_name("wrk_report.lua")
MEETINGS_LUA = Path(__file__).with_name("wrk_meetings.lua")
FANOUT_DB = "chibo_bench_fanout"
REMINDERS_DB = "chibo_bench_reminders"
START_TIMEOUT_S = 90.0  # a server starting on a machine busy with other work
RECORD_PREFIX = "/api/v1/meetings/"
# The two servers under test: the app as ``chibo serve`` runs it, and the minimal baseline.
APPS = {"chibo": "chibo.asgi:app", "minimal": "bench.minimal:app"}
ORDER = ("chibo", "minimal", "minimal", "chibo")  # A B B A: drift on the machine evens out


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    path: str  # {ward} and {cell} filled in from the data set
    caller: str  # "leader" (of ward 1) or "secretary" (of ward 1's first cell)
    note: str
    goal: float


# The hot endpoints of issue 15 and their goals (chibo ÷ minimal, req/s).
ENDPOINTS = (
    Endpoint("me", "/api/v1/me", "leader", "`GET /me`", 0.7),
    Endpoint("people", "/api/v1/people?limit=20&unitId={ward}", "leader", "people (ward, 20)", 0.7),
    Endpoint(
        "meetings",
        "/api/v1/meetings?limit=20&cellId={cell}",
        "secretary",
        "meetings (secretary, 20)",
        0.7,
    ),
    Endpoint("tasks", "/api/v1/tasks?limit=20&unitId={ward}", "leader", "tasks (ward, 20)", 0.7),
)
RECORD = Endpoint("record", RECORD_PREFIX + "<id>/record", "secretary", "`PUT …/record`", 0.5)
SUITES = ("lists", "record", "fanout", "reminders")
WEB_SUITES = {"lists", "record"}  # served by uvicorn and loaded with wrk
DEFAULT_SUITES = ("lists", "record")


@dataclass(slots=True)
class Result:
    requests: int = 0
    seconds: float = 0.0
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    server_cpu_s: float = 0.0
    wrk_cpu_s: float = 0.0
    machine_busy_s: float = 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU per request, ms."""
        return 1000 * self.server_cpu_s / self.requests if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, wrk: dict[str, Any], server_cpu: float, wrk_cpu: float, busy: float) -> None:
        self.requests += wrk["requests"]
        self.seconds += wrk["duration_us"] / 1e6
        self.p50_ms.append(wrk["p50_us"] / 1000)
        self.p99_ms.append(wrk["p99_us"] / 1000)
        self.errors += sum(wrk[k] for k in ("connect", "read", "write", "status", "timeout"))
        for status, count in wrk.get("statuses", {}).items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.server_cpu_s += server_cpu
        self.wrk_cpu_s += wrk_cpu
        self.machine_busy_s += busy

    @property
    def others_pct(self) -> float:
        """CPU used by neither the server nor wrk, in % of the machine (noise from elsewhere)."""
        capacity = (os.cpu_count() or 1) * self.seconds
        other = self.machine_busy_s - self.server_cpu_s - self.wrk_cpu_s
        return max(0.0, 100 * other / capacity) if capacity else 0.0


@dataclass(frozen=True, slots=True)
class Options:
    duration: int
    warmup: int
    connections: int
    threads: int
    engines: tuple[str, ...]
    suites: tuple[str, ...] = DEFAULT_SUITES
    quick: bool = False
    scale: int = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--duration", type=int, default=7, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per server")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append")
    parser.add_argument(
        "--suite",
        choices=SUITES,
        action="append",
        help="lists and record (issue 15; the default), fanout (issue 6), reminders (issue 7)",
    )
    parser.add_argument("--scale", type=int, choices=sorted(SHAPES), default=1, help="data set")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fanout: 1,000 pushes, one round of each; reminders: 100,000 tasks, 5 runs of each",
    )
    args = parser.parse_args(argv)
    web = WEB_SUITES & set(args.suite or DEFAULT_SUITES)
    if web and shutil.which("wrk") is None:
        print("bench: wrk not found; `make bench` installs it (apt-get install wrk)")
        return 2
    options = Options(
        duration=min(max(args.duration, 1), 60),
        warmup=min(max(args.warmup, 0), 30),
        connections=min(max(args.connections, 1), 1024),
        threads=min(max(args.threads, 1), 8),
        engines=tuple(args.engine or ("sqlite", "postgres")),
        suites=tuple(args.suite or DEFAULT_SUITES),
        quick=args.quick,
        scale=args.scale,
    )
    print(
        f"chibo bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {os.cpu_count()} CPUs, "
        f"wrk -t{options.threads} -c{options.connections}, {options.warmup} s warm-up + "
        f"{options.duration} s per run, data set {options.scale}×, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    tables: dict[str, dict[str, dict[str, Result]]] = {}
    if "sqlite" in options.engines and web:
        with tempfile.TemporaryDirectory(prefix="chibo-bench-") as tmp:
            tables["sqlite"] = run_engine("sqlite", f"sqlite:///{tmp}/bench.sqlite3", 1, options)
    if "postgres" in options.engines and web:
        base = os.environ.get("CHIBO_BENCH_POSTGRES_URL", POSTGRES_URL)
        with postgres_database(base) as url:
            if url is None:
                print(f"\nPostgreSQL: not reachable on loopback at {_safe(base)} — skipped")
            else:
                tables["postgres"] = run_engine("postgres", url, 2, options)
    fanouts = run_fanout(options) if "fanout" in options.suites else {}
    sweeps = run_reminders(options) if "reminders" in options.suites else []
    print()
    for engine, results in tables.items():
        print_table(engine, results, options.scale)
    for engine, runs in fanouts.items():
        fanout.print_table(engine, runs)
    if sweeps:
        reminders.print_table(sweeps)
    return 0


def run_fanout(options: Options) -> dict[str, dict[str, fanout.Run]]:
    """The push fan-out (issue 6, bench/fanout.py) on each engine, in a database of its own."""
    runs: dict[str, dict[str, fanout.Run]] = {}
    if "sqlite" in options.engines:
        with tempfile.TemporaryDirectory(prefix="chibo-bench-") as tmp:
            runs["sqlite"] = fanout.run_engine(
                "sqlite",
                f"sqlite:///{tmp}/fanout.sqlite3",
                quick=options.quick,
                before_measuring=wait_for_quiet,
            )
    if "postgres" in options.engines:
        base = os.environ.get("CHIBO_BENCH_POSTGRES_URL", POSTGRES_URL)
        with postgres_database(base, FANOUT_DB) as url:
            if url is None:
                print(f"\nPostgreSQL: not reachable on loopback at {_safe(base)} — skipped")
            else:
                runs["postgres"] = fanout.run_engine(
                    "postgres", url, quick=options.quick, before_measuring=wait_for_quiet
                )
    return runs


def run_reminders(options: Options) -> list[reminders.Outcome]:
    """The reminder sweep (issue 7, bench/reminders.py) on each engine, in a database of its own."""
    scale = reminders.scale_for(quick=options.quick)
    repeats = reminders.QUICK_REPEATS if options.quick else reminders.REPEATS
    outcomes = []
    if "sqlite" in options.engines:
        with tempfile.TemporaryDirectory(prefix="chibo-bench-") as tmp:
            path = f"sqlite:///{tmp}/reminders.sqlite3"
            outcomes.append(reminders.run_engine("sqlite", path, scale, repeats, wait_for_quiet))
    if "postgres" in options.engines:
        base = os.environ.get("CHIBO_BENCH_POSTGRES_URL", POSTGRES_URL)
        with postgres_database(base, REMINDERS_DB) as url:
            if url is None:
                print(f"\nPostgreSQL: not reachable on loopback at {_safe(base)} — skipped")
            else:
                outcomes.append(
                    reminders.run_engine("postgres", url, scale, repeats, wait_for_quiet)
                )
    return outcomes


def run_engine(
    engine: str, url: str, workers: int, options: Options
) -> dict[str, dict[str, Result]]:
    """Results by endpoint, then by app."""
    print(f"\n== {engine}: {workers} worker(s) per server ==")
    started = time.perf_counter()
    env = migrated(url)
    world = asyncio.run(load(url, options.scale))
    print(
        f"migrated and loaded {world.people:,} people ({world.people_in_ward} in the leader's "
        f"ward), {world.rows['meeting']:,} meetings, {world.rows['attendance']:,} attendance "
        f"rows, {world.rows['task']:,} tasks in {time.perf_counter() - started:.1f} s"
    )
    results: dict[str, dict[str, Result]] = {}
    with (
        serving(env, workers, APPS["chibo"]) as chibo,
        serving(env, workers, APPS["minimal"]) as minimal,
    ):
        servers = {"chibo": chibo, "minimal": minimal}
        tokens = {
            "leader": login(chibo[0], world),
            "secretary": login(chibo[0], world, world.cells[0].secretary_phone),
        }
        paths = {
            e.name: e.path.format(ward=world.ward_id, cell=world.cells[0].cell_id)
            for e in ENDPOINTS
        }
        if "lists" in options.suites:
            check_same_json(servers, tokens, paths)
        if "record" in options.suites:
            record = RecordRun(
                url, world, [login(chibo[0], world, c.secretary_phone) for c in world.cells]
            )
            check_same_record(servers, record)
        wait_for_quiet()
        for endpoint in ENDPOINTS if "lists" in options.suites else ():
            headers = {"Authorization": f"Bearer {tokens[endpoint.caller]}"}
            for app in APPS if options.warmup else ():
                wrk(servers[app][0] + paths[endpoint.name], headers, options, options.warmup)
            for app in ORDER:
                base, pid = servers[app]
                numbers = measure(
                    pid,
                    results.setdefault(endpoint.name, {}).setdefault(app, Result()),
                    partial(wrk, base + paths[endpoint.name], headers, options, options.duration),
                )
                print_run(f"{endpoint.name} {app}", numbers)
        if "record" in options.suites:
            run_record(servers, record, options, results.setdefault(RECORD.name, {}))
    return results


def measure(pid: int, result: Result, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """One wrk run against the server ``pid``, its numbers added to ``result``."""
    cpu0, busy0, wrk0 = process_tree_cpu(pid), machine_busy(), children_cpu()
    numbers = run()
    result.add(numbers, process_tree_cpu(pid) - cpu0, children_cpu() - wrk0, machine_busy() - busy0)
    return numbers


def print_run(name: str, numbers: dict[str, Any]) -> None:
    errors = sum(numbers[k] for k in ("connect", "read", "write", "status", "timeout"))
    print(
        f"  {name:<11} {numbers['requests'] / (numbers['duration_us'] / 1e6):>8.0f} req/s"
        f"  p50 {numbers['p50_us'] / 1000:6.1f} ms  p99 {numbers['p99_us'] / 1000:7.1f} ms"
        + (f"  errors {errors} {numbers.get('statuses') or ''}" if errors else "")
    )
    for sample in numbers.get("samples", []):
        print(f"    e.g. {sample}")


def login(base: str, world: BenchWorld, phone: str | None = None) -> str:
    reply = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"phone": phone or world.leader_phone, "password": world.password},
        timeout=10,
    )
    reply.raise_for_status()
    token: str = reply.json()["accessToken"]
    return token


# -- the meeting record ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordRun:
    """What the meeting-record runs need: the database (for the versions), the data set, and
    each of ward 1's logging cells' secretary token and JSON body."""

    url: str
    world: BenchWorld
    tokens: list[str]
    bodies: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bodies.extend(record_body(cell) for cell in self.world.cells)


def run_record(
    servers: dict[str, tuple[str, int]],
    record: RecordRun,
    options: Options,
    results: dict[str, Result],
) -> None:
    """Each cell's secretary logs its meetings (64 writers at -c64): warm-ups, then A B B A."""
    runs = [(app, options.warmup, False) for app in APPS if options.warmup]
    runs += [(app, options.duration, True) for app in ORDER]
    with tempfile.TemporaryDirectory(prefix="chibo-bench-wrk-") as tmp:
        data = Path(tmp) / "meetings.lua"
        for part, (app, seconds, measured) in enumerate(runs):
            # the versions the meetings are at now (every log adds one); one run logs half of
            # the meetings, the next run the other half, so a write of the last run that the
            # server still finishes cannot meet this run's
            versions = settled_versions(record.url)
            write_log_data(data, record, versions, part % 2)
            base, pid = servers[app]
            args = (str(data), str(options.threads))
            run = partial(wrk, base + "/", {}, options, seconds, MEETINGS_LUA, args)
            if not measured:
                run()
                continue
            numbers = measure(pid, results.setdefault(app, Result()), run)
            print_run(f"record {app}", numbers)


def record_body(cell: BenchCell) -> bytes:
    """What a secretary sends after the meeting: 30 marks (mixed, reasons for the excused),
    chair and minute-taker, three resolutions with their votes, a page of minutes."""
    start = (datetime.now(UTC) - timedelta(days=2)).replace(
        hour=12, minute=30, second=0, microsecond=0
    )
    attendance: list[dict[str, Any]] = []
    for i, person in enumerate(cell.members):
        mark: dict[str, Any] = {"personId": str(person), "status": "present"}
        if i % 10 == 7:
            mark.update(status="excused", reason="Ốm, có giấy xin phép gửi chi ủy")
        elif i in {13, 26}:
            mark.update(status="unexcused")
        elif i == 29:
            mark.update(status="elsewhere", reason="Sinh hoạt tạm thời nơi cư trú")
        attendance.append(mark)
    present = sum(1 for a in attendance if a["status"] == "present")
    resolutions = [
        {"text": text, "votesFor": present - k, "votesAgainst": k, "votesAbstain": 0}
        for k, text in enumerate(
            (
                "Thông qua kế hoạch sinh hoạt chuyên đề quý IV năm 2026.",
                "Giao đồng chí bí thư chi bộ hoàn thiện hồ sơ kết nạp đảng viên mới.",
                "Đề nghị đảng ủy phường khen thưởng 2 đảng viên hoàn thành xuất sắc nhiệm vụ.",
            )
        )
    ]
    minutes = " ".join(
        f"Mục {i}: chi bộ thảo luận, thống nhất nội dung và phân công thực hiện." for i in range(20)
    )
    return json.dumps(
        {
            "actualStart": start.isoformat(),
            "actualEnd": (start + timedelta(hours=2)).isoformat(),
            "chairId": str(cell.members[0]),
            "minuteTakerId": str(cell.members[1]),
            "minutesText": minutes,
            "resolutions": resolutions,
            "attendance": attendance,
        },
        ensure_ascii=False,
    ).encode()


def settled_versions(url: str) -> dict[str, int]:
    """The versions once the server has finished the writes still queued when the last wrk run
    stopped (wrk leaves up to one request per connection in flight; on SQLite they wait for the
    writer): read until three reads half a second apart agree, for at most 20 s."""
    versions, same = meeting_versions(url), 0
    for _ in range(40):
        time.sleep(0.5)
        again = meeting_versions(url)
        same = same + 1 if again == versions else 0
        versions = again
        if same == 2:
            break
    return versions


def meeting_versions(url: str) -> dict[str, int]:
    """The stored version of every meeting, read straight from the database."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            rows = connection.execute('SELECT "id", "version" FROM "meeting"').fetchall()
        return {str(meeting_id): version for meeting_id, version in rows}
    return asyncio.run(_postgres_versions(url))


async def _postgres_versions(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        rows = await connection.fetch('SELECT "id", "version" FROM "meeting"')
    finally:
        await connection.close()
    return {str(r["id"]): r["version"] for r in rows}


def write_log_data(path: Path, record: RecordRun, versions: dict[str, int], part: int) -> None:
    """bench/wrk_meetings.lua's data: half of the meetings (every other one of each cell), cell
    by cell in turn, each at its version."""
    lines = ["return {", f'prefix = "{RECORD_PREFIX}",', "bodies = {"]
    lines += [f"[==[{body.decode()}]==]," for body in record.bodies]
    lines += ["},", "tokens = {", *(f'"{token}",' for token in record.tokens), "},", "meetings = {"]
    rounds = max(len(cell.meetings) for cell in record.world.cells)
    for k in range(part, rounds, 2):
        for c, cell in enumerate(record.world.cells, 1):
            if k < len(cell.meetings):
                meeting = str(cell.meetings[k])
                lines.append(f'{{"{meeting}", {versions[meeting]}, {c}}},')
    lines += ["},", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check_same_json(
    servers: dict[str, tuple[str, int]], tokens: dict[str, str], paths: dict[str, str]
) -> None:
    """The minimal app answers each list and /me byte for byte as the app does, or its numbers
    mean nothing."""
    for endpoint in ENDPOINTS:
        headers = {"Authorization": f"Bearer {tokens[endpoint.caller]}"}
        replies = {
            app: httpx.get(base + paths[endpoint.name], headers=headers, timeout=10)
            for app, (base, _) in servers.items()
        }
        chibo, minimal = replies["chibo"], replies["minimal"]
        same = chibo.status_code == 200 and (chibo.status_code, chibo.content) == (
            minimal.status_code,
            minimal.content,
        )
        size = len(chibo.content)
        print(f"{endpoint.name}: {chibo.status_code}, {size:,} bytes; same bytes: {same}")
        if not same:
            msg = f"minimal and chibo disagree on {endpoint.name}: {[chibo.text, minimal.text]}"
            raise RuntimeError(msg)


# What must differ between two logs of one meeting: the time and the version of the write.
WRITE_STAMP = re.compile(rb'"(updatedAt|version)":("[^"]*"|\d+)')


def check_same_record(servers: dict[str, tuple[str, int]], record: RecordRun) -> None:
    """The app and the minimal app log the same meeting the same way: the same reply but for
    ``updatedAt`` and ``version``, each reply's ETag its version, and the app reads back what the
    minimal app wrote."""
    meeting = str(record.world.cells[0].meetings[0])
    version = meeting_versions(record.url)[meeting]
    headers = {"Authorization": f"Bearer {record.tokens[0]}", "Content-Type": "application/json"}
    replies = [
        httpx.put(
            f"{servers[app][0]}{RECORD_PREFIX}{meeting}/record",
            content=record.bodies[0],
            headers={**headers, "If-Match": f'"{version + k}"'},
            timeout=10,
        )
        for k, app in enumerate(APPS)
    ]
    replies.append(
        httpx.get(f"{servers['chibo'][0]}{RECORD_PREFIX}{meeting}", headers=headers, timeout=10)
    )
    statuses = [r.status_code for r in replies]
    bodies = {WRITE_STAMP.sub(rb'"\1":_', r.content) for r in replies}
    etags = [r.headers.get("etag") for r in replies]
    same = statuses == [200, 200, 200] and len(bodies) == 1
    same = same and etags[:2] == [f'"{version + 1}"', f'"{version + 2}"']
    print(
        f"record: {statuses}, ETags {etags}; chibo, minimal and the read-back give the same "
        f"bytes but for updatedAt and version: {same}"
    )
    if not same:
        msg = f"minimal's record disagrees with chibo's: {[r.text[:300] for r in replies]}"
        raise RuntimeError(msg)


# -- processes --------------------------------------------------------------------------------


@contextmanager
def serving(env: dict[str, str], workers: int, app: str) -> Iterator[tuple[str, int]]:
    """uvicorn on ``app`` with the settings of ``chibo serve``, stopped on the way out."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        "--loop=uvloop",
        "--http=httptools",
        "--lifespan=on",
        "--no-access-log",
        "--no-proxy-headers",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed arguments
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            msg = f"the server exited with {server.returncode}"
            raise RuntimeError(msg)
        with suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    msg = f"the server did not become ready within {START_TIMEOUT_S:.0f} s"
    raise RuntimeError(msg)


def wrk(
    url: str,
    headers: dict[str, str],
    options: Options,
    seconds: int,
    script: Path = REPORT_LUA,
    args: tuple[str, ...] = (),
) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{seconds}s",
        "--timeout=5s",
        f"--script={script}",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(  # noqa: S603 - wrk with our arguments
        [*command, url, *(["--", *args] if args else [])],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    numbers: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return numbers


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children (uvicorn workers), all threads."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # fields[0] is the state (field 3 of stat): ppid is field 4, utime 14, stime 15
        if int(proc.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


# -- report -----------------------------------------------------------------------------------


def print_table(engine: str, results: dict[str, dict[str, Result]], scale: int) -> None:
    workers = "1 worker" if engine == "sqlite" else "2 workers"
    print(f"### {engine} ({workers} per server), data set {scale}×\n")
    print(
        "| endpoint | chibo req/s | minimal req/s | **chibo ÷ minimal** | goal "
        "| p50 / p99 ms chibo | p50 / p99 ms minimal | CPU ms/req chibo / minimal "
        "| errors chibo / minimal | other CPU % |"
    )
    print("|---|---:|---:|---:|---:|---|---|---|---|---:|")
    for endpoint in (*ENDPOINTS, RECORD):
        pair = results.get(endpoint.name)
        if not pair or set(pair) != set(APPS):
            continue
        chibo, minimal = pair["chibo"], pair["minimal"]
        ratio = chibo.rps / minimal.rps if minimal.rps else 0.0
        met = ratio >= endpoint.goal and (endpoint is not RECORD or chibo.errors == 0)
        print(
            f"| {endpoint.note} | {chibo.rps:,.0f} | {minimal.rps:,.0f} | **{ratio:.2f}×** | "
            f"≥ {endpoint.goal}× {'met' if met else 'NOT met'} | "
            f"{_mean(chibo.p50_ms):.1f} / {_mean(chibo.p99_ms):.1f} | "
            f"{_mean(minimal.p50_ms):.1f} / {_mean(minimal.p99_ms):.1f} | "
            f"{chibo.cpu_ms:.2f} / {minimal.cpu_ms:.2f} | "
            f"{_errors(chibo)} / {_errors(minimal)} | "
            f"{_mean([chibo.others_pct, minimal.others_pct]):.0f} |"
        )
    print()


def _errors(result: Result) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items()))
    return f"{result.errors} ({statuses})" if statuses else str(result.errors)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


if __name__ == "__main__":
    sys.exit(main())
