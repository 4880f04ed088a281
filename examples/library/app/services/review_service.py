from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Book, Review
from app.schemas.review import ReviewCreate, ReviewFilters
from app.services.references import Reference, check_references

LABEL = "review"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Review.id,
    "created_at": Review.created_at,
    "updated_at": Review.updated_at,
    "rating": Review.rating,
}


class ReviewService:
    """Reviews and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(
        self, data: ReviewCreate, *, user_id: int, actor_id: int
    ) -> Review:
        values = data.model_dump()
        await self._check_references(values)
        review = Review(
            **values, user_id=user_id, created_by_id=actor_id, updated_by_id=actor_id
        )
        async with self._writing():
            self.db.add(review)
        return review

    async def get(self, review_id: int, *, user_id: int | None) -> Review | None:
        query = select(Review).where(*self._row(review_id, user_id))
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: ReviewFilters,
        user_id: int | None,
    ) -> list[Review]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Review.id.desc())
        else:
            order = (column.asc(), Review.id.asc())
        query = select(Review).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Review.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: ReviewFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Review)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def book_exists(self, book_id: int) -> bool:
        """Whether the book a nested list is under exists."""
        query = select(Book.id).where(Book.id == book_id, Book.deleted_at.is_(None))
        return await self.db.scalar(query) is not None

    async def update(
        self,
        review_id: int,
        values: dict[str, Any],
        *,
        user_id: int | None,
        actor_id: int,
    ) -> Review | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        values = {**values, "updated_by_id": actor_id}
        await self._check_references(values)
        query = (
            update(Review)
            .where(*self._row(review_id, user_id))
            .values(**values)
            .returning(Review)
        )
        async with self._writing():
            review = await self.db.scalar(query)
        return review

    async def delete(
        self, review_id: int, *, user_id: int | None, actor_id: int
    ) -> bool:
        """Mark the row deleted; it stays, out of every read, until an admin restores it."""
        query = (
            update(Review)
            .where(*self._row(review_id, user_id))
            .values(deleted_at=func.now(), deleted_by_id=actor_id)
            .returning(Review.id)
        )
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    async def restore(self, review_id: int, *, actor_id: int) -> Review | None:
        """Bring back a deleted row; None if there is no deleted row with that id."""
        deleted = (
            Review.id == review_id,
            Review.deleted_at.is_not(None),
            ~Review.book.has(Book.deleted_at.is_not(None)),
        )
        restored = {
            "deleted_at": None,
            "deleted_by_id": None,
            "updated_by_id": actor_id,
        }
        query = update(Review).where(*deleted).values(**restored).returning(Review)
        async with self._writing():
            review = await self.db.scalar(query)
        return review

    def _row(self, review_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The live row `review_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [
            Review.id == review_id,
            Review.deleted_at.is_(None),
            ~Review.book.has(Book.deleted_at.is_not(None)),
        ]
        if user_id is not None:
            clauses.append(Review.user_id == user_id)
        return clauses

    def _filters(
        self, filters: ReviewFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Review.user_id == user_id)
        if not filters.include_deleted:
            clauses.append(Review.deleted_at.is_(None))
            clauses.append(~Review.book.has(Book.deleted_at.is_not(None)))
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Review.book_id, filters.book_id),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        if filters.q is not None:
            # autoescape: `%` and `_` in the search are matched literally.
            matches = [
                Review.body.icontains(filters.q, autoescape=True),
            ]
            clauses.append(or_(*matches))
        return clauses

    async def _check_references(self, values: dict[str, Any]) -> None:
        references = [
            Reference(
                "book_id",
                "Book",
                Book.id,
                values.get("book_id"),
                (Book.deleted_at.is_(None),),
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
