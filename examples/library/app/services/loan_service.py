from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Book, Loan
from app.schemas.loan import LoanCreate, LoanFilters
from app.services.references import Reference, check_references

LABEL = "loan"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Loan.id,
    "created_at": Loan.created_at,
    "updated_at": Loan.updated_at,
    "due_on": Loan.due_on,
}


class LoanService:
    """Loans and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: LoanCreate, *, user_id: int) -> Loan:
        values = data.model_dump()
        await self._check_references(values)
        loan = Loan(**values, user_id=user_id)
        async with self._writing():
            self.db.add(loan)
        return loan

    async def get(self, loan_id: int, *, user_id: int | None) -> Loan | None:
        query = select(Loan).where(*self._row(loan_id, user_id))
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: LoanFilters,
        user_id: int | None,
    ) -> list[Loan]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Loan.id.desc())
        else:
            order = (column.asc(), Loan.id.asc())
        query = select(Loan).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Loan.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: LoanFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Loan)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def book_exists(self, book_id: int) -> bool:
        """Whether the book a nested list is under exists."""
        query = select(Book.id).where(Book.id == book_id, Book.deleted_at.is_(None))
        return await self.db.scalar(query) is not None

    async def update(
        self, loan_id: int, values: dict[str, Any], *, user_id: int | None
    ) -> Loan | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        await self._check_references(values)
        query = (
            update(Loan)
            .where(*self._row(loan_id, user_id))
            .values(**values)
            .returning(Loan)
        )
        async with self._writing():
            loan = await self.db.scalar(query)
        return loan

    async def delete(self, loan_id: int, *, user_id: int | None) -> bool:
        query = delete(Loan).where(*self._row(loan_id, user_id)).returning(Loan.id)
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, loan_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The row `loan_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [Loan.id == loan_id]
        if user_id is not None:
            clauses.append(Loan.user_id == user_id)
        return clauses

    def _filters(
        self, filters: LoanFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Loan.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Loan.book_id, filters.book_id),
        ]
        clauses += [column == value for column, value in equal if value is not None]
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
