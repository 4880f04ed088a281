import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import ReferenceId, ReferenceIdFilter


class CommentCreate(InputModel):
    body: str = Field(min_length=1, max_length=2000)
    post_id: ReferenceId


class CommentUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"body", "post_id"})
    body: str | None = Field(default=None, min_length=1, max_length=2000)
    post_id: ReferenceId | None = None


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
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


CommentSort = Literal[
    "id", "-id", "created_at", "-created_at", "updated_at", "-updated_at"
]


class CommentFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    post_id: ReferenceIdFilter | None = None
    sort: CommentSort = "-id"
