"""``make bench``: serve chibo on SQLite and PostgreSQL and load it with wrk over loopback.

For each engine: a fresh database, ``chibo migrate``, the data set of bench/seed.py, then
``uvicorn bench.app:app`` (uvloop + httptools, as ``chibo serve``) in its own process, one login,
and wrk (another process) against each endpoint: a warm-up, then a measured run. Prints req/s,
p50, p99, the server's CPU per request, each endpoint's ratio to ``/health/live`` and the scoped
list's ratio to the same request on the raw driver. Then the meeting log (issue 3): PUT
/api/v1/meetings/{id}/record with 30 attendance rows and 3 resolutions, by the cells'
secretaries, against the same transaction on the raw driver (bench/wrk_meetings.lua). Then the
push fan-out (issue 6, bench/fanout.py): 10,000 pushes through the outbox beside the raw SDK, in a
database of its own per engine. Numbers only: nothing here asserts on speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import fanout, reminders
from bench.machine import (
    CLK_TCK,
    POSTGRES_URL,
    _safe,
    machine_busy,
    postgres_database,
    wait_for_quiet,
)
from bench.seed import BenchCell, BenchWorld, load

ROOT = Path(__file__).resolve().parent.parent
REPORT_LUA = Path(__file__).with_name("wrk_report.lua")
MEETINGS_LUA = Path(__file__).with_name("wrk_meetings.lua")
FANOUT_DB = "chibo_bench_fanout"
REMINDERS_DB = "chibo_bench_reminders"
START_TIMEOUT_S = 30.0
PEOPLE = "/api/v1/people?limit=20&unitId={ward}"


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    path: str
    auth: bool = True
    sqlite_only: bool = False
    note: str = ""


ENDPOINTS = (
    Endpoint("live", "/health/live", auth=False, note="framework ceiling"),
    Endpoint("me", "/api/v1/me"),
    Endpoint("people", PEOPLE, note="scoped list, 20 rows, Piccolo"),
    Endpoint("raw", "/bench/raw/people?limit=20&unitId={ward}", note="same, raw driver"),
    Endpoint(
        "raw-sync",
        "/bench/raw-sync/people?limit=20&unitId={ward}",
        sqlite_only=True,
        note="same, sqlite3 on the loop",
    ),
    Endpoint(
        "raw-query",
        "/bench/raw-query/people?limit=20&unitId={ward}",
        note="Piccolo auth + raw list",
    ),
    Endpoint(
        "engine-sql",
        "/bench/engine-sql/people?limit=20&unitId={ward}",
        note="same SQL via Piccolo engine",
    ),
)
# people and raw run twice, in the order A B … B A, so drift on a shared machine evens out.
ORDER = ("live", "me", "people", "raw", "raw-sync", "raw-query", "engine-sql", "raw", "people")
# The meeting log (issue 3): the app's route and its raw-driver twin, A B B A as well.
LOG_PATHS = {"log": "/api/v1/meetings/", "raw-log": "/bench/raw/meetings/"}
LOG_NOTES = {"log": "LogMeeting, Piccolo (the app)", "raw-log": "same transaction, raw driver"}
LOG_ORDER = ("log", "raw-log", "raw-log", "log")
LOG_GOAL = 0.5
SUITES = ("people", "meetings", "fanout", "reminders")
WEB_SUITES = {"people", "meetings"}  # served by uvicorn and loaded with wrk


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
    suites: tuple[str, ...] = SUITES
    quick: bool = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append")
    parser.add_argument(
        "--suite",
        choices=SUITES,
        action="append",
        help="people (issue 2), meetings (issue 3), fanout (issue 6), reminders (issue 7)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fanout: 1,000 pushes, one round of each; reminders: 100,000 tasks, 5 runs of each",
    )
    args = parser.parse_args(argv)
    web = WEB_SUITES & set(args.suite or SUITES)
    if web and shutil.which("wrk") is None:
        print("bench: wrk not found; `make bench` installs it (apt-get install wrk)")
        return 2
    options = Options(
        duration=min(max(args.duration, 1), 60),
        warmup=min(max(args.warmup, 0), 30),
        connections=min(max(args.connections, 1), 1024),
        threads=min(max(args.threads, 1), 8),
        engines=tuple(args.engine or ("sqlite", "postgres")),
        suites=tuple(args.suite or SUITES),
        quick=args.quick,
    )
    print(
        f"chibo bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {os.cpu_count()} CPUs, "
        f"wrk -t{options.threads} -c{options.connections}, {options.warmup} s warm-up + "
        f"{options.duration} s per run, load average {os.getloadavg()[0]:.2f}"
    )
    tables: dict[str, dict[str, Result]] = {}
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
        print_table(engine, results)
        print_log_table(engine, results)
    for engine, runs in fanouts.items():
        fanout.print_table(engine, runs)
    reminders.print_table(sweeps)
    return 0


# -- one engine -------------------------------------------------------------------------------


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


def run_engine(engine: str, url: str, workers: int, options: Options) -> dict[str, Result]:
    print(f"\n== {engine}: {workers} worker(s) ==")
    env = {
        **os.environ,
        "CHIBO_DATABASE_URL": url,
        "CHIBO_SECRET_KEY": secrets.token_urlsafe(48),
        "PICCOLO_CONF": "db.piccolo_conf",
    }
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(Path(sys.executable).with_name("chibo")), "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    world = asyncio.run(load(url))
    print(
        f"migrated and loaded {world.people} people ({world.people_in_ward} in the leader's "
        f"ward) in {time.perf_counter() - started:.1f} s"
    )
    results: dict[str, Result] = {}
    with serving(env, workers) as (base, server_pid):
        token = login(base, world)
        check_same_json(base, token, world, engine)
        wait_for_quiet()
        plan = [e for e in ENDPOINTS if engine == "sqlite" or not e.sqlite_only]
        by_name = {e.name: e for e in plan}
        for name in ORDER if "people" in options.suites else ():
            endpoint = by_name.get(name)
            if endpoint is None:
                continue
            url_path = endpoint.path.format(ward=world.ward_id)
            headers = {"Authorization": f"Bearer {token}"} if endpoint.auth else {}
            if options.warmup:
                wrk(base + url_path, headers, options, options.warmup)
            cpu0, busy0, wrk0 = process_tree_cpu(server_pid), machine_busy(), children_cpu()
            numbers = wrk(base + url_path, headers, options, options.duration)
            result = results.setdefault(name, Result())
            result.add(
                numbers,
                process_tree_cpu(server_pid) - cpu0,
                children_cpu() - wrk0,
                machine_busy() - busy0,
            )
            print_run(name, numbers)
        if "meetings" in options.suites:
            run_meeting_log(base, url, world, options, server_pid, results)
    return results


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


# -- the meeting log (issue 3) ----------------------------------------------------------------


def run_meeting_log(
    base: str,
    url: str,
    world: BenchWorld,
    options: Options,
    server_pid: int,
    results: dict[str, Result],
) -> None:
    """Each cell's secretary logs its meetings: the app's route and the raw twin, A B B A."""
    tokens = [login(base, world, cell.secretary_phone) for cell in world.cells]
    bodies = [record_body(cell) for cell in world.cells]
    check_log_twin(base, url, world, tokens, bodies)
    with tempfile.TemporaryDirectory(prefix="chibo-bench-wrk-") as tmp:
        data = Path(tmp) / "meetings.lua"
        runs = [
            (name, seconds, measured)
            for name in LOG_ORDER
            for seconds, measured in ((options.warmup, False), (options.duration, True))
            if seconds
        ]
        for part, (name, seconds, measured) in enumerate(runs):
            # the versions the meetings are at now (every log adds one); one run logs half of
            # the meetings, the next run the other half, so a write of the last run that the
            # server still finishes cannot meet this run's
            versions = settled_versions(url)
            write_log_data(data, LOG_PATHS[name], world, tokens, bodies, versions, part % 2)
            args = (str(data), str(options.threads))
            cpu0, busy0, wrk0 = process_tree_cpu(server_pid), machine_busy(), children_cpu()
            numbers = wrk(base + "/", {}, options, seconds, MEETINGS_LUA, args)
            if measured:
                results.setdefault(name, Result()).add(
                    numbers,
                    process_tree_cpu(server_pid) - cpu0,
                    children_cpu() - wrk0,
                    machine_busy() - busy0,
                )
                print_run(name, numbers)


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


def write_log_data(
    path: Path,
    prefix: str,
    world: BenchWorld,
    tokens: list[str],
    bodies: list[bytes],
    versions: dict[str, int],
    part: int,
) -> None:
    """bench/wrk_meetings.lua's data: half of the meetings (every other one of each cell), cell
    by cell in turn, each at its version."""
    lines = ["return {", f'prefix = "{prefix}",', "bodies = {"]
    lines += [f"[==[{body.decode()}]==]," for body in bodies]
    lines += ["},", "tokens = {", *(f'"{token}",' for token in tokens), "},", "meetings = {"]
    rounds = max(len(cell.meetings) for cell in world.cells)
    for k in range(part, rounds, 2):
        for c, cell in enumerate(world.cells, 1):
            if k < len(cell.meetings):
                meeting = str(cell.meetings[k])
                lines.append(f'{{"{meeting}", {versions[meeting]}, {c}}},')
    lines += ["},", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check_log_twin(
    base: str, url: str, world: BenchWorld, tokens: list[str], bodies: list[bytes]
) -> None:
    """The app and the raw twin log the same meeting the same way: same reply (but for the
    time and version of the write), and the app reads back what the twin wrote."""
    meeting = str(world.cells[0].meetings[0])
    version = meeting_versions(url)[meeting]
    headers = {"Authorization": f"Bearer {tokens[0]}", "Content-Type": "application/json"}
    replies = []
    for k, prefix in enumerate(LOG_PATHS.values()):
        reply = httpx.put(
            f"{base}{prefix}{meeting}/record",
            content=bodies[0],
            headers={**headers, "If-Match": f'"{version + k}"'},
            timeout=10,
        )
        replies.append(reply)
    replies.append(httpx.get(f"{base}/api/v1/meetings/{meeting}", headers=headers, timeout=10))
    statuses = [r.status_code for r in replies]
    shapes = [_unversioned(r.json()) for r in replies]
    etags = [r.headers.get("etag") for r in replies]
    same = statuses == [200, 200, 200] and shapes[0] == shapes[1] == shapes[2]
    rows = len(shapes[0].get("attendance") or [])
    print(
        f"meeting log: {statuses}, {rows} attendance rows, ETags {etags}; "
        f"app, raw twin and read-back agree: {same}"
    )
    if not same or etags[1] != f'"{version + 2}"':
        msg = f"the raw meeting log disagrees with the app: {[r.text[:300] for r in replies]}"
        raise RuntimeError(msg)


def _unversioned(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in {"updatedAt", "version"}}


def check_same_json(base: str, token: str, world: BenchWorld, engine: str) -> None:
    """The twins answer byte for byte what the app answers, or their numbers mean nothing."""
    headers = {"Authorization": f"Bearer {token}"}
    replies = {}
    for endpoint in ENDPOINTS:
        if endpoint.name in {"live", "me"} or (endpoint.sqlite_only and engine != "sqlite"):
            continue
        reply = httpx.get(base + endpoint.path.format(ward=world.ward_id), headers=headers)
        replies[endpoint.name] = (reply.status_code, reply.content)
    status, body = replies["people"]
    items = len(json.loads(body)["items"]) if status == 200 else 0
    same = all(r == (status, body) for r in replies.values())
    print(f"scoped list: {status}, {items} items; twins give the same bytes: {same}")
    if not same or status != 200:
        msg = f"the raw twins disagree with the app: {replies}"
        raise RuntimeError(msg)


# -- processes --------------------------------------------------------------------------------


@contextmanager
def serving(env: dict[str, str], workers: int) -> Iterator[tuple[str, int]]:
    """uvicorn on bench.app:app with the settings of ``chibo serve``, stopped on the way out."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.app:app",
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


