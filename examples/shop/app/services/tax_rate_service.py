from typing import Any, NoReturn

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError, violated_constraint
from app.models import TaxRate
from app.schemas.tax_rate import TaxRateCreate

# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS = {
    "uq_tax_rates_code": "code",
}


class TaxRateService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: TaxRateCreate) -> TaxRate:
        tax_rate = TaxRate(**data.model_dump())
        self.db.add(tax_rate)
        try:
            await self.db.commit()
        except IntegrityError as exc:
            await self._conflict(exc)
        return tax_rate

    async def get(self, tax_rate_id: int) -> TaxRate | None:
        return await self.db.scalar(select(TaxRate).where(TaxRate.id == tax_rate_id))

    async def get_multi(self, *, skip: int, limit: int) -> list[TaxRate]:
        query = select(TaxRate)
        page = query.order_by(TaxRate.id.desc()).offset(skip).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self) -> int:
        query = select(func.count()).select_from(TaxRate)
        return await self.db.scalar(query) or 0

    async def update(self, tax_rate_id: int, values: dict[str, Any]) -> TaxRate | None:
        """Apply `values` in one UPDATE ... RETURNING; None if no such row."""
        query = update(TaxRate).where(TaxRate.id == tax_rate_id).values(**values)
        try:
            tax_rate = await self.db.scalar(query.returning(TaxRate))
            await self.db.commit()
        except IntegrityError as exc:
            await self._conflict(exc)
        return tax_rate

    async def delete(self, tax_rate_id: int) -> bool:
        query = delete(TaxRate).where(TaxRate.id == tax_rate_id).returning(TaxRate.id)
        deleted = await self.db.scalar(query)
        await self.db.commit()
        return deleted is not None

    async def _conflict(self, exc: IntegrityError) -> NoReturn:
        await self.db.rollback()
        field = UNIQUE_FIELDS.get(violated_constraint(exc) or "")
        if field is None:
            raise exc
        raise ConflictError(f"A tax rate with this {field} already exists") from exc
