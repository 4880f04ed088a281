"""Each entity's table, once (`table_shape`): its columns and their types, its constraints and
indexes with their names, its link tables. The migrations are written from it (Alembic
operations as source, and their undoing in reverse order), the spec diff compares two of them,
and the identifier-length check reads its names. What an owned entity adds to its table (the
`user_id` column, its foreign key, its index, unique values per owner) is decided here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prpgen import naming
from prpgen.generate.column_types import KEY, MOMENT, SqlType, column_type, enum_column, server_default
from prpgen.generate.source import Arg, Call, Collection, call, py_str, statement
from prpgen.spec.feature import EntitySpec

if TYPE_CHECKING:
    from prpgen.generate.fields import FieldContext


@dataclass(frozen=True)
class Column:
    """A column as a migration writes it: `sa.Column(name, type, server_default=..., nullable=...)`."""

    name: str
    type: SqlType
    nullable: bool
    default: str | None = None

    @property
    def call(self) -> Call:
        nullable = "True" if self.nullable else "False"
        return call("sa.Column", py_str(self.name), self.type.source, server_default=self.default, nullable=nullable)


def _field_column(f: FieldContext) -> Column:
    spec = f.spec
    if f.reference is not None:
        return Column(f.input_name, KEY, f.nullable)
    sql_type = enum_column(f.enum.length) if f.enum is not None else column_type(spec).migration
    return Column(f.name, sql_type, f.nullable, server_default(spec))


def columns(fields: Sequence[FieldContext], entity: EntitySpec) -> list[Column]:
    """The table's columns in order: id, the fields, then owner, audit, soft delete, timestamps."""
    result = [Column("id", KEY, nullable=False)]
    result += [_field_column(f) for f in fields if not (f.reference and f.reference.many)]
    if entity.owned:
        result.append(Column("user_id", KEY, nullable=False))
    if entity.audit:
        result += [Column("created_by_id", KEY, True), Column("updated_by_id", KEY, True)]
    if entity.soft_delete:
        result.append(Column("deleted_at", MOMENT, nullable=True))
    if entity.soft_delete and entity.audit:
        result.append(Column("deleted_by_id", KEY, True))
    for name in ("created_at", "updated_at") if entity.timestamps else ():
        result.append(Column(name, MOMENT, False, 'sa.text("now()")'))
    return result


@dataclass(frozen=True)
class Constraint:
    """A named constraint, written both ways: inside `op.create_table` (`item`) and added to an
    existing table (`added`, a source line); `kind` is what `op.drop_constraint` needs."""

    name: str
    kind: str
    item: Call
    added: str


def _check(table: str, name: str, sql: str) -> Constraint:
    item = call("sa.CheckConstraint", py_str(sql), name=f'op.f("{name}")')
    added = call("op.create_check_constraint", f'op.f("{name}")', py_str(table), py_str(sql))
    return Constraint(name, "check", item, statement("", added))


def _reference(table: str, column: str, target: str, on_delete: str) -> Constraint:
    key = _foreign_key(table, column, target, on_delete)
    added = call(
        "op.create_foreign_key",
        f'op.f("{key.name}")',
        py_str(table),
        py_str(target),
        f"[{py_str(column)}]",
        '["id"]',
        ondelete=py_str(on_delete),
    )
    return Constraint(key.name, "foreignkey", key.item, statement("", added))


def unique_columns(field: FieldContext, entity: EntitySpec) -> tuple[str, ...]:
    """The columns a unique field is unique over: with its owner's on an owned entity (unless
    `unique: global`), so one owner's values never collide with, nor reveal, another's."""
    if not field.spec.unique:
        return ()
    if entity.owned and field.spec.unique is True:
        return ("user_id", field.name)
    return (field.name,)


def unique_name(table: str, columns: Sequence[str]) -> str:
    """`uq_<table>_<every column>`: composite keys starting with the same column stay distinct."""
    return f"uq_{table}_{'_'.join(columns)}"


def uniques(fields: Sequence[FieldContext], entity: EntitySpec) -> list[tuple[FieldContext, tuple[str, ...]]]:
    return [(f, unique_columns(f, entity)) for f in fields if f.spec.unique]


def _unique(table: str, columns: Sequence[str]) -> Constraint:
    name = unique_name(table, columns)
    listed = ", ".join(py_str(column) for column in columns)
    item = call("sa.UniqueConstraint", *(py_str(column) for column in columns), name=f'op.f("{name}")')
    added = call("op.create_unique_constraint", f'op.f("{name}")', py_str(table), f"[{listed}]")
    return Constraint(name, "unique", item, statement("", added))


