import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.schemas.common import InputModel, QueryModel
from app.schemas.types import ReferenceId


class CommentCreate(InputModel):
    body: str = Field(min_length=1, max_length=2000)
    post_id: ReferenceId


class CommentUpdate(InputModel):
    """Partial update: only the fields sent are changed."""

    body: str | None = Field(default=None, min_length=1, max_length=2000)
    post_id: ReferenceId | None = None

    @field_validator("body", "post_id")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Omitting a field leaves it unchanged; null would break its NOT NULL column.
        if value is None:
            raise ValueError("may not be null")
        return value


class CommentResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    body: str
    post_id: int
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CommentList(BaseModel):
    items: list[CommentResponse]
    total: int
    page: int
    size: int


CommentSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class CommentFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    post_id: ReferenceId | None = None
    sort: CommentSort = "-id"
