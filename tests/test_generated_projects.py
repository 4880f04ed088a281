"""The generated projects for real: lint, format, types, migrations and their own test suites,
against PostgreSQL. This is what a user runs after `prpgen generate`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_SPECS, create_database, run_cli

pytestmark = pytest.mark.postgres

MIN_COVERAGE = 90.0


def check(command: list[str], project: Path, database_url: str | None = None) -> str:
    """Run a tool inside the project with this interpreter's environment; fail with its output."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # The generated project measures its own coverage; keep prpgen's measurement out of it.
    env.pop("COVERAGE_PROCESS_START", None)
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{' '.join(command)}` failed in {project}:\n{output[-6000:]}"
    return output


def validate_project(project: Path, database_url: str) -> float:
    """Every gate of the seed PRP; returns the coverage of the generated suite."""
    check(["ruff", "check", "app", "tests", "alembic"], project)
    check(["ruff", "format", "--check", "."], project)
    check(["mypy", "app"], project)
    check(["alembic", "upgrade", "head"], project, database_url)
    # The models and the migrations describe the same schema.
    check(["alembic", "check"], project, database_url)
    check(["alembic", "downgrade", "-1"], project, database_url)
    check(["alembic", "upgrade", "head"], project, database_url)
    check(["alembic", "downgrade", "base"], project, database_url)
    check(["alembic", "upgrade", "head"], project, database_url)
    output = check(["pytest", "-q", "-p", "no:cacheprovider", "--cov=app", "--cov-report=term"], project, database_url)
    coverage = re.search(r"^TOTAL\s.*?(\d+(?:\.\d+)?)%\s*$", output, re.MULTILINE)
    assert coverage is not None, output[-3000:]
    assert re.search(r"\d+ passed", output) and "failed" not in output
    return float(coverage.group(1))


@pytest.mark.parametrize("spec", EXAMPLE_SPECS, ids=lambda p: p.stem)
def test_generated_example_passes_every_gate(spec: Path, tmp_path: Path, postgres_url: str) -> None:
    project = tmp_path / spec.stem
    result = run_cli("generate", str(spec), "--out", str(project))
    assert result.returncode == 0, result.stderr
    coverage = validate_project(project, create_database(postgres_url, f"example_{spec.stem}"))
    assert coverage >= MIN_COVERAGE
    print(f"{spec.stem}: generated suite coverage {coverage}%")


def test_entities_added_one_run_at_a_time(tmp_path: Path, postgres_url: str) -> None:
    """`init`, then two `new-entity` runs (a spec file, then inline): migrations chain, routers and
    models are registered in place, and the whole project still passes every gate."""
    project = tmp_path / "shop"
    assert run_cli("init", str(project)).returncode == 0
    database_url = create_database(postgres_url, "incremental")
    validate_project(project, database_url)
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


def test_awkward_names_pass_every_gate(tmp_path: Path, postgres_url: str) -> None:
    """SQL keywords and builtins as names (`order`, `group`, `type`), a field named like its type,
    enum values that are not identifiers, every field type: all of it must still work for real."""
    from prpgen import generate, parse_spec
    from tests.test_generated_code_style import awkward_spec

    project = tmp_path / "stress"
    generate(parse_spec(awkward_spec(), "stress.yaml"), project, source="stress.yaml")
    assert validate_project(project, create_database(postgres_url, "stress")) >= MIN_COVERAGE


def test_the_generated_app_serves_its_api_under_uvicorn(tmp_path: Path, postgres_url: str) -> None:
    """`uvicorn app.main:app` for real: /docs, the OpenAPI document, and a user's first requests."""
    import json
    import socket
    import time
    import urllib.error
    import urllib.parse
    import urllib.request

    spec = next(s for s in EXAMPLE_SPECS if s.stem == "blog")
    project = tmp_path / "blog"
    assert run_cli("generate", str(spec), "--out", str(project)).returncode == 0
    database_url = create_database(postgres_url, "served")
    check(["alembic", "upgrade", "head"], project, database_url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "BCRYPT_ROUNDS": "4"}
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"

    def request(
        method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310 - a loopback URL we built
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, page = request("GET", "/docs")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.2)
        assert status == 200
        assert b"swagger-ui" in page
        status, document = request("GET", "/openapi.json")
        paths = json.loads(document)["paths"]
        assert {"/api/v1/posts", "/api/v1/posts/{post_id}", "/api/v1/auth/login", "/api/v1/users/me"} <= set(paths)

        account = json.dumps({"email": "reader@example.com", "password": "a-long-password"}).encode()
        json_headers = {"Content-Type": "application/json"}
        assert request("POST", "/api/v1/auth/register", account, json_headers)[0] == 201
        form = urllib.parse.urlencode({"username": "reader@example.com", "password": "a-long-password"}).encode()
        form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, token = request("POST", "/api/v1/auth/login", form, form_headers)
        assert status == 200
        auth = {**json_headers, "Authorization": f"Bearer {json.loads(token)['access_token']}"}
        post = {"title": "Hello", "slug": "hello", "body": "First post."}
        status, created = request("POST", "/api/v1/posts", json.dumps(post).encode(), auth)
        assert status == 201, created
        status, listed = request("GET", "/api/v1/posts", headers=auth)
        assert status == 200
        assert json.loads(listed)["total"] == 1
        assert request("GET", "/api/v1/posts")[0] == 401
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr:
            server.stderr.close()
