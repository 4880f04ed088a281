"""Spec → immutable render context: everything the templates print, already named and laid out.

Templates stay thin: they loop over these objects and print their fields. Python fragments whose
length depends on user data are laid out here with `pyfmt`, so the output is `ruff format` clean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prpgen import naming
from prpgen.errors import Problem, SpecError
from prpgen.migrations import (
    EMAIL_LENGTH,
    URL_LENGTH,
    migration_drops,
    migration_indexes,
    migration_table,
    server_default,
)
from prpgen.pyfmt import Arg, Call, Collection, call, fit, import_from, kw, md_code, py_literal, py_str, statement
from prpgen.relations import Inverse, Reference, ReferenceProblems, Target, resolve
from prpgen.samples import MISSING, Case, NoSample, cases, reference_cases, sample
from prpgen.spec import INTEGER_RANGE, OPERATIONS, EntitySpec, FieldSpec, Spec, written

# Heads the relationships of a model, in the template and where `new-entity` adds one later.
RELATIONSHIPS_COMMENT = (
    '    # Relationships never load on access (lazy="raise"): a query that needs one says so\n'
    "    # with selectinload, so async code cannot trigger hidden I/O."
)
# At most this many ids in one `ref_many` list: a request must stay one bounded query.
MAX_REFERENCES = 100

API_PREFIX = "/api/v1"

_MODEL_TYPE = {
    "str": "str",
    "text": "str",
    "email": "str",
    "url": "str",
    "int": "int",
    "bigint": "int",
    "float": "float",
    "decimal": "Decimal",
    "bool": "bool",
    "date": "dt.date",
    "datetime": "dt.datetime",
    "time": "dt.time",
    "uuid": "UUID",
    "json": "dict[str, Any]",
}
_INPUT_TYPE = {
    **_MODEL_TYPE,
    "email": "EmailStr",
    "url": "HttpUrlStr",
    "int": "Int32",
    "bigint": "Int64",
    "datetime": "Timestamp",
    "time": "LocalTime",
}
_RESPONSE_TYPE = {**_MODEL_TYPE, "time": "LocalTime"}
# How each Python type used in a generated class is imported. Date and time types are reached
# through `dt.` because fields named `date` or `time` would shadow them in the class body.
_TYPE_IMPORTS: dict[str, tuple[str, str]] = {
    "Decimal": ("decimal", "Decimal"),
    "dt.date": ("datetime as dt", ""),
    "dt.datetime": ("datetime as dt", ""),
    "dt.time": ("datetime as dt", ""),
    "UUID": ("uuid", "UUID"),
    "dict[str, Any]": ("typing", "Any"),
}


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: str


@dataclass(frozen=True)
class EnumContext:
    class_name: str
    type_name: str
    members: tuple[EnumMember, ...]

    def member(self, value: str) -> str:
        return next(f"{self.class_name}.{m.name}" for m in self.members if m.value == value)


@dataclass(frozen=True)
class Check:
    name: str
    sql: str


@dataclass(frozen=True)
class FieldContext:
    name: str
    spec: FieldSpec
    enum: EnumContext | None
    model_line: str
    create_line: str
    update_line: str
    response_line: str
    checks: tuple[Check, ...]
    samples: tuple[Any, Any]
    cases: tuple[Case, ...]
    reference: Reference | None = None
    relationship_line: str = ""

    @property
    def nullable(self) -> bool:
        return not self.spec.required and self.spec.type != "ref_many"

    @property
    def input_name(self) -> str:
        """The key in payloads and responses: `category_id` for the reference `category`."""
        return self.reference.column if self.reference else self.name

    @property
    def filterable(self) -> bool:
        """Equality filters go where an index serves them, and on enums, booleans and references."""
        spec = self.spec
        if spec.type in {"json", "ref_many"}:
            return False
        return spec.type in {"ref", "enum", "bool"} or spec.index or spec.unique

    @property
    def sortable(self) -> bool:
        return self.spec.type not in {"json", "text", "ref", "ref_many"}

    @property
    def filter_line(self) -> str:
        spec = self.spec
        if self.reference is not None:
            base = "ReferenceId"
        elif self.enum is not None:
            base = self.enum.class_name
        else:
            base = _INPUT_TYPE[spec.type]
        if spec.type in {"str", "text"}:
            limit = kw("max_length", str(spec.length_limit))
            return statement(f"{self.input_name}: {base} | None = ", call("Field", kw("default", "None"), limit), 1)
        return f"{self.input_name}: {base} | None = None"

    @property
    def summary(self) -> str:
        """The field's constraints in words, for the PRP's field table."""
        spec = self.spec
        parts = []
        if self.reference is not None:
            target = self.reference.target.class_name
            if self.reference.many:
                return f"ids of {target} rows, at most {MAX_REFERENCES}"
            rule = self.reference.on_delete.lower()
            return f"id of a {target}; on delete: {rule}"
        if spec.type == "enum":
            parts.append("one of " + ", ".join(md_code(value) for value in spec.values or []))
        if spec.min_length is not None:
            parts.append(f"at least {_characters(spec.min_length)}")
        if spec.length_limit is not None and spec.type in {"str", "text"}:
            parts.append(f"at most {_characters(spec.length_limit)}")
        if spec.pattern is not None:
            parts.append(f"matches {md_code(spec.pattern)}")
        if spec.ge is not None:
            parts.append(f"≥ {spec.ge}")
        if spec.le is not None:
            parts.append(f"≤ {spec.le}")
        if spec.type == "decimal":
            parts.append("{} digits, {} after the point".format(*spec.digits))
        if spec.unique:
            parts.append("unique")
        if spec.index:
            parts.append("indexed")
        if spec.default is not None:
            default = spec.default if isinstance(spec.default, str) else written(spec.default)
            parts.append(f"default {md_code(default)}")
        return "; ".join(parts) or "-"


def inverse_line(inverse: Inverse) -> str:
    """`comments: Mapped[list["Comment"]] = relationship(...)` on the referenced model. The
    database applies ON DELETE itself (`passive_deletes`), so the ORM never loads the rows."""
    relationship = call(
        "relationship", back_populates=py_str(inverse.back_populates), lazy='"raise"', passive_deletes="True"
    )
    return statement(f'{inverse.name}: Mapped[list["{inverse.source_class}"]] = ', relationship, 1)


def _characters(count: int) -> str:
    return f"{count} character" if count == 1 else f"{count} characters"


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
    model_imports: str
    schema_imports: str
    table_args: str
    unique_constraints: tuple[tuple[str, str], ...]
    migration_table: str
    migration_indexes: tuple[str, ...]
    migration_drops: tuple[str, ...]
    valid_payloads: tuple[str, str]
    create_cases: str
    inverses: tuple[Inverse, ...] = ()

    @property
    def owned(self) -> bool:
        return self.spec.owned

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
        """Columns the API sets itself, which a payload may never carry."""
        columns = ["id"]
        columns += ["created_at", "updated_at"] if self.timestamps else []
        columns += ["user_id"] if self.owned else []
        columns += ["created_by_id", "updated_by_id"] if self.audit else []
        columns += ["deleted_at"] if self.soft_delete else []
        return tuple(columns)

    def level(self, operation: str) -> str:
        return self.spec.level(operation)

    @property
    def access(self) -> dict[str, str]:
        return {operation: self.spec.level(operation) for operation in OPERATIONS}

    @property
    def needs_admin(self) -> bool:
        """Some operation is for admins only: the CRUD tests then act as an admin."""
        return "admin" in self.access.values()

    @property
    def owner_scoped(self) -> bool:
        """Every operation is the owner's (the default for owned entities)."""
        return self.owned and set(self.access.values()) == {"owner"}

    def user_param(self, operation: str) -> str:
        """The route's parameter for the caller: none for public routes."""
        level = self.level(operation)
        if level == "public":
            return ", current_user: OptionalUser" if operation == "list" and self.soft_delete else ""
        return ", current_user: AdminUser" if level == "admin" else ", current_user: CurrentUser"

    def scope(self, operation: str) -> str:
        """The `user_id=` a route passes its service: which owner's rows it may touch."""
        if not self.owned:
            return ""
        if operation == "create":
            return ", user_id=current_user.id"
        return ", user_id=owner_scope(current_user)" if self.level(operation) == "owner" else ", user_id=None"

    def _response_names(self, route: str) -> list[str]:
        operation = {"nested": "list", "restore": "update"}.get(route, route)
        level = "admin" if route == "restore" else self.level(operation)
        names = {"public": [], "admin": ["FORBIDDEN"]}.get(level, ["UNAUTHORIZED"])
        if operation == "list" and self.soft_delete and level != "admin":
            names = ["FORBIDDEN"]  # include_deleted is for admins
        conflict = ["CONFLICT"] if self.unique_fields else []
        names += {
            "create": ["MALFORMED", *conflict],
            "nested": ["NOT_FOUND"],
            "read": ["NOT_FOUND"],
            "update": ["MALFORMED", "NOT_FOUND", *conflict],
            "delete": ["NOT_FOUND", *(["REFERENCED"] if self.restricted else [])],
            "restore": ["NOT_FOUND", *conflict],
        }.get(route, [])
        return names

    def responses(self, route: str) -> str:
        """`, responses=...` of a route: its access rule's errors and its own."""
        names = self._response_names(route)
        if not names:
            return ""
        if len(names) == 1:
            return f", responses={names[0]}"
        return ", responses={" + ", ".join(f"**{name}" for name in names) + "}"

    def expected_status(self, operation: str, role: str) -> int:
        """What the access table test expects of `role` doing `operation` on the owner's row."""
        success = {"list": 200, "read": 200, "create": 201, "update": 200, "delete": 204}[operation]
        level = self.level(operation)
        if level == "public" or role == "admin":
            return success
        if role == "anonymous":
            return 401
        if level == "admin":
            return 403
        if level == "owner" and role == "user" and operation in {"read", "update", "delete"}:
            return 404
        return success

    def lookups(self, operation: str) -> int:
        """Statements a route spends on the caller: the user's lookup, unless it is public."""
        return 1 if self.user_param(operation) else 0

    @property
    def access_cases(self) -> str:
        """The `@pytest.mark.parametrize(...)` of the access table: every operation for every role."""
        rows = tuple(
            call(
                "pytest.param", py_str(op), py_str(role), str(self.expected_status(op, role)), id=py_str(f"{op}-{role}")
            )
            for op in OPERATIONS
            for role in self.roles
        )
        names = '("operation", "role", "expected")'
        return statement("@", call("pytest.mark.parametrize", names, Collection("[", "]", rows)), 0)

    @property
    def roles(self) -> tuple[str, ...]:
        return ("anonymous", "user", "owner", "admin") if self.owned else ("anonymous", "user", "admin")

    @property
    def service_sqlalchemy_import(self) -> str:
        names = ["ColumnElement", "func", "select"]
        names += ["or_"] if self.search_fields else []
        names += [] if self.soft_delete else ["delete"]
        names += ["update"] if self.soft_delete or not self.many_fields else []
        return import_from("sqlalchemy", names)

    def visible(self, target: Target) -> str:
        """The clauses a referenced row must meet besides its id: the owner's, and not deleted."""
        clauses = []
        if target.owned and self.owned:
            clauses.append(f"*owned_by({target.class_name}.user_id, user_id)")
        if target.soft_delete:
            clauses.append(f"{target.class_name}.deleted_at.is_(None)")
        if not clauses:
            return "()"
        return "(" + ", ".join(clauses) + ("," if len(clauses) == 1 else "") + ")"

    @property
    def references_import(self) -> str:
        names = ["Reference", "check_references"]
        names += ["load_references"] if self.many_fields else []
        if self.owned and any(f.reference.target.owned for f in self.fields if f.reference):
            names.append("owned_by")
        return import_from("app.services.references", names)

    @property
    def load_options(self) -> str:
        """`.options(selectinload(...))` for every `ref_many` a response lists, or nothing."""
        loads = ", ".join(f"selectinload({self.class_name}.{f.name})" for f in self.many_fields)
        return f".options({loads})" if loads else ""

    @property
    def relationships_comment(self) -> str:
        return RELATIONSHIPS_COMMENT.strip()

    @property
    def inverse_lines(self) -> tuple[str, ...]:
        return tuple(inverse_line(inverse) for inverse in self.inverses)

    @property
    def link_tables(self) -> tuple[str, ...]:
        """The `Table(...)` of each `ref_many`, at module level before the class."""
        tables = []
        for reference in self.references:
            link = reference.association
            if link is None:
                continue
            columns = (
                call(
                    "Column",
                    py_str(link.source_column),
                    call("ForeignKey", py_str(f"{self.table}.id"), ondelete='"CASCADE"'),
                    primary_key="True",
                ),
                call(
                    "Column",
                    py_str(link.target_column),
                    call("ForeignKey", py_str(f"{reference.target.table}.id"), ondelete='"CASCADE"'),
                    primary_key="True",
                    index="True",
                ),
            )
            table = Call("Table", (py_str(link.table), "Base.metadata", *columns))
            tables.append(statement(f"{link.table} = ", table, 0))
        return tuple(tables)

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
    def sort_literal(self) -> str:
        values = tuple(py_str(f"{sign}{key}") for key in self.sort_keys for sign in ("", "-"))
        return statement(f"{self.class_name}Sort = ", Collection("Literal[", "]", values), 0)

    @property
    def search_description(self) -> str:
        names = [f.name for f in self.search_fields]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"Case-insensitive search in {listed}"

    @property
    def statements(self) -> dict[str, int]:
        """SQL statements per request, after the signed-in user's lookup (what the tests assert).

        Reading a row loads each `ref_many` with one more SELECT (selectinload); a write checks
        the referenced rows in one query, and each `ref_many` list costs a SELECT of its rows and
        an INSERT of its links. Counted for the tests' payloads, which leave self-references out.
        """
        many = len(self.many_fields)
        check = 1 if any(f.reference and not f.reference.self_reference for f in self.ref_fields) else 0
        create = check + many + 1 + many
        # A full replace with different links: the row and its links are read, the scalar
        # references checked, the new targets read, then UPDATE, DELETE and INSERT of links.
        replace = (1 + many + check + many + 1 + 2 * many) if many else check + 1
        return {
            "list": 2 + many,
            "get": 1 + many,
            "create": create,
            "replace": replace,
            "delete": 1,
        }

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
    def router_deps_import(self) -> str:
        names = {"Pagination", "PaginationDep", "RowId", "SessionDep", "not_found"}
        operations = [*OPERATIONS, "list"]
        for operation in operations:
            names.add(self.user_param(operation).split(": ")[-1] if self.user_param(operation) else "")
            if "owner_scope" in self.scope(operation):
                names.add("owner_scope")
        if self.soft_delete:
            names |= {"AdminUser", "forbidden"}
        if self.nested and self.level("list") == "owner":
            names.add("owner_scope")
        return import_from("app.api.deps", sorted(names - {""}))

    @property
    def router_schema_imports(self) -> str:
        """The router's two `app.schemas` imports, in isort's order (`category` < `common` < `post`)."""
        routes = ["create", "list", "read", "update", "delete"]
        routes += ["nested"] if self.nested else []
        routes += ["restore"] if self.soft_delete else []
        common = sorted({name for route in routes for name in self._response_names(route)})
        own = [f"{self.class_name}{suffix}" for suffix in ("Create", "Filters", "List", "Response", "Update")]
        imports = _Imports()
        imports.add("app.schemas.common", *common)
        imports.add(f"app.schemas.{self.module}", *own)
        return imports.render()

    @property
    def required_without_default(self) -> bool:
        return any(f.spec.required and f.spec.default is None and f.spec.type != "ref_many" for f in self.fields)

    @property
    def not_null_decorator(self) -> str:
        names = ", ".join(py_str(f.input_name) for f in self.required_fields)
        return fit(f"@field_validator({names})", 1)