def constraints(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> dict[str, Constraint]:
    """The table's named constraints other than its primary key, in `op.create_table` order."""
    found: list[Constraint] = []
    for f in fields:
        found += [_check(table, f"ck_{table}_{check.name}", check.sql) for check in f.checks]
        if f.enum is not None:
            values = ", ".join(sql_str(m.value) for m in f.enum.members)
            sql = f"{naming.sql_identifier(f.name)} IN ({values})"
            found.append(_check(table, f"ck_{table}_{f.enum.type_name}", sql))
    if entity.owned:
        found.append(_reference(table, "user_id", "users", "CASCADE"))
    if entity.audit:
        found.append(_reference(table, "created_by_id", "users", "SET NULL"))
        found.append(_reference(table, "updated_by_id", "users", "SET NULL"))
    if entity.audit and entity.soft_delete:
        found.append(_reference(table, "deleted_by_id", "users", "SET NULL"))
    for f in fields:
        if f.reference is not None and not f.reference.many:
            found.append(_reference(table, f.input_name, f.reference.target.table, f.reference.on_delete))
    if not entity.soft_delete:
        found += [_unique(table, columns) for _, columns in uniques(fields, entity)]
    return {c.name: c for c in found}


@dataclass(frozen=True)
class ForeignKey:
    name: str
    item: Call


def _foreign_key(table: str, column: str, target: str, on_delete: str) -> ForeignKey:
    name = f"fk_{table}_{column}_{target}"
    item = call(
        "sa.ForeignKeyConstraint",
        f"[{py_str(column)}]",
        f'["{target}.id"]',
        name=f'op.f("{name}")',
        ondelete=py_str(on_delete),
    )
    return ForeignKey(name, item)


def index_columns(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> list[tuple[str, list[str]]]:
    """The table's plain (not unique) indexes: name → columns."""
    indexes = [(f"ix_{table}_{f.name}", [f.name]) for f in fields if f.spec.index and f.reference is None]
    for f in fields:
        if f.reference is not None and not f.reference.many:
            indexes.append((f"ix_{table}_{f.input_name}", [f.input_name]))
    if entity.timestamps:
        indexes.append((f"ix_{table}_created_at", ["created_at"]))
    if entity.owned:
        indexes.append((f"ix_{table}_user_id_id", ["user_id", "id"]))
    return indexes


def trigram_indexes(table: str, fields: Sequence[FieldContext]) -> list[tuple[str, str]]:
    """The trigram index of each searchable field (name, column): `q`'s case-insensitive
    substring match (ILIKE '%...%') reads it instead of every row."""
    return [(f"ix_{table}_{f.name}_trgm", f.name) for f in fields if f.spec.searchable]


def _create_trigram_index(name: str, table: str, column: str) -> str:
    index = call(
        "op.create_index",
        f'op.f("{name}")',
        py_str(table),
        f"[{py_str(column)}]",
        unique="False",
        postgresql_using='"gin"',
        postgresql_ops=f'{{{py_str(column)}: "gin_trgm_ops"}}',
    )
    return statement("", index)


def _create_index(name: str, table: str, columns: Sequence[str], *, live_unique: bool = False) -> str:
    columns_list = Collection("[", "]", tuple(py_str(c) for c in columns))
    if live_unique:
        # Soft-deleted rows keep their values; uniqueness holds among the live rows only.
        where = 'sa.text("deleted_at IS NULL")'
        index = call(
            "op.create_index", f'op.f("{name}")', py_str(table), columns_list, unique="True", postgresql_where=where
        )
        return statement("", index)
    return statement("", call("op.create_index", f'op.f("{name}")', py_str(table), columns_list, unique="False"))


def _drop_index(name: str, table: str) -> str:
    return statement("", call("op.drop_index", f'op.f("{name}")', table_name=py_str(table)))


def indexes(
    table: str, fields: Sequence[FieldContext], entity: EntitySpec, trigrams: Sequence[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """The table's indexes, `trigrams` (name, column) among them: (name, create statement, drop
    statement) each, in creation order; two of one name both listed (`table_shape` refuses them)."""
    found = [
        (name, _create_index(name, table, cols), _drop_index(name, table))
        for name, cols in index_columns(table, fields, entity)
    ]
    for name, unique in _live_unique(table, fields, entity):
        found.append((name, _create_index(name, table, unique, live_unique=True), _drop_index(name, table)))
    for name, column in trigrams:
        found.append((name, _create_trigram_index(name, table, column), _drop_index(name, table)))
    return found


Link = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def link_tables(table: str, fields: Sequence[FieldContext]) -> dict[str, Link]:
    """The link table of each `ref_many`: name → (create statements, drop statements, the names of
    its primary key, foreign keys and index)."""
    found: dict[str, Link] = {}
    for f in fields:
        if f.reference is not None and f.reference.association is not None:
            link = f.reference.association
            source_key = _foreign_key(link.table, link.source_column, table, "CASCADE")
            target_key = _foreign_key(link.table, link.target_column, f.reference.target.table, "CASCADE")
            primary_key = f"pk_{link.table}"
            items: list[str | Call | Collection | Arg] = [
                py_str(link.table),
                call("sa.Column", py_str(link.source_column), KEY.source, nullable="False"),
                call("sa.Column", py_str(link.target_column), KEY.source, nullable="False"),
                source_key.item,
                target_key.item,
                call(
                    "sa.PrimaryKeyConstraint",
                    py_str(link.source_column),
                    py_str(link.target_column),
                    name=f'op.f("{primary_key}")',
                ),
            ]
            index = f"ix_{link.table}_{link.target_column}"
            creates = (
                statement("", Call("op.create_table", tuple(items))),
                _create_index(index, link.table, [link.target_column]),
            )
            drops = (_drop_index(index, link.table), f"op.drop_table({py_str(link.table)})")
            found[link.table] = (creates, drops, (primary_key, source_key.name, target_key.name, index))
    return found


def _live_unique(table: str, fields: Sequence[FieldContext], entity: EntitySpec) -> list[tuple[str, tuple[str, ...]]]:
    """Unique fields of a soft-deleting table: partial unique indexes instead of constraints."""
    if not entity.soft_delete:
        return []
    return [(unique_name(table, columns), columns) for _, columns in uniques(fields, entity)]


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class TableShape:
    """One entity's table as its migrations create it and the spec diff compares it."""

    name: str
    columns: dict[str, Column]
    constraints: dict[str, Constraint]
    # name → (create statement, drop statement)
    indexes: dict[str, tuple[str, str]]
    links: dict[str, Link]
    # Every name PostgreSQL gets from it, held to its 63 bytes (`context`).
    identifiers: tuple[str, ...]
    # The indexes that need the pg_trgm extension.
    trigram: frozenset[str] = frozenset()

    @property
    def create_table(self) -> str:
        """`op.create_table(...)` with its columns and named constraints."""
        items: list[str | Call | Collection | Arg] = [py_str(self.name)]
        items += [column.call for column in self.columns.values()]
        named = list(self.constraints.values())
        # The primary key sits between the references and the unique constraints, where Alembic puts it.
        items += [c.item for c in named if c.kind != "unique"]
        items.append(call("sa.PrimaryKeyConstraint", '"id"', name=f'op.f("pk_{self.name}")'))
        items += [c.item for c in named if c.kind == "unique"]
        return statement("", Call("op.create_table", tuple(items)))

    @property
    def creates(self) -> tuple[str, ...]:
        """The table, its indexes, then the link tables of its `ref_many` fields."""
        statements = [self.create_table, *(create for create, _ in self.indexes.values())]
        for link_creates, _, _ in self.links.values():
            statements += link_creates
        return tuple(statements)

    @property
    def drops(self) -> tuple[str, ...]:
        """What `creates` makes, undone in reverse order."""
        drops: list[str] = []
        for _, link_drops, _ in reversed(self.links.values()):
            drops += link_drops
        drops += [drop for _, drop in reversed(self.indexes.values())]
        return (*drops, f"op.drop_table({py_str(self.name)})")


# What the table shape of a spec holds, by the prpgen that wrote a project's migrations (recorded
# in its manifest): a project migrated with an older shape gets a migration for the difference.
# 1: before trigram indexes. 2: each searchable field has one.
SHAPE_VERSION = 2


def table_shape(
    table: str, fields: Sequence[FieldContext], entity: EntitySpec, version: int = SHAPE_VERSION
) -> TableShape:
    named = constraints(table, fields, entity)
    trigrams = trigram_indexes(table, fields) if version >= 2 else []
    listed = indexes(table, fields, entity, trigrams)
    found = {name: (create, drop) for name, create, drop in listed}
    links = link_tables(table, fields)
    # An enum's check constraint is named after its type and was never held to the limit:
    # SQLAlchemy cuts a longer name to 63 bytes with a hash, alike in the model and the migration.
    enum_checks = {f"ck_{table}_{f.enum.type_name}" for f in fields if f.enum is not None}
    # Every index's name as listed, so that a clash is seen (`found` keeps one of the two).
    identifiers = [f"pk_{table}", *(name for name in named if name not in enum_checks)]
    identifiers += [name for name, _, _ in listed]
    identifiers += [name for _, _, names in links.values() for name in names]
    trigram = frozenset(name for name, _ in trigrams)
    return TableShape(
        table, {c.name: c for c in columns(fields, entity)}, named, found, links, tuple(identifiers), trigram
    )
