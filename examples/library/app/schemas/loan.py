import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from app.schemas.common import InputModel, QueryModel
from app.schemas.types import ReferenceId


class LoanCreate(InputModel):
    book_id: ReferenceId
    due_on: dt.date


class LoanUpdate(InputModel):
    """Partial update: only the fields sent are changed."""

    book_id: ReferenceId | None = None
    due_on: dt.date | None = None

    @field_validator("book_id", "due_on")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Omitting a field leaves it unchanged; null would break its NOT NULL column.
        if value is None:
            raise ValueError("may not be null")
        return value


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
    total: int
    page: int
    size: int


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

    book_id: ReferenceId | None = None
    sort: LoanSort = "-id"
