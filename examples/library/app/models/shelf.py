from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Shelf(Base):
    __tablename__ = "shelves"
    __table_args__ = (CheckConstraint("position >= 0", name="position_ge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<Shelf id={self.id}>"
