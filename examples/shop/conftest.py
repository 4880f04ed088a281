"""The tests' PostgreSQL, settled before `tests/conftest.py` imports the app (which reads
DATABASE_URL once, at import).

DATABASE_URL, in the environment or `.env`, names the database. Without one, the suite starts a
throwaway server from the PostgreSQL binaries on this machine and removes it afterwards. That is
pytest-postgresql's executor (initdb into a temporary directory, then pg_ctl on a free port),
used directly rather than through its fixtures, which start the server only once the app and its
engine are already imported.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from pytest_postgresql.executors import PostgreSQLExecutor

from app.core.config import Settings

NO_DATABASE = """The tests need PostgreSQL, and there is none to use. Give one of:
  - DATABASE_URL, in the environment or in .env (postgresql+asyncpg://USER:PASSWORD@HOST:5432/DB);
  - PostgreSQL's server binaries on this machine (initdb and pg_ctl: `apt-get install
    postgresql`, `brew install postgresql@15`): the tests then start a throwaway server;
  - `docker compose up -d db`, then
    DATABASE_URL=postgresql+asyncpg://app:app@localhost:5432/shop"""
AS_ROOT = """PostgreSQL refuses to run as root, so the tests cannot start a server of their own.
Run them as another user, or give DATABASE_URL (in the environment or in .env)."""


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


def _throwaway_server() -> tuple[PostgreSQLExecutor, str]:
    bindir = _bindir()
    if bindir is None:
        raise SystemExit(NO_DATABASE)
    if os.geteuid() == 0:
        raise SystemExit(AS_ROOT)
    directory = tempfile.mkdtemp(prefix="shop-tests-")
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
    server.start()
    os.environ["DATABASE_URL"] = (
        f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    )
    return server, directory


_throwaway = None
if "database_url" not in Settings().model_fields_set:
    _throwaway = _throwaway_server()


def pytest_unconfigure() -> None:
    if _throwaway is not None:
        server, directory = _throwaway
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
