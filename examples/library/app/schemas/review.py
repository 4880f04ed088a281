import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import JsonNumber, ReferenceId, ReferenceIdFilter


class ReviewCreate(InputModel):
    book_id: ReferenceId
    rating: Annotated[int, Field(ge=1, le=5), JsonNumber]
    body: str = Field(max_length=2000)


class ReviewUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"book_id", "rating", "body"})
    book_id: ReferenceId | None = None
    rating: Annotated[int, Field(ge=1, le=5), JsonNumber] | None = None
    body: str | None = Field(default=None, max_length=2000)


class ReviewResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    book_id: int
    rating: int
    body: str
    user_id: int
    created_by_id: int | None
    updated_by_id: int | None
    deleted_at: dt.datetime | None
    deleted_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ReviewList(BaseModel):
    items: list[ReviewResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


ReviewSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "rating",
    "-rating",
]


class ReviewFilters(QueryModel):
    """Query parameters of the list: equality filters, a search and the order."""

    book_id: ReferenceIdFilter | None = None
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Case-insensitive search in body",
    )
    sort: ReviewSort = "-id"
    include_deleted: bool = Field(
        default=False, description="Admins only: list deleted rows too"
    )
