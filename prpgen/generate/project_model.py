"""The project model: its identity and every feature resolved together, before anything is rendered.

Each feature's references resolve against its own entities and those of the features before it
(a feature may refer to an earlier one, never to a later one). A reference into an earlier feature
gives that feature's entity an inverse relationship; it is added to the entity here, so its model
and service are rendered once, knowing every row that refers to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from prpgen import naming
from prpgen.errors import ProjectError
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


def build_project(features: Sequence[Feature]) -> tuple[FeatureContext, ...]:
    """The render context of every feature, in order, with every inverse relationship in place."""
    targets: dict[str, Target] = {}
    contexts: list[FeatureContext] = []
    for feature in features:
        context = build_feature(feature.spec, feature.source, targets)
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


def project_targets(contexts: Sequence[FeatureContext], without: FeatureContext | None = None) -> dict[str, Target]:
    """The entities of the project (other than `without`'s), as references see them: what a
    recorded spec resolves against when prpgen works out how the schema changed."""
    own = {e.class_name for e in without.entities} if without else set()
    return {e.class_name: e.target for c in contexts for e in c.entities if e.class_name not in own}


def _with(entity: EntityContext, inverses: Sequence[Inverse]) -> EntityContext:
    return replace(entity, inverses=(*entity.inverses, *inverses)) if inverses else entity
