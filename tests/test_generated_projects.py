"""The generated projects for real: lint, format, types, migrations and their own test suites,
against PostgreSQL. This is what a user runs after `prpgen generate`."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from prpgen import load_spec, naming
from tests import client_drive, fuzz
from tests.conftest import EXAMPLE_SPECS, ROOT, create_database, rotating_sample, run_cli

pytestmark = pytest.mark.postgres

MIN_COVERAGE = 90.0


def check(command: list[str], project: Path, database_url: str | None = None) -> str:
    """Run a tool inside the project with this interpreter's environment; fail with its output."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # The generated project measures its own coverage; keep prpgen's measurement out of it.
    env.pop("COVERAGE_PROCESS_START", None)
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    if database_url:
        # The app's and the tests' database alike (a generated suite reads only TEST_DATABASE_URL).
        env["DATABASE_URL"] = env["TEST_DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{' '.join(command)}` failed in {project}:\n{output[-6000:]}"
    return output


def validate_project(project: Path, database_url: str) -> float:
    """Every gate of the seed PRP; returns the coverage of the generated suite."""
    check_gates(project, database_url)
    output = check(["pytest", "-q", "-p", "no:cacheprovider", "--cov=app", "--cov-report=term"], project, database_url)
    coverage = re.search(r"^TOTAL\s.*?(\d+(?:\.\d+)?)%\s*$", output, re.MULTILINE)
    assert coverage is not None, output[-3000:]
    assert re.search(r"\d+ passed", output) and "failed" not in output
    return float(coverage.group(1))


def check_gates(project: Path, database_url: str) -> None:
    """The gates before the generated suite: lint, format, types, security lint, and the
    migrations up, down and up again, matching the models."""
    check(["ruff", "check", "app", "tests", "alembic"], project)
    check(["ruff", "format", "--check", "."], project)
    check(["mypy", "app", "tests"], project)
    bandit = check(["bandit", "-q", "-r", "app", "-f", "json"], project)
    assert json.loads(bandit[bandit.index("{") :])["results"] == []
    check(["alembic", "upgrade", "head"], project, database_url)
    # The models and the migrations describe the same schema.
    check(["alembic", "check"], project, database_url)
    check(["alembic", "downgrade", "-1"], project, database_url)
    check(["alembic", "upgrade", "head"], project, database_url)
    check(["alembic", "downgrade", "base"], project, database_url)
    check(["alembic", "upgrade", "head"], project, database_url)


def test_entities_added_one_run_at_a_time(tmp_path: Path, postgres_url: str) -> None:
    """`init`, then two `new-entity` runs (a spec file, then inline): migrations chain, routers and
    models are registered in place, and the whole project still passes every gate."""
    project = tmp_path / "shop"
    assert run_cli("init", str(project)).returncode == 0
    database_url = create_database(postgres_url, "incremental")
    # The skeleton alone: the gates before the suite (its tests run with the entities below).
    check_gates(project, database_url)
    spec = EXAMPLE_SPECS[0]
    added = run_cli("new-entity", "--spec", str(spec), "--project", str(project))
    assert added.returncode == 0, added.stderr
    inline = run_cli(
        "new-entity",
        "Order",
        "--field",
        "reference:str:unique:max_length=40",
        "--field",
        "total:decimal:ge=0",
        "--field",
        "state:enum:values=open|paid|shipped:default=open",
        "--field",
        "note:text:optional",
        "--priority",
        "critical",
        "--project",
        str(project),
    )
    assert inline.returncode == 0, inline.stderr
    assert len(list((project / "alembic" / "versions").glob("*.py"))) == 3
    assert validate_project(project, database_url) >= MIN_COVERAGE


UNCOUNTABLE = """\
feature: farm
description: Things whose plural is themselves.
entities:
  - name: Sheep
    fields:
      name: {type: str, max_length: 40}
  - name: Fish
    fields:
      kind: {type: str, max_length: 40}
      sheep: {type: ref, to: Sheep, required: false}
  - name: Series
    owned: false
    fields:
      title: {type: str, max_length: 80}
  - name: News
    fields:
      headline: {type: str, max_length: 120, searchable: true}
      series: {type: ref, to: Series, required: false}
  - name: Data
    fields:
      value: {type: int}
      news: {type: ref_many, to: News}
"""


def awkward_project(tmp_path: Path) -> Path:
    """SQL keywords and builtins as names (`order`, `group`, `type`), a field named like its type,
    enum values that are not identifiers, every field type."""
    from prpgen import generate, parse_spec
    from tests.test_generated_code_style import awkward_spec

    project = tmp_path / "stress"
    generate(parse_spec(awkward_spec(), "stress.yaml"), project, source="stress.yaml")
    return project


def uncountable_project(tmp_path: Path) -> Path:
    """Sheep, Fish, Series, News, Data are their own plurals (they were refused as "defined
    twice"); Data is also the name of every route's payload parameter."""
    spec = tmp_path / "farm.yaml"
    spec.write_text(UNCOUNTABLE)
    project = tmp_path / "farm"
    result = run_cli("generate", str(spec), "--out", str(project))
    assert result.returncode == 0, result.stderr
    assert 'PATH = "/sheep"' in (project / "app/api/endpoints/sheep.py").read_text()
    return project


STRESS = {"awkward-names": awkward_project, "uncountable-names": uncountable_project}


def example_project(spec: Path) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        project = tmp_path / spec.stem
        result = run_cli("generate", str(spec), "--out", str(project))
        assert result.returncode == 0, result.stderr
        return project

    return build


# Each example, and names that break naive generators, through every gate for real (about 80 s
# each on 2 cores): one a run, each within seven days; `make test-all` runs them all. Every
# example still passes the fast gates, the golden and drift checks and Schemathesis in other
# tests, and the spec matrix puts six rows through every gate in every run.
FULL_GATES = {**{spec.stem: example_project(spec) for spec in EXAMPLE_SPECS}, **STRESS}


@pytest.mark.parametrize("name", rotating_sample(list(FULL_GATES), 1))
def test_a_project_passes_every_gate(name: str, tmp_path: Path, postgres_url: str) -> None:
    project = FULL_GATES[name](tmp_path)
    coverage = validate_project(project, create_database(postgres_url, f"full_{name.replace('-', '_')}"))
    assert coverage >= MIN_COVERAGE
    print(f"{name}: generated suite coverage {coverage}%")


# Two ways a service can lose a write in production while a careless test suite stays green,
# as edits (file, text, replacement) of a generated notes project.
NO_COMMIT = ("app/services/note_service.py", "await self.db.commit()", "await self.db.flush()")
MUTATIONS = {
    # The write reaches the transaction but is never committed: production drops it.
    "flush-instead-of-commit": [NO_COMMIT],
    # The commit moves into the session dependency's teardown, which FastAPI runs after the
    # response is sent: the client has its 201 before the write is (or fails to be) committed.
    "commit-after-the-response": [
        NO_COMMIT,
        ("app/core/database.py", "        yield session\n", "        yield session\n        await session.commit()\n"),
    ],
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_the_generated_suite_notices_a_lost_write(mutation: str, tmp_path: Path, postgres_url: str) -> None:
    """Each request of the generated tests has a session of its own, as in production: a service
    that does not commit its write before answering fails the suite."""
    spec = next(s for s in EXAMPLE_SPECS if s.stem == "notes")
    project = tmp_path / "notes"
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    for path, before, after in MUTATIONS[mutation]:
        mutated = project / path
        assert mutated.read_text().count(before) == 1
        mutated.write_text(mutated.read_text().replace(before, after))
    database_url = create_database(postgres_url, f"mutated_{mutation.replace('-', '_')}")
    check(["alembic", "upgrade", "head"], project, database_url)
    env = {**os.environ, "TEST_DATABASE_URL": database_url, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("COVERAGE_PROCESS_START", None)
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/api/test_notes.py"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    failed = re.search(r"(\d+) failed", result.stdout)
    assert failed is not None, result.stdout[-3000:]
    print(f"{mutation}: {failed.group(0)} in the generated API tests")


@contextmanager
def served(project: Path, database_url: str, **settings: str) -> Iterator[str]:
    """`uvicorn app.main:app` on a free loopback port, migrated; yields its base URL."""
    check(["alembic", "upgrade", "head"], project, database_url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Deployed as the README says: the default (production) environment, a key of its own.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BCRYPT_ROUNDS": "4",
        "SECRET_KEY": secrets.token_urlsafe(48),
        **settings,
    }
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    env.pop("ENVIRONMENT", None)
    # The server logs every request: to a file, since a full pipe would block it.
    log = project / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request(base, "GET", "/health/live")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def request(
    base: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310 - a loopback URL we built
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def sign_in(base: str, email: str = "reader@example.com", password: str = "a-long-password") -> str:
    account = json.dumps({"email": email, "password": password}).encode()
    assert request(base, "POST", "/api/v1/auth/register", account, {"Content-Type": "application/json"})[0] == 201
    form = urllib.parse.urlencode({"username": email, "password": password}).encode()
    status, token = request(
        base, "POST", "/api/v1/auth/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200
    access_token: str = json.loads(token)["access_token"]
    return access_token


def test_the_generated_app_serves_its_api_under_uvicorn(tmp_path: Path, postgres_url: str) -> None:
    """`uvicorn app.main:app` for real: /docs, the OpenAPI document, and a user's first requests."""
    spec = next(s for s in EXAMPLE_SPECS if s.stem == "blog")
    project = tmp_path / "blog"
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    database_url = create_database(postgres_url, "served")
    with served(project, database_url) as base:
        # Production is the default: no API docs unless asked for.
        assert [request(base, "GET", path)[0] for path in ("/docs", "/openapi.json")] == [404, 404]
        assert request(base, "GET", "/health/ready") == (200, b'{"status":"ok"}')
    with served(project, database_url, API_DOCS="true") as base:
        status, page = request(base, "GET", "/docs")
        assert status == 200
        assert b"swagger-ui" in page
        paths = json.loads(request(base, "GET", "/openapi.json")[1])["paths"]
        assert {"/api/v1/posts", "/api/v1/posts/{post_id}", "/api/v1/auth/login", "/api/v1/users/me"} <= set(paths)
        auth = {"Content-Type": "application/json", "Authorization": f"Bearer {sign_in(base)}"}
        post = {"title": "Hello", "slug": "hello", "body": "First post."}
        status, created = request(base, "POST", "/api/v1/posts", json.dumps(post).encode(), auth)
        assert status == 201, created
        status, listed = request(base, "GET", "/api/v1/posts?total=true", headers=auth)
        assert status == 200
        assert json.loads(listed)["total"] == 1
        # Posts are public in the blog; categories are their owner's.
        assert request(base, "GET", "/api/v1/posts")[0] == 200
        assert request(base, "GET", "/api/v1/categories")[0] == 401


def test_the_generated_app_refuses_to_start_without_a_key_of_its_own(tmp_path: Path) -> None:
    """Started as a careless deployment would be (no ENVIRONMENT, no SECRET_KEY), uvicorn stops
    at once with one line saying what to set; with the published example key likewise."""
    spec = next(s for s in EXAMPLE_SPECS if s.stem == "notes")
    project = tmp_path / "notes"
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in {"ENVIRONMENT", "SECRET_KEY", "COVERAGE_PROCESS_CONFIG"}}
    published = "insecure-development-key-set-SECRET_KEY-before-deploying-anywhere"
    for key, problem in ((None, "is not set"), (published, "is a published example key")):
        keyed = env if key is None else {**env, "SECRET_KEY": key}
        started = subprocess.run(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", "0"],
            cwd=project,
            env=keyed,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert started.returncode != 0
        errors = [line for line in started.stderr.splitlines() if line.startswith("error:")]
        assert errors == [f"error: refusing to start: SECRET_KEY {problem}; {KEY_HELP}"], started.stderr
        assert "Traceback" not in started.stderr


KEY_HELP = (
    'make one with: python -c "import secrets; print(secrets.token_urlsafe(48))" '
    "(or set ENVIRONMENT=development to run locally without one)"
)


# Schemathesis against one example a run (each within five days; `make test-all`: all five).
@pytest.mark.parametrize("spec", rotating_sample(EXAMPLE_SPECS, 1), ids=lambda p: p.stem)
def test_schemathesis_finds_nothing(spec: Path, tmp_path: Path, postgres_url: str) -> None:
    """Schemathesis with every check, signed in, against each example's own OpenAPI document:
    no 5xx, only documented statuses, responses that match their schemas, schema-valid requests
    taken and invalid ones refused, the Allow header, auth really enforced, and more. The
    example is seeded first, and a hook puts real ids into generated bodies and keeps those rows
    alive (tests/fuzz_hooks.py)."""
    project = tmp_path / spec.stem
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    database_url = create_database(postgres_url, f"fuzz_{spec.stem}")
    # A high login budget: Schemathesis signs in and registers far more often than a person.
    with served(
        project,
        database_url,
        API_DOCS="true",
        AUTH_RATE_LIMIT_PER_MINUTE="1000000",
        LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE="2000000",
    ) as base:
        token = sign_in(base)
        admin = fuzz.admin_token(base, project, database_url, request)
        seeds = fuzz.seed(base, load_spec(spec), token, admin, request)
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{base}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "30",
            "--seed",
            "1",
            "--no-color",
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT), **fuzz.hook_env(seeds)}
        # Run where its example cache starts empty, so every run tests the same cases.
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path, env=env
        )
    summary = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert result.returncode == 0, result.stdout[-6000:]
    assert summary is not None, result.stdout[-3000:]
    print(f"{spec.stem}: schemathesis {summary.group(1)} cases generated, {summary.group(2)} passed")


BOOKS_V1 = """\
feature: reading-list
description: Books a reader wants to read.
entities:
  - name: Book
    fields:
      title: {type: str, max_length: 200}
      isbn: {type: str, max_length: 13, unique: global}
      author: {type: str, max_length: 120, required: false}
      pages: {type: int, ge: 1, required: false}
  - name: Quote
    fields:
      text: {type: text}
      book: {type: ref, to: Book}
"""

BOOKS_V2 = """\
feature: reading-list
description: Books a reader wants to read, on shelves.
entities:
  - name: Shelf
    fields:
      label: {type: str, max_length: 40}
  - name: Book
    soft_delete: true
    fields:
      title: {type: str, max_length: 250, index: true, searchable: true}
      isbn: {type: str, max_length: 13, unique: true}
      pages: {type: int, ge: 1, default: 100}
      rating: {type: int, ge: 1, le: 5, default: 3}
      subtitle: {type: str, max_length: 80, required: false}
      shelf: {type: ref, to: Shelf, required: false}
  - name: Quote
    fields:
      text: {type: text}
      page: {type: int, required: false}
      book: {type: ref, to: Book}
"""


def sql(database_url: str, query: str) -> list[tuple[object, ...]]:
    import asyncio

    import asyncpg

    async def run() -> list[tuple[object, ...]]:
        connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            return [tuple(row) for row in await connection.fetch(query)]
        finally:
            await connection.close()

    return asyncio.run(run())


def test_a_changed_spec_migrates_the_rows_already_there(tmp_path: Path, postgres_url: str) -> None:
    """The difference migration of a changed spec, on a database holding rows: columns added
    (with defaults), dropped, widened and made required, a table-wide unique constraint turned into
    a partial index per owner (soft delete, `unique: global` to `true`), a field made searchable
    (a trigram index, and the extension), a new table and a new reference; then back down and up,
    and every gate."""
    spec = tmp_path / "reading.yaml"
    spec.write_text(BOOKS_V1)
    project = tmp_path / "reading"
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    database_url = create_database(postgres_url, "difference")
    check(["alembic", "upgrade", "head"], project, database_url)
    sql(database_url, "INSERT INTO users (email, hashed_password) VALUES ('a@example.com', 'x')")
    sql(
        database_url,
        "INSERT INTO books (title, isbn, author, pages, user_id) VALUES "
        "('Dune', '9780441013593', 'Herbert', 412, 1), ('Emma', '9780141439587', NULL, NULL, 1)",
    )
    sql(database_url, "INSERT INTO quotes (text, book_id, user_id) VALUES ('Fear is the mind-killer.', 1, 1)")

    spec.write_text(BOOKS_V2)
    # V2 drops `author`: written with consent, after the warning names it.
    result = run_cli("generate", str(spec), "--out", str(project), "--allow-destructive")
    assert result.returncode == 0, result.stderr
    assert "- column books.author" in result.stderr
    migration = project / "alembic/versions/0003_reading_list__update.py"
    assert migration.is_file()
    assert (project / "alembic/versions/0002_reading_list.py").read_text().count("sa.String(length=200)") == 1
    check(["alembic", "upgrade", "head"], project, database_url)
    check(["alembic", "check"], project, database_url)
    rows = sql(database_url, "SELECT title, pages, rating, subtitle, shelf_id FROM books ORDER BY id")
    assert rows == [("Dune", 412, 3, None, None), ("Emma", 100, 3, None, None)]
    assert sql(database_url, "SELECT text, book_id FROM quotes") == [("Fear is the mind-killer.", 1)]
    unique = "SELECT indexname FROM pg_indexes WHERE tablename = 'books' AND indexname LIKE 'uq_%'"
    assert sql(database_url, unique) == [("uq_books_user_id_isbn",)]
    trigram = "SELECT indexname FROM pg_indexes WHERE tablename = 'books' AND indexdef LIKE '%gin_trgm_ops%'"
    assert sql(database_url, trigram) == [("ix_books_title_trgm",)]

    check(["alembic", "downgrade", "-1"], project, database_url)
    assert sql(database_url, trigram) == []
    assert sql(database_url, "SELECT title, author, pages FROM books ORDER BY id") == [
        ("Dune", None, 412),
        ("Emma", None, 100),
    ]
    check(["alembic", "upgrade", "head"], project, database_url)
    assert validate_project(project, database_url) >= MIN_COVERAGE


# Every example, every run: about 7 s each.
@pytest.mark.parametrize("spec", EXAMPLE_SPECS, ids=lambda p: p.stem)
def test_a_generated_client_drives_every_endpoint(
    spec: Path, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client written by openapi-python-client (with --fail-on-warning) from the example's
    OpenAPI document calls every operation, errors included: each answers the status expected,
    documented (the client raises on any other) and parsed into its documented model."""
    project = tmp_path / spec.stem
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    database_url = create_database(postgres_url, f"client_{spec.stem}")
    with served(project, database_url, API_DOCS="true") as base:
        document = request(base, "GET", "/openapi.json")[1]
        (tmp_path / "openapi.json").write_bytes(document)
        monkeypatch.syspath_prepend(str(tmp_path))
        package = client_drive.generate(tmp_path / "openapi.json", tmp_path, f"{naming.snake(spec.stem)}_client")
        driver = client_drive.Driver(package, base)
        try:
            called = client_drive.drive(
                driver,
                load_spec(spec),
                json.loads(document),
                lambda email: fuzz.promote(project, database_url, email),
            )
        finally:
            driver.close()
    assert sorted(set(driver.operations) - set(called)) == []
    print(f"{spec.stem}: {len(called)} operations, {sum(map(len, called.values()))} (operation, status) pairs")


SHELVES = """\
feature: shelving
description: Shelves whose deleted rows stay, marked, beside their neighbours.
entities:
  - name: Tag
    fields:
      name: {type: str, max_length: 40}
  - name: Shelf
    soft_delete: true
    fields:
      label: {type: str, max_length: 40}
      tags: {type: ref_many, to: Tag}
      neighbours: {type: ref_many, to: Shelf}
"""

LENDING = """\
feature: lending
description: Books on the shelves of another feature.
entities:
  - name: Book
    fields:
      title: {type: str, max_length: 200}
      shelf: {type: ref, to: Shelf, on_delete: restrict}
      spare: {type: ref, to: Shelf, required: false, on_delete: set_null}
"""


def test_references_into_an_earlier_feature_hold_on_soft_delete(tmp_path: Path, postgres_url: str) -> None:
    """A later feature's RESTRICT and SET NULL references to an earlier feature's soft-deleted
    entity fare as under a real DELETE: the earlier entity's service knows who refers to it (it
    did not when the earlier model was patched with the relationship and nothing else). The
    shelf also has two `ref_many` lists, one to shelves (a restore returns both loaded)."""
    project = tmp_path / "library"
    first, second = tmp_path / "shelving.yaml", tmp_path / "lending.yaml"
    first.write_text(SHELVES)
    second.write_text(LENDING)
    assert run_cli("generate", str(first), "--out", str(project)).returncode == 0
    added = run_cli("new-entity", "--spec", str(second), "--project", str(project))
    assert added.returncode == 0, added.stderr
    database_url = create_database(postgres_url, "cross_feature")
    check_gates(project, database_url)
    suites = ["tests/api/test_books.py", "tests/api/test_shelves.py"]
    output = check(["pytest", "-q", "-p", "no:cacheprovider", "--no-cov", *suites], project, database_url)
    assert re.search(r"\d+ passed", output) and "failed" not in output
