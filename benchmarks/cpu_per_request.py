"""CPU per request of each app, in its own process and in PostgreSQL: where a request's time goes.

    python -m benchmarks.cpu_per_request [--endpoints get,list,update] [--requests 3000]
        [--rounds 5] [--database-url URL]

wrk's req/s at c = 32 shares this machine's two cores among the app, PostgreSQL and wrk itself,
and moves ±20 % between runs. This counts what one request costs instead. Each app is imported in
a process of its own and its ASGI callable is called directly, one request at a time, after a
warm-up: no HTTP server and no load generator. The process's CPU time over the requests is the
app's (FastAPI, middleware, SQLAlchemy, asyncpg, pydantic); the CPU time PostgreSQL's processes
gained meanwhile is the database's (read from /proc, so for a server on this machine only). The
apps alternate within each round; the minimum over the rounds is the least disturbed figure.
Uvicorn's HTTP parsing and the network are left out: they cost every app alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
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
from benchmarks.run import APPS, BASELINES, ROOT, SPEC, _dsn, database, seed

WARM_UP = 300


def postgres_cpu_seconds(postmaster: int) -> float | None:
    """CPU seconds of the PostgreSQL server `postmaster` and its processes; None if it is not
    on this machine."""
    total, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if postmaster in (pid, parent):
            found = True
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK") if found else None


def _request(endpoint: str, index: int, rows: int) -> tuple[str, str, str, bytes]:
    """Method, path, query and body of what `benchmarks.load` sends for `endpoint`, the `index`th time."""
    row = f"{PREFIX}/{1 + index * 7919 % rows}"  # spread over the user's rows, as wrk's random ids
    if endpoint == "list":
        return "GET", PREFIX, "limit=20", b""
    if endpoint == "get":
        return "GET", row, "", b""
    if endpoint == "update":
        return "PUT", row, "", (UPDATE_BODY % (0, index)).encode()
    raise SystemExit(f"{endpoint}: one of list, get, update")


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


async def _drive(app: Any, state: dict[str, Any], endpoint: str, token: str, rows: int, count: int, start: int) -> None:
    for index in range(start, start + count):
        method, path, query, body = _request(endpoint, index, rows)
        status = await _call(app, state, method, path, query, body, token)
        if status != 200:
            raise SystemExit(f"{method} {path} answered {status}")


def child(target: str, endpoint: str, token: str, rows: int, count: int, postmaster: int) -> None:
    """Run in the app's process: print the app's and PostgreSQL's CPU microseconds per request."""
    module, _, name = target.partition(":")
    sys.path.insert(0, str(Path.cwd()))
    app = getattr(importlib.import_module(module), name)
    import uvloop  # as uvicorn[standard] runs the apps

    async def measure() -> dict[str, float | None]:
        async with lifespan(app) as state:
            await _drive(app, state, endpoint, token, rows, WARM_UP, 0)
            database_before, started = postgres_cpu_seconds(postmaster), time.process_time()
            await _drive(app, state, endpoint, token, rows, count, WARM_UP)
            spent = time.process_time() - started
            database_after = postgres_cpu_seconds(postmaster)
        database = None
        if database_before is not None and database_after is not None:
            database = (database_after - database_before) / count * 1e6
        return {"app": spent / count * 1e6, "database": database}

    print(json.dumps(uvloop.run(measure())))


def _postmaster(url: str) -> int:
    """The process id of `url`'s PostgreSQL server; -1 if it is not on this machine."""

    async def parent_of_backend() -> int:
        import asyncpg

        connection = await asyncpg.connect(_dsn(url))
        try:  # read while the backend lives: it exits with the connection
            stat = Path(f"/proc/{await connection.fetchval('SELECT pg_backend_pid()')}/stat")
            return int(stat.read_text().rsplit(")", 1)[1].split()[1]) if stat.exists() else -1
        finally:
            await connection.close()

    return asyncio.run(parent_of_backend())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cpu_per_request", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", default="get,list,update")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database to use instead of a throwaway cluster")
    parser.add_argument("--child", nargs=6, metavar=("TARGET", "ENDPOINT", "TOKEN", "ROWS", "COUNT", "POSTMASTER"))
    args = parser.parse_args()
    if args.child:
        target, endpoint, token, rows, count, postmaster = args.child
        child(target, endpoint, token, int(rows), int(count), int(postmaster))
        return
    targets = {"generated": "app.main:app", **BASELINES}
    endpoints = args.endpoints.split(",")
    figures: dict[tuple[str, str], list[dict[str, float | None]]] = {}
    with database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "notes"
        prpgen = Path(sys.executable).parent / "prpgen"
        subprocess.run([prpgen, "generate", str(SPEC), "--out", str(project)], check=True, capture_output=True)
        seeded = seed(url, project)
        postmaster = _postmaster(url)
        for round_index in range(args.rounds):
            order = APPS[round_index % len(APPS) :] + APPS[: round_index % len(APPS)]
            for endpoint in endpoints:
                for name in order:
                    command = [sys.executable, "-m", "benchmarks.cpu_per_request", "--child", targets[name]]
                    command += [endpoint, seeded.token, str(seeded.rows), str(args.requests), str(postmaster)]
                    # A generated app's `app` package is its directory's; the baselines are here.
                    cwd = project if name == "generated" else ROOT
                    env = {**seeded.served, "PYTHONPATH": str(ROOT)}
                    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
                    if done.returncode:
                        raise SystemExit(f"{name} {endpoint}: {done.stderr.strip()[-2000:]}")
                    result = json.loads(done.stdout.splitlines()[-1])
                    figures.setdefault((name, endpoint), []).append(result)
                    print(f"round {round_index + 1} {endpoint:7} {name:18} app {result['app']:6.0f} µs", flush=True)
    print(report(figures, endpoints, args))


def report(
    figures: dict[tuple[str, str], list[dict[str, float | None]]], endpoints: list[str], args: argparse.Namespace
) -> str:
    lines = [
        f"CPU per request, µs: minimum (median) of {args.rounds} rounds of {args.requests:,} requests",
        "",
        "| endpoint | app | in the app's process | in PostgreSQL | both |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for endpoint in endpoints:
        for name in APPS:
            runs = figures[(name, endpoint)]
            own = [float(run["app"] or 0) for run in runs]
            database = [run["database"] for run in runs if run["database"] is not None]
            both = [float(run["app"] or 0) + float(run["database"] or 0) for run in runs] if database else []
            cells = [f"{min(own):,.0f} ({statistics.median(own):,.0f})"]
            cells += [f"{min(database):,.0f} ({statistics.median(database):,.0f})" if database else "n/a"]
            cells += [f"{min(both):,.0f} ({statistics.median(both):,.0f})" if both else "n/a"]
            lines.append(f"| {endpoint} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
