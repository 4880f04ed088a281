"""create posts (blog-posts)

Revision ID: 034b0bdf7cd9
Revises: 5fccf41d6cc6
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "034b0bdf7cd9"
down_revision: str | None = "5fccf41d6cc6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.String(length=9),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "char_length(title) >= 2",
            name=op.f("ck_posts_title_min_length"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'archived')",
            name=op.f("ck_posts_post_status"),
        ),
        sa.CheckConstraint("rating >= 0", name=op.f("ck_posts_rating_ge")),
        sa.CheckConstraint("rating <= 5", name=op.f("ck_posts_rating_le")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_posts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("slug", name=op.f("uq_posts_slug")),
    )
    op.create_index(op.f("ix_posts_title"), "posts", ["title"], unique=False)
    op.create_index(op.f("ix_posts_created_at"), "posts", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_posts_user_id_id"),
        "posts",
        ["user_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_posts_user_id_id"), table_name="posts")
    op.drop_index(op.f("ix_posts_created_at"), table_name="posts")
    op.drop_index(op.f("ix_posts_title"), table_name="posts")
    op.drop_table("posts")
