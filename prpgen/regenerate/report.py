"""What a plan means for the user, as text: the plan per file, unified diffs, the drift of a
`--check` and the summary after writing. `.prpgen/` is prpgen's own record, summed up in one line."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from prpgen.regenerate.manifest import DIRECTORY, Manifest
from prpgen.regenerate.pipeline import Outcome
from prpgen.regenerate.writer import Change


def _own(change: Change) -> bool:
    return not change.path.startswith(DIRECTORY + "/")


def counted(number: int, noun: str, plural: str = "") -> str:
    """`1 file`, `2 files` (`plural` where an `s` will not do)."""
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"


def plan(outcome: Outcome, *, verbose: bool = False) -> str:
    """What would happen to each file that changes; the unchanged ones in one line, unless
    `verbose` lists them too."""
    lines = []
    own = [c for c in outcome.changes if _own(c)]
    for change in own:
        if change.action != "unchanged" or verbose:
            reason = f"  ({change.reason})" if change.reason else ""
            lines.append(f"  {change.action:<9} {change.path}{reason}")
    unchanged = sum(1 for c in own if c.action == "unchanged")
    if unchanged and not verbose:
        lines.append(f"  unchanged: {counted(unchanged, 'file')} (--verbose lists them)")
    record = [c for c in outcome.changes if not _own(c) and c.writes]
    if record:
        lines.append(f"  {'record':<9} {DIRECTORY}/ ({counted(len(record), 'file')})")
    conflicts = outcome.count("conflict")
    if conflicts:
        lines.append(
            f"{counted(conflicts, 'conflict')}: writing would stop; see --diff, then --force or --skip-conflicts"
        )
    lines.append(f"dry run: nothing written to {outcome.root}")
    return "\n".join(lines) + "\n"


def summary(outcome: Outcome, verb: str, *, verbose: bool = False) -> str:
    """One line of counts (`1 file created, 2 updated`); then the files that need a look (merged,
    kept), or with `verbose` every file written."""
    own = [c for c in outcome.changes if _own(c)]
    counts = [
        (label, sum(1 for c in own if c.action == action))
        for action, label in (("create", "created"), ("update", "updated"), ("merge", "merged"), ("delete", "deleted"))
    ]
    # The first count names the noun: `1 file created, 2 updated`.
    done = [(label, number) for label, number in counts if number]
    parts = [f"{counted(n, 'file') if i == 0 else n} {label}" for i, (label, n) in enumerate(done)]
    lines = [f"{verb} {outcome.root}: {', '.join(parts) or 'no file changed'}"]
    if verbose:
        lines += [f"  {c.action:<9} {c.path}" for c in own if c.action in {"create", "update", "delete"}]
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
    return f"{text}{outcome.root} differs from what its spec generates in {counted(len(shown), 'file')}:\n{listed}\n"


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


def status(manifest: Manifest, outcome: Outcome) -> str:
    """The project's features, their entities and fields, and whether the files are in sync."""
    entities = sum(len(feature.spec.entities) for feature in manifest.features)
    features = counted(len(manifest.features), "feature")
    lines = [f"project {manifest.project}: {features}, {counted(entities, 'entity', 'entities')}"]
    for feature in manifest.features:
        lines.append(f"feature {feature.slug} (priority {feature.spec.priority}, spec {feature.source})")
        width = max(len(entity.name) for entity in feature.spec.entities)
        for entity in feature.spec.entities:
            fields = [
                f"{name}: {field.type}" + (f" \u2192 {field.to}" if field.to else "")
                for name, field in entity.fields.items()
            ]
            lines.append(f"  {entity.name:<{width}}  {', '.join(fields)}")
    drifted = [c for c in outcome.drift if _own(c)]
    if drifted:
        lines.append(
            f"{counted(len(drifted), 'file')} {'differs' if len(drifted) == 1 else 'differ'} "
            "from what the specs generate (prpgen regenerate --diff shows how):"
        )
        lines += [f"  {change.path}" for change in drifted]
    else:
        lines.append("in sync with its specs")
    return "\n".join(lines) + "\n"
