"""What a plan means for the user, as text: the plan per file, unified diffs, the drift of a
`--check` and the summary after writing. `.prpgen/` is prpgen's own record, summed up in one line."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from prpgen.manifest import DIRECTORY
from prpgen.pipeline import Outcome
from prpgen.writer import Change


def _own(change: Change) -> bool:
    return not change.path.startswith(DIRECTORY + "/")


def plan(outcome: Outcome) -> str:
    lines = []
    for change in outcome.changes:
        if _own(change):
            reason = f"  ({change.reason})" if change.reason else ""
            lines.append(f"  {change.action:<9} {change.path}{reason}")
    record = [c for c in outcome.changes if not _own(c) and c.writes]
    if record:
        lines.append(f"  {'record':<9} {DIRECTORY}/ ({len(record)} files)")
    conflicts = outcome.count("conflict")
    if conflicts:
        lines.append(f"{conflicts} conflict(s): writing would stop; see --diff, then --force or --skip-conflicts")
    lines.append(f"dry run: nothing written to {outcome.root}")
    return "\n".join(lines) + "\n"


def summary(outcome: Outcome, verb: str) -> str:
    own = [c for c in outcome.changes if _own(c)]

    def count(action: str) -> int:
        return sum(1 for c in own if c.action == action)

    parts = [f"{count('create')} files created", f"{count('update')} updated"]
    parts += [f"{n} {label}" for label, n in (("merged", count("merge")), ("deleted", count("delete"))) if n]
    lines = [f"{verb} {outcome.root}: {', '.join(parts)}"]
    lines += [f"  merged    {c.path}  (your edits kept)" for c in own if c.action == "merge"]
    lines += [f"  kept      {c.path}  ({c.reason})" for c in own if c.action == "kept"]
    return "\n".join(lines) + "\n"


def diffs(changes: Sequence[Change]) -> str:
    """What each change would do to the file on disk."""
    shown = [c for c in changes if _own(c) and c.action != "unchanged"]
    return "".join(_diff(c.path, c.before, c.text, "to be written") for c in shown)


def drift(outcome: Outcome) -> str:
    """The difference between the disk and the generation, file by file; in sync says so."""
    changed = outcome.drift
    if not changed:
        return f"{outcome.root} is in sync with its spec\n"
    own = [c for c in changed if _own(c)]
    # When only prpgen's record is off, that record is the drift to show.
    shown = own or changed
    text = "".join(_diff(c.path, c.before, c.generated, "generated") for c in shown)
    listed = "\n".join(f"  {c.path}" for c in shown)
    return f"{text}{outcome.root} differs from what its spec generates in {len(shown)} file(s):\n{listed}\n"


def _diff(path: str, before: str | None, after: str | None, label: str) -> str:
    old = (before or "").splitlines(keepends=True)
    new = (after or "").splitlines(keepends=True)
    lines = difflib.unified_diff(
        old,
        new,
        f"{path} (on disk)" if before is not None else "/dev/null",
        f"{path} ({label})" if after is not None else "/dev/null",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def destroys(outcome: Outcome, *, allowed: bool) -> str:
    """The loud part of a plan whose migrations destroy data: what goes, and how to consent."""
    lines = [f"the new migration destroys data ({len(outcome.destroys)}):"]
    lines += [f"  - {item}" for item in outcome.destroys]
    if allowed:
        lines.append("written as asked (--allow-destructive); a downgrade brings dropped columns back empty")
    else:
        lines.append("nothing was written; check the spec, then run again with --allow-destructive to drop them")
    return "\n".join(lines)
