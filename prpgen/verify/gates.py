"""`prpgen verify`: the PRP's quality gates, run for real against a generated project.

Each gate runs a tool in the project's own interpreter (its `.venv` when there is one) and turns
the outcome into a `GateResult` with a figure a reader can check. Nothing here prints: progress is
reported through callbacks, and the CLI draws it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from prpgen.errors import ProjectError

Status = Literal["passed", "failed", "skipped", "missing"]
PROBE = Path(__file__).with_name("probe.py")
DEFAULT_COVERAGE = 90.0
OUTPUT_HEAD = 20


@dataclass(frozen=True)
class Gate:
    id: str
    title: str
    modules: tuple[str, ...] = ()
    needs_db: bool = False


GATES: tuple[Gate, ...] = (
    Gate("ruff", "ruff check", ("ruff",)),
    Gate("format", "ruff format --check", ("ruff",)),
    Gate("mypy", "mypy app/", ("mypy",)),
    Gate("bandit", "bandit -r app/", ("bandit",)),
    Gate("migrate", "alembic upgrade head + check", ("alembic", "asyncpg"), needs_db=True),
    Gate("rollback", "alembic downgrade -1 / base, upgrade head", ("alembic", "asyncpg"), needs_db=True),
    Gate("tests", "pytest with coverage", ("pytest", "pytest_cov", "pytest_asyncio", "httpx"), needs_db=True),
    Gate("performance", "performance tests", ("pytest", "pytest_asyncio", "httpx"), needs_db=True),
    Gate("security", "security tests", ("pytest", "pytest_asyncio", "httpx"), needs_db=True),
    Gate("openapi", "OpenAPI lists every route", ("fastapi",)),
    Gate("auth", "protected routes reject a missing token", ("fastapi", "httpx")),
)
GATE_IDS = tuple(gate.id for gate in GATES)
# What to install when a module is missing (the distribution name differs for a few).
_DISTRIBUTIONS = {"pytest_cov": "pytest-cov", "pytest_asyncio": "pytest-asyncio"}


@dataclass
class GateResult:
    id: str
    title: str
    status: Status
    figure: str = ""
    seconds: float = 0.0
    command: str = ""
    output: str = ""
    tests: dict[str, bool] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class Report:
    project: str
    results: list[GateResult]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    def to_json(self) -> str:
        gates = [{k: v for k, v in asdict(r).items() if k != "tests"} for r in self.results]
        return json.dumps({"project": self.project, "passed": self.passed, "gates": gates}, indent=2)


def select_gates(only: Sequence[str], skip: Sequence[str]) -> list[Gate]:
    unknown = sorted((set(only) | set(skip)) - set(GATE_IDS))
    if unknown:
        raise ProjectError(f"unknown gate(s) {', '.join(unknown)}; the gates are: {', '.join(GATE_IDS)}")
    return [gate for gate in GATES if (not only or gate.id in only) and gate.id not in skip]


def project_python(project: Path) -> str:
    """The project's own interpreter when it has a `.venv`, else the one running prpgen."""
    for candidate in (project / ".venv" / "bin" / "python", project / "venv" / "bin" / "python"):
        if candidate.is_file():
            return str(candidate)
    return sys.executable


def coverage_threshold(project: Path) -> float:
    """The coverage the PRPs demand (`>90% test coverage`), the strictest if they differ."""
    found = [
        float(match)
        for prp in sorted(project.glob("PRPs/*/prp.md"))
        for match in re.findall(r">\s*(\d+(?:\.\d+)?)% test coverage", prp.read_text(encoding="utf-8"))
    ]
    return max(found, default=DEFAULT_COVERAGE)


