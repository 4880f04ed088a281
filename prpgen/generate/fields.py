"""One field of an entity as the templates need it: its types in the model, the schemas and the
query string, its column's options, its validation options, CHECK constraints, enum, samples
and validation cases, derived from its spec. The templates write the declarations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from prpgen import naming
from prpgen.generate.column_types import COLUMN_TYPES, column_type, server_default
from prpgen.generate.samples import MISSING, Case, NoSample, cases, decimal_str, reference_cases, sample
from prpgen.generate.source import md_code, py_literal, py_str
from prpgen.spec.feature import INTEGER_RANGE, EntitySpec, FieldSpec, written
from prpgen.spec.relations import Reference

# At most this many ids in one `ref_many` list: a request must stay one bounded query.
MAX_REFERENCES = 100
# The longest text a list sorts by. Its cursor (`app/core/pagination.py`) holds the value whole:
# 1,000 characters, 6 bytes each at worst once JSON-escaped, with a 64-character sort name, the
# id and a 16-byte signature, make 8,132 characters of base64, within the app's MAX_CURSOR_LENGTH
# of 8,192 (what proxies let through in a request line by default).
MAX_SORT_TEXT = 1000


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

    @property
    def length(self) -> int:
        """The column's length: the longest value's."""
        return max(len(m.value) for m in self.members)


@dataclass(frozen=True)
class Check:
    name: str
    sql: str


@dataclass(frozen=True)
class FieldContext:
    name: str
    spec: FieldSpec
    enum: EnumContext | None
    # `Mapped[...]`'s type, and the SQLAlchemy type `mapped_column` needs when the annotation
    # does not say it (None for enums: the template writes their `Enum(...)`).
    model_type: str
    column_type: str | None
    # Unique over its own column alone; with the owner (or among live rows) in `__table_args__`.
    column_unique: bool
    server_default: str | None
    # The schemas' type (without `| None`), the create schema's default as source, and the
    # keyword options of its `Field(...)`, as values.
    input_type: str
    default: str | None
    options: tuple[tuple[str, Any], ...]
    response_type: str
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
        if self.spec.type in {"json", "text", "ref", "ref_many"}:
            return False
        # A list's cursor carries its sort value whole, within the app's MAX_CURSOR_LENGTH.
        return self.text_limit is None or self.text_limit <= MAX_SORT_TEXT

    @property
    def filter_type(self) -> str:
        """The list filter's type; a query string is text, so its integers are read from numerals."""
        if self.reference is not None:
            return "ReferenceIdFilter"
        if self.enum is not None:
            return self.enum.class_name
        return FILTER_TYPE[self.spec.type]

    @property
    def text_limit(self) -> int | None:
        """A text field's most characters, which its filter holds to as well."""
        return self.spec.length_limit if self.spec.type in {"str", "text"} else None

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
        model_type=_annotation(enum.class_name if enum else MODEL_TYPE[spec.type], spec),
        column_type=None if enum else column_type(spec).model,
        column_unique=_column_unique(spec, entity),
        server_default=server_default(spec),
        input_type=input_type(spec, enum, name),
        default=_default_source(spec, enum),
        options=(*field_constraints(spec), *field_docs(spec)),
        response_type=_annotation(enum.class_name if enum else RESPONSE_TYPE[spec.type], spec),
        checks=_checks(name, spec),
        samples=samples,
        cases=tuple(cases(name, spec)),
    )


def _column_unique(spec: FieldSpec, entity: EntitySpec) -> bool:
    return bool(spec.unique) and not entity.soft_delete and not (entity.owned and spec.unique is True)


def _reference_field(name: str, spec: FieldSpec, reference: Reference) -> FieldContext:
    optional = " | None" if not spec.required and not reference.many else ""
    return FieldContext(
        name=name,
        spec=spec,
        enum=None,
        model_type=f"int{optional}",
        column_type=None,
        column_unique=False,
        server_default=None,
        input_type="ReferenceId",
        default=None if spec.required or reference.many else "None",
        options=tuple(field_docs(spec)),
        response_type="list[int]" if reference.many else f"int{optional}",
        checks=(),
        samples=(None, None),
        cases=tuple(reference_cases(reference.column, spec)),
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


def _default_source(spec: FieldSpec, enum: EnumContext | None) -> str | None:
    if spec.default is None:
        return None if spec.required else "None"
    if enum is not None:
        return enum.member(spec.default)
    if spec.type == "decimal":
        # In the column's form, as the document's pattern has it: `Decimal("0.20")`.
        return f"Decimal({py_str(decimal_str(Decimal(str(spec.default)), spec.digits[1]))})"
    return py_literal(spec.default)


def field_constraints(spec: FieldSpec) -> list[tuple[str, Any]]:
    options: list[tuple[str, Any]] = []
    if spec.min_length is not None:
        options.append(("min_length", spec.min_length))
    limit = spec.length_limit if spec.type in {"str", "text"} else None
    if limit is not None:
        options.append(("max_length", limit))
    if spec.pattern is not None:
        options.append(("pattern", spec.pattern))
    # A decimal's bounds and digits are in its alias's pattern (`decimal_alias`), an
    # integer's in its annotation (`input_type`).
    if spec.type not in {"decimal", *INTEGER_RANGE}:
        options += [(name, value) for name, value in (("ge", spec.ge), ("le", spec.le)) if value is not None]
    if spec.type == "float":
        options.append(("allow_inf_nan", False))
    if spec.type in {"float", "bool"}:
        # JSON's own types, as the document says: lax mode would take "7" for 7, 1 for true.
        # (An integer's type says it: JsonNumber in Int32, Int64 or its Annotated bounds.)
        options.append(("strict", True))
    return options


_COLUMN_BOUNDS = {-(2**31): "-(2**31)", 2**31 - 1: "2**31 - 1", -(2**63): "-(2**63)", 2**63 - 1: "2**63 - 1"}


def _bound(value: int | float) -> str:
    """A bound as source: the integer columns' limits read as powers of two."""
    if isinstance(value, int) and value in _COLUMN_BOUNDS:
        return _COLUMN_BOUNDS[value]
    return py_literal(value)


def field_docs(spec: FieldSpec) -> list[tuple[str, Any]]:
    options: list[tuple[str, Any]] = []
    if spec.description:
        options.append(("description", spec.description))
    if spec.example is not None:
        options.append(("examples", [spec.example]))
    return options


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
        return f"Annotated[int, Field(ge={_bound(low)}, le={_bound(high)}), JsonNumber]"
    return INPUT_TYPE[spec.type]


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
