"""The tests' PostgreSQL, settled before `tests/conftest.py` imports the app (which reads
DATABASE_URL once, at import).

TEST_DATABASE_URL, else DATABASE_URL, from the environment (not `.env`: that names the app's
own database) names the database. Without either, the suite starts a throwaway server from the
PostgreSQL binaries on this machine and removes it when pytest exits. That is pytest-postgresql's
executor (initdb into a temporary directory, then pg_ctl on a free port), used directly rather
than through its fixtures, which start the server only once the app and its engine exist.
"""

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from pytest_postgresql.executors import PostgreSQLExecutor

NO_DATABASE = """The tests need PostgreSQL, and there is none to use. Give one of:
  - TEST_DATABASE_URL (or DATABASE_URL) in the environment:
    postgresql+asyncpg://USER:PASSWORD@HOST:5432/DB, a database the tests may write to;
  - PostgreSQL's server binaries on this machine (initdb and pg_ctl: `apt-get install
    postgresql`, `brew install postgresql@15`): the tests then start a throwaway server;
  - `docker compose up -d db`, then
    TEST_DATABASE_URL=postgresql+asyncpg://app:app@localhost:5432/events"""
AS_ROOT = """PostgreSQL refuses to run as root, so the tests cannot start a server of their own.
Run them as another user, or give TEST_DATABASE_URL (or DATABASE_URL) in the environment."""


def _bindir() -> Path | None:
    """Where pg_ctl and initdb are: `pg_config --bindir`, PATH, or Debian's own place."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        candidates.append(Path(found.stdout.strip()))
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        candidates.append(Path(pg_ctl).parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "pg_ctl").is_file() and (candidate / "initdb").is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_throwaway_server() -> str:
    """Start the server, have it stopped and removed at exit, and return its URL."""
    bindir = _bindir()
    if bindir is None:
        raise SystemExit(NO_DATABASE)
    if os.geteuid() == 0:
        raise SystemExit(AS_ROOT)
    directory = tempfile.mkdtemp(prefix="events-tests-")
    port = _free_port()
    server = PostgreSQLExecutor(
        executable=str(bindir / "pg_ctl"),
        host="127.0.0.1",
        port=port,
        datadir=f"{directory}/data",
        unixsocketdir=directory,
        logfile=f"{directory}/server.log",
        startparams="-w",
        dbname="postgres",
        # Durability is wasted on a server that is removed afterwards; speed is not.
        postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    )
    # At exit, however pytest ends (even before it configures, where no hook would run).
    atexit.register(_remove, server, directory)
    server.start()
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"


def _remove(server: PostgreSQLExecutor, directory: str) -> None:
    try:
        if server.running():
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


_url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
os.environ["DATABASE_URL"] = _url or _start_throwaway_server()
