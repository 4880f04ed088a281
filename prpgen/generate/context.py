"""Spec → immutable render context: the names, types, flags and access decisions the templates
print. The templates write the code; ruff lays it out (`formatting`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from prpgen import naming
from prpgen.errors import Problem, SpecError
from prpgen.generate.fields import (
    Check,
    EntityProblem,
    EnumContext,
    FieldContext,
    decimal_alias,
    field_context,
)
from prpgen.generate.tables import (
    SHAPE_VERSION,
    TableShape,
    index_columns,
    table_shape,
    trigram_indexes,
    unique_name,
    uniques,
)
from prpgen.spec.decimal_text import decimal_example, decimal_pattern
from prpgen.spec.feature import OPERATIONS, EntitySpec, FieldSpec, Spec
from prpgen.spec.relations import Inverse, Reference, ReferenceProblems, Target, resolve, spec_target

API_PREFIX = "/api/v1"
# Parameters and locals of the generated routes and services.
LOCAL_NAMES = frozenset({"data", "db", "values", "query", "service", "page", "filters", "current_user", "deleted"})


@dataclass(frozen=True)
class EntityContext:
    """One entity with every name the templates need."""

    spec: EntitySpec
    class_name: str
    module: str
    table: str
    route: str
    label: str
    label_plural: str
    fields: tuple[FieldContext, ...]
    shape: TableShape
    # name → columns: indexes over several columns (a single column's is its `index=True`), and
    # the unique sets a column's `unique=True` cannot say (with the owner's, or among live rows).
    composite_indexes: tuple[tuple[str, tuple[str, ...]], ...]
    table_uniques: tuple[tuple[str, tuple[str, ...]], ...]
    # name → column: the trigram index of each searchable field.
    trigram_indexes: tuple[tuple[str, str], ...]
    unique_constraints: tuple[tuple[str, str], ...]
    inverses: tuple[Inverse, ...] = ()

    @property
    def owned(self) -> bool:
        return self.spec.owned

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(check for f in self.fields for check in f.checks)

    @property
    def has_table_args(self) -> bool:
        """The model needs `__table_args__`: checks, indexes over several columns, or unique sets."""
        return bool(self.checks or self.composite_indexes or self.table_uniques or self.trigram_indexes)

    @property
    def soft_delete(self) -> bool:
        return self.spec.soft_delete

    @property
    def audit(self) -> bool:
        return self.spec.audit

    @property
    def timestamps(self) -> bool:
        return self.spec.timestamps

    @property
    def generated_columns(self) -> tuple[str, ...]:
        """Columns the API sets itself, which a payload may never carry: the table's columns
        that are no field's (the id, the owner, audit, soft delete and timestamp columns)."""
        fields = {f.input_name for f in self.fields}
        return tuple(name for name in self.shape.columns if name not in fields)

    def level(self, operation: str) -> str:
        return self.spec.level(operation)

    @property
    def access(self) -> dict[str, str]:
        return {operation: self.spec.level(operation) for operation in OPERATIONS}

    @property
    def access_by_level(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The operations grouped by who may do them (`("public", ("list", "read"))`), in the
        order operations are listed."""
        groups: dict[str, list[str]] = {}
        for operation in OPERATIONS:
            level = self.level(operation)
            # Creating a row makes its creator the owner: any signed-in user may.
            level = "user" if operation == "create" and level == "owner" else level
            groups.setdefault(level, []).append(operation)
        return tuple((level, tuple(operations)) for level, operations in groups.items())

    @property
    def needs_admin(self) -> bool:
        """Some operation is for admins only: the CRUD tests then act as an admin."""
        return "admin" in self.access.values()

    @property
    def owner_scoped(self) -> bool:
        """Every operation is the owner's (the default for owned entities)."""
        return self.owned and set(self.access.values()) == {"owner"}

    def user_dependency(self, operation: str) -> str | None:
        """The route's dependency for the caller (`CurrentUser`); None for a public route, except
        a soft-deleting entity's list, where an admin may ask for deleted rows too."""
        level = self.level(operation)
        if level == "public":
            return "OptionalUser" if operation == "list" and self.soft_delete else None
        return "AdminUser" if level == "admin" else "CurrentUser"

    def error_responses(self, route: str) -> list[str]:
        """The error responses a route documents (`app.schemas.common`'s names): its access
        rule's and its own."""
        operation = {"nested": "list", "restore": "update"}.get(route, route)
        level = "admin" if route == "restore" else self.level(operation)
        names = {"public": [], "admin": ["FORBIDDEN"]}.get(level, ["UNAUTHORIZED"])
        if operation == "list" and self.soft_delete and level != "admin":
            names = ["FORBIDDEN"]  # include_deleted is for admins
        conflict = ["CONFLICT"] if self.unique_fields else []
        # A write checks the rows it refers to, which a concurrent DELETE may remove before
        # the commit: a 409 as well.
        write_conflict = ["CONFLICT"] if self.unique_fields or self.ref_fields else []
        names += {
            "create": ["MALFORMED", *write_conflict],
            "nested": ["NOT_FOUND"],
            "read": ["NOT_FOUND"],
            "update": ["MALFORMED", "NOT_FOUND", *write_conflict],
            "delete": ["NOT_FOUND", *(["REFERENCED"] if self.restricted else [])],
            "restore": ["NOT_FOUND", *conflict],
        }.get(route, [])
        return names

    def nested_checks_reader(self, target: Target) -> bool:
        """A nested list (`/posts/{post_id}/comments`) finds its parent row by the parent's read
        rule: only the caller's own where it is `owner` (a public list cannot tell whose)."""
        return target.read == "owner" and self.level("list") != "public"

    @property
    def var(self) -> str:
        """The name of one row in routes and services: the module's name, unless a parameter or
        local of theirs already has it (`data`, the payload, for an entity named Data)."""
        return f"{self.module}_row" if self.module in LOCAL_NAMES else self.module

    @property
    def decimal_types(self) -> tuple[tuple[str, str, str], ...]:
        """(alias, pattern, example) of each decimal field: `("PriceDecimal", "^(?:...)$", "12.50")`."""
        found = []
        for f in self.fields:
            if f.spec.type == "decimal":
                bounds = (*f.spec.digits, f.spec.ge, f.spec.le)
                found.append((decimal_alias(f.name), decimal_pattern(*bounds), decimal_example(*bounds)))
        return tuple(found)

    @property
    def checks_reader(self) -> bool:
        """Some reference points at rows not every user may read: writes need who is writing."""
        return any(f.reference.target.restricts_readers for f in self.fields if f.reference)

    @property
    def related_models(self) -> tuple[tuple[str, str], ...]:
        """(module, class) of every other model the entity's relationships name: imported for
        the type checker only."""
        related = {(r.target.module, r.target.class_name) for r in self.references if not r.self_reference}
        related |= {(i.source_module, i.source_class) for i in self.inverses if i.source_class != self.class_name}
        return tuple(sorted(related))

    @property
    def target(self) -> Target:
        """The entity as the references of later features see it, with every attribute its model
        has (an inverse relationship added there must not take one of those names)."""
        target = spec_target(self.spec)
        names = {*self.generated_columns, *(i.name for i in self.inverses), *(f.input_name for f in self.many_fields)}
        return replace(target, attributes=target.attributes | names)

    @property
    def plain_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.fields if f.reference is None)

    @property
    def references(self) -> tuple[Reference, ...]:
        return tuple(f.reference for f in self.fields if f.reference is not None)

    @property
    def ref_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.fields if f.reference is not None and not f.reference.many)

    @property
    def many_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.fields if f.reference is not None and f.reference.many)

    @property
    def parents(self) -> tuple[Target, ...]:
        """The entities this one refers to (itself excluded), each once, in field order."""
        found: dict[str, Target] = {}
        for reference in self.references:
            if not reference.self_reference:
                found.setdefault(reference.target.class_name, reference.target)
        return tuple(found.values())

    @property
    def shared_targets(self) -> tuple[FieldContext, ...]:
        """`ref` fields whose target another `ref` of the entity has too: the tests' payloads
        point both at one row, so a test deleting one's row gives it a row of its own."""
        return tuple(f for f in self.ref_fields if f.reference is not None and f.reference.shares_target)

    @property
    def single_parents(self) -> tuple[Target, ...]:
        """The targets of `ref` fields (itself excluded), whose URLs the tests need."""
        wanted = {r.target.class_name for r in self.references if not r.many and not r.self_reference}
        return tuple(t for t in self.parents if t.class_name in wanted)

    @property
    def nested(self) -> tuple[FieldContext, ...]:
        """References listed from their target's side: `GET /posts/{post_id}/comments`."""
        return tuple(f for f in self.ref_fields if f.reference and f.reference.nested_route)

    @property
    def nested_targets(self) -> tuple[Target, ...]:
        found: dict[str, Target] = {}
        for f in self.nested:
            assert f.reference is not None
            found.setdefault(f.reference.target.class_name, f.reference.target)
        return tuple(found.values())

    @property
    def filter_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.fields if f.filterable)

    @property
    def plain_filter_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.filter_fields if f.reference is None)

    @property
    def search_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.fields if f.spec.searchable)

    @property
    def sort_keys(self) -> tuple[str, ...]:
        stamps = ("created_at", "updated_at") if self.timestamps else ()
        return ("id", *stamps, *(f.name for f in self.fields if f.sortable))

    @property
    def search_description(self) -> str:
        """The description of the list's `q` parameter (empty when no field is searchable)."""
        names = [f.name for f in self.search_fields]
        if not names:
            return ""
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"Case-insensitive search in {listed}"

    @property
    def id_param(self) -> str:
        return f"{self.module}_id"

    @property
    def service(self) -> str:
        return f"{self.class_name}Service"

    @property
    def plural(self) -> str:
        return self.table

    @property
    def endpoint_module(self) -> str:
        return self.table

    @property
    def enums(self) -> tuple[EnumContext, ...]:
        return tuple(f.enum for f in self.fields if f.enum)

    @property
    def nullable_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.fields if f.nullable)

    @property
    def required_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.fields if not f.nullable)

    @property
    def unique_fields(self) -> tuple[FieldContext, ...]:
        return tuple(f for f in self.fields if f.spec.unique)

    @property
    def first_field(self) -> FieldContext:
        return self.fields[0]

    @property
    def hidden_with(self) -> tuple[FieldContext, ...]:
        """`ref` fields with ON DELETE CASCADE to a soft-deleted entity: a row is hidden while
        the row it refers to is deleted, and comes back with it. A self-reference too: the
        children of a deleted category are hidden with it (SQLAlchemy aliases the table in
        `has()`)."""
        return tuple(
            f
            for f in self.ref_fields
            if f.reference and f.reference.on_delete == "CASCADE" and f.reference.target.soft_delete
        )

    @property
    def released_on_delete(self) -> tuple[Inverse, ...]:
        """Rows of any feature referring to this soft-deleted entity under RESTRICT or SET NULL:
        its DELETE refuses (409) while live ones refer to it, or clears their reference."""
        if not self.soft_delete:
            return ()
        return tuple(i for i in self.inverses if i.restricts or i.clears)

    @property
    def race_field(self) -> FieldContext | None:
        """The field the race tests change from a connection of their own: its two samples
        differ and read the same in JSON as in Python, so a test can write either directly."""
        plain = ("str", "text", "email", "int", "bigint")
        for field in self.fields:
            if field.spec.type in plain and field.samples[0] != field.samples[1]:
                return field
        return None

    @property
    def example_json(self) -> str:
        import json

        return json.dumps({f.name: f.samples[0] for f in self.plain_fields})

    @property
    def tag(self) -> str:
        return naming.kebab(self.table)

    @property
    def restricted(self) -> bool:
        return any(inverse.restricts for inverse in self.inverses)

    @property
    def required_without_default(self) -> bool:
        return any(f.spec.required and f.spec.default is None and f.spec.type != "ref_many" for f in self.fields)


