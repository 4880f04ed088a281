"""prpgen's own code stays `mypy --strict`, ruff and ruff-format clean."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "prpgen", "tests"],
        ["ruff", "format", "--check", "prpgen", "tests"],
        ["mypy", "--strict", "prpgen"],
    ],
    ids=["ruff", "format", "mypy"],
)
def test_prpgen_is_clean(command: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
