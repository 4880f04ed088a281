"""Difference migrations: the Alembic operations that take a feature's tables from the spec its
existing migrations were generated from to its spec now.

The diff is of the two specs' table shapes (`tables.TableShape`, the same shapes that write
`op.create_table`), not of a live database: it needs no server,
is deterministic, and `alembic check` in the generated project confirms it agrees with the models.
Every upgrade has its exact inverse as downgrade. Changes existing rows could not survive are
refused up front with what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from prpgen.errors import Problem, SpecError
from prpgen.generate.context import EntityContext, FeatureContext
from prpgen.generate.source import Call, Collection, call, py_str, statement
from prpgen.generate.tables import Column, Constraint, TableShape, sql_str
from prpgen.naming import sql_identifier


@dataclass(frozen=True)
class SchemaChange:
    title: str
    upgrade: tuple[str, ...]
    downgrade: tuple[str, ...]
    uses_jsonb: bool
    # What the upgrade destroys: dropped tables and columns, narrowed columns (data a downgrade
    # cannot bring back). Written only with the user's consent.
    destroys: tuple[str, ...] = ()


# Trigram indexes (searchable fields) need the extension; PostgreSQL 13+ lets a database's owner
# create it (a trusted extension). Never dropped: other tables may use it.
CREATE_TRIGRAMS = 'op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")'


def removed_migration(old: FeatureContext) -> SchemaChange:
    """Drop every table of a feature that is gone; the downgrade creates them again (empty)."""
    upgrade = [drop for entity in reversed(old.entities) for drop in entity.shape.drops]
    downgrade = [s for entity in old.entities for s in entity.shape.creates]
    if any(entity.shape.trigram for entity in old.entities):
        downgrade.insert(0, CREATE_TRIGRAMS)
    tables = ", ".join(e.table for e in old.entities)
    destroys = tuple(f"table {e.table} (every row)" for e in old.entities)
    title = f"drop {tables} ({old.spec.feature} removed)"
    return SchemaChange(title, tuple(upgrade), tuple(downgrade), old.uses_jsonb, destroys)


def created_migration(new: FeatureContext) -> SchemaChange:
    """A feature's first migration: the difference from a project without its tables."""
    empty = replace(new, entities=())
    change = changed_migration(empty, new, new.spec.feature)
    assert change is not None, "a feature has at least one entity"
    tables = ", ".join(e.table for e in new.entities)
    return replace(change, title=f"create {tables} ({new.spec.feature})")


