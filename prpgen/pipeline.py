"""The generation pipeline: spec → context → rendered files → plan → disk.

`init_project`, `add_entities` and `generate` are the public entry points (re-exported by
`prpgen`); the CLI and the tests call nothing else to generate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from prpgen import __version__
from prpgen.context import FeatureContext, build_feature, file_tree, inverse_line
from prpgen.errors import ProjectError
from prpgen.project import (
    MODELS_FILE,
    ROUTER_FILE,
    VERSIONS_DIR,
    ProjectContext,
    add_inverse,
    existing_entities,
    next_migration,
    project_context,
    read_project,
    register_model,
    register_router,
    revision_id,
)
from prpgen.render import MIGRATION_TEMPLATE, PRP_TEMPLATE, REFERENCES_FILE, REFERENCES_TEMPLATE, Renderer
from prpgen.spec import Spec
from prpgen.writer import Change, apply, check_new_tree, plan, write_new_tree

USERS_REVISION = revision_id("create users table")
# Directories shown in the PRP's project structure.
_TREE_DIRS = ("app", "alembic", "tests")


@dataclass(frozen=True)
class Outcome:
    """What a command did (or, with `dry_run`, would do) to the files under `root`."""

    root: Path
    changes: list[Change]

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


def init_project(root: Path, *, name: str | None = None, dry_run: bool = False) -> Outcome:
    """Create a new project (users, JWT auth, Alembic, tests) in the empty or missing `root`."""
    project = project_context(name or root.resolve().name)
    files = _skeleton(Renderer(), project)
    return _write_new(root, files, dry_run)


def generate(spec: Spec, root: Path, *, source: str, name: str | None = None, dry_run: bool = False) -> Outcome:
    """A new project in `root` with every entity of `spec`, in one step."""
    project = project_context(name or root.resolve().name)
    feature = build_feature(spec, source)
    renderer = Renderer()
    files = _skeleton(renderer, project)
    files.update(_feature_files(renderer, project, feature, files.get, _versions_of(files), files))
    return _write_new(root, files, dry_run)


def add_entities(spec: Spec, root: Path, *, source: str, dry_run: bool = False) -> Outcome:
    """Add the entities of `spec` to the existing project in `root`, changing nothing else."""
    project = read_project(root)
    models = {p.stem: p.read_text(encoding="utf-8") for p in sorted((root / "app/models").glob("*.py"))}
    feature = build_feature(spec, source, existing_entities(models))

    def current(path: str) -> str | None:
        target = root / path
        return target.read_text(encoding="utf-8") if target.is_file() else None

    versions = {p.name: p.read_text(encoding="utf-8") for p in sorted((root / VERSIONS_DIR).glob("*.py"))}
    files = _feature_files(Renderer(), project, feature, current, versions, _disk_paths(root))
    inverse_targets = {f"app/models/{target.module}.py" for target, _ in feature.external_inverses}
    changes = plan(root, files, updatable=frozenset({ROUTER_FILE, MODELS_FILE, *inverse_targets}))
    if not dry_run:
        apply(root, changes)
    return Outcome(root, changes)


def _write_new(root: Path, files: dict[str, str], dry_run: bool) -> Outcome:
    check_new_tree(root)
    changes = [Change(path, "create", text) for path, text in sorted(files.items())]
    if not dry_run:
        write_new_tree(root, changes)
    return Outcome(root, changes)


def _skeleton(renderer: Renderer, project: ProjectContext) -> dict[str, str]:
    context = {"project": project, "migration": {"revision": USERS_REVISION}, "prpgen_version": __version__}
    return renderer.project_files(context)


def _versions_of(files: Mapping[str, str]) -> dict[str, str]:
    prefix = VERSIONS_DIR + "/"
    return {
        path[len(prefix) :]: text for path, text in files.items() if path.startswith(prefix) and path.endswith(".py")
    }


def _disk_paths(root: Path) -> list[str]:
    paths = []
    for directory in _TREE_DIRS:
        for path in (root / directory).rglob("*.py"):
            if "__pycache__" not in path.parts:
                paths.append(path.relative_to(root).as_posix())
    return paths


def _feature_files(
    renderer: Renderer,
    project: ProjectContext,
    feature: FeatureContext,
    current: Callable[[str], str | None],
    versions: Mapping[str, str],
    existing_paths: Iterable[str],
) -> dict[str, str]:
    taken = [e.class_name for e in feature.entities if current(f"app/models/{e.module}.py") is not None]
    if taken:
        raise ProjectError(f"the project already has {', '.join(taken)}; choose other entity names")
    router, models = current(ROUTER_FILE), current(MODELS_FILE)
    if router is None or models is None:
        raise ProjectError(f"the project lacks {ROUTER_FILE} or {MODELS_FILE}")
    files: dict[str, str] = {}
    for entity in feature.entities:
        files.update(renderer.entity_files({"project": project, "feature": feature, "entity": entity}))
        router = register_router(router, entity)
        models = register_model(models, entity)
    files[ROUTER_FILE] = router
    files[MODELS_FILE] = models
    if any(e.references for e in feature.entities) and current(REFERENCES_FILE) is None:
        files[REFERENCES_FILE] = renderer.render(REFERENCES_TEMPLATE, REFERENCES_FILE, {"project": project})
    for target, inverse in feature.external_inverses:
        path = f"app/models/{target.module}.py"
        model = files.get(path) or current(path)
        if model is None:
            raise ProjectError(f"{path} is missing; {inverse.source_class} refers to {target.class_name}")
        files[path] = add_inverse(model, path, inverse_line(inverse), inverse.source_class, inverse.source_module)

    slot = next_migration(versions)
    revision = revision_id(slot.down_revision or "", *(e.migration_table for e in feature.entities))
    migration_path = f"{VERSIONS_DIR}/{slot.number:04d}_{feature.spec.feature_slug.replace('-', '_')}.py"
    migration = {"revision": revision, "down_revision": slot.down_revision, "path": migration_path}
    context = {"project": project, "feature": feature, "migration": migration, "prpgen_version": __version__}
    files[migration_path] = renderer.render(MIGRATION_TEMPLATE, migration_path, context)

    prp_path = f"PRPs/{feature.slug}/prp.md"
    tree = file_tree(sorted({*existing_paths, *(p for p in files if p.split("/")[0] in _TREE_DIRS)}))
    files[prp_path] = renderer.render(PRP_TEMPLATE, prp_path, {**context, "files": files, "tree": tree})
    return files
