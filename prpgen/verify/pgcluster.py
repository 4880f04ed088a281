"""A throwaway PostgreSQL cluster: initdb into a temporary directory, serve on a free loopback
port, remove everything on stop. Used where no database URL is given (tests, and CI machines
where no server runs)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from prpgen.errors import PrpgenError


class PostgresUnavailable(PrpgenError):
    """No PostgreSQL server binaries were found, or the cluster would not start."""


def find_bindir() -> Path:
    """Where initdb and pg_ctl live: `PRPGEN_POSTGRES_BINDIR`, else `pg_config --bindir`, else the
    newest Debian-style install."""
    override = os.environ.get("PRPGEN_POSTGRES_BINDIR")
    pg_config = shutil.which("pg_config")
    candidates: list[Path] = []
    if override:
        candidates.append(Path(override))
    elif pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    if not override:
        candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found; install PostgreSQL "
        "(e.g. `apt-get install postgresql`) or give a database URL"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ThrowawayCluster:
    """`with ThrowawayCluster() as cluster: cluster.url` — a superuser URL (asyncpg driver)."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.port = _free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="prpgen-pg-"))
        self.data = self.directory / "data"
        # PostgreSQL refuses to run as root: the cluster then belongs to the `postgres` user.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.directory, self.user)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            check=False,
            user=self.user,
            cwd=self.directory,
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed: {(result.stderr or result.stdout).strip()}")

    def start(self) -> ThrowawayCluster:
        try:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
            # Durability is pointless for a cluster that is deleted afterwards; speed is not.
            options = (
                f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            log = str(self.directory / "server.log")
            self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "60", "start")
        except BaseException:
            self.stop()
            raise
        return self

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> ThrowawayCluster:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