def changed_migration(old: FeatureContext, new: FeatureContext, source: str) -> SchemaChange | None:
    """The operations from `old`'s tables to `new`'s, or None when the tables are the same."""
    before = {e.table: e for e in old.entities}
    after = {e.table: e for e in new.entities}
    kept = [table for table in after if table in before]
    old_tables = {t: before[t].shape for t in kept}
    new_tables = {t: after[t].shape for t in kept}
    _refuse_lossy(new, source, old_tables, new_tables)

    up: list[str] = []
    down: list[str] = []
    # Upgrade: take away what goes or changes, then add what comes, so names can be reused.
    for t in kept:
        o, n = old_tables[t], new_tables[t]
        for name in _gone(o.links, n.links):
            up += o.links[name][1]
        for name in _gone(o.indexes, n.indexes):
            up.append(o.indexes[name][1])
        for name in _gone(o.constraints, n.constraints):
            up.append(_drop_constraint(t, o.constraints[name]))
    for entity in reversed(old.entities):
        if entity.table not in after:
            up += entity.shape.drops
    for t in kept:
        up += _column_changes(t, old_tables[t], new_tables[t], after[t])
    for entity in new.entities:
        if entity.table not in before:
            up += entity.shape.creates
    for t in kept:
        o, n = old_tables[t], new_tables[t]
        for name in _gone(n.constraints, o.constraints):
            up.append(n.constraints[name].added)
        for name in _gone(n.indexes, o.indexes):
            up.append(n.indexes[name][0])
        for name in _gone(n.links, o.links):
            up += n.links[name][0]

    # Downgrade: the same steps undone in reverse order.
    for t in reversed(kept):
        o, n = old_tables[t], new_tables[t]
        for name in reversed(_gone(n.links, o.links)):
            down += n.links[name][1]
        for name in reversed(_gone(n.indexes, o.indexes)):
            down.append(n.indexes[name][1])
        for name in reversed(_gone(n.constraints, o.constraints)):
            down.append(_drop_constraint(t, n.constraints[name]))
    for entity in reversed(new.entities):
        if entity.table not in before:
            down += entity.shape.drops
    for t in reversed(kept):
        down += _column_changes(t, new_tables[t], old_tables[t], before[t], undo=True)
    for entity in old.entities:
        if entity.table not in after:
            down += entity.shape.creates
    for t in reversed(kept):
        o, n = old_tables[t], new_tables[t]
        for name in _gone(o.constraints, n.constraints):
            down.append(o.constraints[name].added)
        for name in _gone(o.indexes, n.indexes):
            down.append(o.indexes[name][0])
        for name in _gone(o.links, n.links):
            down += o.links[name][0]
    if not up:
        return None
    if _creates_trigrams(before, after, old_tables, new_tables):
        up.insert(0, CREATE_TRIGRAMS)
    if _creates_trigrams(after, before, new_tables, old_tables):
        down.insert(0, CREATE_TRIGRAMS)
    tables = ", ".join(sorted({*before, *after} - {t for t in kept if old_tables[t] == new_tables[t]}))
    destroys = [f"table {e.table} (every row)" for e in old.entities if e.table not in after]
    for t in kept:
        destroys += _destroyed(old_tables[t], new_tables[t])
    return SchemaChange(
        f"change {tables} ({new.spec.feature})",
        tuple(up),
        tuple(down),
        old.uses_jsonb or new.uses_jsonb,
        tuple(destroys),
    )


def _creates_trigrams(
    before: Mapping[str, EntityContext],
    after: Mapping[str, EntityContext],
    old_tables: Mapping[str, TableShape],
    new_tables: Mapping[str, TableShape],
) -> bool:
    """Whether going from `before` to `after` creates a trigram index: a new table's, or one a
    kept table gains."""
    if any(entity.shape.trigram for table, entity in after.items() if table not in before):
        return True
    return any(set(new_tables[t].trigram) - set(old_tables[t].trigram) for t in new_tables)


def _destroyed(o: TableShape, n: TableShape) -> list[str]:
    """What going from `o` to `n` destroys: dropped columns and link tables, narrowed columns."""
    found = [f"column {o.name}.{name}" for name in o.columns if name not in n.columns]
    found += [f"link table {name} (every link)" for name in _gone(o.links, n.links)]
    for name, column in n.columns.items():
        previous = o.columns.get(name)
        if previous is not None and not column.type.holds(previous.type):
            found.append(f"column {o.name}.{name} narrowed from {previous.type.source} to {column.type.source}")
    return found


def _gone(first: Mapping[str, object], second: Mapping[str, object]) -> list[str]:
    """Names in `first` that `second` lacks or defines differently, in `first`'s order."""
    return [name for name, value in first.items() if second.get(name) != value]


