"""What prpgen knows about a generated project: its identity, its migration chain and the
registration points (API router, model imports) that new entities are added to in place."""

from __future__ import annotations

import ast
import contextlib
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prpgen import naming
from prpgen.context import API_PREFIX, RELATIONSHIPS_COMMENT
from prpgen.errors import ProjectError
from prpgen.pyfmt import import_from
from prpgen.relations import Target

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


# Model modules of the skeleton, which references cannot point at.
_SKELETON_MODELS = frozenset({"__init__", "base", "user", "rate_limit"})


def existing_entities(models: Mapping[str, str]) -> dict[str, Target]:
    """The entities earlier runs generated, read from their model modules (module name → source),
    keyed by class name: what a new entity's references may point at."""
    found: dict[str, Target] = {}
    for module, source in models.items():
        if module in _SKELETON_MODELS:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise ProjectError(f"app/models/{module}.py does not parse ({exc.msg}, line {exc.lineno})") from None
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                target = _model_target(node, module)
                if target is not None:
                    found[target.class_name] = target
    return found


def _model_target(node: ast.ClassDef, module: str) -> Target | None:
    table: str | None = None
    attributes: set[str] = set()
    for item in node.body:
        if isinstance(item, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__tablename__" for t in item.targets
        ):
            if isinstance(item.value, ast.Constant) and isinstance(item.value.value, str):
                table = item.value.value
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            attributes.add(item.target.id)
        elif isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            attributes.add(item.name)
    if table is None:
        return None
    owned = "user_id" in attributes
    # The access rules' defaults; the feature's spec, where known, says better (pipeline).
    read = "owner" if owned else "user"
    return Target(node.name, module, table, owned, frozenset(attributes), read=read)


def add_inverse(source: str, path: str, line: str, source_class: str, source_module: str) -> str:
    """Declare a new one-to-many relationship (`line`) on a model generated by an earlier run:
    the attribute before `__repr__`, `relationship` imported, the new class imported for typing."""
    line = "    " + line
    if line in source:
        return source
    # Attributes go after the columns and relationships, before the properties and methods.
    anchors = [i for i in (source.find("\n\n    @property"), source.find("\n\n    def __repr__")) if i >= 0]
    if not anchors:
        raise ProjectError(f"{path}: no `def __repr__` to add `{line.strip()}` before; add it by hand")
    at = min(anchors)
    if "relationship(" not in source:
        line = f"\n{RELATIONSHIPS_COMMENT}\n{line}"
    source = f"{source[:at]}\n{line}{source[at:]}"
    source = _add_name(source, "from sqlalchemy.orm import ", "relationship", path)
    typing_import = f"    from app.models.{source_module} import {source_class}"
    if "\nif TYPE_CHECKING:\n" in source:
        block_start = source.index("\nif TYPE_CHECKING:\n") + len("\nif TYPE_CHECKING:\n")
        block_end = source.index("\n\n", block_start)
        lines = [*source[block_start:block_end].split("\n"), typing_import]
        source = source[:block_start] + "\n".join(sorted(set(lines))) + source[block_end:]
    else:
        first_class = source.index("\n\n\n")
        source = source[:first_class] + f"\n\nif TYPE_CHECKING:\n{typing_import}" + source[first_class:]
        if "from typing import " in source:
            source = _add_name(source, "from typing import ", "TYPE_CHECKING", path)
        else:
            source = "from typing import TYPE_CHECKING\n\n" + source
    return source


def _add_name(source: str, prefix: str, name: str, path: str) -> str:
    """Add `name` to the one-line import starting with `prefix`, keeping isort's order."""
    start = source.find(prefix)
    if start < 0:
        raise ProjectError(f"{path}: no `{prefix.strip()}` line to extend with {name}")
    body_start = start + len(prefix)
    if source.startswith("(", body_start):
        end = source.index(")", body_start) + 1
        body = source[body_start + 1 : end - 1]
    else:
        end = source.index("\n", start)
        body = source[body_start:end]
    names = {n.strip() for n in body.replace("\n", " ").split(",") if n.strip()}
    if name in names:
        return source
    module = prefix.removeprefix("from ").removesuffix(" import ")
    return source[:start] + import_from(module, sorted(names | {name})) + source[end:]
