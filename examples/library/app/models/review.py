import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin

# Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
# quoted names through its registry at run time.
if TYPE_CHECKING:
    from app.models.book import Book


class Review(TimestampMixin, Base):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating >= 1", name="rating_ge"),
        CheckConstraint("rating <= 5", name="rating_le"),
        CheckConstraint("char_length(body) <= 2000", name="body_max_length"),
        Index("ix_reviews_user_id_id", "user_id", "id"),
        Index(
            "ix_reviews_body_trgm",
            "body",
            postgresql_using="gin",
            postgresql_ops={"body": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(
        ForeignKey("books.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Who created and last changed the row: set from the signed-in user, never from a payload.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Set by DELETE; reads and lists skip such rows, and an admin may restore them.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    # Relationships never load on access (lazy="raise"): a query that needs one says so
    # with selectinload, so async code cannot trigger hidden I/O.
    book: Mapped["Book"] = relationship(back_populates="reviews", lazy="raise")

    def __repr__(self) -> str:
        return f"<Review id={self.id}>"
