import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.post import PostStatus
from app.schemas.common import InputModel, QueryModel, UpdateModel
from app.schemas.types import JsonNumber, ReferenceId, ReferenceIdFilter, Timestamp


class PostCreate(InputModel):
    title: str = Field(
        min_length=2,
        max_length=200,
        description="Headline shown in lists",
        examples=["Hello async world"],
    )
    slug: str = Field(
        max_length=120,
        pattern="^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="URL-safe identifier",
    )
    body: str
    status: PostStatus = PostStatus.DRAFT
    rating: Annotated[int, Field(ge=0, le=5), JsonNumber] | None = None
    published_at: Timestamp | None = None
    category_id: ReferenceId | None = None
    tag_ids: list[ReferenceId] = Field(default_factory=list, max_length=100)


class PostUpdate(UpdateModel):
    """Partial update: only the fields sent are changed."""

    not_null = frozenset({"title", "slug", "body", "status", "tag_ids"})
    title: str | None = Field(
        default=None,
        min_length=2,
        max_length=200,
        description="Headline shown in lists",
        examples=["Hello async world"],
    )
    slug: str | None = Field(
        default=None,
        max_length=120,
        pattern="^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="URL-safe identifier",
    )
    body: str | None = None
    status: PostStatus | None = None
    rating: Annotated[int, Field(ge=0, le=5), JsonNumber] | None = None
    published_at: Timestamp | None = None
    category_id: ReferenceId | None = None
    tag_ids: list[ReferenceId] | None = Field(default=None, max_length=100)


class PostResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    slug: str
    body: str
    status: PostStatus
    rating: int | None
    published_at: dt.datetime | None
    category_id: int | None
    tag_ids: list[int]
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PostList(BaseModel):
    items: list[PostResponse]
    next: str | None = Field(
        description="The `cursor` of the page after this one; null on the last page"
    )
    total: int | None = Field(
        description="How many rows match, when asked for with `total=true`"
    )


PostSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "title",
    "-title",
    "slug",
    "-slug",
    "status",
    "-status",
    "rating",
    "-rating",
    "published_at",
    "-published_at",
]


class PostFilters(QueryModel):
    """Query parameters of the list: equality filters, a search and the order."""

    title: str | None = Field(default=None, max_length=200)
    slug: str | None = Field(default=None, max_length=120)
    status: PostStatus | None = None
    category_id: ReferenceIdFilter | None = None
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Case-insensitive search in title or body",
    )
    sort: PostSort = "-id"
