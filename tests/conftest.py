"""Shared fixtures: the CLI run as a user runs it, and a PostgreSQL server for generated projects.

PostgreSQL: `PRPGEN_TEST_DATABASE_URL` (any superuser URL, e.g.
`postgresql://postgres@localhost:5432/postgres`) uses an existing server; without it a throwaway
cluster is started from the installed binaries and removed when the session ends.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

from prpgen.verify.pgcluster import ThrowawayCluster

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXAMPLE_SPECS = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".yaml", ".yml", ".toml", ".json"})


T = TypeVar("T")


def rotating_sample(items: Sequence[T], per_run: int) -> list[T]:
    """`per_run` of `items` for today's run: another slice each day, so that every item runs within
    ceil(len(items) / per_run) days of CI; every item with PRPGEN_ALL_GATES=1 (`make test-all`).
    The slowest gates (a whole project through every gate, Schemathesis) run this way to keep
    `make test` within its time on two cores."""
    if os.environ.get("PRPGEN_ALL_GATES") == "1" or per_run >= len(items):
        return list(items)
    start = date.today().toordinal() * per_run % len(items)
    return [items[(start + i) % len(items)] for i in range(per_run)]


@pytest.fixture(scope="session", autouse=True)
def shared_mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One mypy cache for every generated project of the session. The projects share their
    skeleton and their third-party imports (FastAPI, SQLAlchemy, Pydantic), which are nine tenths
    of a cold `mypy app` (10 s, against 1 s with the cache warm); mypy still re-checks every file
    whose content differs (it compares hashes when the mtime changed), so nothing is skipped."""
    previous = os.environ.get("MYPY_CACHE_DIR")
    os.environ["MYPY_CACHE_DIR"] = str(tmp_path_factory.mktemp("mypy-cache"))
    yield
    if previous is None:
        del os.environ["MYPY_CACHE_DIR"]
    else:
        os.environ["MYPY_CACHE_DIR"] = previous


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> Run:
    """Run `prpgen` in a fresh interpreter, exactly as a user's shell would."""
    result = subprocess.run(
        [sys.executable, "-m", "prpgen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr)


@pytest.fixture
def cli() -> Callable[..., Run]:
    return run_cli


# What tools leave behind in a project; never part of what prpgen generates.
CACHES = frozenset({".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__", ".venv"})


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path, for comparing whole generated trees."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not CACHES & set(p.relative_to(root).parts)
    }


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = os.environ.get("PRPGEN_TEST_DATABASE_URL")
    if url:
        yield _asyncpg_url(url)
        return
    with ThrowawayCluster() as cluster:
        yield cluster.url


def _asyncpg_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql+asyncpg://{rest}" if "+" not in scheme else url


def create_database(server_url: str, name: str) -> str:
    """A fresh, empty database on the server; returns its asyncpg URL."""
    import asyncpg

    dsn = server_url.replace("postgresql+asyncpg://", "postgresql://")

    async def create() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    base, _ = server_url.rsplit("/", 1)
    return f"{base}/{name}"
