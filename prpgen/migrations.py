"""Alembic operations for new tables, written out as source: the columns, constraints and
indexes that mirror the models `context.py` describes, and their undoing in reverse order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from prpgen import naming
from prpgen.pyfmt import Arg, Call, Collection, call, py_str, statement
from prpgen.spec import EntitySpec, FieldSpec

if TYPE_CHECKING:
    from prpgen.context import FieldContext

EMAIL_LENGTH = 320
URL_LENGTH = 2083


def server_default(spec: FieldSpec) -> str | Call | None:
    if spec.default is None:
        return None
    text = "sa.text"
    if isinstance(spec.default, bool):
        return call(text, py_str("true" if spec.default else "false"))
    if spec.type in {"int", "bigint", "float", "decimal"}:
        return call(text, py_str(str(spec.default)))
    return py_str(spec.default)


def _migration_column(f: FieldContext) -> Call:
    spec = f.spec
    if f.reference is not None:
        return call("sa.Column", py_str(f.input_name), "sa.Integer()", nullable="True" if f.nullable else "False")
    kind = spec.type
    if f.enum is not None:
        column_type: str = f"sa.String(length={max(len(m.value) for m in f.enum.members)})"
    elif kind == "json":
        column_type = "postgresql.JSONB(astext_type=sa.Text())"
    else:
        column_type = {
            "str": f"sa.String(length={spec.length_limit})",
            "text": "sa.Text()",
            "email": f"sa.String(length={EMAIL_LENGTH})",
            "url": f"sa.String(length={URL_LENGTH})",
            "int": "sa.Integer()",
            "bigint": "sa.BigInteger()",
            "float": "sa.Float()",
            "decimal": "sa.Numeric(precision={}, scale={})".format(*spec.digits),
            "bool": "sa.Boolean()",
            "date": "sa.Date()",
            "datetime": "sa.DateTime(timezone=True)",
            "time": "sa.Time()",
            "uuid": "sa.Uuid()",
        }[kind]
    return call(
        "sa.Column",
        py_str(f.name),
        column_type,
        server_default=server_default(spec),
        nullable="True" if f.nullable else "False",
    )


def migration_table(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> str:
    owned = entity.owned
    items: list[str | Call | Collection | Arg] = [py_str(table), 'sa.Column("id", sa.Integer(), nullable=False)']
    items += [_migration_column(f) for f in fields if not (f.reference and f.reference.many)]
    if owned:
        items.append('sa.Column("user_id", sa.Integer(), nullable=False)')
    if entity.audit:
        items += ['sa.Column("created_by_id", sa.Integer(), nullable=True)']
        items += ['sa.Column("updated_by_id", sa.Integer(), nullable=True)']
    if entity.soft_delete:
        items.append('sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True)')
    for column in ("created_at", "updated_at") if entity.timestamps else ():
        items.append(
            call(
                "sa.Column",
                py_str(column),
                "sa.DateTime(timezone=True)",
                server_default='sa.text("now()")',
                nullable="False",
            )
        )
    for f in fields:
        for check in f.checks:
            items.append(call("sa.CheckConstraint", py_str(check.sql), name=f'op.f("ck_{table}_{check.name}")'))
        if f.enum is not None:
            values = ", ".join(sql_str(m.value) for m in f.enum.members)
            sql = f"{naming.sql_identifier(f.name)} IN ({values})"
            items.append(call("sa.CheckConstraint", py_str(sql), name=f'op.f("ck_{table}_{f.enum.type_name}")'))
    if owned:
        items.append(_foreign_key(table, "user_id", "users", "CASCADE"))
    if entity.audit:
        items.append(_foreign_key(table, "created_by_id", "users", "SET NULL"))
        items.append(_foreign_key(table, "updated_by_id", "users", "SET NULL"))
    for f in fields:
        if f.reference is not None and not f.reference.many:
            items.append(_foreign_key(table, f.input_name, f.reference.target.table, f.reference.on_delete))
    items.append(call("sa.PrimaryKeyConstraint", '"id"', name=f'op.f("pk_{table}")'))
    for f in fields:
        if f.spec.unique and not entity.soft_delete:
            items.append(call("sa.UniqueConstraint", py_str(f.name), name=f'op.f("uq_{table}_{f.name}")'))
    return statement("", Call("op.create_table", tuple(items)), 1)


def _foreign_key(table: str, column: str, target: str, on_delete: str) -> Call:
    return call(
        "sa.ForeignKeyConstraint",
        f"[{py_str(column)}]",
        f'["{target}.id"]',
        name=f'op.f("fk_{table}_{column}_{target}")',
        ondelete=py_str(on_delete),
    )


def _indexes(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> list[tuple[str, list[str]]]:
    indexes = [(f"ix_{table}_{f.name}", [f.name]) for f in fields if f.spec.index and f.reference is None]
    for f in fields:
        if f.reference is not None and not f.reference.many:
            indexes.append((f"ix_{table}_{f.input_name}", [f.input_name]))
    if entity.timestamps:
        indexes.append((f"ix_{table}_created_at", ["created_at"]))
    if entity.owned:
        indexes.append((f"ix_{table}_user_id_id", ["user_id", "id"]))
    return indexes


def _create_index(name: str, table: str, columns: Sequence[str], *, live_unique: bool = False) -> str:
    columns_list = Collection("[", "]", tuple(py_str(c) for c in columns))
    if live_unique:
        # Soft-deleted rows keep their values; uniqueness holds among the live rows only.
        where = 'sa.text("deleted_at IS NULL")'
        index = call(
            "op.create_index", f'op.f("{name}")', py_str(table), columns_list, unique="True", postgresql_where=where
        )
        return statement("", index, 1)
    return statement("", call("op.create_index", f'op.f("{name}")', py_str(table), columns_list, unique="False"), 1)


def _drop_index(name: str, table: str) -> str:
    return statement("", call("op.drop_index", f'op.f("{name}")', table_name=py_str(table)), 1)


def migration_indexes(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> tuple[str, ...]:
    """The table's indexes, then the link tables of its `ref_many` fields."""
    statements = [_create_index(name, table, columns) for name, columns in _indexes(table, fields, entity)]
    statements += [
        _create_index(name, table, [column], live_unique=True) for name, column in _live_unique(table, fields, entity)
    ]
    for f in fields:
        if f.reference is not None and f.reference.association is not None:
            link = f.reference.association
            items: list[str | Call | Collection | Arg] = [
                py_str(link.table),
                call("sa.Column", py_str(link.source_column), "sa.Integer()", nullable="False"),
                call("sa.Column", py_str(link.target_column), "sa.Integer()", nullable="False"),
                _foreign_key(link.table, link.source_column, table, "CASCADE"),
                _foreign_key(link.table, link.target_column, f.reference.target.table, "CASCADE"),
                call(
                    "sa.PrimaryKeyConstraint",
                    py_str(link.source_column),
                    py_str(link.target_column),
                    name=f'op.f("pk_{link.table}")',
                ),
            ]
            statements.append(statement("", Call("op.create_table", tuple(items)), 1))
            statements.append(_create_index(f"ix_{link.table}_{link.target_column}", link.table, [link.target_column]))
    return tuple(statements)


def _live_unique(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> list[tuple[str, str]]:
    """Unique fields of a soft-deleting table: partial unique indexes instead of constraints."""
    return [(f"uq_{table}_{f.name}", f.name) for f in fields if f.spec.unique and entity.soft_delete]


def migration_drops(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> tuple[str, ...]:
    drops: list[str] = []
    for f in reversed(fields):
        if f.reference is not None and f.reference.association is not None:
            link = f.reference.association
            drops += [
                _drop_index(f"ix_{link.table}_{link.target_column}", link.table),
                f"op.drop_table({py_str(link.table)})",
            ]
    drops += [_drop_index(name, table) for name, _ in reversed(_live_unique(table, fields, entity))]
    drops += [_drop_index(name, table) for name, _ in reversed(_indexes(table, fields, entity))]
    return (*drops, f"op.drop_table({py_str(table)})")


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
