import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import CalendarDate, ReferenceId, ReferenceIdFilter


class BookCreate(InputModel):
    title: str = Field(min_length=1, max_length=200)
    isbn: str = Field(
        max_length=17,
        pattern="^[0-9][0-9-]{8,15}[0-9X]$",
        examples=["978-0-13-468599-1"],
    )
    published_on: CalendarDate | None = None
    shelf_id: ReferenceId | None = None


class BookUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"title", "isbn"})
    title: str | None = Field(default=None, min_length=1, max_length=200)
    isbn: str | None = Field(
        default=None,
        max_length=17,
        pattern="^[0-9][0-9-]{8,15}[0-9X]$",
        examples=["978-0-13-468599-1"],
    )
    published_on: CalendarDate | None = None
    shelf_id: ReferenceId | None = None


class BookResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    isbn: str
    published_on: dt.date | None
    shelf_id: int | None
    created_by_id: int | None
    updated_by_id: int | None
    deleted_at: dt.datetime | None
    deleted_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class BookList(BaseModel):
    items: list[BookResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


BookSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "title",
    "-title",
    "isbn",
    "-isbn",
    "published_on",
    "-published_on",
]


class BookFilters(QueryModel):
    """Query parameters of the list: equality filters, a search and the order."""

    isbn: str | None = Field(default=None, max_length=17)
    shelf_id: ReferenceIdFilter | None = None
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Case-insensitive search in title",
    )
    sort: BookSort = "-id"
    include_deleted: bool = Field(
        default=False, description="Admins only: list deleted rows too"
    )
