import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from app.models.post import PostStatus
from app.schemas.common import InputModel


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
    rating: int | None = Field(default=None, ge=0, le=5)
    published_at: AwareDatetime | None = None


class PostUpdate(InputModel):
    """Partial update: only the fields sent are changed."""

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
    rating: int | None = Field(default=None, ge=0, le=5)
    published_at: AwareDatetime | None = None

    @field_validator("title", "slug", "body", "status")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Omitting a field leaves it unchanged; null would break its NOT NULL column.
        if value is None:
            raise ValueError("may not be null")
        return value


class PostResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    slug: str
    body: str
    status: PostStatus
    rating: int | None
    published_at: dt.datetime | None
    user_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PostList(BaseModel):
    items: list[PostResponse]
    total: int
    page: int
    size: int
