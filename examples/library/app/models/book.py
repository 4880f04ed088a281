import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin

# Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
# quoted names through its registry at run time.
if TYPE_CHECKING:
    from app.models.loan import Loan
    from app.models.review import Review
    from app.models.shelf import Shelf


class Book(TimestampMixin, Base):
    __tablename__ = "books"
    __table_args__ = (
        CheckConstraint("char_length(title) >= 1", name="title_min_length"),
        Index(
            "uq_books_isbn",
            "isbn",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_books_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    isbn: Mapped[str] = mapped_column(String(17))
    published_on: Mapped[dt.date | None]
    shelf_id: Mapped[int | None] = mapped_column(
        ForeignKey("shelves.id", ondelete="SET NULL"), index=True
    )
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
    shelf: Mapped["Shelf | None"] = relationship(back_populates="books", lazy="raise")
    reviews: Mapped[list["Review"]] = relationship(
        back_populates="book", lazy="raise", passive_deletes=True
    )
    loans: Mapped[list["Loan"]] = relationship(
        back_populates="book", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Book id={self.id}>"
