"""One field of an entity, ready to print: its model, schema and response lines, CHECK
constraints, enum, samples and validation cases, derived from its spec."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from prpgen import naming
from prpgen.generate.column_types import COLUMN_TYPES, column_type, server_default
from prpgen.generate.pyfmt import Arg, Call, Collection, call, kw, md_code, py_literal, py_str, statement
from prpgen.generate.samples import MISSING, Case, NoSample, cases, decimal_str, reference_cases, sample
from prpgen.spec.feature import INTEGER_RANGE, EntitySpec, FieldSpec, written
from prpgen.spec.relations import Reference

# At most this many ids in one `ref_many` list: a request must stay one bounded query.
MAX_REFERENCES = 100


class EntityProblem(Exception):
    """Something about one entity (at `where`, e.g. `.fields.price`) that its spec cannot be
    generated with; `build_feature` gathers them into one `SpecError`."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


MODEL_TYPE = {name: column.python for name, column in COLUMN_TYPES.items()}
INPUT_TYPE = {
    **MODEL_TYPE,
    "email": "Email",
    "url": "HttpUrlStr",
    "int": "Int32",
    "bigint": "Int64",
    "date": "CalendarDate",
    "datetime": "Timestamp",
    "time": "LocalTime",
}
# A query string is text: its integers are read from numerals.
FILTER_TYPE = {**INPUT_TYPE, "int": "Int32Filter", "bigint": "Int64Filter"}
RESPONSE_TYPE = {**MODEL_TYPE, "decimal": "PlainDecimal", "time": "LocalTime"}


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
        return spec.type in {"ref", "enum", "bool"} or spec.index or bool(spec.unique)

    @property
    def sortable(self) -> bool:
        return self.spec.type not in {"json", "text", "ref", "ref_many"}

    @property
    def filter_line(self) -> str:
        spec = self.spec
        if self.reference is not None:
            base = "ReferenceIdFilter"
        elif self.enum is not None:
            base = self.enum.class_name
        else:
            base = FILTER_TYPE[spec.type]
        if spec.type in {"str", "text"}:
            limit = kw("max_length", str(spec.length_limit))
            return statement(f"{self.input_name}: {base} | None = ", call("Field", kw("default", "None"), limit))
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


def _characters(count: int) -> str:
    return f"{count} character" if count == 1 else f"{count} characters"


def field_context(
    module: str, name: str, spec: FieldSpec, reference: Reference | None, entity: EntitySpec
) -> FieldContext:
    if reference is not None:
        return _reference_field(name, spec, reference)
    enum = _enum(module, name, spec) if spec.type == "enum" else None
    try:
        samples = (sample(name, spec, 0), sample(name, spec, 1))
    except NoSample as exc:
        raise EntityProblem(f".fields.{name}", str(exc)) from None
    return FieldContext(
        name=name,
        spec=spec,
        enum=enum,
        # Unique over its own column alone; with the owner (or live rows only) in __table_args__.
        model_line=_model_line(name, spec, enum, column_unique=_column_unique(spec, entity)),
        create_line=_create_line(name, spec, enum),
        update_line=_update_line(name, spec, enum),
        response_line=f"{name}: {_annotation(enum.class_name if enum else RESPONSE_TYPE[spec.type], spec)}",
        checks=_checks(name, spec),
        samples=samples,
        cases=tuple(cases(name, spec)),
    )


def _column_unique(spec: FieldSpec, entity: EntitySpec) -> bool:
    return bool(spec.unique) and not entity.soft_delete and not (entity.owned and spec.unique is True)