@dataclass(frozen=True)
class FeatureContext:
    spec: Spec
    slug: str
    marker: str
    entities: tuple[EntityContext, ...]
    # The relationships this feature's references add to entities of earlier features.
    external_inverses: tuple[tuple[Inverse, Target], ...] = ()

    @property
    def private(self) -> bool:
        """Every row is its owner's alone: each entity is owned, and only owners list and read."""
        return all(e.owned and e.level("list") == e.level("read") == "owner" for e in self.entities)

    @property
    def public(self) -> bool:
        """Some operation needs no sign-in."""
        return any(level == "public" for e in self.entities for level in e.access.values())

    @property
    def uses_jsonb(self) -> bool:
        return any(f.spec.type == "json" for e in self.entities for f in e.fields)


def build_feature(
    spec: Spec, source: str, existing: Mapping[str, Target] | None = None, shape_version: int = SHAPE_VERSION
) -> FeatureContext:
    """Derive the render context of every entity of a spec; impossible names become a `SpecError`.

    `existing` are the entities already in the project, which references may point at;
    `shape_version` the table shapes' (`tables.SHAPE_VERSION`; older for migrations already written).
    """
    try:
        ordered, references = resolve(spec, existing or {})
    except ReferenceProblems as exc:
        raise SpecError(source, [spec.located(problem) for problem in exc.problems]) from None
    # An entity's module is its name in snake case (`D_x` → `d_x`), not its class's (`DX` → `dx`).
    modules = {naming.pascal(e.name): naming.snake(e.name) for e in spec.entities}
    soft = {naming.pascal(e.name) for e in spec.entities if e.soft_delete}
    inverses: dict[str, list[Inverse]] = {}
    for (source_class, name), reference in references.items():
        if reference.inverse is not None:
            inverses.setdefault(reference.target.class_name, []).append(
                Inverse(
                    reference.inverse,
                    source_class,
                    modules[source_class],
                    name,
                    restricts=reference.on_delete == "RESTRICT",
                    column=reference.column,
                    on_delete=reference.on_delete,
                    source_soft_delete=source_class in soft,
                    shares_target=reference.shares_target,
                )
            )
    problems: list[Problem] = []
    entities: list[EntityContext] = []
    for entity in ordered:
        index = spec.entities.index(entity)
        class_name = naming.pascal(entity.name)
        own = {name: r for (owner, name), r in references.items() if owner == class_name}
        try:
            entities.append(_entity(entity, own, tuple(inverses.get(class_name, ())), shape_version))
        except EntityProblem as exc:
            path: tuple[str | int, ...] = ("entities", index, *exc.where.removeprefix(".").split("."))
            problems.append(spec.located(Problem(f"entities[{index}] ({entity.name}){exc.where}", exc.message, path)))
    if problems:
        raise SpecError(source, problems)
    in_spec = {e.class_name for e in entities}
    external = tuple(
        (inverse, target)
        for target in {r.target.class_name: r.target for r in references.values()}.values()
        if target.class_name not in in_spec
        for inverse in inverses.get(target.class_name, ())
    )
    return FeatureContext(spec, spec.feature_slug, f"priority_{spec.priority}", tuple(entities), external)


