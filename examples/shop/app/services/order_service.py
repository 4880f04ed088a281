from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
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
# One row by id (`_OWNED`: and owner), built once: SQLAlchemy caches compiled SQL,
# but building a statement and its cache key per request took as long as running it.
ROW = (Order.id == bindparam("_id"),)
OWNED_ROW = (*ROW, Order.user_id == bindparam("_owner"))
GET = select(Order).where(*ROW)
GET_OWNED = select(Order).where(*OWNED_ROW)
# Writes sync the session's objects with the rows RETURNING names: the default would evaluate
# the WHERE clause in Python, where a bound parameter has no value.
SYNC = {"synchronize_session": "fetch"}
UPDATE = update(Order).where(*ROW).returning(Order).execution_options(**SYNC)
UPDATE_OWNED = (
    update(Order).where(*OWNED_ROW).returning(Order).execution_options(**SYNC)
)
DELETE = delete(Order).where(*ROW).returning(Order.id).execution_options(**SYNC)
DELETE_OWNED = (
    delete(Order).where(*OWNED_ROW).returning(Order.id).execution_options(**SYNC)
)


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
        query = GET if user_id is None else GET_OWNED
        return await self.db.scalar(query, {"_id": order_id, "_owner": user_id})

    async def get_multi(
        self, *, skip: int, limit: int, filters: OrderFilters, user_id: int | None
    ) -> list[Order]:
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties, so pages never overlap or skip rows.
        if filters.sort.startswith("-"):
            order = (column.desc(), Order.id.desc())
        else:
            order = (column.asc(), Order.id.asc())
        query = select(Order).where(*self._filters(filters, user_id))
        page = query.order_by(*order).offset(skip).limit(limit)
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
        query = UPDATE if user_id is None else UPDATE_OWNED
        async with self._writing():
            order = await self.db.scalar(
                query.values(**values), {"_id": order_id, "_owner": user_id}
            )
        return order

    async def delete(self, order_id: int, *, user_id: int | None) -> bool:
        query = DELETE if user_id is None else DELETE_OWNED
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query, {"_id": order_id, "_owner": user_id})
        return deleted is not None

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