@dataclass(frozen=True)
class FeatureContext:
    spec: Spec
    slug: str
    marker: str
    entities: tuple[EntityContext, ...]
    # Inverse relationships to add to models generated by an earlier run.
    external_inverses: tuple[tuple[Target, Inverse], ...] = ()

    @property
    def uses_jsonb(self) -> bool:
        return any(f.spec.type == "json" for e in self.entities for f in e.fields)


def build_feature(spec: Spec, source: str, existing: Mapping[str, Target] | None = None) -> FeatureContext:
    """Derive the render context of every entity of a spec; impossible names become a `SpecError`.

    `existing` are the entities already in the project, which references may point at.
    """
    try:
        ordered, references = resolve(spec, existing or {})
    except ReferenceProblems as exc:
        raise SpecError(source, exc.problems) from None
    inverses: dict[str, list[Inverse]] = {}
    for (source_class, name), reference in references.items():
        if reference.inverse is not None:
            inverses.setdefault(reference.target.class_name, []).append(
                Inverse(
                    reference.inverse,
                    source_class,
                    naming.snake(source_class),
                    name,
                    restricts=reference.on_delete == "RESTRICT",
                )
            )
    problems: list[Problem] = []
    entities: list[EntityContext] = []
    for entity in ordered:
        index = spec.entities.index(entity)
        class_name = naming.pascal(entity.name)
        own = {name: r for (owner, name), r in references.items() if owner == class_name}
        try:
            entities.append(_entity(entity, own, tuple(inverses.get(class_name, ()))))
        except _EntityProblem as exc:
            problems.append(Problem(f"entities[{index}] ({entity.name}){exc.where}", exc.message))
    if problems:
        raise SpecError(source, problems)
    in_spec = {e.class_name for e in entities}
    external = tuple(
        (r.target, Inverse(r.inverse, source_class, naming.snake(source_class), name))
        for (source_class, name), r in references.items()
        if r.inverse is not None and r.target.class_name not in in_spec
    )
    return FeatureContext(spec, spec.feature_slug, f"priority_{spec.priority}", tuple(entities), external)


