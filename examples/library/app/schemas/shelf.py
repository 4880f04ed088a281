import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import Int32Filter, JsonNumber


class ShelfCreate(InputModel):
    name: str = Field(max_length=60)
    position: Annotated[int, Field(ge=0, le=2**31 - 1), JsonNumber]


class ShelfUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"name", "position"})
    name: str | None = Field(default=None, max_length=60)
    position: Annotated[int, Field(ge=0, le=2**31 - 1), JsonNumber] | None = None


class ShelfResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    deleted_at: dt.datetime | None


class ShelfList(BaseModel):
    items: list[ShelfResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


ShelfSort = Literal["id", "-id", "name", "-name", "position", "-position"]


class ShelfFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    name: str | None = Field(default=None, max_length=60)
    position: Int32Filter | None = None
    sort: ShelfSort = "-id"
    include_deleted: bool = Field(
        default=False, description="Admins only: list deleted rows too"
    )
