"""The golden projects under `examples/`: what each example spec generates, kept in the repository
so that every change to generated code shows up in review.

Refresh them after an intended change with `python -m tests.golden` (or `make golden`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prpgen import generate, load_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SPECS = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".yaml", ".yml", ".toml", ".json"})


def golden_dir(spec: Path) -> Path:
    return EXAMPLES / spec.stem


def generate_example(spec: Path, out: Path) -> None:
    # Recorded as the CLI records it (`make drift`): relative to the golden project.
    source = Path(os.path.relpath(spec, golden_dir(spec))).as_posix()
    generate(load_spec(spec), out, source=source)


def main() -> None:
    for spec in SPECS:
        target = golden_dir(spec)
        if target.exists():
            shutil.rmtree(target)
        generate_example(spec, target)
        print(f"refreshed {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
