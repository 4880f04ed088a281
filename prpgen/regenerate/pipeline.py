"""The generation pipeline: specs → context → rendered files → plan → disk.

A project is its skeleton plus the features recorded in `.prpgen/manifest.json`, in the order
they were added. Every command renders the whole project from that list in memory (the new or
changed feature included), plans it against the last generation and the disk, and only then
writes. The `plan_*` functions decide; `write` carries a plan out; `init_project`,
`add_entities`, `generate` and `remove_entity` do both (re-exported by `prpgen`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from prpgen import __version__, naming
from prpgen.errors import GenerationError, ProjectError, suggestion
from prpgen.generate.context import EntityContext, FeatureContext, build_feature, file_tree
from prpgen.generate.expectations import Expectations
from prpgen.generate.formatting import format_python, ruff_version
from prpgen.generate.project_model import (
    ProjectContext,
    build_project,
    project_context,
    project_targets,
    skeleton_models,
)
from prpgen.generate.render import (
    MIGRATION_TEMPLATE,
    PROJECT_DIR,
    PRP_TEMPLATE,
    REFERENCES_FILE,
    REFERENCES_TEMPLATE,
    Renderer,
)
from prpgen.generate.schema_diff import SchemaChange, changed_migration, created_migration, removed_migration
from prpgen.generate.tables import SHAPE_VERSION
from prpgen.regenerate.manifest import (
    MANIFEST_FILE,
    OBJECTS_DIR,
    Generated,
    Manifest,
    digest,
    object_path,
    read_manifest,
    stored_objects,
)
from prpgen.regenerate.project import (
    MODELS_FILE,
    ROUTER_FILE,
    VERSIONS_DIR,
    configured_templates,
    next_migration,
    read_project,
    revision_id,
)
from prpgen.regenerate.writer import Action, Change, Resolution, apply, check_new_tree, plan, resolve, write_new_tree
from prpgen.spec.feature import Feature, Spec

USERS_REVISION = revision_id("create users table")


@dataclass(frozen=True)
class Outcome:
    """What a command does (or, unwritten, would do) to the files under `root`."""

    root: Path
    changes: list[Change]
    # A new project: the whole tree is written at once into an empty directory.
    new_tree: bool = False
    # What the new migrations destroy (dropped tables and columns, narrowed columns): written
    # only with the user's consent.
    destroys: tuple[str, ...] = ()
    # The `.prpgen/` changes when the given paths' conflicts are skipped: those paths keep their
    # last record, so the change prpgen skipped stays pending (a conflict again next time).
    rerecord: Callable[[Collection[str]], list[Change]] | None = None

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def drift(self) -> list[Change]:
        """Every file whose content on disk differs from what is generated now."""
        return [c for c in self.changes if c.action != "unchanged"]


def plan_init(root: Path, *, name: str | None = None, templates: Path | None = None) -> Outcome:
    project = project_context(name or root.resolve().name)
    return _plan_new(root, project, (), Renderer(templates))


def plan_generate(
    spec: Spec, root: Path, *, source: str, name: str | None = None, templates: Path | None = None
) -> Outcome:
    """A new project with every entity of `spec`; on a project prpgen generated before, the
    regeneration of that feature."""
    feature = Feature(source, spec)
    manifest = read_manifest(root)
    if manifest is None:
        project = project_context(name or root.resolve().name)
        return _plan_new(root, project, (feature,), Renderer(templates), typed=feature)
    return _plan_with(root, manifest, feature, templates)


def plan_new_entities(spec: Spec, root: Path, *, source: str, templates: Path | None = None) -> Outcome:
    """Add the feature of `spec` to the project in `root`, or regenerate it if it is there."""
    return _plan_with(root, _manifest(root), Feature(source, spec), templates)


def _plan_with(root: Path, manifest: Manifest, feature: Feature, templates: Path | None) -> Outcome:
    """The project with `feature` in place of the recorded one of that name, or appended."""
    features = [f for f in manifest.features if f.slug != feature.slug]
    slugs = [f.slug for f in manifest.features]
    features.insert(slugs.index(feature.slug) if feature.slug in slugs else len(features), feature)
    return _plan_update(root, manifest, tuple(features), _renderer(root, templates), typed=feature)


def plan_regenerate(root: Path, *, templates: Path | None = None) -> Outcome:
    """Render every recorded feature again (after a prpgen upgrade or a template change)."""
    manifest = _manifest(root)
    return _plan_update(root, manifest, manifest.features, _renderer(root, templates))


def plan_remove_entity(name: str, root: Path, *, templates: Path | None = None) -> Outcome:
    """Take entity `name` out of its feature (and the feature out, if it was its last entity)."""
    manifest = _manifest(root)
    wanted = naming.pascal(name)
    known = [naming.pascal(e.name) for f in manifest.features for e in f.spec.entities]
    if wanted not in known:
        raise ProjectError(f"the project has no entity {wanted}{suggestion(wanted, known)}; it has: {', '.join(known)}")
    features: list[Feature] = []
    for feature in manifest.features:
        kept = [e for e in feature.spec.entities if naming.pascal(e.name) != wanted]
        if kept:
            features.append(replace(feature, spec=feature.spec.model_copy(update={"entities": kept})))
    referring = [
        f"{naming.pascal(e.name)}.{field_name}"
        for f in features
        for e in f.spec.entities
        for field_name, field in e.fields.items()
        if field.to is not None and naming.pascal(field.to) == wanted
    ]
    if referring:
        raise ProjectError(f"{wanted} is referred to by {', '.join(referring)}; remove that reference first")
    return _plan_update(root, manifest, tuple(features), _renderer(root, templates))


def write(outcome: Outcome, resolution: Resolution = "stop") -> Outcome:
    """Carry out a plan: conflicts settled by `resolution`, then every file or none."""
    try:
        if outcome.new_tree:
            write_new_tree(outcome.root, {c.path: c.text for c in outcome.changes if c.text is not None})
            return outcome
        settled = resolve(outcome.changes, resolution)
        skipped = [c.path for c in outcome.changes if c.action == "conflict" and resolution == "skip"]
        if skipped and outcome.rerecord is not None:
            record = outcome.rerecord(skipped)
            settled = sorted([*(c for c in settled if not _is_record(c)), *record], key=_by_path)
        apply(outcome.root, settled)
    except OSError as exc:
        raise GenerationError(f"writing to {outcome.root} failed ({exc}); nothing was changed") from exc
    return replace(outcome, changes=settled)


def init_project(root: Path, *, name: str | None = None, dry_run: bool = False) -> Outcome:
    """Create a new project (users, JWT auth, Alembic, tests) in the empty or missing `root`."""
    outcome = plan_init(root, name=name)
    return outcome if dry_run else write(outcome)


def generate(spec: Spec, root: Path, *, source: str, name: str | None = None, dry_run: bool = False) -> Outcome:
    """A new project in `root` with every entity of `spec`, in one step (or its regeneration)."""
    outcome = plan_generate(spec, root, source=source, name=name)
    return outcome if dry_run else write(outcome)


def add_entities(spec: Spec, root: Path, *, source: str, dry_run: bool = False) -> Outcome:
    """Add the entities of `spec` to the existing project in `root`."""
    outcome = plan_new_entities(spec, root, source=source)
    return outcome if dry_run else write(outcome)


def remove_entity(name: str, root: Path, *, dry_run: bool = False) -> Outcome:
    outcome = plan_remove_entity(name, root)
    return outcome if dry_run else write(outcome)


def _vendored(renderer: Renderer, root: Path) -> str | None:
    """The renderer's own templates as the project records them (`[tool.prpgen] templates`):
    relative to the project, so it means the same wherever a command runs."""
    if renderer.custom is None:
        return None
    return Path(os.path.relpath(renderer.custom.resolve(), root.resolve())).as_posix()


def _renderer(root: Path, templates: Path | None) -> Renderer:
    """`templates` if given, else the project's `[tool.prpgen] templates`, else prpgen's own."""
    return Renderer(templates if templates is not None else configured_templates(root))


def _manifest(root: Path) -> Manifest:
    read_project(root)
    manifest = read_manifest(root)
    if manifest is None:
        raise ProjectError(
            f"{root} has no {MANIFEST_FILE}: prpgen cannot tell what it generated there, so it will not "
            "change it; generate the project again with this prpgen and move your changes over"
        )
    return manifest


def _plan_new(
    root: Path, project: ProjectContext, features: tuple[Feature, ...], renderer: Renderer, typed: Feature | None = None
) -> Outcome:
    check_new_tree(root)
    manifest = Manifest(project.name, version=__version__, shapes=SHAPE_VERSION)
    files, _ = _render(renderer, project, features, manifest, {}, _vendored(renderer, root))
    files.update(_record(files, project, _as_recorded(features, typed, root)))
    return Outcome(root, [Change(path, "create", text, text) for path, text in sorted(files.items())], new_tree=True)


def _plan_update(
    root: Path, manifest: Manifest, features: tuple[Feature, ...], renderer: Renderer, typed: Feature | None = None
) -> Outcome:
    """`typed`: the feature whose spec the user named in this command (its path as typed)."""
    project = project_context(manifest.project)
    previous = Generated(root, manifest.files)
    migrations = _recorded_migrations(root, previous)
    files, destroys = _render(renderer, project, features, manifest, migrations, _vendored(renderer, root))
    recorded = _as_recorded(features, typed, root)
    record = _record(files, project, recorded)
    changes = sorted([*plan(root, files, previous), *_record_changes(root, record)], key=_by_path)

    def rerecord(skipped: Collection[str]) -> list[Change]:
        pending = {path: previous.get(path) for path in skipped}
        return _record_changes(root, _record(files, project, recorded, pending))

    return Outcome(root, changes, destroys=destroys, rerecord=rerecord)


def _recorded_migrations(root: Path, previous: Mapping[str, str | None]) -> dict[str, str]:
    """The migrations generated before, as generated (as on disk, if that record is lost)."""
    found = {}
    for path in previous:
        if path.startswith(VERSIONS_DIR + "/"):
            text = previous[path]
            if text is None and (root / path).is_file():
                text = (root / path).read_text(encoding="utf-8")
            if text is not None:
                found[path] = text
    return found


def _as_recorded(features: tuple[Feature, ...], typed: Feature | None, root: Path) -> tuple[Feature, ...]:
    """The features as the manifest records them: the spec path the user typed (relative to where
    the command ran) becomes relative to the project, so the record, and `--check`, are the same
    wherever a command runs and however the path is spelt."""
    if typed is None or not Path(typed.source).is_file():
        return features
    source = Path(os.path.relpath(Path(typed.source).resolve(), root.resolve())).as_posix()
    return tuple(replace(f, source=source) if f is typed else f for f in features)


def _is_record(change: Change) -> bool:
    return change.path == MANIFEST_FILE or change.path.startswith(OBJECTS_DIR + "/")


def _by_path(change: Change) -> str:
    return change.path


def _record(
    files: Mapping[str, str],
    project: ProjectContext,
    features: tuple[Feature, ...],
    pending: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """`.prpgen/` for the generated `files`: the manifest and each file's text as generated.
    `pending` paths keep the text they were last generated with (None: not recorded)."""
    recorded = {path: text for path, text in files.items() if path not in (pending or {})}
    recorded.update({path: text for path, text in (pending or {}).items() if text is not None})
    manifest = Manifest(
        project=project.name,
        features=features,
        migrated={f.slug: f.spec for f in features},
        files={path: digest(text) for path, text in sorted(recorded.items())},
        version=__version__,
        shapes=SHAPE_VERSION,
    )
    record = {MANIFEST_FILE: manifest.to_json()}
    record.update({object_path(digest(text)): text for text in recorded.values()})
    return record


def _record_changes(root: Path, record: Mapping[str, str]) -> list[Change]:
    """prpgen owns `.prpgen/`: it follows the generation whatever is on disk. Objects are named
    by their content, so one that exists is up to date and one no longer named goes."""
    manifest = root / MANIFEST_FILE
    before = manifest.read_text(encoding="utf-8") if manifest.is_file() else None
    after = record[MANIFEST_FILE]
    action: Action = "unchanged" if before == after else "create" if before is None else "update"
    changes = [Change(MANIFEST_FILE, action, after, after, before=before)]
    objects = {path: text for path, text in record.items() if path != MANIFEST_FILE}
    stored = stored_objects(root)
    changes += [Change(path, "create", text, text) for path, text in objects.items() if path not in stored]
    changes += [Change(path, "delete", None, None) for path in sorted(stored - objects.keys())]
    return changes


def _render(
    renderer: Renderer,
    project: ProjectContext,
    features: Sequence[Feature],
    manifest: Manifest,
    migrations: Mapping[str, str],
    templates: str | None = None,
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Every file of the project, rendered in memory (`migrations` are those generated before),
    and what the new migrations destroy. `templates`: the team's own, relative to the project."""
    context = {
        "project": project,
        "migration": {"revision": USERS_REVISION},
        "prpgen_version": __version__,
        "ruff_version": ruff_version(),
        "templates": templates,
    }
    # The skeleton first, as the features see it (a team's own skeleton may add models); its
    # router and model index are rendered again below, with every entity.
    files = renderer.project_files({**context, "entities": []})
    skeleton = set(files)
    contexts = build_project(features, skeleton_models(files))
    # What each feature adds: its PRP shows those files beside the skeleton, so it changes only
    # when its own feature does.
    added: dict[str, set[str]] = {}
    for feature_context in contexts:
        before = set(files)
        _add_feature(renderer, project, feature_context, files, skeleton)
        added[feature_context.slug] = set(files) - before
    entities = [entity for feature_context in contexts for entity in feature_context.entities]
    for path in ENTITY_LISTS:
        files[path] = renderer.render(f"{PROJECT_DIR}/{path}.j2", path, {**context, "entities": entities})
        _check_lists_every_entity(path, files[path], entities)
    # A migration, once generated, may have been applied: it is kept as it was, never re-rendered.
    files.update(migrations)
    by_feature, destroys = _migrations(renderer, features, contexts, manifest, files)
    # Formatted before the PRPs, which show the code; a kept migration stays byte for byte.
    rendered = {path: text for path, text in files.items() if path not in migrations}
    files.update(format_python(rendered, files["pyproject.toml"], renderer.prunable, renderer.origins))
    for feature_context in contexts:
        own = by_feature.get(feature_context.slug, [])
        shown = skeleton | added[feature_context.slug] | set(own)
        _add_prp(renderer, project, feature_context, files, own, shown)
    return files, destroys


