import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base

# Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
# quoted names through its registry at run time.
if TYPE_CHECKING:
    from app.models.book import Book


class Shelf(Base):
    __tablename__ = "shelves"
    __table_args__ = (
        CheckConstraint("position >= 0", name="position_ge"),
        Index(
            "uq_shelves_name",
            "name",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(index=True)
    # Set by DELETE; reads and lists skip such rows, and an admin may restore them.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    # Relationships never load on access (lazy="raise"): a query that needs one says so
    # with selectinload, so async code cannot trigger hidden I/O.
    books: Mapped[list["Book"]] = relationship(
        back_populates="shelf", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Shelf id={self.id}>"
