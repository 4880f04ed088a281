"""CPU per request of each app, in its own process and in PostgreSQL: where a request's time goes.

    python -m benchmarks.cpu_per_request [--endpoints get,list,update] [--requests 3000]
        [--rounds 5] [--database-url URL]

wrk's req/s at c = 32 shares this machine's two cores among the app, PostgreSQL and wrk itself,
and moves ±20 % between runs. This counts what one request costs instead. Each app is imported in
a process of its own and its ASGI callable is called directly, one request at a time, after a
warm-up: no HTTP server and no load generator. The process's CPU time over the requests is the
app's (FastAPI, middleware, SQLAlchemy, asyncpg, pydantic); the CPU time PostgreSQL's processes
gained meanwhile is the database's, read from /proc, so for a server on this machine only (a
round in which one of them ended has no database figure). Autovacuum is off for the notes while
it runs. The apps alternate within each round; the minimum over the rounds is the least disturbed
figure, the median beside it. Uvicorn's HTTP parsing and the network are left out: they cost
every app alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from benchmarks.load import PREFIX, UPDATE_BODY
from benchmarks.run import APPS, BASELINES, ROOT, SPEC, database, dsn, fetch, seed

ENDPOINTS = ("get", "list", "update")
WARM_UP = 300
# Rows apart from one request to the next: coprime with the 10,000 seeded, so that up to 10,000
# requests in a row each name a row of their own, spread as wrk's random ids are.
STRIDE = 7919


def postgres_cpu(postmaster: int) -> dict[int, int]:
    """Clock ticks of CPU each process of the PostgreSQL server `postmaster` has used, by pid."""
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if postmaster in (pid, parent):
            ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def cpu_seconds_between(before: dict[int, int], after: dict[int, int]) -> float | None:
    """CPU seconds the server's processes used between two readings; None if the server was not
    found or one of its processes ended in between (its time would be lost)."""
    if not before or before.keys() - after.keys():
        return None
    return sum(after[pid] - ticks for pid, ticks in before.items()) / os.sysconf("SC_CLK_TCK")


def _request(endpoint: str, index: int, rows: int, salt: int) -> tuple[str, str, str, bytes]:
    """Method, path, query and body of what `benchmarks.load` sends for `endpoint`, the `index`th
    time. An update's title holds `salt`, which no other run shares: none writes a row's own
    values back (which the textbook app would answer without writing)."""
    row = f"{PREFIX}/{1 + index * STRIDE % rows}"
    if endpoint == "list":
        return "GET", PREFIX, "limit=20", b""
    if endpoint == "get":
        return "GET", row, "", b""
    return "PUT", row, "", (UPDATE_BODY % (salt, 0, index)).encode()


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Start and stop the app as a server does; its state, which each request's scope carries."""
    state: dict[str, Any] = {}
    to_app: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    from_app: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    running = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}, to_app.get, from_app.put)
    )
    await to_app.put({"type": "lifespan.startup"})
    if (await from_app.get())["type"] != "lifespan.startup.complete":
        raise SystemExit("the app did not start")
    yield state
    await to_app.put({"type": "lifespan.shutdown"})
    await from_app.get()
    await running


async def _call(app: Any, state: dict[str, Any], method: str, path: str, query: str, body: bytes, token: str) -> int:
    """One request through the ASGI callable; its status."""
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
        "state": dict(state),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def _drive(
    app: Any, state: dict[str, Any], endpoint: str, token: str, rows: int, salt: int, indexes: range
) -> None:
    for index in indexes:
        method, path, query, body = _request(endpoint, index, rows, salt)
        status = await _call(app, state, method, path, query, body, token)
        if status != 200:
            raise SystemExit(f"{method} {path} answered {status}")


def child(target: str, endpoint: str, token: str, rows: int, salt: int, count: int, postmaster: int) -> None:
    """Run in the app's process: print the app's and PostgreSQL's CPU microseconds per request."""
    module, _, name = target.partition(":")
    # `python -m` put the working directory first on the path: a generated app's own package.
    app = getattr(importlib.import_module(module), name)
    import uvloop  # as uvicorn[standard] runs the apps

    async def measure() -> dict[str, float | None]:
        async with lifespan(app) as state:
            await _drive(app, state, endpoint, token, rows, salt, range(WARM_UP))
            server_before, started = postgres_cpu(postmaster), time.process_time()
            await _drive(app, state, endpoint, token, rows, salt, range(WARM_UP, WARM_UP + count))
            spent = time.process_time() - started
            server = cpu_seconds_between(server_before, postgres_cpu(postmaster))
        return {"app": spent / count * 1e6, "database": None if server is None else server / count * 1e6}

    print(json.dumps(uvloop.run(measure())))


