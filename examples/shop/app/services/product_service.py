from typing import Any, NoReturn

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError, violated_constraint
from app.models import Product
from app.schemas.product import ProductCreate

# Unique constraints of the table and the field each one protects, for 409 messages.
UNIQUE_FIELDS = {
    "uq_products_sku": "sku",
    "uq_products_external_id": "external_id",
}


class ProductService:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def create(self, data: ProductCreate, *, user_id: int) -> Product:
        product = Product(**data.model_dump(), user_id=user_id)
        self.db.add(product)
        try:
            await self.db.commit()
        except IntegrityError as exc:
            await self._conflict(exc)
        return product

    async def get(self, product_id: int, *, user_id: int) -> Product | None:
        return await self.db.scalar(
            select(Product).where(Product.id == product_id, Product.user_id == user_id)
        )

    async def get_multi(self, *, skip: int, limit: int, user_id: int) -> list[Product]:
        query = select(Product).where(Product.user_id == user_id)
        page = query.order_by(Product.id.desc()).offset(skip).limit(limit)
        return list(await self.db.scalars(page))

    async def count(self, *, user_id: int) -> int:
        query = (
            select(func.count()).select_from(Product).where(Product.user_id == user_id)
        )
        return await self.db.scalar(query) or 0

    async def update(
        self, product_id: int, values: dict[str, Any], *, user_id: int
    ) -> Product | None:
        """Apply `values` in one UPDATE ... RETURNING; None if no such row."""
        query = (
            update(Product)
            .where(Product.id == product_id, Product.user_id == user_id)
            .values(**values)
        )
        try:
            product = await self.db.scalar(query.returning(Product))
            await self.db.commit()
        except IntegrityError as exc:
            await self._conflict(exc)
        return product

    async def delete(self, product_id: int, *, user_id: int) -> bool:
        query = (
            delete(Product)
            .where(Product.id == product_id, Product.user_id == user_id)
            .returning(Product.id)
        )
        deleted = await self.db.scalar(query)
        await self.db.commit()
        return deleted is not None

    async def _conflict(self, exc: IntegrityError) -> NoReturn:
        await self.db.rollback()
        field = UNIQUE_FIELDS.get(violated_constraint(exc) or "")
        if field is None:
            raise exc
        raise ConflictError(f"A product with this {field} already exists") from exc
