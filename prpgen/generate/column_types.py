"""Each field type's column, once: its Python type in the model, its SQLAlchemy type as the model
spells it, and as the migration spells it (Alembic's form, so `alembic check` finds no change)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from prpgen.generate.source import py_str
from prpgen.spec.feature import FieldSpec

EMAIL_LENGTH = 320  # RFC 5321's longest path
URL_LENGTH = 2083  # the longest URL browsers have accepted


@dataclass(frozen=True)
class SqlType:
    """A column's SQLAlchemy type as a migration writes it (Alembic's form, `sa.String(length=80)`),
    with its sizes as numbers: the spec diff compares them to tell a widened column from a
    narrowed one."""

    name: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    timezone: bool = False

    @property
    def source(self) -> str:
        if self.name == "JSONB":
            return "postgresql.JSONB(astext_type=sa.Text())"
        args = [f"length={self.length}"] if self.length is not None else []
        if self.precision is not None:
            args.append(f"precision={self.precision}, scale={self.scale}")
        if self.timezone:
            args.append("timezone=True")
        return f"sa.{self.name}({', '.join(args)})"

    def holds(self, other: SqlType) -> bool:
        """Whether every value of `other` fits this type unchanged (longer strings, more digits)."""
        if self == other or (other.name, self.name) in {("Integer", "BigInteger"), ("String", "Text")}:
            return True
        if other.name != self.name:
            return False
        if self.name == "String" and self.length is not None and other.length is not None:
            return self.length >= other.length
        if self.name == "Numeric" and None not in (self.precision, self.scale, other.precision, other.scale):
            assert self.precision is not None and self.scale is not None
            assert other.precision is not None and other.scale is not None
            # Every digit kept: as many before the point, and as many after it.
            return self.scale >= other.scale and self.precision - self.scale >= other.precision - other.scale
        return False


# Also the types of the columns that are no field's: keys, references, soft delete and timestamps.
KEY = SqlType("Integer")
MOMENT = SqlType("DateTime", timezone=True)


@dataclass(frozen=True)
class ColumnType:
    # `Mapped[...]`'s type in the model.
    python: str
    # In `mapped_column(...)`; None where SQLAlchemy derives it from the annotation.
    model: str | None
    # Sizes left out here are the field's own (`column_type`).
    migration: SqlType


# A model's `{length}`, `{precision}` and `{scale}` are the field's own (`column_type`).
COLUMN_TYPES = {
    "str": ColumnType("str", "String({length})", SqlType("String")),
    "text": ColumnType("str", "Text", SqlType("Text")),
    "email": ColumnType("str", f"String({EMAIL_LENGTH})", SqlType("String", length=EMAIL_LENGTH)),
    "url": ColumnType("str", f"String({URL_LENGTH})", SqlType("String", length=URL_LENGTH)),
    "int": ColumnType("int", None, KEY),
    "bigint": ColumnType("int", "BigInteger", SqlType("BigInteger")),
    "float": ColumnType("float", None, SqlType("Float")),
    "decimal": ColumnType("Decimal", "Numeric({precision}, {scale})", SqlType("Numeric")),
    "bool": ColumnType("bool", None, SqlType("Boolean")),
    "date": ColumnType("dt.date", None, SqlType("Date")),
    "datetime": ColumnType("dt.datetime", "DateTime(timezone=True)", MOMENT),
    "time": ColumnType("dt.time", None, SqlType("Time")),
    "uuid": ColumnType("UUID", None, SqlType("Uuid")),
    "json": ColumnType("dict[str, Any]", "JSONB", SqlType("JSONB")),
}


def column_type(spec: FieldSpec) -> ColumnType:
    """The field's column type with its length, precision and scale filled in."""
    template = COLUMN_TYPES[spec.type]
    precision, scale = spec.digits
    sizes = {"length": spec.length_limit, "precision": precision, "scale": scale}
    migration = template.migration
    if spec.type == "str":
        migration = replace(migration, length=spec.length_limit)
    elif spec.type == "decimal":
        migration = replace(migration, precision=precision, scale=scale)
    return ColumnType(template.python, template.model.format(**sizes) if template.model else None, migration)


def enum_column(length: int) -> SqlType:
    """An enum's column in a migration: a string as long as its longest value (its check
    constraint is named with the table's others)."""
    return SqlType("String", length=length)


def server_default(spec: FieldSpec) -> str | None:
    """The column's default as source, alike in the model and the migration: SQL for booleans
    and numbers, the text itself for strings."""
    if spec.default is None:
        return None
    if isinstance(spec.default, bool):
        return f"sa.text({py_str('true' if spec.default else 'false')})"
    if spec.type in {"int", "bigint", "float", "decimal"}:
        return f"sa.text({py_str(str(spec.default))})"
    return py_str(spec.default)
