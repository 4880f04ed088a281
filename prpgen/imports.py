"""The import blocks of generated modules, laid out as isort (ruff's `I` rules) would."""

from __future__ import annotations

from collections.abc import Sequence

from prpgen.fields import (
    FILTER_TYPE,
    MODEL_TYPE,
    RESPONSE_TYPE,
    FieldContext,
    column_type,
    field_constraints,
    field_docs,
    input_type,
)
from prpgen.migrations import server_default
from prpgen.pyfmt import import_from
from prpgen.relations import Inverse
from prpgen.spec import EntitySpec

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


class Imports:
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


def model_imports(
    class_name: str, fields: Sequence[FieldContext], entity: EntitySpec, inverses: Sequence[Inverse]
) -> str:
    owned = entity.owned
    imports = Imports()
    imports.add("sqlalchemy.orm", "Mapped", "mapped_column")
    imports.add("app.models.base", "Base")
    if entity.timestamps:
        imports.add("app.models.base", "TimestampMixin")
    if entity.soft_delete:
        imports.add("datetime as dt")
        imports.add("sqlalchemy", "DateTime")
        if any(f.spec.unique for f in fields):
            imports.add("sqlalchemy", "Index", "text")
    elif owned and any(f.spec.unique is True for f in fields):
        imports.add("sqlalchemy", "UniqueConstraint")
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
        imports.add_type(MODEL_TYPE.get(f.spec.type, ""))
        if f.enum:
            imports.add("enum", "StrEnum")
            imports.add("sqlalchemy", "Enum")
            imports.add("app.models.base", "enum_values")
        column = column_type(f.spec, f.enum)
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
    related = Imports()
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


# Types of `app/schemas/types.py`, shared by every entity's schemas.
SHARED_TYPES = frozenset(
    {
        "CalendarDate",
        "Email",
        "HttpUrlStr",
        "Int32",
        "Int32Filter",
        "Int64",
        "Int64Filter",
        "LocalTime",
        "PlainDecimal",
        "Timestamp",
    }
)


def schema_imports(module: str, fields: Sequence[FieldContext], entity: EntitySpec) -> str:
    imports = Imports()
    if entity.timestamps or entity.soft_delete:
        imports.add("datetime as dt")
    if entity.soft_delete:
        imports.add("pydantic", "Field")
    imports.add("typing", "Literal")
    imports.add("pydantic", "BaseModel", "ConfigDict")
    imports.add("app.schemas.common", "InputModel", "QueryModel", "UpdateModel")
    if any(field_constraints(f.spec) or field_docs(f.spec) or f.spec.type == "ref_many" for f in fields):
        imports.add("pydantic", "Field")
    if any(f.spec.searchable or (f.filterable and f.spec.type in {"str", "text"}) for f in fields):
        imports.add("pydantic", "Field")
    for f in fields:
        if f.reference is not None:
            imports.add("app.schemas.types", "ReferenceId")
            if f.filterable:
                imports.add("app.schemas.types", "ReferenceIdFilter")
            continue
        # The response's type (a `time` answers as LocalTime, so it needs no `datetime`).
        response_type = RESPONSE_TYPE.get(f.spec.type, "")
        imports.add_type(response_type)
        if response_type in SHARED_TYPES:
            imports.add("app.schemas.types", response_type)
        schema_type = input_type(f.spec, f.enum, f.name)
        imports.add_type(schema_type)
        if f.spec.type == "decimal":
            imports.add("decimal", "Decimal")
            imports.add("typing", "Annotated")
            imports.add("app.schemas.types", "DecimalText")
        if schema_type in SHARED_TYPES:
            imports.add("app.schemas.types", schema_type)
        if schema_type.startswith("Annotated[int,"):
            imports.add("typing", "Annotated")
            imports.add("pydantic", "Field")
            imports.add("app.schemas.types", "JsonNumber")
        filter_type = FILTER_TYPE.get(f.spec.type, "") if f.filterable else ""
        if filter_type in SHARED_TYPES:
            imports.add("app.schemas.types", filter_type)
        if f.enum:
            imports.add(f"app.models.{module}", f.enum.class_name)
    return imports.render()
