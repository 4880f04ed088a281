"""The tests' PostgreSQL, settled before `tests/conftest.py` imports the app (which reads
DATABASE_URL once, at import).

The tests write to their database (the concurrency tests commit, then delete every row but their
admin), so they never take DATABASE_URL, the app's own database: TEST_DATABASE_URL names theirs.
Without it, the suite starts a throwaway server from the PostgreSQL binaries on this machine and
removes it when pytest exits. That is pytest-postgresql's executor (initdb into a temporary
directory, then pg_ctl on a free port), used directly rather than through its fixtures, which
start the server only once the app and its engine exist.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from pytest_postgresql.executors import PostgreSQLExecutor

NO_DATABASE = """The tests need PostgreSQL, and there is none to use. Give one of:
  - TEST_DATABASE_URL in the environment: a database the tests may write to and empty,
    postgresql+asyncpg://USER:PASSWORD@HOST:5432/DB;
  - PostgreSQL's server binaries on this machine (initdb and pg_ctl: `apt-get install
    postgresql`, `brew install postgresql@15`): the tests then start a throwaway server;
  - `docker compose up -d db` (DB_PORT=5433 if this machine's 5432 is taken), then
    TEST_DATABASE_URL=postgresql+asyncpg://app:app@localhost:5432/postgres"""
AS_ROOT = """PostgreSQL refuses to run as root, so the tests cannot start a server of their own.
Run them as another user, or give TEST_DATABASE_URL in the environment."""


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
    # Debian's packages, and Homebrew's (kept off PATH), newest first.
    for installs in (
        "/usr/lib/postgresql/*/bin",
        "/opt/homebrew/opt/postgresql@*/bin",
        "/usr/local/opt/postgresql@*/bin",
    ):
        candidates += sorted(Path("/").glob(installs.lstrip("/")), reverse=True)
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
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        raise SystemExit(AS_ROOT)
    bindir = _bindir()
    if bindir is None:
        raise SystemExit(NO_DATABASE)
    directory = tempfile.mkdtemp(prefix="notes-tests-")
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
    # At exit, however pytest ends (even before it configures, where no hook would run), and
    # when it is stopped: SIGTERM and SIGHUP then exit as Ctrl-C does, through the atexit hooks.
    atexit.register(_remove, server, directory)
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda number, _: sys.exit(128 + number))
    try:
        server.start()
    except (
        Exception
    ) as exc:  # an old PostgreSQL, a port taken meanwhile: say so, briefly
        raise SystemExit(
            f"The throwaway PostgreSQL did not start: {exc}\n\n{NO_DATABASE}"
        ) from exc
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"


def _remove(server: PostgreSQLExecutor, directory: str) -> None:
    try:
        if server.running():
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


os.environ["DATABASE_URL"] = (
    os.environ.get("TEST_DATABASE_URL") or _start_throwaway_server()
)
