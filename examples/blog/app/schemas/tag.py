import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel


class TagCreate(InputModel):
    label: str = Field(max_length=40)


class TagUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"label"})
    label: str | None = Field(default=None, max_length=40)


class TagResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class TagList(BaseModel):
    items: list[TagResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


TagSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "label",
    "-label",
]


class TagFilters(QueryModel):
    """Query parameters of the list: equality filters, a search and the order."""

    label: str | None = Field(default=None, max_length=40)
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Case-insensitive search in label",
    )
    sort: TagSort = "-id"
