"""A freshly generated project tests itself with nothing set up: `pip install -e ".[dev]" &&
pytest` on a machine with PostgreSQL's server binaries and no database configured starts a
throwaway server (the project's `conftest.py`), and without one stops with a message naming the
ways to give one.

PostgreSQL refuses to run as root, so the project is installed and tested as the `postgres`
user (the machine's, which the server binaries come with), with a Python that user may run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli

pytestmark = pytest.mark.postgres

USER = "postgres"
SPEC = EXAMPLES / "notes.toml"


def _as_user(*command: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run as USER (as ourselves when we are not root), with no database in the environment."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL", "PYTHONPATH"}}
    environment["HOME"] = str(cwd)
    prefix = ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout
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


def test_pytest_passes_with_no_database_configured(fresh_project: Path) -> None:
    before = set(Path(tempfile.gettempdir()).glob("notes-tests-*"))
    result = _as_user(".venv/bin/pytest", "-q", "-p", "no:cacheprovider", cwd=fresh_project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
    # The throwaway server's directory is gone with it.
    assert set(Path(tempfile.gettempdir()).glob("notes-tests-*")) == before


def test_without_binaries_or_a_url_pytest_stops_at_once_naming_the_three_ways(fresh_project: Path) -> None:
    """The server binaries hidden from the run: a private mount namespace with an empty
    directory over Debian's PostgreSQL install (where `pg_config --bindir` points)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.fail("hiding the PostgreSQL binaries needs root and unshare")
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    hidden = str(Path(bindir).parents[1])
    command = (
        f"mount -t tmpfs none {hidden} && "
        f"runuser -u {USER} -- env PATH=/usr/bin:/bin HOME={fresh_project} .venv/bin/pytest -q -p no:cacheprovider"
    )
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL"}}
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
    assert output.startswith("The tests need PostgreSQL, and there is none to use."), output
    for way in ("DATABASE_URL", "server binaries", "docker compose up -d db"):
        assert way in output, way
    assert "Traceback" not in output and "passed" not in output


def test_as_root_pytest_says_why_it_cannot_start_a_server(fresh_project: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root meets this message")
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL"}}
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
    assert output.startswith("PostgreSQL refuses to run as root"), output
