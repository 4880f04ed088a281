from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Note
from app.schemas.note import NoteCreate, NoteFilters

LABEL = "note"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Note.id,
    "created_at": Note.created_at,
    "updated_at": Note.updated_at,
    "pinned": Note.pinned,
    "color": Note.color,
}


class NoteService:
    """Notes and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: NoteCreate, *, user_id: int) -> Note:
        values = data.model_dump()
        note = Note(**values, user_id=user_id)
        async with self._writing():
            self.db.add(note)
        return note

    async def get(self, note_id: int, *, user_id: int | None) -> Note | None:
        query = select(Note).where(*self._row(note_id, user_id))
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: NoteFilters,
        user_id: int | None,
    ) -> list[Note]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Note.id.desc())
        else:
            order = (column.asc(), Note.id.asc())
        query = select(Note).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Note.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: NoteFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Note)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def update(
        self, note_id: int, values: dict[str, Any], *, user_id: int | None
    ) -> Note | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        query = (
            update(Note)
            .where(*self._row(note_id, user_id))
            .values(**values)
            .returning(Note)
        )
        async with self._writing():
            note = await self.db.scalar(query)
        return note

    async def delete(self, note_id: int, *, user_id: int | None) -> bool:
        query = delete(Note).where(*self._row(note_id, user_id)).returning(Note.id)
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, note_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The row `note_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [Note.id == note_id]
        if user_id is not None:
            clauses.append(Note.user_id == user_id)
        return clauses

    def _filters(
        self, filters: NoteFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Note.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Note.pinned, filters.pinned),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        return clauses

    @asynccontextmanager
    async def _writing(self, *, deleting: bool = False) -> AsyncIterator[None]:
        """Commit the block's writes; a broken constraint is rolled back and becomes a 409."""
        try:
            yield
            await self.db.commit()
        except IntegrityError as exc:
            await self.db.rollback()
            conflict = as_conflict(exc, LABEL, UNIQUE_FIELDS, deleting=deleting)
            if conflict is None:
                raise
            raise conflict from exc