def _entity(
    entity: EntitySpec, references: Mapping[str, Reference], inverses: tuple[Inverse, ...], shape_version: int
) -> EntityContext:
    class_name = naming.pascal(entity.name)
    module = naming.snake(entity.name)
    table = naming.table(entity.name, entity.plural)
    fields = tuple(
        field_context(module, name, spec, references.get(name), entity) for name, spec in _named_fields(entity)
    )
    shape = table_shape(table, fields, entity, shape_version)
    _check_identifier_lengths(shape)
    return EntityContext(
        spec=entity,
        class_name=class_name,
        module=module,
        table=table,
        route="/" + naming.kebab(table),
        label=module.replace("_", " "),
        label_plural=table.replace("_", " "),
        fields=fields,
        shape=shape,
        composite_indexes=tuple(
            (name, tuple(columns)) for name, columns in index_columns(table, fields, entity) if len(columns) > 1
        ),
        table_uniques=tuple(
            (unique_name(table, columns), columns)
            for _, columns in uniques(fields, entity)
            if entity.soft_delete or len(columns) > 1
        ),
        trigram_indexes=tuple(trigram_indexes(table, fields)),
        unique_constraints=tuple((unique_name(table, columns), f.name) for f, columns in uniques(fields, entity)),
        inverses=inverses,
    )


