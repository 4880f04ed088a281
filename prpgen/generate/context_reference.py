"""The reference of what templates receive, written from the code so it cannot fall behind:
the variables of each kind of template, then every attribute of the objects behind them
(`prpgen templates context` prints it)."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from pydantic import BaseModel

# Template (or template directory) → the variables it is rendered with.
VARIABLES: dict[str, dict[str, str]] = {
    "project/** (the skeleton)": {
        "project": "ProjectContext: the project's names",
        "migration": "{revision}: the users table migration's revision id",
        "prpgen_version": "str",
        "ruff_version": "str: the ruff that formats the generated code (the project's dev dependency)",
        "entities": "list[EntityContext]: every entity of every feature, in order (router, model index)",
        "templates": "str | None: the project's own template directory, relative to it ([tool.prpgen])",
    },
    "entity/*.j2 and entity/extra/** (one file per entity)": {
        "project": "ProjectContext",
        "feature": "FeatureContext: the feature the entity belongs to",
        "entity": "EntityContext: the entity, its fields and every name derived from it",
        "expected": "Expectations: what the entity's tests expect (statuses, statements per request)",
    },
    "migration.py.j2 (every migration: a feature's tables created, changed or dropped)": {
        "change": "SchemaChange: title, upgrade and downgrade operations (source lines), uses_jsonb",
        "migration": "{revision, down_revision, path}",
        "prpgen_version": "str",
    },
    "prp.md.j2 (the feature's PRP)": {
        "project": "ProjectContext",
        "feature": "FeatureContext",
        "migrations": "list[str]: paths of the feature's migrations",
        "files": "dict[str, str]: every generated file by path",
        "tree": "str: the project's file tree",
        "prpgen_version": "str",
    },
    "shared/references.py.j2": {"project": "ProjectContext"},
}

FILTERS = {
    "py": "a Python literal (repr that ruff format keeps)",
    "py_str": "a double-quoted Python string",
    "md": "text safe in Markdown",
    "md_cell": "text safe in a Markdown table cell",
    "md_code": "text in inline code",
    "isorted": "imported names in isort's order (constants, classes, the rest)",
    "value": 'a test value as source: `MISSING`, a literal, or a long run of one character as `"a" * 200`',
}

# Names every template may use.
GLOBALS = {"max_references": "int: the most ids one `ref_many` list may hold"}


def classes() -> list[type]:
    from prpgen.generate.context import EntityContext, FeatureContext
    from prpgen.generate.expectations import Expectations
    from prpgen.generate.fields import FieldContext
    from prpgen.generate.project_model import ProjectContext
    from prpgen.generate.schema_diff import SchemaChange
    from prpgen.spec.feature import AccessSpec, EntitySpec, FieldSpec, Spec

    return [
        ProjectContext,
        FeatureContext,
        EntityContext,
        Expectations,
        FieldContext,
        SchemaChange,
        Spec,
        EntitySpec,
        FieldSpec,
        AccessSpec,
    ]


def examples() -> dict[type, Any]:
    """One instance of each context class, from a two-word entity with a searchable field (so every
    attribute has a value), to show every derived name."""
    from prpgen.generate.context import build_feature
    from prpgen.generate.expectations import Expectations
    from prpgen.generate.project_model import project_context
    from prpgen.spec.feature import inline_spec

    spec = inline_spec(
        "BlogPost", ["title:str:max_length=120:searchable=true", "reading_time:int:optional"], priority="high"
    )
    feature = build_feature(spec, "example")
    entity = feature.entities[0]
    found = [project_context("my-blog"), feature, entity, Expectations(entity), entity.fields[0], spec, entity.spec]
    found.append(entity.fields[0].spec)
    return {type(item): item for item in found}


def attributes(cls: type) -> list[tuple[str, str, str]]:
    """(name, type, description) of every public attribute a template can use."""
    found: list[tuple[str, str, str]] = []
    if dataclasses.is_dataclass(cls):
        for field in dataclasses.fields(cls):
            found.append((field.name, str(field.type), ""))
    elif issubclass(cls, BaseModel):
        for name, info in cls.model_fields.items():
            found.append((name, _type_name(info.annotation), info.description or ""))
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_") or any(name == f[0] for f in found):
            continue
        if isinstance(member, property) and member.fget is not None:
            found.append((name, str(member.fget.__annotations__.get("return", "")), _summary(member.fget)))
        elif inspect.isfunction(member):
            found.append((f"{name}(...)", str(member.__annotations__.get("return", "")), _summary(member)))
    return found


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _summary(function: Any) -> str:
    doc = inspect.getdoc(function) or ""
    return " ".join(doc.split("\n\n")[0].split())


def describe() -> str:
    """The whole reference as Markdown."""
    lines = ["# What prpgen's templates receive", ""]
    lines += ["Templates are Jinja2 with `StrictUndefined`: a misspelt name is an error naming the file and line.", ""]
    for template, variables in VARIABLES.items():
        lines.append(f"## {template}")
        lines += [f"- `{name}`: {meaning}" for name, meaning in variables.items()]
        lines.append("")
    lines.append("## Filters")
    lines += [f"- `{name}`: {meaning}" for name, meaning in FILTERS.items()]
    lines.append("")
    lines.append("## Globals")
    lines += [f"- `{name}`: {meaning}" for name, meaning in GLOBALS.items()]
    lines.append("")
    samples = examples()
    lines += [
        "Examples are for `prpgen new-entity BlogPost --field title:str:max_length=120:searchable=true "
        "--field reading_time:int:optional` in a project `my-blog`.",
        "",
    ]
    for cls in classes():
        lines += [f"## {cls.__name__}", "", "| attribute | type | example | meaning |", "| --- | --- | --- | --- |"]
        for name, kind, meaning in attributes(cls):
            example = _example(samples.get(cls), name)
            lines.append(f"| `{name}` | `{kind}` | {example} | {meaning.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def _example(instance: Any, name: str) -> str:
    """A short scalar value of the attribute on the example, in code style; otherwise nothing."""
    if instance is None or name.endswith("(...)"):
        return ""
    value = getattr(instance, name)
    if isinstance(value, bool | int | float) or (isinstance(value, str) and "\n" not in value and len(value) <= 48):
        return f"`{value!r}`".replace("|", "/")
    return ""