class Verifier:
    """Runs the selected gates in order; `database_url` None means no PostgreSQL is available."""

    def __init__(self, project: Path, python: str, database_url: str | None, db_problem: str = "") -> None:
        self.project = project
        self.python = python
        self.database_url = database_url
        self.db_problem = db_problem
        self._pytest: dict[str, GateResult] | None = None
        self._available: dict[str, bool] = {}
        self._selected: set[str] = set()

    def run(
        self,
        gates: Sequence[Gate],
        on_start: Callable[[Gate], None] | None = None,
        on_finish: Callable[[GateResult], None] | None = None,
    ) -> Report:
        results = []
        self._selected = {gate.id for gate in gates}
        for gate in gates:
            if on_start:
                on_start(gate)
            started = time.perf_counter()
            result = self._run_gate(gate)
            result.seconds = round(time.perf_counter() - started, 2)
            results.append(result)
            if on_finish:
                on_finish(result)
        return Report(str(self.project), results)

    def _run_gate(self, gate: Gate) -> GateResult:
        missing = [module for module in gate.modules if not self._importable(module)]
        if missing:
            names = " ".join(_DISTRIBUTIONS.get(m, m) for m in missing)
            return GateResult(
                gate.id,
                gate.title,
                "missing",
                f"install: pip install {names}",
                command=f"{self.python} -m pip install {names}",
            )
        if gate.needs_db and self.database_url is None:
            return GateResult(gate.id, gate.title, "skipped", self.db_problem or "no PostgreSQL")
        if gate.id in {"tests", "performance", "security"}:
            return self._pytest_results()[gate.id]
        if gate.id in {"openapi", "auth"}:
            return self._probe(gate)
        runner: Callable[[Gate], GateResult] = getattr(self, f"_gate_{gate.id}")
        return runner(gate)

    def _importable(self, module: str) -> bool:
        if module not in self._available:
            code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
            self._available[module] = self._exec([self.python, "-c", code])[0] == 0
        return self._available[module]

    def _exec(self, argv: Sequence[str], timeout: float = 900) -> tuple[int, str]:
        """Exit code and the output (stdout, then stderr) of a command run in the project."""
        code, stdout, stderr = self._run(argv, timeout)
        return code, (stdout + stderr).strip()

    def _run(self, argv: Sequence[str], timeout: float = 900) -> tuple[int, str, str]:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        # A coverage run of prpgen itself must not follow into the project's tools.
        env.pop("COVERAGE_PROCESS_CONFIG", None)
        env.pop("COVERAGE_PROCESS_START", None)
        # The gates test the project: its test settings (a random key, docs served), whatever
        # its .env says for running it.
        env["ENVIRONMENT"] = "test"
        if self.database_url:
            env["DATABASE_URL"] = env["TEST_DATABASE_URL"] = self.database_url
        try:
            result = subprocess.run(
                list(argv), cwd=self.project, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return 124, "", f"timed out after {timeout:.0f} s"
        return result.returncode, result.stdout, result.stderr

    def _tool(self, gate: Gate, *commands: Sequence[str], figure: Callable[[str], str] | None = None) -> GateResult:
        """Run `python -m <command>` for each command, stopping at the first failure."""
        shown = " && ".join(" ".join(command) for command in commands)
        output = ""
        for command in commands:
            code, output = self._exec([self.python, "-m", *command])
            if code != 0:
                return GateResult(gate.id, gate.title, "failed", _first_line(output), command=shown, output=output)
        return GateResult(gate.id, gate.title, "passed", figure(output) if figure else "", command=shown)

    def _gate_ruff(self, gate: Gate) -> GateResult:
        command = ("ruff", "check", "--output-format", "concise", "app", "tests", "alembic", "conftest.py")
        return self._tool(gate, command, figure=lambda _: "0 issues")

    def _gate_format(self, gate: Gate) -> GateResult:
        command = ("ruff", "format", "--check", "app", "tests", "alembic", "conftest.py")
        return self._tool(gate, command, figure=_first_line)

    def _gate_mypy(self, gate: Gate) -> GateResult:
        return self._tool(gate, ("mypy", "app"), figure=_first_line)

    def _gate_bandit(self, gate: Gate) -> GateResult:
        command = ("bandit", "-q", "-r", "app", "-f", "json")
        _, output = self._exec([self.python, "-m", *command])
        try:
            issues = json.loads(output[output.index("{") :])["results"]
        except (ValueError, KeyError):
            return GateResult(
                gate.id, gate.title, "failed", "bandit did not report", command="bandit -r app", output=output
            )
        serious = [i for i in issues if i.get("issue_severity") in {"MEDIUM", "HIGH"}]
        figure = f"{len(issues)} issues, {len(serious)} medium or high"
        listing = "\n".join(f"{i['filename']}:{i['line_number']}: {i['test_id']} {i['issue_text']}" for i in issues)
        status: Status = "failed" if serious else "passed"
        return GateResult(gate.id, gate.title, status, figure, command="bandit -r app", output=listing)

    def _gate_migrate(self, gate: Gate) -> GateResult:
        return self._tool(
            gate, ("alembic", "upgrade", "head"), ("alembic", "check"), figure=lambda _: "at head, models match"
        )

    def _gate_rollback(self, gate: Gate) -> GateResult:
        return self._tool(
            gate,
            ("alembic", "upgrade", "head"),
            ("alembic", "downgrade", "-1"),
            ("alembic", "upgrade", "head"),
            ("alembic", "downgrade", "base"),
            ("alembic", "upgrade", "head"),
            figure=lambda _: "down and up again",
        )

    def _pytest_results(self) -> dict[str, GateResult]:
        """One pytest run serves the tests, performance and security gates."""
        if self._pytest is None:
            self._pytest = self._run_pytest()
        return self._pytest

    def _run_pytest(self) -> dict[str, GateResult]:
        threshold = coverage_threshold(self.project)
        whole = "tests" in self._selected
        paths = ["tests"] if whole else [f"tests/{g}" for g in ("performance", "security") if g in self._selected]
        with tempfile.TemporaryDirectory(prefix="prpgen-verify-") as scratch:
            junit, coverage_json = Path(scratch) / "junit.xml", Path(scratch) / "coverage.json"
            command = ["pytest", *paths, "-q", "-p", "no:cacheprovider", "-o", "junit_family=xunit1"]
            command += [f"--junitxml={junit}"]
            if whole:
                command += ["--cov=app", "--cov-report=term", f"--cov-report=json:{coverage_json}"]
                command += [f"--cov-fail-under={threshold:g}"]
            code, output = self._exec([self.python, "-m", *command])
            tests, properties = _junit(junit)
            coverage = _coverage(coverage_json) if whole else None
        shown = " ".join(["pytest", *paths] + (["--cov=app"] if whole else []))
        passed = sum(tests.values())
        results = {}
        failures = "\n".join(_failure_lines(output))
        suite_ok = code == 0 and bool(tests)
        figure = f"{passed}/{len(tests)} passed" + (
            f", coverage {coverage:.1f}% (≥ {threshold:g}%)" if coverage else ""
        )
        results["tests"] = GateResult(
            "tests",
            "pytest with coverage",
            "passed" if suite_ok else "failed",
            figure,
            0.0,
            shown,
            failures or output,
            tests,
        )
        for part, title in (("performance", "performance tests"), ("security", "security tests")):
            mine = {name: ok for name, ok in tests.items() if name.startswith(f"tests/{part}/")}
            if not mine:
                status: Status = "failed" if code not in (0, 1) or not tests else "passed"
                results[part] = GateResult(
                    part, title, status, "no tests" if status == "passed" else _first_line(output), 0.0, shown
                )
                continue
            ok = all(mine.values())
            figure = f"{sum(mine.values())}/{len(mine)} passed"
            if part == "performance" and properties.get("p95_ms"):
                figure += f", p95 {max(properties['p95_ms']):.1f} ms"
            lines = "\n".join(line for line in failures.splitlines() if f"tests/{part}/" in line)
            results[part] = GateResult(
                part,
                title,
                "passed" if ok else "failed",
                figure,
                command=f"pytest tests/{part}",
                output=lines,
                tests=mine,
            )
        return results

    def _probe(self, gate: Gate) -> GateResult:
        # The report is the probe's only stdout; the app's own log lines go to stderr.
        code, stdout, stderr = self._run([self.python, "-c", PROBE.read_text(encoding="utf-8"), gate.id])
        output = (stdout + stderr).strip()
        shown = f"prpgen verify --only {gate.id}"
        data = _report_of(stdout)
        if data is None:
            return GateResult(
                gate.id, gate.title, "failed", "the app could not be imported", command=shown, output=output
            )
        problems: list[str] = data["problems"]
        status: Status = "passed" if code == 0 and not problems else "failed"
        return GateResult(gate.id, gate.title, status, data["figure"], command=shown, output="\n".join(problems))


def _report_of(stdout: str) -> dict[str, Any] | None:
    """The probe's JSON report, or None when it died before printing one."""
    try:
        data = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return data if isinstance(data, dict) and "problems" in data else None


def _first_line(output: str) -> str:
    """The line that sums the output up: a tool's `Found ...` total, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    totals = [line for line in lines if line.startswith("Found ") or re.match(r"\d+ files? would be", line)]
    return (totals or lines or [""])[-1][:120]


def _failure_lines(output: str) -> Iterator[str]:
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            yield line


def _junit(path: Path) -> tuple[dict[str, bool], dict[str, list[float]]]:
    """Outcome of each test by node id, and the numeric properties tests recorded."""
    if not path.is_file():
        return {}, {}
    tests: dict[str, bool] = {}
    properties: dict[str, list[float]] = {}
    for case in ElementTree.parse(path).iter("testcase"):  # noqa: S314 - our own pytest's output
        node = f"{case.get('file')}::{case.get('name')}"
        tests[node] = not any(child.tag in {"failure", "error"} for child in case)
        for prop in case.iter("property"):
            try:
                properties.setdefault(prop.get("name", ""), []).append(float(prop.get("value", "")))
            except ValueError:
                continue
    return tests, properties


def _coverage(path: Path) -> float | None:
    if not path.is_file():
        return None
    total: float = json.loads(path.read_text())["totals"]["percent_covered"]
    return total


@contextmanager
def database(project: Path, url: str | None) -> Iterator[tuple[str | None, str]]:
    """A database URL for the gates: the given one, or a throwaway cluster's (None if neither)."""
    if url:
        yield url, ""
        return
    from prpgen.verify.pgcluster import PostgresUnavailable, ThrowawayCluster

    try:
        cluster = ThrowawayCluster()
        cluster.start()
    except PostgresUnavailable as exc:
        yield None, exc.message
        return
    try:
        yield cluster.create_database(f"verify_{re.sub(r'[^a-z0-9]', '_', project.resolve().name.lower())}"), ""
    finally:
        cluster.stop()
