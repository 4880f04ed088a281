import datetime as dt
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TimestampMixin, enum_values


class EventCategory(StrEnum):
    MEETUP = "meetup"
    WORKSHOP = "workshop"
    CONFERENCE = "conference"


class Event(TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_ge"),
        Index("ix_events_user_id_id", "user_id", "id"),
        UniqueConstraint("user_id", "reference", name="uq_events_user_id_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    starts_on: Mapped[dt.date] = mapped_column(index=True)
    starts_at: Mapped[dt.time]
    contact_email: Mapped[str] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(2083))
    capacity: Mapped[int] = mapped_column(BigInteger)
    ticket_price: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    category: Mapped[EventCategory] = mapped_column(
        Enum(
            EventCategory,
            name="event_category",
            native_enum=False,
            create_constraint=True,
            length=10,
            values_callable=enum_values,
        )
    )
    reference: Mapped[UUID]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    def __repr__(self) -> str:
        return f"<Event id={self.id}>"
