"""Generator speed: cold `prpgen` processes, timed from the outside, medians of several runs.

python -m benchmarks.generator            # prints a Markdown table
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
ENTITY_COUNTS = (1, 10, 50, 200)
FIELDS = (
    "title: {type: str, max_length: 120, index: true}",
    "body: text",
    "amount: {type: decimal, ge: 0}",
    "status: {type: enum, values: [new, done]}",
    "due: {type: date, required: false}",
)


def _timed(command: Sequence[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def _median(times: list[float]) -> float:
    return statistics.median(times)


def spec_text(entities: int) -> str:
    """A valid spec with `entities` entities of five typed fields each."""
    lines = ["feature: bench", "description: Generator benchmark.", "entities:"]
    for index in range(entities):
        lines.append(f"  - name: Thing{index}")
        lines.append("    fields:")
        lines += [f"      {field}" for field in FIELDS]
    return "\n".join(lines) + "\n"


def interpreter_floor(runs: int) -> float:
    return _median([_timed([sys.executable, "-c", "pass"]) for _ in range(runs)])


def new_entity(runs: int) -> float:
    """`prpgen new-entity` adding one entity to an initialized project, cold process each time."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run([BIN / "prpgen", "init", str(base)], check=True, capture_output=True)
        times = []
        for run in range(runs):
            project = Path(tmp) / f"p{run}"
            shutil.copytree(base, project)
            fields = ["--field", "title:str:index", "--field", "body:text", "--field", "amount:decimal:ge=0"]
            times.append(_timed([BIN / "prpgen", "new-entity", "Invoice", *fields], cwd=project))
        return _median(times)


def generate(entities: int, runs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.yaml"
        spec.write_text(spec_text(entities))
        times = [_timed([BIN / "prpgen", "generate", str(spec), "--out", f"{tmp}/out{run}"]) for run in range(runs)]
        return _median(times)


def measure(runs: int = 7) -> dict[str, float]:
    figures = {"python -c pass": interpreter_floor(runs), "new-entity (1 entity)": new_entity(runs)}
    for count in ENTITY_COUNTS:
        figures[f"generate ({count} entities)"] = generate(count, runs if count < 200 else max(3, runs // 2))
    return figures


def table(figures: dict[str, float]) -> str:
    rows = ["| command | median wall time | per entity |", "| --- | ---: | ---: |"]
    for name, seconds in figures.items():
        per = ""
        if name.startswith("generate ("):
            count = int(name.split("(")[1].split()[0])
            per = f"{seconds / count * 1000:.0f} ms"
        rows.append(f"| `{name}` | {seconds:.3f} s | {per} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(measure()))
