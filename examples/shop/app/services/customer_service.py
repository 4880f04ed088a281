from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Customer
from app.schemas.customer import CustomerCreate, CustomerFilters

LABEL = "customer"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_customers_user_id_email": "email",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Customer.id,
    "created_at": Customer.created_at,
    "updated_at": Customer.updated_at,
    "name": Customer.name,
    "email": Customer.email,
}


class CustomerService:
    """Customers and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: CustomerCreate, *, user_id: int) -> Customer:
        values = data.model_dump()
        customer = Customer(**values, user_id=user_id)
        async with self._writing():
            self.db.add(customer)
        return customer

    async def get(self, customer_id: int, *, user_id: int | None) -> Customer | None:
        query = select(Customer).where(*self._row(customer_id, user_id))
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: CustomerFilters,
        user_id: int | None,
    ) -> list[Customer]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Customer.id.desc())
        else:
            order = (column.asc(), Customer.id.asc())
        query = select(Customer).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Customer.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: CustomerFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Customer)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def update(
        self, customer_id: int, values: dict[str, Any], *, user_id: int | None
    ) -> Customer | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        query = (
            update(Customer)
            .where(*self._row(customer_id, user_id))
            .values(**values)
            .returning(Customer)
        )
        async with self._writing():
            customer = await self.db.scalar(query)
        return customer

    async def delete(self, customer_id: int, *, user_id: int | None) -> bool:
        query = (
            delete(Customer)
            .where(*self._row(customer_id, user_id))
            .returning(Customer.id)
        )
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, customer_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The row `customer_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [Customer.id == customer_id]
        if user_id is not None:
            clauses.append(Customer.user_id == user_id)
        return clauses

    def _filters(
        self, filters: CustomerFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Customer.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Customer.email, filters.email),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        if filters.q is not None:
            # autoescape: `%` and `_` in the search are matched literally.
            matches = [
                Customer.name.icontains(filters.q, autoescape=True),
            ]
            clauses.append(or_(*matches))
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
