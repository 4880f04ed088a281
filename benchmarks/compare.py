"""Variants of the generated app side by side: the A/B test a change gets before it is kept.

    python -m benchmarks.compare DIR [DIR ...] [--baseline] [--endpoints get,update]
        [--rounds 3] [--duration 8] [--database-url URL]

Each DIR is a project generated from `benchmarks/spec.yaml`, as generated or hand-edited (the
variant under test). They are served as `benchmarks.run` serves them, against one database
migrated by the first DIR and seeded once, and loaded in turn within each round, the order
rotating, so the machine's drift hits every variant alike. `--baseline` adds baseline (a).
Prints each run, then the medians with each app's ratio to the first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bcrypt
import jwt

from benchmarks import load
from benchmarks.run import (
    ENDPOINTS,
    PASSWORD,
    ROOT,
    SEEDED,
    Server,
    _seed,
    add_notes,
    database,
    ensure_wrk,
    remove_notes_after,
    start,
    wait_ready,
)

DELETE_POOL = 60_000


def serve(projects: list[Path], baseline: bool, env: dict[str, str]) -> list[Server]:
    servers = [start(str(project), "app.main:app", project, env) for project in projects]
    if baseline:
        servers.append(start("(a)", "benchmarks.baseline_starlette:app", ROOT, {**env, "PYTHONPATH": str(ROOT)}))
    return servers


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="+", type=Path)
    parser.add_argument("--baseline", action="store_true", help="also serve baseline (a)")
    parser.add_argument("--endpoints", default="get", help=f"comma-separated, of {', '.join(ENDPOINTS)}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--database-url", help="an empty database to use instead of a throwaway cluster")
    args = parser.parse_args()
    endpoints = args.endpoints.split(",")
    if unknown := set(endpoints) - set(ENDPOINTS):
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_wrk()
    projects = [project.resolve() for project in args.projects]
    with database(args.database_url) as url:
        secret = secrets.token_hex(32)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "LOG_LEVEL": "WARNING", "PYTHONPATH": ""}
        env["AUTH_RATE_LIMIT_PER_MINUTE"] = "100000000"
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=projects[0], env=env, check=True)
        user_id = asyncio.run(_seed(url, bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()))
        now = datetime.now(UTC)
        token = jwt.encode({"sub": str(user_id), "iat": now, "exp": now + timedelta(days=1)}, secret, "HS256")
        servers = serve(projects, args.baseline, env)
        results: dict[tuple[str, str], list[load.Result]] = {}
        try:
            for server in servers:
                wait_ready(server, token)
                load.run(server.url, token, "get", duration=2, ids=(1, SEEDED))
            for round_index in range(args.rounds):
                turn = round_index % len(servers)
                for endpoint in endpoints:
                    for server in servers[turn:] + servers[:turn]:
                        ids = add_notes(url, user_id, DELETE_POOL) if endpoint == "delete" else (1, SEEDED)
                        result = load.run(server.url, token, endpoint, duration=args.duration, ids=ids)
                        remove_notes_after(url, SEEDED)
                        results.setdefault((endpoint, server.name), []).append(result)
                        figures = f"{result.rps:7.0f} req/s  p99 {result.p99_ms:6.1f} ms  errors {result.errors}"
                        print(f"{endpoint:7} {server.name:40} {figures}", flush=True)
        finally:
            for server in servers:
                server.process.terminate()
                server.process.wait(timeout=10)
    print("medians:")
    for endpoint in endpoints:
        first = statistics.median(r.rps for r in results[(endpoint, servers[0].name)])
        for server in servers:
            runs = results[(endpoint, server.name)]
            rps, p99 = statistics.median(r.rps for r in runs), statistics.median(r.p99_ms for r in runs)
            print(f"{endpoint:7} {server.name:40} {rps:7.0f} req/s  p99 {p99:6.1f} ms  ratio {rps / first:.2f}")


if __name__ == "__main__":
    main()