def _named_fields(entity: EntitySpec) -> list[tuple[str, FieldSpec]]:
    return [(naming.snake(raw), spec) for raw, spec in entity.fields.items()]


def _check_identifier_lengths(shape: TableShape) -> None:
    seen: set[str] = set()
    for name in shape.identifiers:
        if name in seen:
            # An indexed field `title_trgm` beside a searchable `title`, say.
            raise EntityProblem(
                "", f"two of the table's constraints or indexes would both be named '{name}'; rename a field"
            )
        seen.add(name)
        if len(name.encode()) > naming.PG_MAX_IDENTIFIER:
            raise EntityProblem(
                "",
                f"the generated SQL name '{name}' is longer than PostgreSQL's 63 bytes; "
                "shorten the entity or field name",
            )


def file_tree(paths: Sequence[str]) -> str:
    """An indented listing of `paths` in the style of `tree`, directories before their files."""
    root: dict[str, Any] = {}
    for path in paths:
        node = root
        *directories, name = path.split("/")
        for directory in directories:
            node = node.setdefault(directory + "/", {})
        node[name] = {}
    lines: list[str] = []

    def walk(node: dict[str, Any], prefix: str) -> None:
        entries = sorted(node, key=lambda key: (not key.endswith("/"), key))
        for index, key in enumerate(entries):
            last = index == len(entries) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{key}")
            walk(node[key], prefix + ("    " if last else "│   "))

    walk(root, "")
    return "\n".join(lines)
