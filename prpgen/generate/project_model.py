"""The project model: its identity and every feature resolved together, before anything is rendered.

Each feature's references resolve against its own entities and those of the features before it
(a feature may refer to an earlier one, never to a later one). A reference into an earlier feature
gives that feature's entity an inverse relationship; it is added to the entity here, so its model
and service are rendered once, knowing every row that refers to it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from prpgen import naming
from prpgen.errors import Problem, ProjectError, SpecError
from prpgen.generate.context import API_PREFIX, EntityContext, FeatureContext, build_feature
from prpgen.spec.feature import Feature
from prpgen.spec.relations import Inverse, Target


@dataclass(frozen=True)
class ProjectContext:
    """The project's identity, as every template names it."""

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


def build_project(features: Sequence[Feature], skeleton: Mapping[str, str] | None = None) -> tuple[FeatureContext, ...]:
    """The render context of every feature, in order, with every inverse relationship in place.
    `skeleton`: the models the project's skeleton defines (class → its file), which no entity may
    be named like nor refer to."""
    skeleton = skeleton or {}
    targets: dict[str, Target] = {}
    contexts: list[FeatureContext] = []
    for feature in features:
        _check_skeleton_references(feature, skeleton)
        context = build_feature(feature.spec, feature.source, targets)
        clashes = [e.class_name for e in context.entities if e.class_name in skeleton]
        if clashes:
            where = ", ".join(skeleton[name] for name in clashes)
            raise ProjectError(
                f"the project already has {', '.join(clashes)}: its skeleton defines it ({where}); "
                "choose another name for the entity"
            )
        taken = [e.class_name for e in context.entities if e.class_name in targets]
        if taken:
            raise ProjectError(
                f"the project already has {', '.join(taken)} from another feature; "
                "choose other names, or remove it there first (`prpgen remove-entity`)"
            )
        targets.update({e.class_name: e.target for e in context.entities})
        for inverse, target in context.external_inverses:
            # A later feature's inverse on the same entity must not take this one's name.
            known = targets[target.class_name]
            targets[target.class_name] = replace(known, attributes=known.attributes | {inverse.name})
        contexts.append(context)
    added: dict[str, list[Inverse]] = {}
    for context in contexts:
        for inverse, target in context.external_inverses:
            added.setdefault(target.class_name, []).append(inverse)
    return tuple(
        replace(context, entities=tuple(_with(entity, added.get(entity.class_name, ())) for entity in context.entities))
        for context in contexts
    )


def skeleton_models(files: Mapping[str, str]) -> dict[str, str]:
    """The model classes the skeleton's `app/models/` modules define (class → path). A team's
    skeleton may add models of its own; prpgen did not write them from a spec, so their source is
    the only place their names are."""
    found: dict[str, str] = {}
    for path, text in files.items():
        if path.startswith("app/models/") and path.endswith(".py") and path.count("/") == 2:
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue  # reported with its template when the project is formatted
            found.update({node.name: path for node in tree.body if isinstance(node, ast.ClassDef)})
    return found


def _check_skeleton_references(feature: Feature, skeleton: Mapping[str, str]) -> None:
    """A reference to a skeleton's model would need a relationship added to the team's code and
    rows of it in the generated tests: prpgen can give neither."""
    in_spec = {naming.pascal(e.name) for e in feature.spec.entities}
    problems = []
    for index, entity in enumerate(feature.spec.entities):
        for raw, field in entity.fields.items():
            wanted = naming.pascal(field.to or "")
            if field.to is not None and wanted in skeleton and wanted not in in_spec:
                message = (
                    f"refers to '{field.to}', a model of the project's skeleton ({skeleton[wanted]}), not an "
                    "entity of a spec: references point only at entities prpgen generates"
                )
                where = f"entities[{index}] ({entity.name}).fields.{raw}"
                problems.append(feature.spec.located(Problem(where, message, ("entities", index, "fields", raw))))
    if problems:
        raise SpecError(feature.source, problems)


def project_targets(contexts: Sequence[FeatureContext], without: FeatureContext | None = None) -> dict[str, Target]:
    """The entities of the project (other than `without`'s), as references see them: what a
    recorded spec resolves against when prpgen works out how the schema changed."""
    own = {e.class_name for e in without.entities} if without else set()
    return {e.class_name: e.target for c in contexts for e in c.entities if e.class_name not in own}


def _with(entity: EntityContext, inverses: Sequence[Inverse]) -> EntityContext:
    return replace(entity, inverses=(*entity.inverses, *inverses)) if inverses else entity
