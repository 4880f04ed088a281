"""Three-way merge of a file the user edited: git's `merge-file`, the merge every developer knows.

(merge3 from PyPI would do it in-process, but it is GPL and prpgen is MIT; git is on every
machine that regenerates code under version control, and prpgen only needs it when a file was
edited by hand.)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from prpgen.errors import GenerationError


@dataclass(frozen=True)
class Merged:
    text: str
    conflicts: int


def merge(mine: str, base: str, theirs: str, *, path: str) -> Merged:
    """Bring the change base → theirs (the new generation) into mine (the file as on disk)."""
    git = shutil.which("git")
    if git is None:
        raise GenerationError(f"{path} was edited since it was generated; merging it needs git on PATH")
    with tempfile.TemporaryDirectory(prefix="prpgen-merge-") as scratch:
        names = []
        for label, text in (("mine", mine), ("base", base), ("theirs", theirs)):
            file = Path(scratch) / label
            file.write_text(text, encoding="utf-8", newline="\n")
            names.append(str(file))
        labels = ["-L", f"{path} (yours)", "-L", f"{path} (as generated before)", "-L", f"{path} (as generated now)"]
        result = subprocess.run(
            [git, "merge-file", "-p", *labels, *names], capture_output=True, text=True, encoding="utf-8", check=False
        )
    # git merge-file exits with the number of conflicts, or a negative number on error.
    if result.returncode < 0 or result.returncode > 127:
        raise GenerationError(f"git merge-file failed on {path}: {result.stderr.strip()}")
    return Merged(result.stdout, result.returncode)