# Skeleton files that list every entity (their templates loop over `entities`).
ENTITY_LISTS = (ROUTER_FILE, MODELS_FILE)


def _check_lists_every_entity(path: str, text: str, entities: Sequence[EntityContext]) -> None:
    """A team's copy of one of these templates from before they listed `entities` (prpgen then
    added the lines itself) would silently drop every entity from the project: refuse it."""
    if path == ROUTER_FILE:
        missing = [e.class_name for e in entities if f"{e.endpoint_module}_router)" not in text]
    else:
        missing = [e.class_name for e in entities if f"import {e.class_name} as {e.class_name}" not in text]
    if missing:
        raise GenerationError(
            f"{PROJECT_DIR}/{path}.j2 renders {path} without {', '.join(missing)}: the template must "
            "loop over `entities` (see `prpgen templates diff`)"
        )


def _add_feature(
    renderer: Renderer, project: ProjectContext, feature: FeatureContext, files: dict[str, str], skeleton: set[str]
) -> None:
    """Render one feature's entities into `files`; none may write over a file of the skeleton (a
    team's own skeleton may add models)."""
    for entity in feature.entities:
        context = {"project": project, "feature": feature, "entity": entity, "expected": Expectations(entity)}
        rendered = renderer.entity_files(context)
        clash = sorted(rendered.keys() & skeleton)
        if clash:
            raise ProjectError(
                f"the project already has {entity.class_name}: its skeleton writes {', '.join(clash)}; "
                "choose another name for the entity"
            )
        files.update(rendered)
    if any(e.references for e in feature.entities) and REFERENCES_FILE not in files:
        files[REFERENCES_FILE] = renderer.render(REFERENCES_TEMPLATE, REFERENCES_FILE, {"project": project})


