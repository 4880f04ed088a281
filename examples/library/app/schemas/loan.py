import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import CalendarDate, ReferenceId, ReferenceIdFilter


class LoanCreate(InputModel):
    book_id: ReferenceId
    due_on: CalendarDate


class LoanUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"book_id", "due_on"})
    book_id: ReferenceId | None = None
    due_on: CalendarDate | None = None


class LoanResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    book_id: int
    due_on: dt.date
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class LoanList(BaseModel):
    items: list[LoanResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


LoanSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "due_on",
    "-due_on",
]


class LoanFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    book_id: ReferenceIdFilter | None = None
    sort: LoanSort = "-id"
