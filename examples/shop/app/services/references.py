"""Rows a payload refers to by id, checked before a write: a bad id becomes a 422 naming
the field, never a foreign-key error, and another user's row is as absent as a missing one."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import ReferenceNotFound
from app.models import Base

RowT = TypeVar("RowT", bound=Base)


def owned_by(
    column: InstrumentedAttribute[int], user_id: int | None
) -> tuple[ColumnElement[bool], ...]:
    """The clause limiting a referenced row to its owner's; none when `user_id` is None (admins)."""
    return () if user_id is None else (column == user_id,)


@dataclass(frozen=True)
class Reference:
    """One `<name>_id` of a payload: the id column it points at and who may see the row."""

    field: str
    label: str
    id_column: InstrumentedAttribute[int]
    value: int | None
    visible: tuple[ColumnElement[bool], ...] = ()


async def check_references(db: AsyncSession, references: Sequence[Reference]) -> None:
    """Confirm every set reference in one query, or raise for the first missing one."""
    wanted = [reference for reference in references if reference.value is not None]
    if not wanted:
        return
    found = (
        await db.execute(
            select(
                *(
                    (
                        select(r.id_column)
                        .where(r.id_column == r.value, *r.visible)
                        .exists()
                    )
                    for r in wanted
                )
            )
        )
    ).one()
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
