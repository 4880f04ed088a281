"""Every benchmark in one run; writes benchmarks/RESULTS.md.

    python -m benchmarks.run [--rounds 4] [--duration 12] [--database-url URL] [--quick]

1. Generator speed (`benchmarks/generator.py`).
2. The app generated from `benchmarks/spec.yaml` under wrk load, side by side with the three
   hand-written baselines, alternating the apps within each round; then login under load.
3. SQL statements per request, as the generated tests count them, and round trips to
   PostgreSQL per request, counted at the driver (`benchmarks/round_trips.py`).
4. The generated test suite's wall time.

Needs wrk (installed with apt-get when run as root) and PostgreSQL 15 binaries; without
`--database-url` a throwaway cluster is started and removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from benchmarks import cursors, generator, load

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "benchmarks" / "spec.yaml"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
ENDPOINTS = ("list", "get", "create", "update", "delete")
# The reads whose cost may grow with the table: measured again at a million rows.
READS = ("list", "filter", "search", "search-common", "deep", "get")
LARGE = 1_000_000
# The baselines, each served as an ASGI app from this directory: (a) the floor, (b) what users
# start from, (c) the fastest this stack allows.
BASELINES = {
    "starlette+asyncpg": "benchmarks.baseline_starlette:app",
    "textbook": "benchmarks.baseline_textbook:app",
    "expert core": "benchmarks.baseline_core:app",
}
APPS = ("generated", *BASELINES)
# Who issues the benchmark's tokens and for whom: every app checks both claims.
AUDIENCE = "benchmark"
SEEDED = 10_000
DELETE_POOL = 120_000
EMAIL, PASSWORD = "bench@example.com", "benchmark-password"


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    # The project a generated app is served from; None for a baseline.
    project: Path | None = None


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        return
    raise SystemExit("wrk is needed: sudo apt-get install wrk")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from prpgen.verify.pgcluster import ThrowawayCluster

    with ThrowawayCluster() as cluster:
        yield cluster.create_database("bench")


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _seed(url: str, password_hash: str, rows: int, others: int) -> int:
    """The signed-in user with `rows` notes (ids 1 to `rows`), then another user with `others`."""
    import asyncpg

    connection = await asyncpg.connect(dsn(url))
    try:
        insert = "INSERT INTO users (email, hashed_password) VALUES ($1, $2) RETURNING id"
        user_id = await connection.fetchval(insert, EMAIL, password_hash)
        await _add_notes(connection, user_id, rows)
        if others:
            other_id = await connection.fetchval(insert, f"other-{EMAIL}", password_hash)
            await _add_notes(connection, other_id, others)
        return int(user_id)
    finally:
        await connection.close()


def settle(url: str) -> None:
    """VACUUM ANALYZE the notes and write them out: as autovacuum would have them, no checkpoint due."""

    async def run() -> None:
        import asyncpg

        connection = await asyncpg.connect(dsn(url))
        try:
            await connection.execute("VACUUM ANALYZE notes")
            await connection.execute("CHECKPOINT")
        finally:
            await connection.close()

    asyncio.run(run())


async def _add_notes(connection: object, user_id: int, count: int) -> tuple[int, int]:
    rows = await connection.fetch(  # type: ignore[attr-defined]
        "INSERT INTO notes (title, body, priority, done, user_id)"
        " SELECT 'Note ' || n, 'Body of note ' || n, n % 6, n % 2 = 0, $1 FROM generate_series(1, $2) AS n"
        " RETURNING id",
        user_id,
        count,
    )
    ids = [row["id"] for row in rows]
    return min(ids), max(ids)


def add_notes(url: str, user_id: int, count: int) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        import asyncpg

        connection = await asyncpg.connect(dsn(url))
        try:
            return await _add_notes(connection, user_id, count)
        finally:
            await connection.close()

    return asyncio.run(run())


def fetch(url: str, statement: str, *arguments: object) -> object:
    """The first value of `statement`'s first row (None for a statement without rows), on a
    connection of its own."""

    async def run() -> object:
        import asyncpg

        connection = await asyncpg.connect(dsn(url))
        try:
            return await connection.fetchval(statement, *arguments)
        finally:
            await connection.close()

    return asyncio.run(run())


def remove_notes_after(url: str, last_seeded: int) -> None:
    """Drop rows added by create runs and what delete runs left of their pools."""
    fetch(url, "DELETE FROM notes WHERE id > $1", last_seeded)


def start(name: str, target: str, cwd: Path, env: dict[str, str]) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--workers", "1"]
    command += ["--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Server(name, f"http://127.0.0.1:{port}", process, None if cwd == ROOT else cwd)


def middle_cursor(server: Server, seeded: Seeded) -> str:
    """The `next` cursor the app would give for the signed-in user's middle row (newest first):
    a generated app's signed with its SECRET_KEY by its own code, a baseline's from the codec the
    baselines share."""
    middle = seeded.rows // 2
    if server.project is None:
        return cursors.encode(middle)
    code = (
        "from app.core.pagination import next_cursor; from app.models import Note; "
        f"print(next_cursor(Note(id={middle}), {cursors.ORDER!r}))"
    )
    command = [sys.executable, "-c", code]
    made = subprocess.run(command, cwd=server.project, env=seeded.served, capture_output=True, text=True, check=True)
    return made.stdout.strip()


def wait_ready(server: Server, token: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with {server.process.returncode} before it served")
        with contextlib.suppress(httpx.HTTPError):
            headers = {"Authorization": f"Bearer {token}"}
            if httpx.get(f"{server.url}/api/v1/notes?limit=1", headers=headers).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{server.name} did not start")


@dataclass
class Seeded:
    """A migrated, seeded database and what the apps served against it need."""

    env: dict[str, str]  # for the project's tests and tools
    served: dict[str, str]  # for the served apps
    user_id: int
    token: str
    # The signed-in user's notes are ids 1 to `rows`; another user's follow, up to `last_id`.
    rows: int = SEEDED
    last_id: int = SEEDED


def seed(url: str, project: Path, rows: int = SEEDED, others: int = 0) -> Seeded:
    """Migrate with `project`'s migrations, add the user and their notes (and another user's),
    sign a token."""
    import bcrypt
    import jwt

    secret = secrets.token_hex(32)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "JWT_ISSUER": AUDIENCE,
        "JWT_AUDIENCE": AUDIENCE,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": "",
    }
    # The login benchmark comes from one address: the served apps get no per-client sign-in
    # limit (the generated tests, run later with `env`, check that limit and keep it).
    served = {**env, "AUTH_RATE_LIMIT_PER_MINUTE": "100000000", "LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE": "200000000"}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=project, env=env, check=True)
    user_id = asyncio.run(_seed(url, bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(11)).decode(), rows, others))
    # Fresh statistics, as autovacuum would have them on a table that grew over time; the seed's
    # pages written out, so that no checkpoint runs during the measurements.
    settle(url)
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iss": AUDIENCE, "aud": AUDIENCE, "iat": now, "exp": now + timedelta(days=1)}
    token = jwt.encode(claims, secret, "HS256")
    return Seeded(env, served, user_id, token, rows, rows + others)


def measure_apps(
    servers: list[Server],
    seeded: Seeded,
    url: str,
    rounds: int,
    duration: int,
    endpoints: tuple[str, ...] = ENDPOINTS,
    *,
    check: bool = True,
) -> dict[tuple[str, str], list[load.Result]]:
    """Load each endpoint of every app in turn, round after round, the order rotating. Stops at
    the first run with a failed request (with `check`): its figures would measure the failures."""
    token, user_id = seeded.token, seeded.user_id
    results: dict[tuple[str, str], list[load.Result]] = {}
    cursor_of = {server.name: middle_cursor(server, seeded) for server in servers}
    for server in servers:  # warm up: connections, caches, the first compiles
        load.run(server.url, token, "get", duration=3, ids=(1, seeded.rows))
    for round_index in range(rounds):
        order = servers[round_index % len(servers) :] + servers[: round_index % len(servers)]
        for endpoint in endpoints:
            for server in order:
                ids = (1, seeded.rows)
                if endpoint == "delete":
                    ids = add_notes(url, user_id, DELETE_POOL)
                result = load.run(
                    server.url, token, endpoint, duration=duration, ids=ids, cursor=cursor_of[server.name]
                )
                # Keep the table as seeded for the next runs: the list's total counts every row.
                remove_notes_after(url, seeded.last_id)
                results.setdefault((server.name, endpoint), []).append(result)
                figures = f"{result.rps:8.0f} req/s  p99 {result.p99_ms:6.1f} ms  errors {result.errors}"
                print(f"round {round_index + 1} {endpoint:7} {server.name:18} {figures}", flush=True)
                if check and result.errors:
                    raise SystemExit(f"{server.name} failed {result.errors} of {result.requests} {endpoint} requests")
    return results


def read_rounds(rounds: int) -> int:
    """Rounds of the reads at each table size: an odd number (3 of the default 4), so that the
    median is one round's figure. The median of two is their mean, which one disturbed round
    moves: with two, the deep page's p99 at a million rows came out 1.7 times its 10,000-row
    figure while its req/s held (444 against 449), though its plan is a range of an index that
    stops after 21 rows."""
    return max(1, rounds - 1 if rounds % 2 == 0 else rounds)


def measure_reads(
    project: Path, url: str, rows: int, rounds: int, duration: int
) -> dict[tuple[str, str], list[load.Result]]:
    """The reads of the generated app on a fresh database (`url`) where the user holds `rows`
    notes and another user as many more, as seeded: no earlier run has rewritten them."""
    seeded = seed(url, project, rows=rows, others=rows)
    server = start("generated", "app.main:app", project, seeded.served)
    try:
        wait_ready(server, seeded.token)
        return measure_apps([server], seeded, url, rounds, duration, READS)
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


def login_figures(server: Server, token: str, duration: int) -> dict[str, float]:
    idle = []
    for _ in range(10):
        started = time.perf_counter()
        response = httpx.post(f"{server.url}/api/v1/auth/login", data={"username": EMAIL, "password": PASSWORD})
        idle.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    other: dict[str, load.Result] = {}

    def reads() -> None:
        other["get"] = load.run(server.url, token, "get", duration=duration, ids=(1, SEEDED))

    reader = threading.Thread(target=reads)
    reader.start()
    logins = load.run(server.url, token, "login", duration=duration, login=f"{EMAIL}:{PASSWORD}")
    reader.join()
    return {
        "idle_median_ms": statistics.median(idle),
        "idle_max_ms": max(idle),
        "login_rps": logins.rps,
        "login_p99_ms": logins.p99_ms,
        "login_errors": logins.errors,
        "get_rps": other["get"].rps,
        "get_p99_ms": other["get"].p99_ms,
    }


def statement_counts() -> dict[str, int]:
    from prpgen.generate.context import build_feature
    from prpgen.generate.expectations import Expectations
    from prpgen.spec.feature import load_spec

    expected = Expectations(build_feature(load_spec(SPEC), str(SPEC)).entities[0])
    counts = expected.statements
    return {
        "list": expected.lookups("list") + counts["list"],
        "get": expected.lookups("read") + counts["get"],
        "create": expected.lookups("create") + counts["create"],
        "update": expected.lookups("update") + counts["replace"],
        "delete": expected.lookups("delete") + counts["delete"],
    }


def round_trips(project: Path, env: dict[str, str], token: str) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.round_trips", token]
    run_env = {**env, "PYTHONPATH": str(ROOT)}
    output = subprocess.run(command, cwd=project, env=run_env, check=True, capture_output=True, text=True)
    return {endpoint: float(trips) for endpoint, trips in json.loads(output.stdout).items()}


def suite_times(project: Path, env: dict[str, str], url_of: Callable[[str], str], runs: int) -> list[float]:
    times = []
    for run in range(runs):
        run_env = {**env, "TEST_DATABASE_URL": url_of(f"suite{run}")}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=project,
            env=run_env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        times.append(time.perf_counter() - started)
    return times


def _machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip() or "PostgreSQL"
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {pg}, {wrk}"


def _median_result(runs: list[load.Result]) -> tuple[float, float, float, int]:
    return (
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.errors for r in runs),
    )


def _read_row(endpoint: str, reads: dict[int, dict[tuple[str, str], list[load.Result]]]) -> str:
    small = _median_result(reads[SEEDED][("generated", endpoint)])
    large = _median_result(reads[LARGE][("generated", endpoint)])
    ratio = large[2] / small[2]
    return f"| {endpoint} | {small[0]:,.0f} | {small[2]:.1f} | {large[0]:,.0f} | {large[2]:.1f} | {ratio:.2f} |"


def report(
    generator_figures: dict[str, float],
    apps: dict[tuple[str, str], list[load.Result]],
    login: dict[str, float],
    reads: dict[int, dict[tuple[str, str], list[load.Result]]],
    statements: dict[str, int],
    trips: dict[str, float],
    suite: list[float],
    args: argparse.Namespace,
    machine: str,
) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"One run of `python -m benchmarks.run --rounds {args.rounds} --duration {args.duration}`"
        f" on {datetime.now(UTC):%Y-%m-%d}: {machine}.",
        "Every figure below comes from that run; re-run the command to reproduce them.",
        "",
        "## 1. Generator speed",
        "",
        "Cold `prpgen` processes timed from outside (`python -m benchmarks.generator`), median of 7 runs"
        " (3 for 200 entities); each entity has five typed fields.",
        "",
        generator.table(generator_figures),
        "",
        "## 2. The generated API under load",
        "",
        f"`benchmarks/spec.yaml` (one owned entity, `Note`) generated and served by uvicorn (1 worker, uvloop,"
        f" httptools, no access log) on 127.0.0.1 against a local PostgreSQL holding {SEEDED:,} notes of the"
        f" signed-in user; wrk with 2 threads at {args.connections} connections, {args.duration} s per endpoint,"
        f" {args.rounds} rounds, the apps alternating within each round; medians of the rounds. Every request"
        " carries a JWT that each app checks, then loads the user. The generated app runs as generated"
        " (its security headers, request ids and body limit included) with `LOG_LEVEL=WARNING`."
        " Baselines: (a) `benchmarks/baseline_starlette.py`,"
        " plain Starlette and an asyncpg pool, hand-written SQL (the floor of any Python app); (b)"
        " `benchmarks/baseline_textbook.py`, FastAPI and SQLAlchemy as their tutorials teach them;"
        " (c) `benchmarks/baseline_core.py`, the same routes written by an expert within the same stack"
        " (SQLAlchemy Core on an `AsyncConnection`, statements built once, no ORM objects, no transaction"
        " around a single statement): the practical limit of FastAPI + SQLAlchemy.",
        "",
        "| endpoint | app | req/s | p50 ms | p99 ms | errors | generated / app |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint in ENDPOINTS:
        mine = _median_result(apps[("generated", endpoint)])
        for name in APPS:
            rps, p50, p99, errors = _median_result(apps[(name, endpoint)])
            ratio = "" if name == "generated" else f"{mine[0] / rps:.2f}"
            lines.append(f"| {endpoint} | {name} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {errors} | {ratio} |")
    lines += [
        "",
        "Endpoints: list = `GET /api/v1/notes?limit=20` (a page of 20; no count); get = `GET /notes/{id}`;"
        " create = `POST /notes`; update = `PUT /notes/{id}`; delete = `DELETE /notes/{id}` (each run deletes"
        f" from {DELETE_POOL:,} rows added for it). Errors are non-2xx answers and socket errors.",
        "",
        "### Login",
        "",
        f"- One login on the idle server: median {login['idle_median_ms']:.0f} ms, slowest"
        f" {login['idle_max_ms']:.0f} ms of 10 (bcrypt cost 11, the generated default).",
        f"- {args.connections} concurrent logins for {args.duration} s: {login['login_rps']:.1f} logins/s,"
        f" p99 {login['login_p99_ms']:.0f} ms, {login['login_errors']} errors; meanwhile `get` at"
        f" {args.connections} connections: {login['get_rps']:,.0f} req/s, p99 {login['get_p99_ms']:.1f} ms.",
        "",
        "### Reads as the table grows",
        "",
        f"The generated app alone, {read_rounds(args.rounds)} rounds of {args.duration} s at {args.connections}"
        f" connections, medians: with {SEEDED:,} notes of the signed-in user's and {SEEDED:,} of another"
        f" user's, then with {LARGE:,} and {LARGE:,}; each size on a database of its own, freshly seeded"
        " (`VACUUM ANALYZE`, `CHECKPOINT`), so that no write run has changed the rows the reads look for.",
        "",
        f"| read | {SEEDED:,} rows: req/s | p99 ms | {LARGE:,} rows: req/s | p99 ms | p99 ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *(_read_row(endpoint, reads) for endpoint in READS),
        "",
        "Reads: list = `?limit=20`; filter = `?done=true&limit=20` (half the rows); search = `?q=4242` (a"
        " term few titles hold: 1 of the user's 10,000, 299 of their 1,000,000); search-common ="
        " `?q=note 4242`, the worst case of a trigram index (every title holds the trigrams of `note`);"
        " deep = the page after the middle row (`?cursor=`, signed by the app); get = one row.",
        "",
        "## 3. SQL statements and round trips per request",
        "",
        "Statements: counted by the generated tests (`tests/performance/test_notes_performance.py`, which pass"
        " in this run), savepoints excluded; the list's count is the same for any page size. Round trips:"
        " every query the served app sends PostgreSQL, BEGIN, COMMIT and ROLLBACK included, counted at the"
        " driver (`benchmarks/round_trips.py`, mean of 10 requests). Each includes the signed-in user's"
        " lookup (1 statement, 1 round trip).",
        "",
        "| request | statements | round trips |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {count} | {trips[name]:g} |" for name, count in statements.items()),
        "",
        "## 4. The generated test suite",
        "",
        f"`pytest` in the generated one-entity project against PostgreSQL: median {statistics.median(suite):.1f} s"
        f" of {len(suite)} runs ({', '.join(f'{t:.1f}' for t in suite)} s), collection and migrations included.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=12)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", help="an empty database to use instead of a throwaway cluster")
    parser.add_argument("--quick", action="store_true", help="1 round of 3 s: a smoke run, not figures")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.duration = 1, 3
    # A `kill` unwinds like Ctrl-C: the servers stop and the throwaway cluster is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_wrk()
    print("generator speed ...", flush=True)
    generator_figures = generator.measure(3 if args.quick else 7)
    with database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "notes"
        subprocess.run(
            [Path(sys.executable).parent / "prpgen", "generate", str(SPEC), "--out", str(project)], check=True
        )
        seeded = seed(url, project)
        env, served, token = seeded.env, seeded.served, seeded.token
        servers = [start("generated", "app.main:app", project, served)]
        baseline_env = {**served, "PYTHONPATH": str(ROOT)}
        servers += [start(name, target, ROOT, baseline_env) for name, target in BASELINES.items()]
        try:
            for server in servers:
                wait_ready(server, token)
            apps = measure_apps(servers, seeded, url, args.rounds, args.duration)
            print("login ...", flush=True)
            login = login_figures(servers[0], token, args.duration)
        finally:
            for server in servers:
                server.process.terminate()
                server.process.wait(timeout=10)
        # Each size on a database of its own, seeded for it: the update runs above rewrote the
        # titles and flags of the first one's rows, which the filter and the searches look for.
        print(f"reads at {SEEDED:,} and {LARGE:,} rows ...", flush=True)
        reads = {
            rows: measure_reads(project, _fresh(url, f"reads_{rows}"), rows, read_rounds(args.rounds), args.duration)
            for rows in (SEEDED, LARGE)
        }
        print("round trips, statement counts and suite time ...", flush=True)
        trips = round_trips(project, served, token)
        remove_notes_after(url, SEEDED)
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/performance"],
            cwd=project,
            env={**env, "TEST_DATABASE_URL": _fresh(url, "perf")},
            check=True,
            capture_output=True,
        )
        suite = suite_times(project, env, lambda name: _fresh(url, name), 1 if args.quick else 3)
    machine = _machine()
    generated = report(generator_figures, apps, login, reads, statement_counts(), trips, suite, args, machine)
    args.out.write_text(with_notes(generated, args.out))
    print(f"wrote {args.out}")


# Where the hand-written part of RESULTS.md begins (targets, what each change bought): a new run
# replaces the figures above it and keeps the notes, whose figures then need a look.
NOTES = "\n## Against the targets"


def with_notes(generated: str, results: Path) -> str:
    previous = results.read_text() if results.exists() else ""
    return generated.rstrip("\n") + "\n" + previous[previous.index(NOTES) :] if NOTES in previous else generated


def _fresh(url: str, name: str) -> str:
    """A new empty database next to `url`'s."""

    async def create() -> None:
        import asyncpg

        connection = await asyncpg.connect(dsn(url))
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return url.rsplit("/", 1)[0] + f"/{name}"


if __name__ == "__main__":
    main()
