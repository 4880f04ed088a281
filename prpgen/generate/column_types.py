"""Each field type's column, once: its Python type in the model, its SQLAlchemy type as the model
spells it, and as the migration spells it (Alembic's form, so `alembic check` finds no change)."""

from __future__ import annotations

from dataclasses import dataclass

from prpgen.generate.source import py_str
from prpgen.spec.feature import FieldSpec

EMAIL_LENGTH = 320  # RFC 5321's longest path
URL_LENGTH = 2083  # the longest URL browsers have accepted


@dataclass(frozen=True)
class ColumnType:
    # `Mapped[...]`'s type in the model.
    python: str
    # In `mapped_column(...)`; None where SQLAlchemy derives it from the annotation.
    model: str | None
    migration: str


# `{length}`, `{precision}` and `{scale}` are the field's own (`column_type`).
COLUMN_TYPES = {
    "str": ColumnType("str", "String({length})", "sa.String(length={length})"),
    "text": ColumnType("str", "Text", "sa.Text()"),
    "email": ColumnType("str", f"String({EMAIL_LENGTH})", f"sa.String(length={EMAIL_LENGTH})"),
    "url": ColumnType("str", f"String({URL_LENGTH})", f"sa.String(length={URL_LENGTH})"),
    "int": ColumnType("int", None, "sa.Integer()"),
    "bigint": ColumnType("int", "BigInteger", "sa.BigInteger()"),
    "float": ColumnType("float", None, "sa.Float()"),
    "decimal": ColumnType(
        "Decimal", "Numeric({precision}, {scale})", "sa.Numeric(precision={precision}, scale={scale})"
    ),
    "bool": ColumnType("bool", None, "sa.Boolean()"),
    "date": ColumnType("dt.date", None, "sa.Date()"),
    "datetime": ColumnType("dt.datetime", "DateTime(timezone=True)", "sa.DateTime(timezone=True)"),
    "time": ColumnType("dt.time", None, "sa.Time()"),
    "uuid": ColumnType("UUID", None, "sa.Uuid()"),
    "json": ColumnType("dict[str, Any]", "JSONB", "postgresql.JSONB(astext_type=sa.Text())"),
}


def column_type(spec: FieldSpec) -> ColumnType:
    """The field's column type with its length, precision and scale filled in."""
    template = COLUMN_TYPES[spec.type]
    precision, scale = spec.digits
    sizes = {"length": spec.length_limit, "precision": precision, "scale": scale}
    return ColumnType(
        template.python,
        template.model.format(**sizes) if template.model else None,
        template.migration.format(**sizes),
    )


def enum_column(length: int) -> str:
    """An enum's column in a migration: a string as long as its longest value (its check
    constraint is named with the table's others)."""
    return f"sa.String(length={length})"


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
