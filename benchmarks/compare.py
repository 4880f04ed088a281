"""Variants of the generated app side by side: the A/B test a change gets before it is kept.

    python -m benchmarks.compare DIR [DIR ...] [--baselines a,b,c] [--endpoints get,update]
        [--rounds 3] [--duration 8] [--database-url URL]

Each DIR is a project generated from `benchmarks/spec.yaml`, as generated or hand-edited (the
variant under test). They are served as `benchmarks.run` serves them, against one database
migrated by the first DIR and seeded once, and loaded in turn within each round, the order
rotating, so the machine's drift hits every variant alike. `--baselines` adds baselines (a) Starlette
and asyncpg, (b) the textbook app, (c) the expert's Core app (`benchmarks/run.py`).
Prints each run, then the medians with each app's ratio to the first.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
from pathlib import Path

from benchmarks.run import (
    BASELINES,
    ENDPOINTS,
    READS,
    ROOT,
    SEEDED,
    database,
    ensure_wrk,
    measure_apps,
    seed,
    start,
    wait_ready,
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="+", type=Path)
    parser.add_argument("--baselines", default="", help="also serve these baselines: a, b, c (comma-separated)")
    parser.add_argument(
        "--endpoints", default="get", help=f"comma-separated, of {', '.join(dict.fromkeys((*ENDPOINTS, *READS)))}"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--database-url", help="an empty database to use instead of a throwaway cluster")
    parser.add_argument(
        "--rows",
        type=int,
        default=SEEDED,
        help=f"the signed-in user's notes, and as many of another's (default {SEEDED:,}, alone)",
    )
    args = parser.parse_args()
    endpoints = tuple(args.endpoints.split(","))
    if unknown := set(endpoints) - {*ENDPOINTS, *READS}:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")
    baselines = [letter for letter in args.baselines.split(",") if letter]
    if unknown := set(baselines) - set("abc"):
        parser.error(f"unknown baselines: {', '.join(sorted(unknown))} (a, b or c)")
    if baselines and {"filter", "search", "search-common"} & set(endpoints):
        # The baselines take no filters: they would answer the plain list, and the ratio mislead.
        parser.error("the baselines implement neither filter nor search: compare those among generated apps")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_wrk()
    projects = [project.resolve() for project in args.projects]
    with database(args.database_url) as url:
        seeded = seed(url, projects[0], args.rows, 0 if args.rows == SEEDED else args.rows)
        servers = [start(str(project), "app.main:app", project, seeded.served) for project in projects]
        baseline_env = {**seeded.served, "PYTHONPATH": str(ROOT)}
        for letter in baselines:
            name = list(BASELINES)["abc".index(letter)]
            servers.append(start(f"({letter}) {name}", BASELINES[name], ROOT, baseline_env))
        try:
            for server in servers:
                wait_ready(server, seeded.token)
            results = measure_apps(servers, seeded, url, args.rounds, args.duration, endpoints)
        finally:
            for server in servers:
                server.process.terminate()
                server.process.wait(timeout=10)
    print("medians:")
    for endpoint in endpoints:
        first = statistics.median(r.rps for r in results[(servers[0].name, endpoint)])
        for server in servers:
            runs = results[(server.name, endpoint)]
            rps, p99 = statistics.median(r.rps for r in runs), statistics.median(r.p99_ms for r in runs)
            print(f"{endpoint:7} {server.name:40} {rps:7.0f} req/s  p99 {p99:6.1f} ms  ratio {rps / first:.2f}")


if __name__ == "__main__":
    main()