def _reference_field(name: str, spec: FieldSpec, reference: Reference) -> FieldContext:
    column = reference.column
    docs = field_docs(spec)
    if reference.many:
        assert reference.association is not None
        model_line = ""
        limit = kw("max_length", str(MAX_REFERENCES))
        create_line = statement(
            f"{column}: list[ReferenceId] = ",
            Call("Field", (kw("default_factory", "list"), limit, *docs)),
        )
        update_line = statement(
            f"{column}: list[ReferenceId] | None = ",
            Call("Field", (kw("default", "None"), limit, *docs)),
        )
        response_line = f"{column}: list[int]"
    else:
        optional = " | None" if not spec.required else ""
        foreign_key = call("ForeignKey", py_str(f"{reference.target.table}.id"), ondelete=py_str(reference.on_delete))
        model_line = statement(
            f"{column}: Mapped[int{optional}] = ",
            call("mapped_column", foreign_key, index="True"),
        )
        default = None if spec.required else "None"
        if docs:
            args = ([kw("default", default)] if default else []) + docs
            create_line = statement(f"{column}: ReferenceId{optional} = ", Call("Field", tuple(args)))
        else:
            create_line = f"{column}: ReferenceId{optional}" + (f" = {default}" if default else "")
        update_line = (
            statement(f"{column}: ReferenceId | None = ", Call("Field", (kw("default", "None"), *docs)))
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


def _model_type(spec: FieldSpec, enum: EnumContext | None) -> str | Call | None:
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
    return column_type(spec).model


def _model_line(name: str, spec: FieldSpec, enum: EnumContext | None, *, column_unique: bool) -> str:
    args: list[str | Call | Collection | Arg] = []
    sa_type = _model_type(spec, enum)
    if sa_type is not None:
        args.append(sa_type)
    if column_unique:
        args.append(kw("unique", "True"))
    if spec.index:
        args.append(kw("index", "True"))
    default = server_default(spec)
    if default is not None:
        args.append(kw("server_default", default))
    base = enum.class_name if enum else MODEL_TYPE[spec.type]
    annotation = f"{name}: Mapped[{_annotation(base, spec)}]"
    if not args:
        # The annotation alone says it all: type from Python, nullability from `| None`.
        return annotation
    return statement(f"{annotation} = ", Call("mapped_column", tuple(args)))


def _default_source(spec: FieldSpec, enum: EnumContext | None) -> str | None:
    if spec.default is None:
        return None if spec.required else "None"
    if enum is not None:
        return enum.member(spec.default)
    if spec.type == "decimal":
        # In the column's form, as the document's pattern has it: `Decimal("0.20")`.
        return f"Decimal({py_str(decimal_str(Decimal(str(spec.default)), spec.digits[1]))})"
    return py_literal(spec.default)


def field_constraints(spec: FieldSpec) -> list[Arg]:
    args: list[Arg] = []
    if spec.min_length is not None:
        args.append(kw("min_length", str(spec.min_length)))
    limit = spec.length_limit if spec.type in {"str", "text"} else None
    if limit is not None:
        args.append(kw("max_length", str(limit)))
    if spec.pattern is not None:
        args.append(kw("pattern", py_str(spec.pattern)))
    # A decimal's bounds and digits are in its alias's pattern (`decimal_alias`), an
    # integer's in its annotation (`input_type`).
    if spec.type not in {"decimal", *INTEGER_RANGE}:
        args += _bounds(spec.ge, spec.le)
    if spec.type == "float":
        args.append(kw("allow_inf_nan", "False"))
    if spec.type in {"float", "bool"}:
        # JSON's own types, as the document says: lax mode would take "7" for 7, 1 for true.
        # (An integer's type says it: JsonNumber in Int32, Int64 or its Annotated bounds.)
        args.append(kw("strict", "True"))
    return args


def _bounds(low: int | float | None, high: int | float | None) -> list[Arg]:
    return [kw(name, _bound(value)) for name, value in (("ge", low), ("le", high)) if value is not None]


_COLUMN_BOUNDS = {-(2**31): "-(2**31)", 2**31 - 1: "2**31 - 1", -(2**63): "-(2**63)", 2**63 - 1: "2**63 - 1"}


def _bound(value: int | float) -> str:
    """A bound as source: the integer columns' limits read as powers of two."""
    if isinstance(value, int) and value in _COLUMN_BOUNDS:
        return _COLUMN_BOUNDS[value]
    return py_literal(value)


def field_docs(spec: FieldSpec) -> list[Arg]:
    args: list[Arg] = []
    if spec.description:
        args.append(kw("description", py_str(spec.description)))
    if spec.example is not None:
        args.append(kw("examples", Collection("[", "]", (py_literal(spec.example),))))
    return args


def decimal_alias(name: str) -> str:
    """`PriceDecimal`: a schema module's alias of `Annotated[Decimal, DecimalText(...)]` for
    the decimal field `price`, whose pattern holds the column's digits and the field's bounds."""
    return f"{naming.pascal(name)}Decimal"


def input_type(spec: FieldSpec, enum: EnumContext | None, name: str) -> str:
    if enum is not None:
        return enum.class_name
    if spec.type == "decimal":
        return decimal_alias(name)
    if spec.type in INTEGER_RANGE and (spec.ge is not None or spec.le is not None):
        # Explicit bounds replace the Int32/Int64 alias; the column's range fills the open side.
        # They go before the validator, inside the annotation, so that Pydantic documents
        # them as minimum and maximum in a PATCH body's `int | None` as well.
        low = INTEGER_RANGE[spec.type][0] if spec.ge is None else spec.ge
        high = INTEGER_RANGE[spec.type][1] if spec.le is None else spec.le
        return f"Annotated[int, {Call('Field', tuple(_bounds(low, high))).flat()}, JsonNumber]"
    return INPUT_TYPE[spec.type]


def _create_line(name: str, spec: FieldSpec, enum: EnumContext | None) -> str:
    base = input_type(spec, enum, name)
    annotation = _annotation(base, spec)
    default = _default_source(spec, enum)
    extra = field_constraints(spec) + field_docs(spec)
    if not extra:
        return _assignment(name, annotation, default)
    args = ([kw("default", default)] if default else []) + extra
    return statement(f"{name}: {annotation} = ", Call("Field", tuple(args)))


def _update_line(name: str, spec: FieldSpec, enum: EnumContext | None) -> str:
    base = input_type(spec, enum, name)
    extra = field_constraints(spec) + field_docs(spec)
    if not extra:
        return _assignment(name, f"{base} | None", "None")
    return statement(f"{name}: {base} | None = ", Call("Field", (kw("default", "None"), *extra)))


def _assignment(name: str, annotation: str, default: str | None) -> str:
    """A class body's `name: annotation = default`, on one line: ruff lays it out."""
    return f"{name}: {annotation}" + (f" = {default}" if default else "")


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


def value_source(value: Any) -> str:
    """Python source for a test value; long runs of one character become `"a" * 200`."""
    if value is MISSING:
        return "MISSING"
    if isinstance(value, str) and len(value) > 12 and len(set(value)) == 1:
        return f"{py_str(value[0])} * {len(value)}"
    return py_literal(value)
