from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin

# Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
# quoted names through its registry at run time.
if TYPE_CHECKING:
    from app.models.order_item import OrderItem
    from app.models.tax_rate import TaxRate


class Product(TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("char_length(name) >= 1", name="name_min_length"),
        CheckConstraint("price >= 0", name="price_ge"),
        CheckConstraint("stock >= 0", name="stock_ge"),
        CheckConstraint("weight_kg >= 0", name="weight_kg_ge"),
        CheckConstraint("weight_kg <= 1000", name="weight_kg_le"),
        Index("ix_products_user_id_id", "user_id", "id"),
        UniqueConstraint("user_id", "sku", name="uq_products_user_id_sku"),
        UniqueConstraint(
            "user_id", "external_id", name="uq_products_user_id_external_id"
        ),
        Index(
            "ix_products_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    sku: Mapped[str] = mapped_column(String(32))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    stock: Mapped[int] = mapped_column(server_default=sa.text("0"))
    weight_kg: Mapped[float | None]
    is_active: Mapped[bool] = mapped_column(server_default=sa.text("true"))
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    external_id: Mapped[UUID | None]
    product_url: Mapped[str | None] = mapped_column(String(2083))
    tax_rate_id: Mapped[int | None] = mapped_column(
        ForeignKey("tax_rates.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    # Relationships never load on access (lazy="raise"): a query that needs one says so
    # with selectinload, so async code cannot trigger hidden I/O.
    tax_rate: Mapped["TaxRate | None"] = relationship(
        back_populates="products", lazy="raise"
    )
    order_items: Mapped[list["OrderItem"]] = relationship(
        back_populates="product", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Product id={self.id}>"
