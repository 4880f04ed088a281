import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.models.event import EventCategory
from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import (
    CalendarDate,
    DecimalText,
    Email,
    HttpUrlStr,
    JsonNumber,
    LocalTime,
    PlainDecimal,
)

# Decimals travel as strings in their column's form, both ways: the pattern holds the
# column's digits and places and the field's bounds.
TicketPriceDecimal = Annotated[
    Decimal,
    DecimalText(
        r"^(?:\d\.\d{2}|[1-9]\d\.\d{2}|[1-9]\d{2}\.\d{2}|[1-9]\d{3}\.\d{2}|[1-9]\d{4}\.\d{2}|[1-9]\d{5}\.\d{2}|-0\.0[1-9]|-0\.[1-9]\d|-[1-9]\.\d{2}|-[1-9]\d\.\d{2}|-[1-9]\d{2}\.\d{2}|-[1-9]\d{3}\.\d{2}|-[1-9]\d{4}\.\d{2}|-[1-9]\d{5}\.\d{2})$",
        example="12.50",
    ),
]


class EventCreate(InputModel):
    name: str = Field(max_length=150)
    starts_on: CalendarDate
    starts_at: LocalTime
    contact_email: Email
    website: HttpUrlStr | None = None
    capacity: Annotated[int, Field(ge=1, le=2**63 - 1), JsonNumber]
    ticket_price: TicketPriceDecimal | None = None
    category: EventCategory
    reference: UUID


class EventUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset(
        {
            "name",
            "starts_on",
            "starts_at",
            "contact_email",
            "capacity",
            "category",
            "reference",
        }
    )
    name: str | None = Field(default=None, max_length=150)
    starts_on: CalendarDate | None = None
    starts_at: LocalTime | None = None
    contact_email: Email | None = None
    website: HttpUrlStr | None = None
    capacity: Annotated[int, Field(ge=1, le=2**63 - 1), JsonNumber] | None = None
    ticket_price: TicketPriceDecimal | None = None
    category: EventCategory | None = None
    reference: UUID | None = None


class EventResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    starts_on: dt.date
    starts_at: LocalTime
    contact_email: str
    website: str | None
    capacity: int
    ticket_price: PlainDecimal | None
    category: EventCategory
    reference: UUID
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class EventList(BaseModel):
    items: list[EventResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


EventSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "name",
    "-name",
    "starts_on",
    "-starts_on",
    "starts_at",
    "-starts_at",
    "contact_email",
    "-contact_email",
    "website",
    "-website",
    "capacity",
    "-capacity",
    "ticket_price",
    "-ticket_price",
    "category",
    "-category",
    "reference",
    "-reference",
]


class EventFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    starts_on: CalendarDate | None = None
    category: EventCategory | None = None
    reference: UUID | None = None
    sort: EventSort = "-id"
