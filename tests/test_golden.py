"""Generated code is reviewed through the golden trees under examples/, and must be reproducible."""

import ast
import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import tree
from tests.golden import ROOT, SPECS, generate_example, golden_dir


def describe_differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    lines = [f"only in golden: {p}" for p in sorted(set(expected) - set(actual))]
    lines += [f"not in golden: {p}" for p in sorted(set(actual) - set(expected))]
    for path in sorted(set(expected) & set(actual)):
        if expected[path] != actual[path]:
            diff = difflib.unified_diff(
                expected[path].decode().splitlines(), actual[path].decode().splitlines(), path, path, lineterm=""
            )
            lines += list(diff)[:40]
    return "\n".join(lines)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_examples_match_their_golden_tree(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / spec.stem
    generate_example(spec, out)
    expected, actual = tree(golden_dir(spec)), tree(out)
    assert expected == actual, "regenerate with `make golden` if intended:\n" + describe_differences(expected, actual)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_generated_python_parses(spec: Path) -> None:
    for path in golden_dir(spec).rglob("*.py"):
        ast.parse(path.read_text(), filename=str(path))


def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    spec = next(s for s in SPECS if s.stem == "shop")
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / seed / "shop"
        result = subprocess.run(
            [sys.executable, "-m", "prpgen", "generate", str(spec), "--out", str(out)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(tree(out))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_the_prp_has_every_placeholder_resolved(spec: Path) -> None:
    import re

    prp = next(golden_dir(spec).glob("PRPs/*/prp.md")).read_text()
    leftovers = re.findall(r"\{[A-Z_]+\}|\{entit(?:y|ies)\}|\{Entity\}|\{(?:token|data|revision_id)\}", prp)
    assert leftovers == []
    assert "- [ ] >90% test coverage with pytest-asyncio" in prp
    for path in golden_dir(spec).glob("app/models/*.py"):
        if path.stem not in {"__init__", "base", "user", "rate_limit"}:
            assert path.read_text().strip() in prp
