import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel, QueryModel, UpdateModel


class NoteCreate(InputModel):
    text: str = Field(max_length=2000)
    pinned: bool = Field(default=False, strict=True)
    color: str | None = Field(default=None, max_length=7, pattern="^#[0-9a-f]{6}$")


class NoteUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"text", "pinned"})
    text: str | None = Field(default=None, max_length=2000)
    pinned: bool | None = Field(default=None, strict=True)
    color: str | None = Field(default=None, max_length=7, pattern="^#[0-9a-f]{6}$")


class NoteResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str
    pinned: bool
    color: str | None
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class NoteList(BaseModel):
    items: list[NoteResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


NoteSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "pinned",
    "-pinned",
    "color",
    "-color",
]


class NoteFilters(QueryModel):
    """Query parameters of the list: equality filters and the order."""

    pinned: bool | None = None
    sort: NoteSort = "-id"
