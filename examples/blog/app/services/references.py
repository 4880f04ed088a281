"""Rows a payload refers to by id, checked before a write: a bad id becomes a 422 naming
the field, never a foreign-key error. A row may be referred to when the writer may read it
under its entity's access rule; one they may not read is as absent as a missing one."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, Exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import ReferenceCycle, ReferenceNotFound
from app.models import Base

RowT = TypeVar("RowT", bound=Base)


def owned_by(
    column: InstrumentedAttribute[int], reader: int | None
) -> tuple[ColumnElement[bool], ...]:
    """Rows only their owner reads: the reader's own; any when `reader` is None (an admin)."""
    return () if reader is None else (column == reader,)


def admins_only(reader: int | None) -> tuple[ColumnElement[bool], ...]:
    """Rows only admins read: any for an admin (`reader` None), none for anyone else."""
    return () if reader is None else (false(),)


@dataclass(frozen=True)
class Reference:
    """One `<name>_id` of a payload: the id column it points at and who may see the row."""

    field: str
    label: str
    id_column: InstrumentedAttribute[int]
    value: int | None
    visible: tuple[ColumnElement[bool], ...] = ()
    # Soft-deleted targets: their row is locked FOR SHARE until the commit. A soft delete is
    # a plain UPDATE, which no foreign key stops: it waits, then sees the new row refer to
    # it (and refuses, or clears the reference); or the check waits and finds it deleted.
    locks: bool = False

    def exists(self) -> Exists:
        query = select(self.id_column).where(
            self.id_column == self.value, *self.visible
        )
        return (query.with_for_update(read=True) if self.locks else query).exists()


async def check_references(db: AsyncSession, references: Sequence[Reference]) -> None:
    """Confirm every set reference in one query, or raise for the first missing one."""
    wanted = [reference for reference in references if reference.value is not None]
    if not wanted:
        return
    found = (await db.execute(select(*(r.exists() for r in wanted)))).one()
    for reference, exists in zip(wanted, found, strict=True):
        if not exists:
            raise ReferenceNotFound(reference.field, reference.label, reference.value)


async def load_references(
    db: AsyncSession,
    model: type[RowT],
    reference: Reference,
    ids: Sequence[int],
) -> list[RowT]:
    """The rows a list of ids (`tag_ids`) names, in one query; all of them, or a 422."""
    if not ids:
        return []
    query = select(model).where(reference.id_column.in_(ids), *reference.visible)
    rows = list(await db.scalars(query))
    if len(rows) != len(set(ids)):
        raise ReferenceNotFound(reference.field, reference.label, list(ids))
    return rows


async def check_no_cycle(
    db: AsyncSession,
    reference: Reference,
    parent: InstrumentedAttribute[int | None],
    row_id: int,
) -> None:
    """Refuse a self-reference (a category's parent) whose chain leads back to `row_id`.

    Run in the transaction that changes the parent, before its commit: the lock makes
    concurrent parent changes of the table take turns, so two of them (A under B, B under A)
    cannot each miss the other's cycle.
    """
    if reference.value is None:
        return
    table = parent.class_.__tablename__
    await db.execute(
        select(func.pg_advisory_xact_lock(func.hashtext(f"{table}.{parent.key}")))
    )
    row, up = reference.id_column, parent
    start = select(row.label("id"), up.label("parent")).where(row == reference.value)
    chain = start.cte("chain", recursive=True)
    # UNION, not UNION ALL: the walk up the parents stops at a row it has seen.
    chain = chain.union(select(row, up).join(chain, row == chain.c.parent))
    if await db.scalar(select(select(chain).where(chain.c.id == row_id).exists())):
        raise ReferenceCycle(reference.field, reference.label, reference.value)
