import sqlalchemy as sa
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TimestampMixin


class Note(TimestampMixin, Base):
    __tablename__ = "notes"
    __table_args__ = (
        CheckConstraint("char_length(text) <= 2000", name="text_max_length"),
        Index("ix_notes_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(server_default=sa.text("false"))
    color: Mapped[str | None] = mapped_column(String(7))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    def __repr__(self) -> str:
        return f"<Note id={self.id}>"
