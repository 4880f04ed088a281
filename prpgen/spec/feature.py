"""The feature spec: loading YAML / TOML / JSON and validating it into an immutable model.

Every problem becomes a `Problem` located by a dotted path and reported together in one `SpecError`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    PrivateAttr,
    StrictBool,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from prpgen import naming
from prpgen.errors import Problem, SpecError, suggestion
from prpgen.spec.decimal_text import decimal_pattern

FieldType = Literal[
    "str",
    "text",
    "int",
    "bigint",
    "float",
    "decimal",
    "bool",
    "date",
    "datetime",
    "time",
    "uuid",
    "email",
    "url",
    "enum",
    "json",
    "ref",
    "ref_many",
]
OnDelete = Literal["cascade", "set_null", "restrict"]
AccessLevel = Literal["public", "user", "owner", "admin"]
OPERATIONS = ("list", "read", "create", "update", "delete")
Priority = Literal["low", "medium", "high", "critical"]

FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
STRING_TYPES = frozenset({"str", "text"})
INTEGER_TYPES = frozenset({"int", "bigint"})
NUMERIC_TYPES = frozenset({"int", "bigint", "float", "decimal"})
# Types whose default can be written as a literal in both Python and a SQL server default.
DEFAULTABLE_TYPES = frozenset({"str", "text", "email", "url", "enum", "bool", *NUMERIC_TYPES})
INTEGER_RANGE = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
VARCHAR_MAX = 10_485_760
DEFAULT_STR_LENGTH = 255
DEFAULT_MAX_DIGITS = 10
DEFAULT_DECIMAL_PLACES = 2
REFERENCE_TYPES = frozenset({"ref", "ref_many"})
SEARCHABLE_TYPES = frozenset({"str", "text", "email", "url"})
# Options a reference takes; the column's type, length and range come from the target's id.
_REFERENCE_OPTIONS = frozenset({"type", "to", "required", "on_delete", "index", "description"})

_OPTION_TYPES: dict[str, frozenset[str]] = {
    "min_length": STRING_TYPES,
    "max_length": STRING_TYPES,
    "pattern": STRING_TYPES,
    "ge": NUMERIC_TYPES,
    "le": NUMERIC_TYPES,
    "max_digits": frozenset({"decimal"}),
    "decimal_places": frozenset({"decimal"}),
    "values": frozenset({"enum"}),
}

# Field names that would break the generated classes: columns every model already has,
# attributes SQLAlchemy's declarative base and Pydantic's BaseModel define, and the names the
# generated class bodies refer to (a field of that name would shadow them there).
RESERVED_FIELD_NAMES = frozenset(
    {
        *("id", "created_at", "updated_at", "user_id", "deleted_at", "created_by_id", "updated_by_id", "deleted_by_id"),
        *("metadata", "registry", "awaitable_attrs"),
        *("construct", "copy", "dict", "from_orm", "json", "parse_file", "parse_obj", "parse_raw"),
        *("schema", "schema_json", "update_forward_refs", "validate"),
        *("mapped_column", "enum_values", "sa", "dt", "field_validator", "classmethod"),
        *("str", "int", "float", "bool", "list", "object"),
    }
)
# Modules and tables the project skeleton already owns.
RESERVED_ENTITY_NAMES = frozenset({"user", "base", "auth", "common", "health", "token", "alembic_version"})


class _Strict(BaseModel):
    # Each option's docstring is its description in `prpgen schema`, which editors show.
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
    _aliases: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        # Pydantic's own message ("Extra inputs are not permitted") names neither the key nor a fix.
        if isinstance(data, Mapping):
            known = set(cls.model_fields) | cls._aliases
            for key in data:
                if key not in known:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'{hint}",
                        {"key": key, "hint": suggestion(str(key), cls.model_fields)},
                    )
        return data


class FieldSpec(_Strict):
    """One typed, validated field of an entity."""

    type: FieldType
    """The field's type: str, text, int, bigint, float, decimal, bool, date, datetime, time, uuid,
    email, url, enum, json, or a reference to another entity (ref, ref_many)."""
    required: StrictBool = True
    """false: the field may be null (and be left out of a create)."""
    unique: StrictBool | Literal["global"] = False
    """true: no two rows share the value; on an owned entity among one owner's rows. global: among
    all rows, owned or not. A duplicate is a 409."""
    index: StrictBool = False
    """true: an index on the column, and an equality filter on the list."""
    default: Any = None
    """The value a create without the field gets (also a server default for existing rows)."""
    min_length: NonNegativeInt | None = None
    """str, text: the fewest characters."""
    max_length: PositiveInt | None = None
    """str, text: the most characters (str defaults to 255)."""
    ge: int | float | None = None
    """Numbers: the least value allowed."""
    le: int | float | None = None
    """Numbers: the greatest value allowed."""
    pattern: StrictStr | None = None
    """str, text: a regular expression the whole value must match."""
    max_digits: PositiveInt | None = None
    """decimal: digits in all (default 10)."""
    decimal_places: NonNegativeInt | None = None
    """decimal: digits after the point (default 2)."""
    values: list[StrictStr] | None = None
    """enum: the values allowed."""
    description: StrictStr | None = None
    """What the field means; shown in the OpenAPI document and the PRP."""
    example: Any = None
    """A sample value; shown in the OpenAPI document and used by the generated tests."""
    to: StrictStr | None = None
    """ref, ref_many: the entity referred to, in the spec or generated into the project earlier."""
    on_delete: OnDelete | None = None
    """ref: what deleting the referred row does to this one: cascade, set_null or restrict."""
    searchable: StrictBool = False
    """str, text, email, url: matched by the list's `q` search."""

    @field_validator("unique", mode="before")
    @classmethod
    def _unique_option(cls, value: Any) -> Any:
        # One message for the two forms, not one per branch of the union.
        if value is not True and value is not False and value != "global":
            raise PydanticCustomError(
                "unique_option", "expected true, false or global (got {value})", {"value": repr(value)}
            )
        return value

    @field_validator("type", mode="before")
    @classmethod
    def _known_type(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in FIELD_TYPES:
            raise PydanticCustomError(
                "unknown_type",
                "unknown type '{value}'{hint}; choose one of: {types}",
                {"value": value, "hint": suggestion(value, FIELD_TYPES), "types": ", ".join(FIELD_TYPES)},
            )
        return value

    @field_validator("ge", "le", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
            raise ValueError("must be a finite number")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.type in REFERENCE_TYPES:
            _check_reference(self)
            return self
        for option in ("to", "on_delete"):
            if getattr(self, option) is not None:
                raise ValueError(f"option '{option}' applies only to references (type 'ref' or 'ref_many')")
        if self.searchable and self.type not in SEARCHABLE_TYPES:
            raise ValueError(f"only text fields ({', '.join(sorted(SEARCHABLE_TYPES))}) can be searchable")
        for option, types in _OPTION_TYPES.items():
            if getattr(self, option) is not None and self.type not in types:
                allowed = ", ".join(sorted(types))
                raise ValueError(f"option '{option}' does not apply to type '{self.type}' (only to {allowed})")
        _check_bounds(self)
        if self.type == "enum":
            _check_enum_values(self.values)
        if self.type == "json" and (self.unique or self.index):
            raise ValueError("a json field cannot be unique or indexed")
        if self.pattern is not None:
            _check_pattern(self.pattern)
        if self.default is not None:
            if self.type not in DEFAULTABLE_TYPES:
                raise ValueError(f"type '{self.type}' takes no default")
            problem = value_problem(self, self.default)
            if problem:
                raise ValueError(f"default {written(self.default)} {problem}")
        if self.example is not None:
            problem = value_problem(self, self.example)
            if problem:
                raise ValueError(f"example {written(self.example)} {problem}")
        return self

    @property
    def delete_rule(self) -> OnDelete:
        """What happens to this row when the referenced one is deleted."""
        if self.on_delete is not None:
            return self.on_delete
        return "cascade" if self.required else "set_null"

    @property
    def digits(self) -> tuple[int, int]:
        """(max_digits, decimal_places) with their defaults applied."""
        return (
            self.max_digits or DEFAULT_MAX_DIGITS,
            self.decimal_places if self.decimal_places is not None else DEFAULT_DECIMAL_PLACES,
        )

    @property
    def length_limit(self) -> int | None:
        """The column's length: `str` is always bounded (VARCHAR), `text` only when asked."""
        if self.type == "str":
            return self.max_length or DEFAULT_STR_LENGTH
        return self.max_length


def _check_reference(field: FieldSpec) -> None:
    if field.to is None:
        raise ValueError(f"a '{field.type}' field needs `to:`, the entity it refers to")
    extra = sorted(
        option for option in field.model_fields_set - _REFERENCE_OPTIONS if getattr(field, option) not in (None, False)
    )
    if extra:
        raise ValueError(f"option '{extra[0]}' does not apply to a reference ('{field.type}')")
    if field.type == "ref_many":
        if field.on_delete is not None:
            raise ValueError("on_delete applies to 'ref' only: links of a 'ref_many' go with either row")
        if "required" in field.model_fields_set:
            raise ValueError("a 'ref_many' field is a list that may be empty; `required` does not apply")
    elif field.on_delete == "set_null" and field.required:
        raise ValueError("on_delete: set_null needs `required: false` (the column must accept NULL)")


def _check_bounds(field: FieldSpec) -> None:
    if field.min_length is not None and field.max_length is not None and field.min_length > field.max_length:
        raise ValueError(f"min_length ({field.min_length}) is greater than max_length ({field.max_length})")
    if field.max_length is not None and field.max_length > VARCHAR_MAX:
        raise ValueError(f"max_length may be at most {VARCHAR_MAX} (PostgreSQL's limit)")
    if field.ge is not None and field.le is not None and field.ge > field.le:
        raise ValueError(f"ge ({field.ge}) is greater than le ({field.le})")
    if field.type in INTEGER_TYPES:
        low, high = INTEGER_RANGE[field.type]
        for option in ("ge", "le"):
            bound = getattr(field, option)
            if bound is not None and (not isinstance(bound, int) or not low <= bound <= high):
                raise ValueError(f"{option} must be a whole number from {low} to {high} for type '{field.type}'")
    if field.type == "decimal":
        digits, places = field.digits
        if digits > 1000:
            raise ValueError("max_digits may be at most 1000 (PostgreSQL's limit)")
        if places > digits:
            raise ValueError(f"decimal_places ({places}) is greater than max_digits ({digits})")
        try:
            decimal_pattern(digits, places, field.ge, field.le)
        except ValueError:
            raise ValueError(
                f"no value with {places} decimal places and {digits} digits lies within ge and le; "
                "widen the bounds or add decimal_places"
            ) from None


def _check_enum_values(values: Sequence[str] | None) -> None:
    if not values:
        raise ValueError("an enum needs a non-empty list of `values`")
    if any(not value.strip() for value in values):
        raise ValueError("enum values must be non-empty strings")
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"enum value '{value}' is listed twice")
        seen.add(value)


def _check_pattern(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
    # The generated schemas validate with pydantic-core's regex engine, which has no look-around or
    # back-references; refuse what it would refuse at the generated app's import time.
    from pydantic import TypeAdapter

    try:
        TypeAdapter(Annotated[str, Field(pattern=pattern)])
    except Exception as exc:  # pydantic-core's SchemaError derives from Exception only
        raise ValueError(f"pattern is not supported by Pydantic's regex engine: {exc}") from None


def written(value: Any) -> str:
    """A spec value as the user wrote it: `3.10` stays `3.10`, `true` stays `true`."""
    if hasattr(value, "source"):
        return str(value.source)
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value)


def value_problem(field: FieldSpec, value: Any) -> str | None:
    """Why `value` is not valid for `field`, or None; shared by defaults, examples and sample values."""
    kind = field.type
    if kind in STRING_TYPES or kind in {"email", "url", "enum"}:
        if not isinstance(value, str):
            return f"is not a string (quote it in YAML: '{written(value)}')"
        if kind == "enum" and field.values is not None and value not in field.values:
            return f"is not one of the enum values {field.values}"
        length = len(value)
        if field.min_length is not None and length < field.min_length:
            return f"is shorter than min_length {field.min_length}"
        limit = field.length_limit
        if limit is not None and length > limit:
            return f"is longer than max_length {limit}"
        if field.pattern is not None and not re.search(field.pattern, value):
            return f"does not match pattern {field.pattern!r}"
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else "is not true or false"
    if kind in NUMERIC_TYPES:
        return _number_problem(field, value)
    return None


def _number_problem(field: FieldSpec, value: Any) -> str | None:
    if isinstance(value, bool):
        return "is not a number"
    if field.type in INTEGER_TYPES and not isinstance(value, int):
        return "is not a whole number"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return "is not a number"
    if not number.is_finite():
        return "is not a finite number"
    if field.ge is not None and number < Decimal(str(field.ge)):
        return f"is less than ge {field.ge}"
    if field.le is not None and number > Decimal(str(field.le)):
        return f"is greater than le {field.le}"
    if field.type in INTEGER_TYPES:
        low, high = INTEGER_RANGE[field.type]
        if not low <= number <= high:
            return f"is out of range for type '{field.type}'"
    if field.type == "decimal":
        digits, places = field.digits
        exponent = number.as_tuple().exponent
        scale = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if scale > places:
            return f"has more than {places} decimal places"
        if len(number.as_tuple().digits) - scale > digits - places:
            return f"has more than {digits - places} digits before the decimal point"
    return None


class AccessSpec(_Strict):
    """Who may do each operation: anyone (`public`), any signed-in user (`user`), the row's
    owner (`owner`) or an admin (`admin`, who may also act on any owner's rows)."""

    list: AccessLevel | None = None
    """Who may list the rows: public, user, owner or admin."""
    read: AccessLevel | None = None
    """Who may read one row (and refer to it from other entities)."""
    create: AccessLevel | None = None
    """Who may create rows: user, owner or admin."""
    update: AccessLevel | None = None
    """Who may change a row: user, owner or admin."""
    delete: AccessLevel | None = None
    """Who may delete a row: user, owner or admin."""


class EntitySpec(_Strict):
    """One table with its CRUD API."""

    name: StrictStr
    """The entity's name, singular and in PascalCase: `OrderItem`."""
    plural: StrictStr | None = None
    """The plural, where English rules guess wrong; names the table and the routes."""
    owned: StrictBool = True
    """true: each row belongs to the user who created it (a user_id column)."""
    description: StrictStr | None = None
    """What the entity is; shown in the OpenAPI document and the PRP."""
    access: AccessSpec = AccessSpec()
    """Who may do each operation; owned entities default to their owner, others to any signed-in
    user reading and admins writing."""
    soft_delete: StrictBool = False
    """true: DELETE marks the row deleted (admins may restore it) instead of removing it."""
    audit: StrictBool = False
    """true: created_by_id and updated_by_id columns record who wrote the row (and, with
    soft_delete, deleted_by_id who deleted it; a restore counts as a change)."""
    timestamps: StrictBool = True
    """false: no created_at and updated_at columns."""
    fields: dict[str, FieldSpec] = Field(min_length=1)
    """The fields by name: each a mapping of options, or its type alone (`body: text`)."""

    def level(self, operation: str) -> AccessLevel:
        """The access level of an operation, with the defaults applied: owned entities are
        their owner's for everything; shared ones are for every user to read, admins to write."""
        level: AccessLevel | None = getattr(self.access, operation)
        if level is not None:
            return level
        if self.owned:
            return "owner"
        return "user" if operation in {"list", "read"} else "admin"

    @model_validator(mode="after")
    def _access_levels(self) -> EntitySpec:
        for problem in access_problems(self.owned, self.access.model_dump()):
            raise ValueError(problem)
        return self

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `body: text` is short for `body: {type: text}`.
        if isinstance(value, Mapping):
            return {key: {"type": field} if isinstance(field, str) else field for key, field in value.items()}
        return value

    @field_validator("name", "plural")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        if value is not None:
            _check_name(value, "name")
        return value

    @model_validator(mode="after")
    def _field_names(self) -> EntitySpec:
        for problem in field_name_problems(self.fields):
            raise ValueError(problem)
        seen = {naming.snake(raw): raw for raw in self.fields}
        for raw, field in self.fields.items():
            _check_reference_name(self, raw, field, seen)
        table = naming.table(self.name, self.plural)
        if naming.snake(self.name) in RESERVED_ENTITY_NAMES or table == "users":
            raise ValueError(f"entity name '{self.name}' is taken by the project skeleton; choose another")
        if naming.is_python_keyword(table):
            raise ValueError(f"the plural of '{self.name}' is the Python keyword '{table}'; give another `plural:`")
        return self


def access_problems(owned: bool, access: Mapping[str, Any]) -> list[str]:
    """What is wrong with an entity's access rules (`access` by operation; unset ones are None)."""
    problems = []
    for operation in OPERATIONS:
        level = access.get(operation)
        if level == "owner" and not owned:
            problems.append(f"access.{operation}: 'owner' needs an owned entity (this one has `owned: false`)")
        if level == "public" and operation in {"create", "update", "delete"}:
            problems.append(f"access.{operation}: writes need a signed-in user; use user, owner or admin")
    if owned and access.get("create") == "admin":
        problems.append(
            "access.create: admin would make every row the admin's; for rows only admins create, use `owned: false`"
        )
    return problems


def field_name_problems(names: Iterable[str]) -> list[str]:
    """What is wrong with an entity's field names, each on its own (the fields' options aside)."""
    problems = []
    seen: dict[str, str] = {}
    for raw in names:
        try:
            _check_name(raw, "field")
        except ValueError as exc:
            problems.append(str(exc))
            continue
        name = naming.snake(raw)
        if name in RESERVED_FIELD_NAMES or name.startswith("model_"):
            problems.append(f"field '{raw}' clashes with a column or attribute prpgen generates; rename it")
        elif name in seen:
            problems.append(f"fields '{seen[name]}' and '{raw}' both become '{name}'")
        seen[name] = raw
    return problems


def _unvalidated_problems(
    data: Mapping[str, Any], project_entities: Collection[str] | None
) -> list[tuple[tuple[str | int, ...], str]]:
    """Access rules, field names and (given the project's entities) references read from the
    raw data: when a field's options are wrong, the checks that need a whole validated entity
    do not run, and their problems would only show on the next run. (key path, message) each."""
    entities = data.get("entities", [data.get("entity")])
    entities = [e for e in entities if isinstance(e, Mapping)] if isinstance(entities, list) else []
    in_spec = sorted({naming.pascal(e["name"]) for e in entities if isinstance(e.get("name"), str)})
    found: list[tuple[tuple[str | int, ...], str]] = []
    for index, entity in enumerate(entities):
        owned, access, fields = entity.get("owned", True), entity.get("access"), entity.get("fields")
        fields = fields if isinstance(fields, Mapping) else {}
        messages = access_problems(owned is not False, access if isinstance(access, Mapping) else {})
        messages += field_name_problems(fields)
        found += [(("entities", index), message) for message in messages]
        if project_entities is None:
            continue  # without the project, a reference to another feature cannot be judged
        for raw, field in fields.items():
            to = field.get("to") if isinstance(field, Mapping) else None
            if isinstance(to, str) and naming.pascal(to) not in {*in_spec, *project_entities}:
                found.append((("entities", index, "fields", raw), unknown_target(to, in_spec, project_entities)))
    return found


def unknown_target(to: str, in_spec: Collection[str], in_project: Collection[str]) -> str:
    """The problem of a reference to an entity neither the spec nor the project has."""
    known = sorted({*in_spec, *in_project})
    return (
        f"refers to '{to}', which is neither in the spec ({', '.join(sorted(in_spec))}) "
        f"nor in the project ({', '.join(sorted(in_project)) or 'no entities yet'})"
        + suggestion(naming.pascal(to), known)
    )


def _check_reference_name(entity: EntitySpec, raw: str, field: FieldSpec, names: Mapping[str, str]) -> None:
    if field.type not in REFERENCE_TYPES:
        return
    name = naming.snake(raw)
    if field.type == "ref" and name.endswith("_id"):
        raise ValueError(f"name the reference '{name[:-3]}', not '{raw}': its column becomes '{name}'")
    column = naming.reference_column(name, field.type)
    if column in names or column in RESERVED_FIELD_NAMES:
        raise ValueError(f"reference '{raw}' needs the name '{column}', which is already taken; rename one")
    if naming.pascal(field.to or "") == naming.pascal("user"):
        raise ValueError(
            f"reference '{raw}' points at User, the project's accounts: "
            "owned entities already link their owner (user_id)"
        )
    if field.type == "ref" and naming.pascal(field.to or "") == naming.pascal(entity.name) and field.required:
        raise ValueError(f"the self-reference '{raw}' must be `required: false`, or no first row could exist")


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


def _check_name(raw: str, what: str) -> None:
    name = naming.snake(raw)
    if not naming.is_identifier(raw.replace("-", "_")) or not name:
        raise ValueError(f"{what} {raw!r} must be ASCII letters, digits, '_' or '-', starting with a letter")
    if naming.is_python_keyword(name):
        raise ValueError(f"{what} '{raw}' is a Python keyword; choose another name")
    if len(name) > 40:
        raise ValueError(f"{what} '{raw}' is too long (40 characters at most, to keep SQL names within 63 bytes)")
    # As a class (I, O) or a variable (l) these read like 1 and 0, and linters refuse them (E741, E742).
    if name in ({"i", "o", "l"} if what == "name" else {"l"}):
        raise ValueError(f"{what} '{raw}' reads like a digit in code (ruff E741/E742); choose a longer name")


class Spec(_Strict):
    """A feature: the PRP's meta information and the entities it adds."""

    _aliases: ClassVar[frozenset[str]] = frozenset({"entity"})

    feature: StrictStr
    """The feature's name (kebab-case is usual): names its PRP and its migrations."""
    priority: Priority = "medium"
    """low, medium, high or critical: the PRP's priority and the tests' marker."""
    estimated_time: StrictStr | None = None
    """The PRP's estimate, as text: `3d`."""
    description: StrictStr
    """What the feature does, in a sentence or two."""
    goal: StrictStr | None = None
    """The PRP's goal; derived from the description when left out."""
    why: StrictStr | None = None
    """Why the feature matters, for the PRP."""
    deliverables: list[StrictStr] = []
    """What the feature delivers, for the PRP."""
    entities: list[EntitySpec] = Field(min_length=1)
    """The entities (tables with their API) the feature adds."""
    # The line of every key path in the spec's file, where its format gives them.
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        # Where a spec was written (its lines, YAML's but not JSON's) is not part of what it says.
        return isinstance(other, Spec) and self.model_dump() == other.model_dump()

    __hash__ = _Strict.__hash__

    def located(self, problem: Problem) -> Problem:
        """`problem` with its spec line (`line 7: ...`), when it has a path the file has a line for."""
        path = problem.path
        if path[:2] == ("entities", 0) and ("entity",) in self._lines:
            path = ("entity", *path[2:])  # written with the `entity:` shorthand
        line = next((self._lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in self._lines), None)
        if line is None:
            return problem
        return Problem(f"line {line}: {problem.location}", problem.message, problem.path)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        # PostgreSQL cannot store NUL in text, and no name or description needs one.
        if _contains_nul(data):
            raise ValueError("the spec contains a NUL character (\\x00); remove it")
        return data

    @model_validator(mode="before")
    @classmethod
    def _single_entity(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "entity" in data:
            if "entities" in data:
                raise ValueError("give either `entity` or `entities`, not both")
            rest = {key: value for key, value in data.items() if key != "entity"}
            rest["entities"] = [data["entity"]]
            return rest
        return data

    @field_validator("feature")
    @classmethod
    def _feature_name(cls, value: str) -> str:
        if not naming.kebab(value) or not naming.is_identifier(naming.snake(value)):
            raise ValueError(
                f"feature must start with a letter and use ASCII letters, digits, '-' or '_' (got {value!r})"
            )
        return value

    @model_validator(mode="after")
    def _unique_entities(self) -> Spec:
        seen: dict[str, str] = {}
        for entity in self.entities:
            # An uncountable noun (Sheep, Data, News) is its own plural: one name, one entity.
            for key in dict.fromkeys((naming.snake(entity.name), naming.table(entity.name, entity.plural))):
                if key in seen and seen[key] != entity.name:
                    raise ValueError(f"entities '{seen[key]}' and '{entity.name}' both become '{key}'")
                if key in seen:
                    raise ValueError(f"entity '{entity.name}' is defined twice")
                seen[key] = entity.name
        return self

    @property
    def feature_slug(self) -> str:
        return naming.kebab(self.feature)


def load_spec(path: Path, *, project_entities: Collection[str] | None = None) -> Spec:
    """Read and validate a spec file; the format follows the suffix (.yaml/.yml, .toml, .json).
    `project_entities`: the entities of the project it goes into, where known (see `parse_spec`)."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(source, [Problem("", f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise SpecError(source, [Problem("", "the file is not UTF-8 text")]) from None
    suffix = path.suffix.lower()
    lines: dict[tuple[str | int, ...], int] = {}
    if suffix in {".yaml", ".yml"}:
        data, lines = _parse_yaml(text, source)
    elif suffix == ".toml":
        data = _parse_toml(text, source)
    elif suffix == ".json":
        data = _parse_json(text, source)
    else:
        raise SpecError(source, [Problem("", f"unknown spec format '{suffix}': use .yaml, .yml, .toml or .json")])
    return parse_spec(data, source, lines, project_entities)


def parse_spec(
    data: Any,
    source: str,
    lines: Mapping[tuple[str | int, ...], int] | None = None,
    project_entities: Collection[str] | None = None,
) -> Spec:
    """Validate already-parsed data; `source` names it in errors (a file name or `--field` options)
    and `lines`, where the format gives them, maps each key path to its line in the file. Given
    `project_entities` (class names), a spec with problems also has its references checked, so
    that every problem is reported in one run."""
    if not isinstance(data, Mapping):
        raise SpecError(
            source, [Problem("", "the spec must be a mapping with `feature`, `description` and `entities`")]
        )
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(error, data, lines or {}) for error in exc.errors()]
        for loc, message in _unvalidated_problems(data, project_entities):
            more = _problem({"type": "value_error", "loc": loc, "msg": message}, data, lines or {})
            if more not in problems:
                problems.append(more)
        raise SpecError(source, problems) from None
    spec._lines.update(lines or {})
    return spec


def inline_spec(name: str, fields: Sequence[str], *, priority: str = "medium", feature: str | None = None) -> Spec:
    """The spec `new-entity NAME --field name:type[:option...]` describes.

    Options are flags (`unique`, `index`, `optional`) or `key=value` pairs; enum values are
    separated by `|`: `--field status:enum:values=draft|published:default=draft`.
    """
    parsed: dict[str, Any] = {}
    problems: list[Problem] = []
    for option in fields:
        try:
            key, field = _parse_field_option(option)
        except ValueError as exc:
            problems.append(Problem(f"--field {option!r}", str(exc)))
            continue
        parsed[key] = field
    if problems:
        raise SpecError("command line", problems)
    plural_name = naming.kebab(naming.table(name)) if naming.snake(name) else name
    data = {
        "feature": feature or plural_name,
        "priority": priority,
        "description": f"Manage {plural_name.replace('-', ' ')}.",
        "entities": [{"name": name, "fields": parsed}],
    }
    return parse_spec(data, "command line")


_FLAGS = {"unique": ("unique", True), "index": ("index", True), "optional": ("required", False)}


# Options a number must follow (`ge=0`), so `ge=abc` gets one message, not each number type's.
_NUMERIC = frozenset({"ge", "le", "min_length", "max_length", "max_digits", "decimal_places"})


def _parse_field_option(option: str) -> tuple[str, dict[str, Any]]:
    name, _, rest = option.partition(":")
    if not name or not rest:
        raise ValueError("expected name:type[:option...], e.g. price:decimal:ge=0")
    # `\:` is a colon inside an option (a pattern such as `^\d\d\:\d\d$`), not a separator.
    kind, *options = [part.replace("\\:", ":") for part in re.split(r"(?<!\\):", rest)]
    field: dict[str, Any] = {"type": kind}
    for item in options:
        if item in _FLAGS:
            key, flag = _FLAGS[item]
            field[key] = flag
        elif "=" in item:
            key, _, raw = item.partition("=")
            value = raw.split("|") if key == "values" else _scalar(raw, textual=key in {"pattern", "description"})
            if key in _NUMERIC and not isinstance(value, int | float):
                raise ValueError(f"{key} must be a number, not {raw!r}")
            field[key] = value
        else:
            raise ValueError(
                f"unknown option '{item}'{suggestion(item, _FLAGS)}: use unique, index, optional or key=value"
            )
    return name, field


def _scalar(raw: str, *, textual: bool) -> Any:
    if textual:
        return raw
    if raw in {"true", "false"}:
        return raw == "true"
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            pass
    return raw


def _problem(error: Any, data: Mapping[str, Any], lines: Mapping[tuple[str | int, ...], int]) -> Problem:
    loc = tuple(error["loc"])
    if "entity" in data and "entities" not in data:
        # Validation sees the `entity:` shorthand as `entities: [...]`; speak of it as written.
        location = _location(loc, {**data, "entities": [data["entity"]]}).replace("entities[0]", "entity", 1)
        loc = ("entity", *loc[2:]) if loc[:2] == ("entities", 0) else loc
    else:
        location = _location(loc, data)
    line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
    if line is not None:
        location = f"line {line}: {location}"
    message: str = error["msg"]
    value = error.get("input")
    if error["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    elif error["type"] == "missing":
        message = "required key is missing"
    elif error["type"] == "string_type" and isinstance(value, int | float):
        text = written(value)
        message = f"expected text, got {text} (YAML reads it as a {_kind(value)}); quote it: '{text}'"
    elif error["type"] == "bool_type":
        message = f"expected true or false (got {value!r})"
    elif error["type"] not in {"unknown_key", "unknown_type", "unique_option"} and "input" in error:
        message = f"{message} (got {value!r})"
    return Problem(location, message)


def _kind(value: Any) -> str:
    return "boolean" if isinstance(value, bool) else "number"


def _location(loc: Sequence[str | int], data: Any) -> str:
    """('entities', 0, 'fields', 'price') → `entities[0] (Post).fields.price`."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{key}]"]
            node = node[key] if isinstance(node, Sequence) and not isinstance(node, str) and key < len(node) else None
            if isinstance(node, Mapping) and isinstance(node.get("name"), str):
                parts[-1] += f" ({node['name']})"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, Mapping) else None
    return ".".join(parts)


