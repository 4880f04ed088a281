from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Book, Shelf
from app.schemas.shelf import ShelfCreate, ShelfFilters

LABEL = "shelf"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_shelves_name": "name",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Shelf.id,
    "name": Shelf.name,
    "position": Shelf.position,
}


class ShelfService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: ShelfCreate) -> Shelf:
        values = data.model_dump()
        shelf = Shelf(**values)
        async with self._writing():
            self.db.add(shelf)
        return shelf

    async def get(self, shelf_id: int) -> Shelf | None:
        query = select(Shelf).where(*self._row(shelf_id))
        return await self.db.scalar(query)

    async def get_multi(
        self, *, limit: int, cursor: str | None, filters: ShelfFilters
    ) -> list[Shelf]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Shelf.id.desc())
        else:
            order = (column.asc(), Shelf.id.asc())
        query = select(Shelf).where(*self._filters(filters))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Shelf.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: ShelfFilters) -> int:
        query = select(func.count()).select_from(Shelf).where(*self._filters(filters))
        return await self.db.scalar(query) or 0

    async def update(self, shelf_id: int, values: dict[str, Any]) -> Shelf | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        query = (
            update(Shelf).where(*self._row(shelf_id)).values(**values).returning(Shelf)
        )
        async with self._writing():
            if values:
                shelf = await self.db.scalar(query)
            else:
                # Nothing to SET (no updated_at here): lock the row as it is.
                locked = select(Shelf).where(*self._row(shelf_id)).with_for_update()
                shelf = await self.db.scalar(locked)
        return shelf

    async def delete(self, shelf_id: int) -> bool:
        """Mark the row deleted; it stays, out of every read, until an admin restores it.

        Rows that refer to it fare as under a real DELETE: ON DELETE CASCADE hides them
        with it; RESTRICT refuses while live ones refer to it; SET NULL clears their
        reference, which a restore does not bring back.
        """
        query = (
            update(Shelf)
            .where(*self._row(shelf_id))
            .values(deleted_at=func.now())
            .returning(Shelf.id)
        )
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
            if deleted is not None:
                cleared = update(Book).where(Book.shelf_id == shelf_id)
                await self.db.execute(cleared.values(shelf_id=None))
        return deleted is not None

    async def restore(self, shelf_id: int) -> Shelf | None:
        """Bring back a deleted row; None if there is no deleted row with that id."""
        deleted = (Shelf.id == shelf_id, Shelf.deleted_at.is_not(None))
        restored = {"deleted_at": None}
        query = update(Shelf).where(*deleted).values(**restored).returning(Shelf)
        async with self._writing():
            shelf = await self.db.scalar(query)
        return shelf

    def _row(self, shelf_id: int) -> list[ColumnElement[bool]]:
        """The live row `shelf_id` names."""
        return [Shelf.id == shelf_id, Shelf.deleted_at.is_(None)]

    def _filters(self, filters: ShelfFilters) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if not filters.include_deleted:
            clauses.append(Shelf.deleted_at.is_(None))
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Shelf.name, filters.name),
            (Shelf.position, filters.position),
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