def _column_changes(
    table: str, o: TableShape, n: TableShape, entity: EntityContext, *, undo: bool = False
) -> list[str]:
    """Drop the columns `n` lacks, add the ones it gains, alter the ones that differ."""
    out = []
    for name in o.columns:
        if name not in n.columns:
            out.append(f"op.drop_column({py_str(table)}, {py_str(name)})")
    for name, column in n.columns.items():
        if name not in o.columns:
            if undo and not column.nullable and column.default is None:
                # The values are gone with the column: it comes back nullable, rows kept.
                column = Column(column.name, column.type, True)
            out.append(statement("", call("op.add_column", py_str(table), column.call)))
    for name, column in n.columns.items():
        previous = o.columns.get(name)
        if previous is None or previous == column:
            continue
        fill = _fill(entity, column) if previous.nullable and not column.nullable else None
        if fill is not None:
            quoted, column_sql = sql_identifier(table), sql_identifier(name)
            # Identifiers are validated spec names (quoted if reserved); the value is a quoted literal.
            sql = f"UPDATE {quoted} SET {column_sql} = {fill} WHERE {column_sql} IS NULL"  # noqa: S608
            out.append(statement("", call("op.execute", py_str(sql))))
        out.append(statement("", _alter(table, previous, column)))
    return out


def _alter(table: str, old: Column, new: Column) -> Call:
    changes: dict[str, str | Call | Collection | None] = {}
    if old.type != new.type:
        changes["type_"] = new.type.source
    if old.nullable != new.nullable:
        changes["nullable"] = str(new.nullable)
    if old.default != new.default:
        changes["server_default"] = new.default or "None"
    changes["existing_type"] = old.type.source
    if "nullable" not in changes:
        changes["existing_nullable"] = str(old.nullable)
    if "server_default" not in changes and old.default is not None:
        changes["existing_server_default"] = old.default
    return call("op.alter_column", py_str(table), py_str(new.name), **changes)


def _fill(entity: EntityContext, column: Column) -> str | None:
    """The SQL value that NULLs get when a column becomes required: its default."""
    field = next((f for f in entity.fields if f.name == column.name), None)
    if field is None or field.spec.default is None:
        return None
    value = field.spec.default
    if isinstance(value, bool):
        return "true" if value else "false"
    return sql_str(value) if isinstance(value, str) else str(value)


def _drop_constraint(table: str, constraint: Constraint) -> str:
    drop = call("op.drop_constraint", f'op.f("{constraint.name}")', py_str(table), type_=py_str(constraint.kind))
    return statement("", drop)


def _refuse_lossy(
    new: FeatureContext, source: str, old_tables: Mapping[str, TableShape], new_tables: Mapping[str, TableShape]
) -> None:
    """Rows already in a table must fit the new shape: a new or newly required column needs a default."""
    problems = []
    for entity in new.entities:
        if entity.table not in old_tables:
            continue
        o, n = old_tables[entity.table], new_tables[entity.table]
        for name, column in n.columns.items():
            previous = o.columns.get(name)
            if column.nullable or (previous is not None and not previous.nullable):
                continue
            if previous is None and column.default is not None:
                continue
            where = _location(new, entity, name)
            if not any(name in {f.name, f.input_name} for f in entity.fields):
                # A column of the entity's options (`owned: true` adds `user_id`): no value to give.
                problems.append(
                    Problem(
                        where,
                        f"{entity.table} already exists and its rows would have no {name}; "
                        "keep the old setting, or write that migration by hand",
                    )
                )
            elif previous is None:
                problems.append(
                    Problem(
                        where,
                        f"{entity.table} already exists and its rows would have no {name}; "
                        "give the field a `default:` or make it `required: false`",
                    )
                )
            elif previous.nullable and _fill(entity, column) is None:
                problems.append(
                    Problem(
                        where,
                        f"{entity.table} may hold rows without {name}; "
                        "give the field a `default:` (existing rows get it) or keep it `required: false`",
                    )
                )
    if problems:
        raise SpecError(source, problems)


def _location(feature: FeatureContext, entity: EntityContext, column: str) -> str:
    """`entities[1] (Book).fields.isbn`, like every spec error; the entity alone for its own columns."""
    where = f"entities[{feature.spec.entities.index(entity.spec)}] ({entity.class_name})"
    field = next((f for f in entity.fields if column in {f.name, f.input_name}), None)
    return f"{where}.fields.{field.name}" if field is not None else where
