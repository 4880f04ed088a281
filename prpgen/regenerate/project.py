"""What prpgen knows about a generated project on disk: its identity, its template setting and
the head of its migration chain."""

from __future__ import annotations

import contextlib
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prpgen.errors import ProjectError
from prpgen.generate.project_model import ProjectContext, project_context

ROUTER_FILE = "app/api/router.py"
MODELS_FILE = "app/models/__init__.py"
VERSIONS_DIR = "alembic/versions"
# The files a project must have for `new-entity` to extend it.
MARKERS = (ROUTER_FILE, MODELS_FILE, "app/main.py", "alembic.ini")

_REVISION = re.compile(r'^revision(?:: str)? = "([^"]+)"', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision(?:: str \| None)? = (?:"([^"]+)"|None)', re.MULTILINE)


def find_root(start: Path) -> Path:
    """The project `start` is in, found as git finds its repository: `start` or the nearest
    directory above it holding a project's markers; `start` itself if none does (reading it
    then says what is missing)."""
    for candidate in (start, *start.resolve().parents):
        if all((candidate / marker).is_file() for marker in MARKERS):
            return candidate
    return start


def read_project(root: Path) -> ProjectContext:
    """The identity of an existing generated project; a clear error if `root` is not one."""
    missing = [marker for marker in MARKERS if not (root / marker).is_file()]
    if missing:
        raise ProjectError(
            f"{root} is not a prpgen project (missing {', '.join(missing)}); "
            "run `prpgen init NAME` first, or pass `--project DIR`"
        )
    name = root.resolve().name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        with contextlib.suppress(tomllib.TOMLDecodeError, KeyError, TypeError):
            name = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"]
    return project_context(name)


def configured_templates(root: Path) -> Path | None:
    """The project's own template directory, from `[tool.prpgen] templates = "DIR"` in its
    pyproject.toml (relative to the project)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        setting = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("prpgen", {})
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{pyproject} does not parse: {exc}") from None
    templates = setting.get("templates") if isinstance(setting, dict) else None
    if templates is None:
        return None
    if not isinstance(templates, str):
        raise ProjectError(f"{pyproject}: [tool.prpgen] templates must be a path (a string)")
    return root / templates


@dataclass(frozen=True)
class MigrationSlot:
    """Where the next migration goes: its file number and the revision it chains onto."""

    number: int
    down_revision: str | None


def next_migration(versions: Mapping[str, str]) -> MigrationSlot:
    """The single head of the chain formed by `versions` (file name → source)."""
    revisions: dict[str, str | None] = {}
    for name, source in versions.items():
        revision = _REVISION.search(source)
        down = _DOWN_REVISION.search(source)
        if revision is None or down is None:
            raise ProjectError(f"{VERSIONS_DIR}/{name}: cannot read its revision identifiers")
        revisions[revision.group(1)] = down.group(1)
    heads = set(revisions) - {down for down in revisions.values() if down}
    if len(heads) > 1:
        raise ProjectError(f"the migrations have several heads ({', '.join(sorted(heads))}); merge them first")
    numbers = [int(m.group(1)) for name in versions if (m := re.match(r"(\d+)_", name))]
    return MigrationSlot(max(numbers, default=0) + 1, heads.pop() if heads else None)


def revision_id(*parts: str) -> str:
    """A revision id derived from the migration's content, so regeneration is byte-identical."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]