class YamlInt(int):
    """An integer as read from YAML, with the text the user wrote (`007`, `0x1F`)."""

    source: str


class YamlFloat(float):
    """A float as read from YAML, with the text the user wrote (`3.10`)."""

    source: str


def _parse_yaml(text: str, source: str) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    import yaml

    loader = _strict_loader()
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError(source, [Problem(where, f"invalid YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError(source, [Problem("", f"invalid YAML: {exc}")]) from None
    return data, _node_lines(root, ()) if root is not None else {}


def _node_lines(node: Any, path: tuple[str | int, ...]) -> dict[tuple[str | int, ...], int]:
    """The line of every key and list item below `node`, by its path of keys and indexes."""
    import yaml

    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines.update(_node_lines(value, (*path, key.value)))
            lines[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_node_lines(item, (*path, index)))
    return lines


@cache
def _strict_loader() -> type:
    """A SafeLoader that keeps YAML from changing a spec's meaning behind the user's back:
    duplicate keys are errors (not "last one wins"), only true/false are booleans (`no`, `on`
    and `yes` stay text, as in YAML 1.2), and numbers remember how they were written."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.MarkedYAMLError(
                        "while constructing a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    bool_tag = "tag:yaml.org,2002:bool"
    StrictLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != bool_tag]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    StrictLoader.add_implicit_resolver(bool_tag, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

    def number(kind: type[YamlInt] | type[YamlFloat], base: Any) -> Any:
        def construct(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
            value = kind(base(loader, node))
            value.source = node.value
            return value

        return construct

    StrictLoader.add_constructor("tag:yaml.org,2002:int", number(YamlInt, yaml.SafeLoader.construct_yaml_int))
    StrictLoader.add_constructor("tag:yaml.org,2002:float", number(YamlFloat, yaml.SafeLoader.construct_yaml_float))
    return StrictLoader


def _parse_toml(text: str, source: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(source, [Problem("", f"invalid TOML: {exc}")]) from None


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            source, [Problem(f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}")]
        ) from None


JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def spec_json_schema() -> dict[str, Any]:
    """The spec's JSON Schema, as `prpgen schema` prints it for editors: the models' own, with the
    two short forms their validators accept (`body: text` for a field, `entity:` for one entity)."""
    schema = Spec.model_json_schema()
    type_alone = {"enum": list(FIELD_TYPES), "description": "The type alone: `body: text`."}
    fields = schema["$defs"]["EntitySpec"]["properties"]["fields"]
    fields["additionalProperties"] = {"anyOf": [{"$ref": "#/$defs/FieldSpec"}, type_alone]}
    one = {"$ref": "#/$defs/EntitySpec", "description": "The feature's one entity, instead of `entities`."}
    schema["properties"]["entity"] = one
    schema["required"] = [name for name in schema["required"] if name != "entities"]
    schema["oneOf"] = [{"required": ["entities"]}, {"required": ["entity"]}]
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


@dataclass(frozen=True)
class Feature:
    """One feature spec of the project and where it was read from (a path or "command line")."""

    source: str
    spec: Spec

    @property
    def slug(self) -> str:
        return self.spec.feature_slug
