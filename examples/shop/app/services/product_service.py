from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import Product, TaxRate
from app.schemas.product import ProductCreate, ProductFilters
from app.services.references import Reference, check_references

LABEL = "product"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_products_user_id_sku": "sku",
    "uq_products_user_id_external_id": "external_id",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Product.id,
    "created_at": Product.created_at,
    "updated_at": Product.updated_at,
    "name": Product.name,
    "sku": Product.sku,
    "price": Product.price,
    "stock": Product.stock,
    "weight_kg": Product.weight_kg,
    "is_active": Product.is_active,
    "external_id": Product.external_id,
    "product_url": Product.product_url,
}


class ProductService:
    """Products and their operations. `user_id` limits an operation to one owner's
    rows; None lifts the limit (for admins, and where the access rules open the rows to all)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: ProductCreate, *, user_id: int) -> Product:
        values = data.model_dump()
        await self._check_references(values)
        product = Product(**values, user_id=user_id)
        async with self._writing():
            self.db.add(product)
        return product

    async def get(self, product_id: int, *, user_id: int | None) -> Product | None:
        query = select(Product).where(*self._row(product_id, user_id))
        return await self.db.scalar(query)

    async def get_multi(
        self,
        *,
        limit: int,
        cursor: str | None,
        filters: ProductFilters,
        user_id: int | None,
    ) -> list[Product]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), Product.id.desc())
        else:
            order = (column.asc(), Product.id.asc())
        query = select(Product).where(*self._filters(filters, user_id))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, Product.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: ProductFilters, *, user_id: int | None) -> int:
        query = (
            select(func.count())
            .select_from(Product)
            .where(*self._filters(filters, user_id))
        )
        return await self.db.scalar(query) or 0

    async def tax_rate_exists(self, tax_rate_id: int) -> bool:
        """Whether the tax rate a nested list is under exists."""
        query = select(TaxRate.id).where(TaxRate.id == tax_rate_id)
        return await self.db.scalar(query) is not None

    async def update(
        self, product_id: int, values: dict[str, Any], *, user_id: int | None
    ) -> Product | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        await self._check_references(values)
        query = (
            update(Product)
            .where(*self._row(product_id, user_id))
            .values(**values)
            .returning(Product)
        )
        async with self._writing():
            product = await self.db.scalar(query)
        return product

    async def delete(self, product_id: int, *, user_id: int | None) -> bool:
        query = (
            delete(Product).where(*self._row(product_id, user_id)).returning(Product.id)
        )
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, product_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
        """The row `product_id` names, if it is the user's (any row's when `user_id` is None)."""
        clauses = [Product.id == product_id]
        if user_id is not None:
            clauses.append(Product.user_id == user_id)
        return clauses

    def _filters(
        self, filters: ProductFilters, user_id: int | None
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if user_id is not None:
            clauses.append(Product.user_id == user_id)
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (Product.name, filters.name),
            (Product.sku, filters.sku),
            (Product.is_active, filters.is_active),
            (Product.external_id, filters.external_id),
            (Product.tax_rate_id, filters.tax_rate_id),
        ]
        clauses += [column == value for column, value in equal if value is not None]
        if filters.q is not None:
            # autoescape: `%` and `_` in the search are matched literally.
            matches = [
                Product.name.icontains(filters.q, autoescape=True),
            ]
            clauses.append(or_(*matches))
        return clauses

    async def _check_references(self, values: dict[str, Any]) -> None:
        references = [
            Reference(
                "tax_rate_id", "Tax rate", TaxRate.id, values.get("tax_rate_id"), ()
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
