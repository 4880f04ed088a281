"""A team's own copy of prpgen's templates: exporting it, and seeing how it drifted.

`export` copies templates out and records, in `prpgen-templates.json` beside them, prpgen's
version and each file's hash as exported. `drift` then tells, per vendored file, whether the team
edited it, prpgen changed it since (an upgrade), both, or neither — the last kind can simply be
deleted to follow prpgen again, since missing templates fall back to the built-in ones.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prpgen import __version__
from prpgen.errors import ProjectError
from prpgen.generate.render import builtin_templates
from prpgen.regenerate.manifest import digest

RECORD = "prpgen-templates.json"


def builtin_names() -> list[str]:
    root = builtin_templates()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc")


def export(directory: Path, names: Sequence[str] = ()) -> list[str]:
    """Copy the named built-in templates (all by default) into `directory`; never overwrite one."""
    available = builtin_names()
    wanted = list(names) or available
    unknown = [name for name in wanted if name not in available]
    if unknown:
        from prpgen.errors import suggestion

        hints = "; ".join(f"{name}{suggestion(name, available)}" for name in unknown)
        raise ProjectError(f"no such built-in template: {hints} (see `prpgen templates list`)")
    existing = [name for name in wanted if (directory / name).exists()]
    if existing:
        raise ProjectError(f"{directory} already has {', '.join(existing)}; prpgen will not overwrite them")
    record = _read_record(directory)
    root = builtin_templates()
    for name in wanted:
        text = (root / name).read_text(encoding="utf-8")
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        record[name] = digest(text)
    data = {"prpgen": __version__, "files": dict(sorted(record.items()))}
    (directory / RECORD).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return wanted


def _read_record(directory: Path) -> dict[str, str]:
    path = directory / RECORD
    if not path.is_file():
        return {}
    try:
        return {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8"))["files"].items()}
    except (ValueError, KeyError, AttributeError) as exc:
        raise ProjectError(f"{path} is damaged ({exc})") from None


@dataclass(frozen=True)
class Drift:
    name: str
    # "same": as built in; "yours": you edited it; "upstream": prpgen changed it since the export;
    # "both": both did; "added": a template of yours that prpgen does not have.
    status: str
    diff: str


def drift(directory: Path) -> list[Drift]:
    """Each vendored template against the built-in one of this prpgen."""
    export = f"export them with `prpgen templates export {directory}`"
    if not directory.is_dir():
        raise ProjectError(f"{directory} is not a directory of templates: {export}")
    record = _read_record(directory)
    root = builtin_templates()
    names = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    if not any((root / name).is_file() for name in names):
        raise ProjectError(f"{directory} holds none of prpgen's templates: {export}")
    found = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.name != RECORD):
        name = path.relative_to(directory).as_posix()
        mine = path.read_text(encoding="utf-8")
        builtin = root / name
        if not builtin.is_file():
            found.append(Drift(name, "added", ""))
            continue
        theirs = builtin.read_text(encoding="utf-8")
        exported = record.get(name)
        if mine == theirs:
            status = "same"
        elif exported is None:
            status = "yours"
        else:
            edited, upgraded = digest(mine) != exported, digest(theirs) != exported
            status = "both" if edited and upgraded else "upstream" if upgraded else "yours"
        diff = "".join(
            difflib.unified_diff(
                theirs.splitlines(keepends=True), mine.splitlines(keepends=True), f"prpgen/{name}", f"yours/{name}"
            )
        )
        found.append(Drift(name, status, diff))
    return found


def example_specs() -> list[Path]:
    """The example specs a template set is tested with by default: one with relations, one with
    access rules, soft delete and audit (shipped in the wheel; beside the package in a checkout)."""
    here = Path(__file__).resolve().parents[1]
    for directory in (here / "examples", here.parent / "examples"):
        specs = [directory / name for name in ("blog.yaml", "library.yaml")]
        if all(spec.is_file() for spec in specs):
            return specs
    raise ProjectError("prpgen's example specs are missing; pass the specs to test with")