def print_table(engine: str, results: dict[str, Result]) -> None:
    notes = {e.name: e for e in ENDPOINTS}
    ceiling = results["live"].rps if "live" in results else 0.0
    if not any(name in results for name in ORDER):
        return
    print(f"### {engine}\n")
    print(
        "| endpoint | what | req/s | p50 ms | p99 ms | × live | server CPU ms/req "
        "| errors | other CPU % |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in dict.fromkeys(ORDER):
        result = results.get(name)
        if result is None:
            continue
        endpoint = notes[name]
        path = endpoint.path.replace("{ward}", "<ward>")
        cpu_ms = 1000 * result.server_cpu_s / result.requests if result.requests else 0.0
        print(
            f"| `{path}` | {endpoint.note} | {result.rps:,.0f} | "
            f"{sum(result.p50_ms) / len(result.p50_ms):.1f} | "
            f"{sum(result.p99_ms) / len(result.p99_ms):.1f} | "
            f"{result.rps / ceiling if ceiling else 0:.2f} | {cpu_ms:.2f} | {result.errors} | "
            f"{result.others_pct:.0f} |"
        )
    print()
    people = results.get("people")
    if people is None:
        return
    for baseline in ("raw", "raw-sync"):
        raw = results.get(baseline)
        if people and raw and raw.rps:
            ratio = people.rps / raw.rps
            verdict = "met" if ratio >= 0.6 else "NOT met"
            print(
                f"{engine}: scoped list through Piccolo = {ratio:.2f}× the same request on "
                f"`{baseline}` ({people.rps:,.0f} vs {raw.rps:,.0f} req/s): goal ≥ 0.6× {verdict}"
            )
    print()


def print_log_table(engine: str, results: dict[str, Result]) -> None:
    app, raw = results.get("log"), results.get("raw-log")
    if app is None and raw is None:
        return
    print(f"### {engine}: meeting log (30 attendance rows, 3 resolutions, one transaction)\n")
    print(
        "| endpoint | what | req/s | p50 ms | p99 ms | server CPU ms/req | errors "
        "| non-2xx | other CPU % |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|---:|")
    for name in dict.fromkeys(LOG_ORDER):
        result = results.get(name)
        if result is None:
            continue
        cpu_ms = 1000 * result.server_cpu_s / result.requests if result.requests else 0.0
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items())) or "–"
        print(
            f"| `PUT {LOG_PATHS[name]}<id>/record` | {LOG_NOTES[name]} | {result.rps:,.0f} | "
            f"{sum(result.p50_ms) / len(result.p50_ms):.1f} | "
            f"{sum(result.p99_ms) / len(result.p99_ms):.1f} | {cpu_ms:.2f} | {result.errors} | "
            f"{statuses} | {result.others_pct:.0f} |"
        )
    print()
    if app and raw and raw.rps:
        ratio = app.rps / raw.rps
        met = ratio >= LOG_GOAL and app.errors == 0 and raw.errors == 0
        print(
            f"{engine}: meeting log through the app = {ratio:.2f}× the raw driver "
            f"({app.rps:,.0f} vs {raw.rps:,.0f} req/s), p99 {_mean(app.p99_ms):,.0f} ms vs "
            f"{_mean(raw.p99_ms):,.0f} ms, errors {app.errors} vs {raw.errors}: goal "
            f"(≥ {LOG_GOAL}×, 0 errors) {'met' if met else 'NOT met'}"
        )
    print()


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


if __name__ == "__main__":
    sys.exit(main())
