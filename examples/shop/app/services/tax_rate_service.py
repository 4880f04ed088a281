from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import as_conflict
from app.core.pagination import after
from app.models import TaxRate
from app.schemas.tax_rate import TaxRateCreate, TaxRateFilters

LABEL = "tax rate"
# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS: dict[str, str] = {
    "uq_tax_rates_code": "code",
}
# What `sort` may name (`title` ascending, `-title` descending); nothing else reaches SQL.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": TaxRate.id,
    "created_at": TaxRate.created_at,
    "updated_at": TaxRate.updated_at,
    "code": TaxRate.code,
    "rate": TaxRate.rate,
    "total_collected": TaxRate.total_collected,
}


class TaxRateService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: TaxRateCreate) -> TaxRate:
        values = data.model_dump()
        tax_rate = TaxRate(**values)
        async with self._writing():
            self.db.add(tax_rate)
        return tax_rate

    async def get(self, tax_rate_id: int) -> TaxRate | None:
        # populate_existing: from the database even when the session already holds the row
        # (one a caller shares), so it is never stale and its links are loaded.
        return await self.db.get(TaxRate, tax_rate_id, populate_existing=True)

    async def get_multi(
        self, *, limit: int, cursor: str | None, filters: TaxRateFilters
    ) -> list[TaxRate]:
        """Up to `limit` rows in the order `filters.sort` names, after the `cursor` row's."""
        column = SORT_COLUMNS[filters.sort.removeprefix("-")]
        # The id breaks ties: each row has one place in the order, which a cursor names.
        if filters.sort.startswith("-"):
            order = (column.desc(), TaxRate.id.desc())
        else:
            order = (column.asc(), TaxRate.id.asc())
        query = select(TaxRate).where(*self._filters(filters))
        if cursor is not None:
            query = query.where(after(cursor, filters.sort, column, TaxRate.id))
        page = query.order_by(*order).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, filters: TaxRateFilters) -> int:
        query = select(func.count()).select_from(TaxRate).where(*self._filters(filters))
        return await self.db.scalar(query) or 0

    async def update(self, tax_rate_id: int, values: dict[str, Any]) -> TaxRate | None:
        """Apply `values` in one UPDATE ... RETURNING.

        None if there is no such row. The UPDATE writes every value sent (even one equal to
        what the row holds) and locks the row until the commit: a concurrent update or
        delete of it waits for this one.
        """
        query = (
            update(TaxRate)
            .where(*self._row(tax_rate_id))
            .values(**values)
            .returning(TaxRate)
        )
        async with self._writing():
            tax_rate = await self.db.scalar(query)
        return tax_rate

    async def delete(self, tax_rate_id: int) -> bool:
        query = delete(TaxRate).where(*self._row(tax_rate_id)).returning(TaxRate.id)
        async with self._writing(deleting=True):
            deleted = await self.db.scalar(query)
        return deleted is not None

    def _row(self, tax_rate_id: int) -> list[ColumnElement[bool]]:
        """The row `tax_rate_id` names."""
        return [TaxRate.id == tax_rate_id]

    def _filters(self, filters: TaxRateFilters) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        # Equality filters: each one given narrows the list.
        equal: list[tuple[InstrumentedAttribute[Any], object]] = [
            (TaxRate.code, filters.code),
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
