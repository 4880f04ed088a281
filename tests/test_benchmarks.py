"""The benchmark's own bookkeeping, which runs only at the end of a long `make bench`."""

import asyncio
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import asyncpg
import httpx
import pytest

from benchmarks import load
from benchmarks.cpu_per_request import ENDPOINTS as ENDPOINTS_MEASURED
from benchmarks.cpu_per_request import cpu_seconds_between, postgres_cpu, postmaster_of
from benchmarks.run import (
    APPS,
    BASELINES,
    ENDPOINTS,
    READS,
    ROOT,
    SEEDED,
    SPEC,
    dsn,
    ensure_wrk,
    measure_apps,
    seed,
    start,
    statement_counts,
    wait_ready,
)
from tests.conftest import create_database, run_cli


def test_statements_per_request_of_the_benchmark_app() -> None:
    """What RESULTS.md reports beside the round trips: the user's lookup plus each endpoint's."""
    assert statement_counts() == {"list": 2, "get": 2, "create": 2, "update": 2, "delete": 2}


NOTES = "/api/v1/notes"


@pytest.mark.postgres
def test_the_baselines_answer_as_the_generated_app_does(tmp_path: Path, postgres_url: str) -> None:
    """A ratio compares like with like only if every app does the same work: the same statuses
    and the same response fields for each endpoint, the caller's rows only, against one database."""
    project = tmp_path / "notes"
    assert run_cli("generate", str(SPEC), "--out", str(project)).returncode == 0
    seeded = seed(create_database(postgres_url, "baselines"), project)
    environment = {**seeded.served, "PYTHONPATH": str(ROOT)}
    servers = [start("generated", "app.main:app", project, seeded.served)]
    servers += [start(name, target, ROOT, environment) for name, target in BASELINES.items()]
    headers = {"Authorization": f"Bearer {seeded.token}"}
    body = {"title": "Compared", "body": "The same for every app.", "priority": 2, "done": True}
    try:
        answers = {}
        for server in servers:
            wait_ready(server, seeded.token)
            with httpx.Client(base_url=server.url, headers=headers) as client:
                listed = client.get(NOTES, params={"limit": 3, "total": True}).json()
                following = client.get(NOTES, params={"limit": 3, "cursor": listed["next"]}).json()
                created = client.post(NOTES, json=body)
                note = created.json()
                answers[server.name] = {
                    "list": (sorted(listed), listed["total"], [item["id"] for item in listed["items"]]),
                    "next page": (following["total"], [item["id"] for item in following["items"]]),
                    "bad cursor": (client.get(NOTES, params={"cursor": "x"}).status_code,),
                    "create": (created.status_code, sorted(note), note["title"]),
                    "get": (client.get(f"{NOTES}/{note['id']}").status_code, client.get(f"{NOTES}/999999").status_code),
                    "update": (client.put(f"{NOTES}/{note['id']}", json={**body, "priority": 5}).json()["priority"],),
                    "delete": tuple(client.delete(f"{NOTES}/{note['id']}").status_code for _ in range(2)),
                    "anonymous": (httpx.get(f"{server.url}{NOTES}").status_code,),
                    # Last: baseline (a) answers it with a 500 and drops the connection.
                    "invalid": (client.post(NOTES, json={**body, "priority": 9}).status_code,),
                }
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait(timeout=10)
    generated = answers.pop("generated")
    generated_without_validation = dict(generated)
    assert generated["list"][1] == SEEDED
    assert generated["get"] == (200, 404) and generated["delete"] == (204, 404)
    for name, answer in answers.items():
        if name == "starlette+asyncpg":
            # Baseline (a) validates minimally, as its docstring says: a body the column's CHECK
            # refuses is its 500. It is the floor, not a product.
            del answer["invalid"], generated_without_validation["invalid"]
            assert answer == generated_without_validation, name
            continue
        assert answer == generated, name


