from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin

# Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
# quoted names through its registry at run time.
if TYPE_CHECKING:
    from app.models.post import Post


class Category(TimestampMixin, Base):
    __tablename__ = "categories"
    __table_args__ = (
        Index("ix_categories_user_id_id", "user_id", "id"),
        UniqueConstraint("user_id", "name", name="uq_categories_user_id_name"),
        Index(
            "ix_categories_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    # Relationships never load on access (lazy="raise"): a query that needs one says so
    # with selectinload, so async code cannot trigger hidden I/O.
    parent: Mapped["Category | None"] = relationship(
        back_populates="children", remote_side="Category.id", lazy="raise"
    )
    children: Mapped[list["Category"]] = relationship(
        back_populates="parent", lazy="raise", passive_deletes=True
    )
    posts: Mapped[list["Post"]] = relationship(
        back_populates="category", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Category id={self.id}>"
