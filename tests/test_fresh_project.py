"""A freshly generated project tests itself with nothing set up: `pip install -e ".[dev]" &&
pytest` on a machine with PostgreSQL's server binaries and no database configured starts a
throwaway server (the project's `conftest.py`), and without one stops with a message naming the
ways to give one.

PostgreSQL refuses to run as root, so the project is installed and tested as the `postgres`
user (the machine's, which the server binaries come with), with a Python that user may run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli

pytestmark = pytest.mark.postgres

USER = "postgres"
SPEC = EXAMPLES / "notes.toml"


# The app's own database, as an exported .env would give it: the tests must not take it.
APP_DATABASE = "postgresql+asyncpg://app:app@127.0.0.1:9/app"


def _environment() -> dict[str, str]:
    """Ours, less the test database, prpgen's import path and coverage settings (the project's
    run may not write prpgen's coverage data), with DATABASE_URL naming the app's database."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TEST_DATABASE_URL", "PYTHONPATH"} and not k.startswith("COVERAGE_")
    }
    environment["DATABASE_URL"] = APP_DATABASE
    return environment


def _as_user(*command: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run as USER (as ourselves when we are not root), with no test database in the environment."""
    environment = _environment()
    # runuser resets HOME; pip's cache and the like go to the project's directory.
    prefix = ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, "env", f"HOME={cwd}", *command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _python_for(user_dir: Path) -> str:
    """A Python 3.11+ with venv that USER may run (root's own may sit under a private home)."""
    for candidate in (sys.executable, *sorted(Path("/usr/bin").glob("python3.1[1-9]")), "/usr/bin/python3"):
        check = "import sys, venv, ensurepip; assert sys.version_info >= (3, 11)"
        if _as_user(str(candidate), "-c", check, cwd=user_dir).returncode == 0:
            return str(candidate)
    pytest.fail(f"no Python 3.11+ with venv that the {USER} user may run")


@pytest.fixture(scope="module")
def fresh_project() -> Iterator[Path]:
    """A generated project, installed as its README says into its own venv, owned by USER."""
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.fail("running as root needs runuser to test as another user")
    home = Path(tempfile.mkdtemp(prefix="prpgen-fresh-"))
    project = home / "notes"
    try:
        assert run_cli("generate", str(SPEC), "--out", str(project)).returncode == 0
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", USER, str(home)], check=True)
        python = _python_for(home)
        installed = _as_user("sh", "-c", f'{python} -m venv .venv && .venv/bin/pip install -q -e ".[dev]"', cwd=project)
        assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
        yield project
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _servers() -> set[str]:
    """The command lines of running throwaway servers of the project's tests."""
    found = subprocess.run(["pgrep", "-a", "-f", "notes-tests-"], capture_output=True, text=True)
    return set(found.stdout.splitlines())


def test_pytest_passes_with_no_test_database_configured(fresh_project: Path) -> None:
    """DATABASE_URL names the app's database (unreachable here): the tests start their own."""
    directories, servers = set(Path(tempfile.gettempdir()).glob("notes-tests-*")), _servers()
    result = _as_user(".venv/bin/pytest", "-q", "-p", "no:cacheprovider", cwd=fresh_project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
    # The throwaway server is stopped and its directory gone.
    assert set(Path(tempfile.gettempdir()).glob("notes-tests-*")) == directories
    assert _servers() == servers


def test_without_binaries_or_a_url_pytest_stops_at_once_naming_the_three_ways(fresh_project: Path) -> None:
    """The server binaries hidden from the run: a private mount namespace with an empty
    directory over Debian's PostgreSQL install (where `pg_config --bindir` points)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("hiding the PostgreSQL binaries needs root and unshare (CI runs as root)")
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    if not bindir.startswith("/usr/lib/postgresql/"):
        pytest.skip(f"hides Debian's install only; the binaries are in {bindir}")
    hidden = "/usr/lib/postgresql"
    command = (
        f"mount -t tmpfs none {hidden} && "
        f"runuser -u {USER} -- env PATH=/usr/bin:/bin HOME={fresh_project} .venv/bin/pytest -q -p no:cacheprovider"
    )
    environment = _environment()
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", command],
        cwd=fresh_project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "The tests need PostgreSQL, and there is none to use." in output, output
    for way in (
        "TEST_DATABASE_URL",
        "server binaries",
        "docker compose up -d test-db",
        "TEST_DATABASE_URL=postgresql+asyncpg://app:app@127.0.0.1:5433/notes_test",
    ):
        assert way in output, way
    assert "Traceback" not in output and "passed" not in output


def test_as_root_pytest_says_why_it_cannot_start_a_server(fresh_project: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root meets this message")
    environment = _environment()
    result = subprocess.run(
        [".venv/bin/pytest", "-q", "-p", "no:cacheprovider"],
        cwd=fresh_project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "PostgreSQL refuses to run as root" in output and "Traceback" not in output, output


def test_the_throwaway_server_takes_no_one_without_its_password(fresh_project: Path) -> None:
    """It listens on 127.0.0.1, where any local user could otherwise connect as its superuser
    (and run commands as the tests' user with COPY ... FROM PROGRAM)."""
    code = """
import asyncio, os
import asyncpg
import conftest  # starts the server, as pytest would

port = int(os.environ["DATABASE_URL"].rsplit(":", 1)[1].split("/")[0])


async def main() -> None:
    try:
        connection = await asyncpg.connect(host="127.0.0.1", port=port, user="postgres", database="postgres")
    except Exception as exc:
        print("refused", type(exc).__name__)
    else:
        await connection.close()
        print("connected")


asyncio.run(main())
"""
    result = _as_user(".venv/bin/python", "-c", code, cwd=fresh_project, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("refused"), result.stdout


def test_sigterm_stops_the_run_and_removes_the_server(fresh_project: Path) -> None:
    """A cancelled CI job or `timeout` sends SIGTERM: the server and its directory are removed,
    and the run ends there, by the signal (not a test failed and the rest run on)."""
    directories, servers = set(Path(tempfile.gettempdir()).glob("notes-tests-*")), _servers()
    pytest_path = str(fresh_project / ".venv" / "bin" / "pytest")
    environment = _environment()
    prefix = ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []
    command = [*prefix, "env", f"HOME={fresh_project}", pytest_path, "-q", "-p", "no:cacheprovider"]
    run = subprocess.Popen(
        command, cwd=fresh_project, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while not any(
            (directory / "data" / "postmaster.pid").exists()
            for directory in set(Path(tempfile.gettempdir()).glob("notes-tests-*")) - directories
        ):
            assert run.poll() is None and time.monotonic() < deadline, "the throwaway server did not start"
            time.sleep(0.2)
        time.sleep(3)  # the tests under way
        # pytest itself, not runuser, which would follow with SIGKILL two seconds later.
        listing = subprocess.run(["ps", "-ww", "-eo", "pid=,args="], capture_output=True, text=True, check=True).stdout
        pids = [int(line.split()[0]) for line in listing.splitlines() if line.split()[2:3] == [pytest_path]]
        assert len(pids) == 1, listing
        os.kill(pids[0], signal.SIGTERM)
        output, _ = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    # runuser passes the signal on as 128 + its number.
    assert run.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), output.decode()[-3000:]
    assert " passed" not in output.decode(), output.decode()[-3000:]
    assert set(Path(tempfile.gettempdir()).glob("notes-tests-*")) == directories
    assert _servers() == servers
