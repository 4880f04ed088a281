"""prpgen's own code stays `mypy --strict`, ruff and ruff-format clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "prpgen", "tests", "benchmarks"],
        ["ruff", "format", "--check", "prpgen", "tests", "benchmarks"],
        ["mypy", "--strict", "prpgen"],
    ],
    ids=["ruff", "format", "mypy"],
)
def test_prpgen_is_clean(command: list[str]) -> None:
    # prpgen's own settings, not the generated projects' shared cache (see conftest).
    env = {key: value for key, value in os.environ.items() if key != "MYPY_CACHE_DIR"}
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prpgens_packages_import_one_way() -> None:
    """The layers of ARCHITECTURE.md and no cycles inside a package (`[tool.importlinter]`)."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout
