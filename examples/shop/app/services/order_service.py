from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Customer, Order
from app.schemas.order import OrderCreate, OrderFilters
from app.services.references import Reference, check_references, owned_by

LABEL = "order"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Order.id,
    "created_at": Order.created_at,
    "updated_at": Order.updated_at,
    "status": Order.status,
    "placed_at": Order.placed_at,
}


class OrderService:
    """Orders and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(
        self, data: OrderCreate, *, user_id: int, reader: int | None
    ) -> Order:
        values = data.model_dump()
        await self._check_references(values, reader)
        order = Order(**values, user_id=user_id)
        async with self._writing():
            self.db.add(order)
        return order

    async def get(self, order_id: int, *, user_id: int | None) -> Order | None:
        query = select(Order).where(*self._row(order_id, user_id))
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: OrderFilters,
        user_id: int | None,
    ) -> list[Order]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Order.id.desc())
        else:
            order = (column.asc(), Order.id.asc())
        query = select(Order).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Order.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: OrderFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Order)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def customer_exists(self, customer_id: int, *, user_id: int | None) -> bool:
        """Whether the customer a nested list is under exists (and is the user's, unless `user_id` is None)."""
        query = select(Customer.id).where(Customer.id == customer_id)
        if user_id is not None:
            query = query.where(Customer.user_id == user_id)
        return await self.db.scalar(query) is not None

    async def update(
        self,
        order_id: int,
        values: dict[str, Any],
        *,
        user_id: int | None,
        reader: int | None,
    ) -> Order | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        await self._check_references(values, reader)
        query = (
            update(Order)
            .where(*self._row(order_id, user_id))
            .values(**values)
            .returning(Order)
        )
        async with self._writing():
            order = await self.db.scalar(query)
        return order

    async def delete(self, order_id: int, *, user_id: int | None) -> bool:
        query = delete(Order).where(*self._row(order_id, user_id)).returning(Order.id)
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, order_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The row `order_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [Order.id == order_id]
        if user_id is not None:
            clauses.append(Order.user_id == user_id)
        return clauses

    def _filters(
        self, filters: OrderFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Order.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Order.customer_id, filters.customer_id),
            (Order.status, filters.status),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        return clauses

    async def _check_references(
        self, values: dict[str, Any], reader: int | None
    ) -> None:
        references = [
            Reference(
                "customer_id",
                "Customer",
                Customer.id,
                values.get("customer_id"),
                (*owned_by(Customer.user_id, reader),),
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
