"""The only module that writes to disk: plan every file first, then apply the plan atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from prpgen.errors import GenerationError, ProjectError

Action = Literal["create", "update", "unchanged"]


@dataclass(frozen=True)
class Change:
    path: str
    action: Action
    text: str


def plan(root: Path, files: Mapping[str, str], *, updatable: frozenset[str] = frozenset()) -> list[Change]:
    """Decide what happens to each file. Only paths in `updatable` may replace existing content;
    any other existing file that would change is refused, so nothing a user wrote is overwritten."""
    changes: list[Change] = []
    refused: list[str] = []
    for path in sorted(files):
        _check_inside(path)
        target = root / path
        text = files[path]
        if not target.exists():
            changes.append(Change(path, "create", text))
        elif target.read_text(encoding="utf-8") == text:
            changes.append(Change(path, "unchanged", text))
        elif path in updatable:
            changes.append(Change(path, "update", text))
        else:
            refused.append(path)
    if refused:
        listed = "\n".join(f"  {path}" for path in refused)
        raise ProjectError(f"these files already exist in {root} and prpgen will not overwrite them:\n{listed}")
    return changes


def _check_inside(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise GenerationError(f"refusing to write outside the project: {path!r}")


def check_new_tree(root: Path) -> None:
    """A new project may go only where nothing is: a missing or empty directory."""
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} exists and is not a directory")
    if root.is_dir() and any(root.iterdir()):
        raise ProjectError(f"{root} already exists and is not empty; choose another directory")


def write_new_tree(root: Path, changes: Sequence[Change]) -> None:
    """Create `root` with every file, or nothing: the tree is built beside it and renamed into place."""
    check_new_tree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".prpgen", dir=root.parent))
    try:
        for change in changes:
            _write(staging / change.path, change.text)
        if root.exists():
            root.rmdir()
        staging.rename(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def apply(root: Path, changes: Sequence[Change]) -> None:
    """Write the changes into an existing tree, all or nothing.

    Every new text is first written to a temporary file beside its target; only then are they
    renamed into place. If anything fails (or is interrupted), files already replaced get their
    old content back and files created are removed.
    """
    pending = [c for c in changes if c.action != "unchanged"]
    staged: list[tuple[Path, Path, str | None]] = []
    created_dirs: list[Path] = []
    try:
        for change in pending:
            target = root / change.path
            created_dirs.extend(_make_parents(target.parent))
            old = target.read_text(encoding="utf-8") if target.exists() else None
            fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".prpgen", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(change.text)
            staged.append((Path(temp_name), target, old))
        done: list[tuple[Path, str | None]] = []
        try:
            for temp, target, old in staged:
                temp.replace(target)
                done.append((target, old))
        except BaseException:
            for target, old in reversed(done):
                if old is None:
                    target.unlink(missing_ok=True)
                else:
                    _write(target, old)
            raise
    except BaseException:
        for temp, _, _ in staged:
            temp.unlink(missing_ok=True)
        for directory in reversed(created_dirs):
            if directory.exists() and not any(directory.iterdir()):
                directory.rmdir()
        raise


def _make_parents(directory: Path) -> list[Path]:
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
