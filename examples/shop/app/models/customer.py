from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin

# Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
# quoted names through its registry at run time.
if TYPE_CHECKING:
    from app.models.order import Order


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("char_length(name) >= 1", name="name_min_length"),
        Index("ix_customers_user_id_id", "user_id", "id"),
        UniqueConstraint("user_id", "email", name="uq_customers_user_id_email"),
        Index(
            "ix_customers_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    # Relationships never load on access (lazy="raise"): a query that needs one says so
    # with selectinload, so async code cannot trigger hidden I/O.
    orders: Mapped[list["Order"]] = relationship(
        back_populates="customer", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Customer id={self.id}>"