def postmaster_of(url: str) -> int:
    """The process id of `url`'s PostgreSQL server; -1 unless it runs on this machine (a server in
    a container or elsewhere has pids of another namespace, which may name any process here)."""

    async def parent_of_backend() -> int:
        import asyncpg

        connection = await asyncpg.connect(dsn(url))
        try:  # read while the backend lives: it exits with the connection
            backend = Path(f"/proc/{await connection.fetchval('SELECT pg_backend_pid()')}")
            if not (backend / "cmdline").exists() or not (backend / "cmdline").read_bytes().startswith(b"postgres: "):
                return -1
            parent = int((backend / "stat").read_text().rsplit(")", 1)[1].split()[1])
            return parent if Path(f"/proc/{parent}/comm").read_text().strip() == "postgres" else -1
        finally:
            await connection.close()

    return asyncio.run(parent_of_backend())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cpu_per_request", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help="comma-separated: get, list, update")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database to use instead of a throwaway cluster")
    parser.add_argument("--child", nargs=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        target, endpoint, token, rows, salt, count, postmaster = args.child
        child(target, endpoint, token, int(rows), int(salt), int(count), int(postmaster))
        return
    endpoints = args.endpoints.split(",")
    if unknown := set(endpoints) - set(ENDPOINTS):
        parser.error(f"unknown endpoints {', '.join(sorted(unknown))}: choose among {', '.join(ENDPOINTS)}")
    if WARM_UP + args.requests > 10_000:
        parser.error(f"at most {10_000 - WARM_UP} requests: each update writes a row of its own")
    print(report(measure(args.database_url, endpoints, args.rounds, args.requests), endpoints, args))


def measure(
    database_url: str | None, endpoints: list[str], rounds: int, requests: int
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    targets = {"generated": "app.main:app", **BASELINES}
    figures: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with database(database_url) as url, tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "notes"
        prpgen = Path(sys.executable).parent / "prpgen"
        subprocess.run([prpgen, "generate", str(SPEC), "--out", str(project)], check=True, capture_output=True)
        seeded = seed(url, project)
        # A vacuum started by the updates would count as theirs, or end in the middle and be lost.
        fetch(url, "ALTER TABLE notes SET (autovacuum_enabled = off)")
        postmaster = postmaster_of(url)
        salts = itertools.count(1)
        for round_index in range(rounds):
            order = APPS[round_index % len(APPS) :] + APPS[: round_index % len(APPS)]
            for endpoint in endpoints:
                for name in order:
                    salt = next(salts)
                    command = [sys.executable, "-m", "benchmarks.cpu_per_request", "--child", targets[name]]
                    command += [endpoint, seeded.token, str(seeded.rows), str(salt), str(requests), str(postmaster)]
                    # A generated app's `app` package is its directory's; the baselines are here.
                    cwd = project if name == "generated" else ROOT
                    env = {**seeded.served, "PYTHONPATH": str(ROOT)}
                    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
                    if done.returncode:
                        raise SystemExit(f"{name} {endpoint}: {done.stderr.strip()[-2000:]}")
                    if endpoint == "update":  # every update wrote its row: none was skipped as unchanged
                        written = fetch(url, "SELECT count(*) FROM notes WHERE title LIKE $1", f"Updated {salt}-%")
                        if written != WARM_UP + requests:
                            raise SystemExit(f"{name} wrote {written} of {WARM_UP + requests} updates")
                    result = json.loads(done.stdout.splitlines()[-1])
                    figures.setdefault((name, endpoint), []).append(result)
                    print(f"round {round_index + 1} {endpoint:7} {name:18} app {result['app']:6.0f} µs", flush=True)
    return figures


def _cell(values: list[float]) -> str:
    return f"{min(values):,.0f} ({statistics.median(values):,.0f})" if values else "n/a"


def report(figures: dict[tuple[str, str], list[dict[str, Any]]], endpoints: list[str], args: argparse.Namespace) -> str:
    lines = [
        f"CPU per request, µs: minimum (median) of {args.rounds} rounds of {args.requests:,} requests",
        "",
        "| endpoint | app | in the app's process | in PostgreSQL | both |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for endpoint in endpoints:
        for name in APPS:
            runs = figures[(name, endpoint)]
            own = [run["app"] for run in runs]
            # Only the rounds with a database figure add up to both.
            counted = [(run["app"], run["database"]) for run in runs if run["database"] is not None]
            server = [database for _, database in counted]
            both = [own_us + database for own_us, database in counted]
            lines.append(f"| {endpoint} | {name} | {_cell(own)} | {_cell(server)} | {_cell(both)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