def _migrations(
    renderer: Renderer,
    features: Sequence[Feature],
    contexts: Sequence[FeatureContext],
    manifest: Manifest,
    files: dict[str, str],
) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """New migrations for what the recorded ones do not yet create: removed features first, then
    each feature in order, chained onto the head. Returns each feature's migration paths and
    what the new migrations destroy."""
    current = {c.slug: c for c in contexts}
    sources = {f.slug: f.source for f in features}
    new: dict[str, list[str]] = {}
    destroys: list[str] = []
    for slug, old_spec in manifest.migrated.items():
        if slug not in current:
            old = build_feature(old_spec, f"{MANIFEST_FILE} ({slug})", project_targets(contexts), manifest.shapes)
            removal = removed_migration(old)
            destroys += removal.destroys
            _add_migration(renderer, files, slug, "remove", removal)
    for context in contexts:
        recorded = manifest.migrated.get(context.slug)
        if recorded is None:
            # Its revision is derived from its tables, as it always was: regeneration is byte-identical.
            created = created_migration(context)
            _add_migration(renderer, files, context.slug, "", created, [e.shape.create_table for e in context.entities])
        elif recorded != context.spec or manifest.shapes < SHAPE_VERSION:
            # A changed spec, or tables this prpgen shapes differently (an index it adds since).
            targets = project_targets(contexts, context)
            old = build_feature(recorded, f"{MANIFEST_FILE} ({context.slug})", targets, manifest.shapes)
            change = changed_migration(old, context, sources[context.slug])
            if change is not None:
                destroys += change.destroys
                _add_migration(renderer, files, context.slug, "update", change)
    for path in sorted(p for p in files if p.startswith(VERSIONS_DIR + "/")):
        name = path.rsplit("/", 1)[1]
        for slug in current:
            stem = slug.replace("-", "_")
            if name[5:] in {f"{stem}.py", f"{stem}__update.py"}:
                new.setdefault(slug, []).append(path)
    return new, tuple(destroys)