@pytest.mark.postgres
def test_every_request_the_benchmark_sends_succeeds(tmp_path: Path, postgres_url: str) -> None:
    """A figure is only worth what the requests behind it did: each endpoint, as wrk sends it,
    answers every request with a success, on the generated app and on every baseline. (A deep
    page asked for with a cursor the app never signed is a fast 422, not a page.)"""
    ensure_wrk()
    project = tmp_path / "notes"
    assert run_cli("generate", str(SPEC), "--out", str(project)).returncode == 0
    url = create_database(postgres_url, "every_request")
    seeded = seed(url, project)
    environment = {**seeded.served, "PYTHONPATH": str(ROOT)}
    generated = start("generated", "app.main:app", project, seeded.served)
    baselines = [start(name, target, ROOT, environment) for name, target in BASELINES.items()]
    try:
        for server in [generated, *baselines]:
            wait_ready(server, seeded.token)
        # Every read on the generated app; the baselines take no filter and no search.
        results = measure_apps([generated], seeded, url, 1, 1, (*ENDPOINTS, *READS), check=False)
        results |= measure_apps(baselines, seeded, url, 1, 1, (*ENDPOINTS, "deep"), check=False)
    finally:
        for server in [generated, *baselines]:
            server.process.terminate()
            server.process.wait(timeout=10)
    assert len(results) == len(ENDPOINTS) + len(READS) - 2 + 3 * (len(ENDPOINTS) + 1)
    failed = {key: (run[0].errors, run[0].requests) for key, run in results.items() if run[0].errors}
    assert not failed, failed
    assert all(run[0].requests > 0 for run in results.values())


@pytest.mark.parametrize("endpoint", ["filter", "search", "search-common"])
def test_compare_refuses_to_rank_baselines_on_reads_they_do_not_implement(endpoint: str, tmp_path: Path) -> None:
    """The baselines take no filter and no search: they would answer the plain list, and the
    ratio would compare a list with a search."""
    command = [sys.executable, "-m", "benchmarks.compare", str(tmp_path), "--baselines", "c", "--endpoints", endpoint]
    refused = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2
    assert "the baselines implement neither filter nor search" in refused.stderr


def test_every_update_the_benchmark_sends_writes_new_values() -> None:
    """An update that sends the values a row already holds writes nothing in an app that, like
    the textbook one, sets the attributes and lets the unit of work skip the unchanged ones; the
    apps that always UPDATE would be measured doing more work than it. A benchmark loads the same
    rows run after run, so no PUT of two runs may carry a title another PUT carried."""
    ensure_wrk()
    sent: list[tuple[str, str]] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects

        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            sent.append((self.path, json.loads(body)["title"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            runs = [load.run(url, "token", "update", duration=1, connections=4, ids=(1, 50)) for _ in range(2)]
        finally:
            server.shutdown()
    assert all(run.errors == 0 for run in runs) and len(sent) > 20
    titles = [title for _, title in sent]
    assert len(set(titles)) == len(titles)


@pytest.mark.postgres
def test_cpu_per_request_measures_every_app(postgres_url: str) -> None:
    """`benchmarks.cpu_per_request` drives each app in-process: every request must succeed and
    every update write its row (it stops otherwise), and each figure be measured, the database's
    too where the server runs on this machine."""
    url = create_database(postgres_url, "cpu_per_request")
    local = postmaster_of(url) != -1
    command = [sys.executable, "-m", "benchmarks.cpu_per_request", "--rounds", "1", "--requests", "20"]
    done = subprocess.run([*command, "--database-url", url], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split("|") for line in done.stdout.splitlines() if line.startswith("| ")]
    measured = {(row[1].strip(), row[2].strip()): row[3:6] for row in rows[2:]}  # after the header and its rule
    assert set(measured) == {(endpoint, app) for endpoint in ENDPOINTS_MEASURED for app in APPS}
    for own, *database in measured.values():
        assert float(own.split()[0].replace(",", "")) > 0
        # 20 requests of PostgreSQL may take under one clock tick: 0 is a figure, "n/a" is not.
        assert all((cell.strip() != "n/a") == local for cell in database), database


@pytest.mark.postgres
def test_the_servers_cpu_is_counted(postgres_url: str) -> None:
    """The PostgreSQL column of `cpu_per_request` reads the server's processes: a statement that
    keeps a backend busy shows in it."""
    url = create_database(postgres_url, "server_cpu")
    postmaster = postmaster_of(url)
    if postmaster == -1:
        pytest.skip("the PostgreSQL server is not on this machine: its processes cannot be read")

    async def busy() -> float | None:
        connection = await asyncpg.connect(dsn(url))
        try:
            before = postgres_cpu(postmaster)
            await connection.fetchval("SELECT sum(i) FROM generate_series(1, 5000000) AS i")
            return cpu_seconds_between(before, postgres_cpu(postmaster))
        finally:
            await connection.close()

    used = asyncio.run(busy())
    assert used is not None and used >= 0.1, used
