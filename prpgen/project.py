"""What prpgen knows about a generated project: its identity, its migration chain and the
registration points (API router, model imports) that new entities are added to in place."""

from __future__ import annotations

import contextlib
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prpgen import naming
from prpgen.context import API_PREFIX, EntityContext
from prpgen.errors import ProjectError
from prpgen.pyfmt import fit

ROUTER_FILE = "app/api/router.py"
MODELS_FILE = "app/models/__init__.py"
VERSIONS_DIR = "alembic/versions"
# The files a project must have for `new-entity` to extend it.
MARKERS = (ROUTER_FILE, MODELS_FILE, "app/main.py", "alembic.ini")

_REVISION = re.compile(r'^revision(?:: str)? = "([^"]+)"', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision(?:: str \| None)? = (?:"([^"]+)"|None)', re.MULTILINE)


@dataclass(frozen=True)
class ProjectContext:
    name: str
    slug: str
    title: str
    db_name: str
    api_prefix: str = API_PREFIX


def project_context(name: str) -> ProjectContext:
    slug = naming.kebab(name)
    if not slug or not naming.is_identifier(naming.snake(name)):
        raise ProjectError(f"project name {name!r} must start with a letter and use ASCII letters, digits, '-' or '_'")
    title = " ".join(word.capitalize() for word in naming.words(name))
    return ProjectContext(name=name, slug=slug, title=title, db_name=naming.snake(name))


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


def register_router(source: str, entity: EntityContext) -> str:
    """Import and include the entity's router, keeping the rest of the file as it is."""
    module = f"app.api.endpoints.{entity.endpoint_module}"
    alias = f"{entity.endpoint_module}_router"
    import_line = fit(f"from {module} import router as {alias}", 0)
    include_line = f"api_router.include_router({alias})"
    if import_line in source:
        return source
    source = _insert_import(source, import_line, "from app.api.endpoints.")
    lines = source.split("\n")
    last = max((i for i, line in enumerate(lines) if line.startswith("api_router.include_router(")), default=None)
    if last is None:
        raise ProjectError(f"{ROUTER_FILE}: no `api_router.include_router(...)` line to add {alias} after")
    lines.insert(last + 1, include_line)
    return "\n".join(lines)


def register_model(source: str, entity: EntityContext) -> str:
    """Re-export the model from `app.models`, where Alembic's env imports every model."""
    import_line = fit(f"from app.models.{entity.module} import {entity.class_name} as {entity.class_name}", 0)
    if import_line in source:
        return source
    return _insert_import(source, import_line, "from app.models.")


def _insert_import(source: str, line: str, prefix: str) -> str:
    """Insert `line` among the consecutive `prefix` imports, in isort's (module name) order."""
    lines = source.split("\n")
    block = [i for i, text in enumerate(lines) if text.startswith(prefix)]
    if not block:
        raise ProjectError(f"no `{prefix}...` import to add `{line}` next to")
    module = line.split()[1]
    position = next((i for i in block if lines[i].split()[1] > module), block[-1] + 1)
    lines.insert(position, line)
    return "\n".join(lines)