def _versions(files: Mapping[str, str]) -> dict[str, str]:
    prefix = VERSIONS_DIR + "/"
    return {p[len(prefix) :]: t for p, t in files.items() if p.startswith(prefix) and p.endswith(".py")}


def _add_migration(
    renderer: Renderer,
    files: dict[str, str],
    slug: str,
    kind: str,
    change: SchemaChange,
    identity: Sequence[str] | None = None,
) -> None:
    """`change` as the next migration of the chain: `0003_slug__kind.py` (`0002_slug.py` for a
    feature's first, whose `kind` is empty). `identity`: what its revision id is derived from,
    if not the path and the operations."""
    slot = next_migration(_versions(files))
    suffix = f"__{kind}" if kind else ""
    path = f"{VERSIONS_DIR}/{slot.number:04d}_{slug.replace('-', '_')}{suffix}.py"
    parts = identity if identity is not None else (path, *change.upgrade, *change.downgrade)
    revision = revision_id(slot.down_revision or "", *parts)
    migration = {"revision": revision, "down_revision": slot.down_revision, "path": path}
    context = {"change": change, "migration": migration, "prpgen_version": __version__}
    files[path] = renderer.render(MIGRATION_TEMPLATE, path, context)


def _add_prp(
    renderer: Renderer,
    project: ProjectContext,
    feature: FeatureContext,
    files: dict[str, str],
    migrations: list[str],
    shown: set[str],
) -> None:
    """The feature's PRP; its project tree lists `shown`: the skeleton and the feature's own files."""
    prp_path = f"PRPs/{feature.slug}/prp.md"
    tree = file_tree(sorted(p for p in shown if not p.startswith("PRPs/")))
    context = {"project": project, "feature": feature, "migrations": migrations, "prpgen_version": __version__}
    files[prp_path] = renderer.render(PRP_TEMPLATE, prp_path, {**context, "files": files, "tree": tree})
