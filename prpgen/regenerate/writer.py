"""Writes the generated files to the project: plan every file first, then apply the plan atomically.
(Elsewhere: `vendoring.team_templates` copies the templates a team edits into the project,
`verify.prp_checklists` ticks the PRPs after `verify`, `verify.terminal` writes the JSON report
asked for; `merge`, `formatting` and `pgcluster` work in temporary directories.)

A plan compares three versions of each file: what prpgen generates now, what it generated last
time (recorded in `.prpgen/`), and what is on disk. Files the user has not touched follow the
generation; files the user edited are merged three ways; what cannot be merged is a conflict,
and nothing is written while a conflict is unresolved.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from prpgen.errors import GenerationError, ProjectError
from prpgen.regenerate.merge import merge

# create/update/merge/delete change the disk; unchanged/kept do not (kept: the user's version
# stays, by their edit or their choice); a conflict must be resolved before anything is written.
Action = Literal["create", "update", "merge", "delete", "unchanged", "kept", "conflict"]
WRITES = frozenset({"create", "update", "merge", "delete"})
Resolution = Literal["stop", "force", "skip"]


@dataclass(frozen=True)
class Change:
    path: str
    action: Action
    # The file's text after the change; None when it is (or stays) absent.
    text: str | None
    # What prpgen generates now (None: no longer generated); recorded as the next merge base.
    generated: str | None = None
    # Why a file is kept or in conflict, for the user.
    reason: str = ""
    # What was on disk before.
    before: str | None = None

    @property
    def writes(self) -> bool:
        return self.action in WRITES


def plan(root: Path, generated: Mapping[str, str], previous: Mapping[str, str | None]) -> list[Change]:
    """Decide what happens to every file prpgen generates now or generated before.

    `previous` maps each path generated last time to its text then (None if that record is lost).
    """
    changes = []
    for path in sorted(set(generated) | set(previous)):
        _check_inside(path)
        target = root / path
        disk = target.read_text(encoding="utf-8") if target.is_file() else None
        new = generated.get(path)
        if disk == new:
            if new is not None:
                changes.append(Change(path, "unchanged", new, new, before=disk))
            continue
        # The last generation's text is only needed (and read) where the disk differs.
        changes.append(_decide(path, new, path in previous, previous.get(path), disk))
    return changes


def _decide(path: str, new: str | None, recorded: bool, base: str | None, disk: str | None) -> Change:
    """What happens to a file whose content on disk is not what is generated now."""
    if disk is None:
        if not recorded:
            return Change(path, "create", new, new)
        if base == new:
            return Change(path, "kept", None, new, "you deleted it")
        return Change(path, "conflict", new, new, "you deleted it; prpgen changed it")
    if new is None:
        if disk == base:
            return Change(path, "delete", None, None, before=disk)
        return Change(path, "conflict", None, None, "you edited it; prpgen no longer generates it", disk)
    if not recorded:
        return Change(path, "conflict", new, new, "it exists and prpgen did not write it", disk)
    if disk == base:
        return Change(path, "update", new, new, before=disk)
    if base is None:
        return Change(path, "conflict", new, new, "its record in .prpgen/ is missing", disk)
    if new == base:
        return Change(path, "kept", disk, new, "your edits; nothing new generated", disk)
    merged = merge(disk, base, new, path=path)
    if merged.conflicts:
        noun = "conflict" if merged.conflicts == 1 else "conflicts"
        return Change(path, "conflict", merged.text, new, f"{merged.conflicts} merge {noun} with your edits", disk)
    return Change(path, "merge", merged.text, new, "your edits merged with the new generation", disk)


def resolve(changes: Sequence[Change], resolution: Resolution) -> list[Change]:
    """Settle the conflicts: `force` writes the generation over the user's version, `skip` keeps
    the user's version; `stop` refuses to go on while there is any."""
    conflicts = [c for c in changes if c.action == "conflict"]
    if conflicts and resolution == "stop":
        listed = "\n".join(f"  {c.path}: {c.reason}" for c in conflicts)
        raise ProjectError(
            f"{len(conflicts)} file(s) conflict with your edits; nothing was written:\n{listed}\n"
            "see them with --diff, then keep yours with --skip-conflicts or take prpgen's with --force"
        )
    settled = []
    for change in changes:
        if change.action == "conflict" and resolution == "force":
            action: Action = "delete" if change.generated is None else ("update" if change.before else "create")
            change = replace(change, action=action, text=change.generated)
        elif change.action == "conflict":
            change = replace(change, action="kept", text=change.before, reason=f"kept yours: {change.reason}")
        settled.append(change)
    return settled


def _check_inside(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise GenerationError(f"refusing to write outside the project: {path!r}")


# What an otherwise empty directory may hold for a new project to go in: `git init` first is usual.
IGNORED_IN_NEW = frozenset({".git"})


def check_new_tree(root: Path) -> None:
    """A new project may go only where nothing is: a missing or empty (or `.git`-only) directory."""
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} exists and is not a directory")
    if root.is_dir() and any(p.name not in IGNORED_IN_NEW for p in root.iterdir()):
        raise ProjectError(f"{root} already exists and is not empty; choose another directory")


def write_new_tree(root: Path, files: Mapping[str, str]) -> None:
    """Create `root` with every file, or nothing.

    A missing `root` is built beside its place and renamed into it. An existing (empty) one is
    written into, never replaced: a shell may be in it (`prpgen init .`), and it keeps its mode.
    """
    check_new_tree(root)
    if root.is_dir():
        apply(root, [Change(path, "create", text, text) for path, text in files.items()])
        return
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".prpgen", dir=root.parent))
    try:
        for path, text in files.items():
            _check_inside(path)
            _write(staging / path, text)
        # mkdtemp makes a private directory (0700); a new one gets the mode mkdir would give it.
        staging.chmod(0o777 & ~_umask())
        staging.rename(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def apply(root: Path, changes: Sequence[Change]) -> None:
    """Write the changes into an existing tree, all or nothing.

    Every new text is first written to a temporary file beside its target; only then are they
    renamed into place. If anything fails (or is interrupted), files already replaced get their
    old content back, files created are removed and files deleted come back.
    """
    if any(c.action == "conflict" for c in changes):
        raise GenerationError("unresolved conflicts; resolve them before writing")
    pending = [c for c in changes if c.writes]
    staged: list[tuple[Path, Path, str | None]] = []
    created_dirs: list[Path] = []
    try:
        for change in pending:
            target = root / change.path
            old = target.read_text(encoding="utf-8") if target.exists() else None
            if change.text is None:
                staged.append((target, target, old))
                continue
            created_dirs.extend(_make_parents(target.parent))
            fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".prpgen", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(change.text)
            staged.append((Path(temp_name), target, old))
        done: list[tuple[Path, str | None]] = []
        try:
            for temp, target, old in staged:
                if temp == target:
                    target.unlink()
                else:
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
        for temp, target, _ in staged:
            if temp != target:
                temp.unlink(missing_ok=True)
        for directory in reversed(created_dirs):
            if directory.exists() and not any(directory.iterdir()):
                directory.rmdir()
        raise
    _remove_empty_parents(root, [root / c.path for c in pending if c.text is None])


def _remove_empty_parents(root: Path, deleted: Sequence[Path]) -> None:
    for path in deleted:
        directory = path.parent
        while directory != root and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent


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
