from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import BigInteger, CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin

# Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
# quoted names through its registry at run time.
if TYPE_CHECKING:
    from app.models.product import Product


class TaxRate(TimestampMixin, Base):
    __tablename__ = "tax_rates"
    __table_args__ = (
        CheckConstraint("rate >= 0", name="rate_ge"),
        CheckConstraint("rate <= 1", name="rate_le"),
        CheckConstraint("total_collected >= 0", name="total_collected_ge"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    total_collected: Mapped[int] = mapped_column(
        BigInteger, server_default=sa.text("0")
    )

    # Relationships never load on access (lazy="raise"): a query that needs one says so
    # with selectinload, so async code cannot trigger hidden I/O.
    products: Mapped[list["Product"]] = relationship(
        back_populates="tax_rate", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<TaxRate id={self.id}>"
