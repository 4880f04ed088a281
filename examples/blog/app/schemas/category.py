import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import ReferenceId, ReferenceIdFilter


class CategoryCreate(InputModel):
    name: str = Field(max_length=80)
    parent_id: ReferenceId | None = Field(
        default=None, description="The enclosing category, if any"
    )


class CategoryUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"name"})
    name: str | None = Field(default=None, max_length=80)
    parent_id: ReferenceId | None = Field(
        default=None, description="The enclosing category, if any"
    )


class CategoryResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    parent_id: int | None
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CategoryList(BaseModel):
    items: list[CategoryResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


CategorySort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "name",
    "-name",
]


class CategoryFilters(QueryModel):
    """Query parameters of the list: equality filters, a search and the order."""

    name: str | None = Field(default=None, max_length=80)
    parent_id: ReferenceIdFilter | None = None
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Case-insensitive search in name",
    )
    sort: CategorySort = "-id"
