import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin, enum_values

# Only for the type checker: the models refer to each other, and SQLAlchemy resolves the
# quoted names through its registry at run time.
if TYPE_CHECKING:
    from app.models.category import Category
    from app.models.comment import Comment
    from app.models.tag import Tag


class PostStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


posts_tags = Table(
    "posts_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "tag_id",
        ForeignKey("tags.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Post(TimestampMixin, Base):
    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint("char_length(title) >= 2", name="title_min_length"),
        CheckConstraint("rating >= 0", name="rating_ge"),
        CheckConstraint("rating <= 5", name="rating_le"),
        Index("ix_posts_user_id_id", "user_id", "id"),
        UniqueConstraint("user_id", "slug", name="uq_posts_user_id_slug"),
        Index(
            "ix_posts_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
        Index(
            "ix_posts_body_trgm",
            "body",
            postgresql_using="gin",
            postgresql_ops={"body": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[PostStatus] = mapped_column(
        Enum(
            PostStatus,
            name="post_status",
            native_enum=False,
            create_constraint=True,
            length=9,
            values_callable=enum_values,
        ),
        server_default="draft",
    )
    rating: Mapped[int | None]
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    # Relationships never load on access (lazy="raise"): a query that needs one says so
    # with selectinload, so async code cannot trigger hidden I/O.
    category: Mapped["Category | None"] = relationship(
        back_populates="posts", lazy="raise"
    )
    tags: Mapped[list["Tag"]] = relationship(
        secondary=posts_tags, order_by="Tag.id", lazy="raise"
    )
    comments: Mapped[list["Comment"]] = relationship(
        back_populates="post", lazy="raise", passive_deletes=True
    )

    @property
    def tag_ids(self) -> list[int]:
        return [row.id for row in self.tags]

    def __repr__(self) -> str:
        return f"<Post id={self.id}>"
