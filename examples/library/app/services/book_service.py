from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict, still_referred
from app.core.pagination import after
from app.models import Book, Loan, Shelf
from app.schemas.book import BookCreate, BookFilters
from app.services.references import Reference, check_references

LABEL = "book"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_books_isbn": "isbn",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Book.id,
    "created_at": Book.created_at,
    "updated_at": Book.updated_at,
    "title": Book.title,
    "isbn": Book.isbn,
    "published_on": Book.published_on,
}


class BookService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: BookCreate, *, actor_id: int) -> Book:
        values = data.model_dump()
        await self._check_references(values)
        book = Book(**values, created_by_id=actor_id, updated_by_id=actor_id)
        async with self._writing():
            self.db.add(book)
        return book

    async def get(self, book_id: int) -> Book | None:
        query = select(Book).where(*self._row(book_id))
        return await self.db.scalar(query)

    async def get_multi(
        self, *, limit: int, cursor: str | None, filters: BookFilters
    ) -> list[Book]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Book.id.desc())
        else:
            order = (column.asc(), Book.id.asc())
        query = select(Book).where(*self._filters(filters))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Book.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: BookFilters) -> int:
        query = select(func.count()).select_from(Book).where(*self._filters(filters))
        return await self.db.scalar(query) or 0

    async def shelf_exists(self, shelf_id: int) -> bool:
        """Whether the shelf a nested list is under exists."""
        query = select(Shelf.id).where(Shelf.id == shelf_id, Shelf.deleted_at.is_(None))
        return await self.db.scalar(query) is not None

    async def update(
        self, book_id: int, values: dict[str, Any], *, actor_id: int
    ) -> Book | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        values = {**values, "updated_by_id": actor_id}
        await self._check_references(values)
        query = update(Book).where(*self._row(book_id)).values(**values).returning(Book)
        async with self._writing():
            book = await self.db.scalar(query)
        return book

    async def delete(self, book_id: int, *, actor_id: int) -> bool:
        """Mark the row deleted; it stays, out of every read, until an admin restores it.

        Rows that refer to it fare as under a real DELETE: ON DELETE CASCADE hides them
        with it; RESTRICT refuses while live ones refer to it; SET NULL clears their
        reference, which a restore does not bring back.
        """
        query = (
            update(Book)
            .where(*self._row(book_id))
            .values(deleted_at=func.now(), deleted_by_id=actor_id)
            .returning(Book.id)
        )
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
            referred = exists().where(Loan.book_id == book_id)
            if deleted is not None and await self.db.scalar(select(referred)):
                raise still_referred(LABEL)
        return deleted is not None

    async def restore(self, book_id: int, *, actor_id: int) -> Book | None:
        """Bring back a deleted row; None if there is no deleted row with that id."""
        deleted = (Book.id == book_id, Book.deleted_at.is_not(None))
        restored = {
            "deleted_at": None,
            "deleted_by_id": None,
            "updated_by_id": actor_id,
        }
        query = update(Book).where(*deleted).values(**restored).returning(Book)
        async with self._writing():
            book = await self.db.scalar(query)
        return book

    def _row(self, book_id: int) -> list[ColumnElement[bool]]:
        """The live row `book_id` names."""
        return [Book.id == book_id, Book.deleted_at.is_(None)]

    def _filters(self, filters: BookFilters) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if not filters.include_deleted:
            clauses.append(Book.deleted_at.is_(None))
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Book.isbn, filters.isbn),
            (Book.shelf_id, filters.shelf_id),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        if filters.q is not None:
            # autoescape: `%` and `_` in the search are matched literally.
            matches = [
                Book.title.icontains(filters.q, autoescape=True),
            ]
            clauses.append(or_(*matches))
        return clauses

    async def _check_references(self, values: dict[str, Any]) -> None:
        references = [
            Reference(
                "shelf_id",
                "Shelf",
                Shelf.id,
                values.get("shelf_id"),
                (Shelf.deleted_at.is_(None),),
                locks=True,
            ),
        ]
        await check_references(self.db, references)

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