class _EntityProblem(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def _entity(entity: EntitySpec, references: Mapping[str, Reference], inverses: tuple[Inverse, ...]) -> EntityContext:
    class_name = naming.pascal(entity.name)
    module = naming.snake(entity.name)
    table = naming.table(entity.name, entity.plural)
    fields = tuple(
        _field(module, name, spec, references.get(name), class_name, entity.soft_delete)
        for name, spec in _named_fields(entity)
    )
    _check_identifier_lengths(table, fields, entity)
    checks = [check for f in fields for check in f.checks]
    table_args = [call("CheckConstraint", py_str(c.sql), name=py_str(c.name)) for c in checks]
    if entity.owned:
        table_args.append(call("Index", py_str(f"ix_{table}_user_id_id"), py_str("user_id"), py_str("id")))
    for f in fields:
        if f.spec.unique and entity.soft_delete:
            # Soft-deleted rows keep their values; uniqueness holds among the live rows only.
            where = call("text", py_str("deleted_at IS NULL"))
            name = py_str(f"uq_{table}_{f.name}")
            table_args.append(call("Index", name, py_str(f.name), unique="True", postgresql_where=where))
    return EntityContext(
        spec=entity,
        class_name=class_name,
        module=module,
        table=table,
        route="/" + naming.kebab(table),
        label=module.replace("_", " "),
        label_plural=table.replace("_", " "),
        fields=fields,
        model_imports=_model_imports(class_name, fields, entity, inverses),
        schema_imports=_schema_imports(module, fields, entity),
        table_args=statement("__table_args__ = ", Collection("(", ")", tuple(table_args)), 1) if table_args else "",
        unique_constraints=tuple((f"uq_{table}_{f.name}", f.name) for f in fields if f.spec.unique),
        migration_table=migration_table(table, fields, entity),
        migration_indexes=migration_indexes(table, fields, entity),
        migration_drops=migration_drops(table, fields, entity),
        valid_payloads=(_payload(fields, 0), _payload(fields, 1)),
        create_cases=_cases(fields),
        inverses=inverses,
    )


def _named_fields(entity: EntitySpec) -> list[tuple[str, FieldSpec]]:
    return [(naming.snake(raw), spec) for raw, spec in entity.fields.items()]


def _check_identifier_lengths(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> None:
    names = [f"pk_{table}", f"ix_{table}_created_at"]
    if entity.owned:
        names += [f"ix_{table}_user_id_id", f"fk_{table}_user_id_users"]
    if entity.audit:
        names += [f"fk_{table}_created_by_id_users", f"fk_{table}_updated_by_id_users"]
    for f in fields:
        names += [f"ck_{table}_{check.name}" for check in f.checks]
        if f.spec.unique:
            names.append(f"uq_{table}_{f.name}")
        if f.spec.index:
            names.append(f"ix_{table}_{f.name}")
        reference = f.reference
        if reference is not None and reference.association is None:
            names += [f"ix_{table}_{reference.column}", f"fk_{table}_{reference.column}_{reference.target.table}"]
        elif reference is not None and reference.association is not None:
            link = reference.association
            names += [f"pk_{link.table}", f"ix_{link.table}_{link.target_column}"]
            names += [f"fk_{link.table}_{link.source_column}_{table}"]
            names += [f"fk_{link.table}_{link.target_column}_{reference.target.table}"]
    for name in names:
        if len(name.encode()) > naming.PG_MAX_IDENTIFIER:
            raise _EntityProblem(
                "",
                f"the generated SQL name '{name}' is longer than PostgreSQL's 63 bytes; "
                "shorten the entity or field name",
            )


def _field(
    module: str, name: str, spec: FieldSpec, reference: Reference | None, class_name: str, soft_delete: bool
) -> FieldContext:
    if reference is not None:
        return _reference_field(name, spec, reference, class_name)
    enum = _enum(module, name, spec) if spec.type == "enum" else None
    try:
        samples = (sample(name, spec, 0), sample(name, spec, 1))
    except NoSample as exc:
        raise _EntityProblem(f".fields.{name}", str(exc)) from None
    return FieldContext(
        name=name,
        spec=spec,
        enum=enum,
        model_line=_model_line(name, spec, enum, column_unique=spec.unique and not soft_delete),
        create_line=_create_line(name, spec, enum),
        update_line=_update_line(name, spec, enum),
        response_line=f"{name}: {_annotation(enum.class_name if enum else _RESPONSE_TYPE[spec.type], spec)}",
        checks=_checks(name, spec),
        samples=samples,
        cases=tuple(cases(name, spec)),
    )


def _reference_field(name: str, spec: FieldSpec, reference: Reference, class_name: str) -> FieldContext:
    target = reference.target.class_name
    column = reference.column
    docs = _docs(spec)
    if reference.many:
        assert reference.association is not None
        model_line = ""
        relationship = call(
            "relationship",
            secondary=reference.association.table,
            order_by=py_str(f"{target}.id"),
            lazy='"raise"',
        )
        annotation = f'list["{target}"]'
        limit = kw("max_length", str(MAX_REFERENCES))
        create_line = statement(
            f"{column}: list[ReferenceId] = ", Call("Field", (kw("default_factory", "list"), limit, *docs)), 1
        )
        update_line = statement(
            f"{column}: list[ReferenceId] | None = ", Call("Field", (kw("default", "None"), limit, *docs)), 1
        )
        response_line = f"{column}: list[int]"
    else:
        optional = " | None" if not spec.required else ""
        foreign_key = call("ForeignKey", py_str(f"{reference.target.table}.id"), ondelete=py_str(reference.on_delete))
        model_line = statement(
            f"{column}: Mapped[int{optional}] = ", call("mapped_column", foreign_key, index="True"), 1
        )
        relationship = call(
            "relationship",
            back_populates=py_str(reference.inverse or ""),
            remote_side=py_str(f"{class_name}.id") if reference.self_reference else None,
            lazy='"raise"',
        )
        annotation = f'"{target}{optional}"'
        default = None if spec.required else "None"
        if docs:
            args = ([kw("default", default)] if default else []) + docs
            create_line = statement(f"{column}: ReferenceId{optional} = ", Call("Field", tuple(args)), 1)
        else:
            create_line = f"{column}: ReferenceId{optional}" + (f" = {default}" if default else "")
        update_line = (
            statement(f"{column}: ReferenceId | None = ", Call("Field", (kw("default", "None"), *docs)), 1)
            if docs
            else f"{column}: ReferenceId | None = None"
        )
        response_line = f"{column}: int{optional}"
    return FieldContext(
        name=name,
        spec=spec,
        enum=None,
        model_line=model_line,
        create_line=create_line,
        update_line=update_line,
        response_line=response_line,
        checks=(),
        samples=(None, None),
        cases=tuple(reference_cases(column, spec)),
        reference=reference,
        relationship_line=statement(f"{name}: Mapped[{annotation}] = ", relationship, 1),
    )


def _enum(module: str, name: str, spec: FieldSpec) -> EnumContext:
    values = spec.values or []
    members: list[EnumMember] = []
    used: set[str] = set()
    for index, value in enumerate(values):
        member = naming.snake(value).upper()
        if not naming.is_identifier(member) or member in used or naming.is_python_keyword(member.lower()):
            member = f"VALUE_{index + 1}"
        used.add(member)
        members.append(EnumMember(member, value))
    return EnumContext(naming.pascal(f"{module}_{name}"), f"{module}_{name}", tuple(members))


def _annotation(base: str, spec: FieldSpec) -> str:
    return f"{base} | None" if not spec.required else base


def _column_type(spec: FieldSpec, enum: EnumContext | None) -> str | Call | None:
    kind = spec.type
    if kind == "str":
        return f"String({spec.length_limit})"
    if kind == "text":
        return "Text"
    if kind == "email":
        return f"String({EMAIL_LENGTH})"
    if kind == "url":
        return f"String({URL_LENGTH})"
    if kind == "bigint":
        return "BigInteger"
    if kind == "decimal":
        return "Numeric({}, {})".format(*spec.digits)
    if kind == "datetime":
        return "DateTime(timezone=True)"
    if kind == "json":
        return "JSONB"
    if enum is not None:
        return call(
            "Enum",
            enum.class_name,
            name=py_str(enum.type_name),
            native_enum="False",
            create_constraint="True",
            length=str(max(len(m.value) for m in enum.members)),
            values_callable="enum_values",
        )
    return None


def _model_line(name: str, spec: FieldSpec, enum: EnumContext | None, *, column_unique: bool) -> str:
    args: list[str | Call | Collection | Arg] = []
    column_type = _column_type(spec, enum)
    if column_type is not None:
        args.append(column_type)
    if column_unique:
        args.append(kw("unique", "True"))
    if spec.index:
        args.append(kw("index", "True"))
    default = server_default(spec)
    if default is not None:
        args.append(kw("server_default", default))
    base = enum.class_name if enum else _MODEL_TYPE[spec.type]
    annotation = f"{name}: Mapped[{_annotation(base, spec)}]"
    if not args:
        # The annotation alone says it all: type from Python, nullability from `| None`.
        return annotation
    return statement(f"{annotation} = ", Call("mapped_column", tuple(args)), 1)


def _default_source(spec: FieldSpec, enum: EnumContext | None) -> str | None:
    if spec.default is None:
        return None if spec.required else "None"
    if enum is not None:
        return enum.member(spec.default)
    if spec.type == "decimal":
        return f"Decimal({py_str(str(spec.default))})"
    return py_literal(spec.default)


def _constraints(spec: FieldSpec) -> list[Arg]:
    args: list[Arg] = []
    if spec.min_length is not None:
        args.append(kw("min_length", str(spec.min_length)))
    limit = spec.length_limit if spec.type in {"str", "text"} else None
    if limit is not None:
        args.append(kw("max_length", str(limit)))
    if spec.pattern is not None:
        args.append(kw("pattern", py_str(spec.pattern)))
    low, high = spec.ge, spec.le
    if spec.type in INTEGER_RANGE and (low is not None or high is not None):
        # Explicit bounds replace the Int32/Int64 alias; the column's range fills the open side.
        low = INTEGER_RANGE[spec.type][0] if low is None else low
        high = INTEGER_RANGE[spec.type][1] if high is None else high
    if low is not None:
        args.append(kw("ge", _bound(low)))
    if high is not None:
        args.append(kw("le", _bound(high)))
    if spec.type == "decimal":
        digits, places = spec.digits
        args += [kw("max_digits", str(digits)), kw("decimal_places", str(places))]
    if spec.type == "float":
        args.append(kw("allow_inf_nan", "False"))
    return args


_COLUMN_BOUNDS = {-(2**31): "-(2**31)", 2**31 - 1: "2**31 - 1", -(2**63): "-(2**63)", 2**63 - 1: "2**63 - 1"}


def _bound(value: int | float) -> str:
    """A bound as source: the integer columns' limits read as powers of two."""
    if isinstance(value, int) and value in _COLUMN_BOUNDS:
        return _COLUMN_BOUNDS[value]
    return py_literal(value)


def _docs(spec: FieldSpec) -> list[Arg]:
    args: list[Arg] = []
    if spec.description:
        args.append(kw("description", py_str(spec.description)))
    if spec.example is not None:
        args.append(kw("examples", Collection("[", "]", (py_literal(spec.example),))))
    return args


def _input_type(spec: FieldSpec, enum: EnumContext | None) -> str:
    if enum is not None:
        return enum.class_name
    if spec.type in INTEGER_RANGE and (spec.ge is not None or spec.le is not None):
        return "int"
    return _INPUT_TYPE[spec.type]


def _create_line(name: str, spec: FieldSpec, enum: EnumContext | None) -> str:
    base = _input_type(spec, enum)
    annotation = _annotation(base, spec)
    default = _default_source(spec, enum)
    extra = _constraints(spec) + _docs(spec)
    if not extra:
        return f"{name}: {annotation}" + (f" = {default}" if default else "")
    args = ([kw("default", default)] if default else []) + extra
    return statement(f"{name}: {annotation} = ", Call("Field", tuple(args)), 1)


def _update_line(name: str, spec: FieldSpec, enum: EnumContext | None) -> str:
    base = _input_type(spec, enum)
    extra = _constraints(spec) + _docs(spec)
    if not extra:
        return f"{name}: {base} | None = None"
    return statement(f"{name}: {base} | None = ", Call("Field", (kw("default", "None"), *extra)), 1)


def _checks(name: str, spec: FieldSpec) -> tuple[Check, ...]:
    column = naming.sql_identifier(name)
    checks: list[Check] = []
    if spec.min_length:
        checks.append(Check(f"{name}_min_length", f"char_length({column}) >= {spec.min_length}"))
    if spec.type == "text" and spec.max_length is not None:
        checks.append(Check(f"{name}_max_length", f"char_length({column}) <= {spec.max_length}"))
    if spec.ge is not None:
        checks.append(Check(f"{name}_ge", f"{column} >= {spec.ge}"))
    if spec.le is not None:
        checks.append(Check(f"{name}_le", f"{column} <= {spec.le}"))
    return tuple(checks)


class _Imports:
    """Collects imports and prints them as isort does: stdlib, third party, first party."""

    STDLIB = frozenset({"datetime", "decimal", "enum", "typing", "uuid"})

    def __init__(self) -> None:
        self.plain: set[str] = set()
        self.names: dict[str, set[str]] = {}

    def add(self, module: str, *names: str) -> None:
        if names and names[0]:
            self.names.setdefault(module, set()).update(names)
        else:
            self.plain.add(module)

    def add_type(self, python_type: str) -> None:
        if python_type in _TYPE_IMPORTS:
            self.add(*_TYPE_IMPORTS[python_type])

    def render(self) -> str:
        sections: list[str] = []
        for section in ("stdlib", "third", "first"):
            lines = [f"import {m}" for m in sorted(self.plain) if self._section(m) == section]
            lines += [
                import_from(module, names)
                for module, names in sorted(self.names.items())
                if names and self._section(module) == section
            ]
            if lines:
                sections.append("\n".join(lines))
        return "\n\n".join(sections)

    def _section(self, module: str) -> str:
        root = module.split(".")[0].split(" ")[0]
        if root in self.STDLIB:
            return "stdlib"
        return "first" if root == "app" else "third"


def _model_imports(
    class_name: str, fields: Sequence[FieldContext], entity: EntitySpec, inverses: Sequence[Inverse]
) -> str:
    owned = entity.owned
    imports = _Imports()
    imports.add("sqlalchemy.orm", "Mapped", "mapped_column")
    imports.add("app.models.base", "Base")
    if entity.timestamps:
        imports.add("app.models.base", "TimestampMixin")
    if entity.soft_delete:
        imports.add("datetime as dt")
        imports.add("sqlalchemy", "DateTime")
        if any(f.spec.unique for f in fields):
            imports.add("sqlalchemy", "Index", "text")
    if entity.audit:
        imports.add("sqlalchemy", "ForeignKey")
    for f in fields:
        if f.reference is not None:
            imports.add("sqlalchemy.orm", "relationship")
            if f.reference.many:
                imports.add("sqlalchemy", "Column", "ForeignKey", "Table")
            else:
                imports.add("sqlalchemy", "ForeignKey")
            continue
        imports.add_type(_MODEL_TYPE.get(f.spec.type, ""))
        if f.enum:
            imports.add("enum", "StrEnum")
            imports.add("sqlalchemy", "Enum")
            imports.add("app.models.base", "enum_values")
        column = _column_type(f.spec, f.enum)
        if isinstance(column, str):
            head = column.split("(")[0]
            if head == "JSONB":
                imports.add("sqlalchemy.dialects.postgresql", "JSONB")
            else:
                imports.add("sqlalchemy", head)
        if f.spec.default is not None and not isinstance(server_default(f.spec), str):
            imports.add("sqlalchemy as sa")
        if f.checks:
            imports.add("sqlalchemy", "CheckConstraint")
    if inverses:
        imports.add("sqlalchemy.orm", "relationship")
    if owned:
        imports.add("sqlalchemy", "ForeignKey", "Index")
    related = _Imports()
    for f in fields:
        if f.reference is not None and not f.reference.self_reference:
            related.add(f"app.models.{f.reference.target.module}", f.reference.target.class_name)
    for inverse in inverses:
        if inverse.source_class != class_name:
            related.add(f"app.models.{inverse.source_module}", inverse.source_class)
    if not related.names:
        return imports.render()
    # Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
    # quoted names through its registry at run time.
    imports.add("typing", "TYPE_CHECKING")
    block = "\n".join(f"    {line}" for line in related.render().split("\n"))
    return f"{imports.render()}\n\nif TYPE_CHECKING:\n{block}"


def _schema_imports(module: str, fields: Sequence[FieldContext], entity: EntitySpec) -> str:
    imports = _Imports()
    if entity.timestamps or entity.soft_delete:
        imports.add("datetime as dt")
    if entity.soft_delete:
        imports.add("pydantic", "Field")
    imports.add("typing", "Literal")
    imports.add("pydantic", "BaseModel", "ConfigDict")
    imports.add("app.schemas.common", "InputModel", "QueryModel")
    if any(not f.nullable for f in fields):
        imports.add("pydantic", "field_validator")
    if any(_constraints(f.spec) or _docs(f.spec) or f.spec.type == "ref_many" for f in fields):
        imports.add("pydantic", "Field")
    if any(f.spec.searchable or (f.filterable and f.spec.type in {"str", "text"}) for f in fields):
        imports.add("pydantic", "Field")
    for f in fields:
        if f.reference is not None:
            imports.add("app.schemas.types", "ReferenceId")
            continue
        imports.add_type(_MODEL_TYPE.get(f.spec.type, ""))
        input_type = _input_type(f.spec, f.enum)
        imports.add_type(input_type)
        if input_type == "EmailStr":
            imports.add("pydantic", input_type)
        if input_type in {"HttpUrlStr", "Int32", "Int64", "LocalTime", "Timestamp"}:
            imports.add("app.schemas.types", input_type)
        filter_type = _INPUT_TYPE.get(f.spec.type, "") if f.filterable else ""
        if filter_type in {"Int32", "Int64", "HttpUrlStr", "LocalTime", "Timestamp"}:
            imports.add("app.schemas.types", filter_type)
        if filter_type == "EmailStr":
            imports.add("pydantic", filter_type)
        if f.enum:
            imports.add(f"app.models.{module}", f.enum.class_name)
    return imports.render()


def value_source(value: Any) -> str:
    """Python source for a test value; long runs of one character become `"a" * 200`."""
    if value is MISSING:
        return "MISSING"
    if isinstance(value, str) and len(value) > 12 and len(set(value)) == 1:
        return f"{py_str(value[0])} * {len(value)}"
    return py_literal(value)


def _payload(fields: Sequence[FieldContext], index: int) -> str:
    items = tuple(f"{py_str(f.name)}: {value_source(f.samples[index])}" for f in fields if f.reference is None)
    return statement("", Collection("{", "}", items), 1)


def _cases(fields: Sequence[FieldContext]) -> str:
    """The `@pytest.mark.parametrize(...)` decorator of the field-validation test."""
    rows = tuple(
        call("pytest.param", py_str(c.field), value_source(c.value), str(c.status), id=py_str(c.id))
        for f in fields
        for c in f.cases
    )
    names = '("field", "value", "expected")'
    return statement("@", call("pytest.mark.parametrize", names, Collection("[", "]", rows)), 0)


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
