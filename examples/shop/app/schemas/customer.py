import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import Email


class CustomerCreate(InputModel):
    name: str = Field(min_length=1, max_length=120)
    email: Email


class CustomerUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"name", "email"})
    name: str | None = Field(default=None, min_length=1, max_length=120)
    email: Email | None = None


class CustomerResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerList(BaseModel):
    items: list[CustomerResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


CustomerSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "name",
    "-name",
    "email",
    "-email",
]


class CustomerFilters(QueryModel):
    """Query parameters of the list: equality filters, a search and the order."""

    email: Email | None = None
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Case-insensitive search in name",
    )
    sort: CustomerSort = "-id"
