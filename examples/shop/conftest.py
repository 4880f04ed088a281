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
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path
from types import FrameType

from pytest_postgresql.executors import PostgreSQLExecutor

NO_DATABASE = """The tests need PostgreSQL, and there is none to use. Give one of:
  - TEST_DATABASE_URL in the environment: a database the tests may write to and empty,
    postgresql+asyncpg://USER:PASSWORD@HOST:5432/DB;
  - PostgreSQL's server binaries on this machine (initdb and pg_ctl: `apt-get install
    postgresql`, `brew install postgresql@15`): the tests then start a throwaway server;
  - `docker compose up -d test-db` (TEST_DB_PORT=... if this machine's 5433 is taken), then
    TEST_DATABASE_URL=postgresql+asyncpg://app:app@127.0.0.1:5433/shop_test"""
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
    directory = tempfile.mkdtemp(prefix="shop-tests-")
    port = _free_port()
    # It listens on 127.0.0.1, where every local user can reach it: without a password any of
    # them could connect as its superuser.
    password = secrets.token_urlsafe(24)
    server = PostgreSQLExecutor(
        executable=str(bindir / "pg_ctl"),
        host="127.0.0.1",
        port=port,
        datadir=f"{directory}/data",
        unixsocketdir=directory,
        logfile=f"{directory}/server.log",
        startparams="-w",
        dbname="postgres",
        password=password,
        # Durability is wasted on a server that is removed afterwards; speed is not.
        postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    )
    # Removed at exit, however pytest ends (even before it configures, where no hook would
    # run), and when the run is stopped (SIGTERM, SIGHUP): then here, before the signal ends
    # the process as it would have. An exception raised instead can land where Python only
    # reports it (a finalizer, an event loop's callback), and the run would go on.
    atexit.register(_remove, server, directory)

    def stop(number: int, frame: FrameType | None) -> None:
        _remove(server, directory)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, stop)
    try:
        server.start()
    # An old PostgreSQL, a port taken meanwhile: say so, briefly.
    except Exception as exc:
        raise SystemExit(
            f"The throwaway PostgreSQL did not start: {exc}\n\n{NO_DATABASE}"
        ) from exc
    return f"postgresql+asyncpg://postgres:{password}@127.0.0.1:{port}/postgres"


def _remove(server: PostgreSQLExecutor, directory: str) -> None:
    try:
        if server.running():
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


os.environ["DATABASE_URL"] = (
    os.environ.get("TEST_DATABASE_URL") or _start_throwaway_server()
)
