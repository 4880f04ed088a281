"""create shelves, books, reviews, loans (library-catalogue)

Revision ID: c92043a40395
Revises: 5fccf41d6cc6
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c92043a40395"
down_revision: str | None = "5fccf41d6cc6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "shelves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("position >= 0", name=op.f("ck_shelves_position_ge")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelves")),
    )
    op.create_index(op.f("ix_shelves_position"), "shelves", ["position"], unique=False)
    op.create_index(
        op.f("uq_shelves_name"),
        "shelves",
        ["name"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "books",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("isbn", sa.String(length=17), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("shelf_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
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
            "char_length(title) >= 1", name=op.f("ck_books_title_min_length")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_books_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_books_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["users.id"],
            name=op.f("fk_books_deleted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shelf_id"],
            ["shelves.id"],
            name=op.f("fk_books_shelf_id_shelves"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_books")),
    )
    op.create_index(op.f("ix_books_shelf_id"), "books", ["shelf_id"], unique=False)
    op.create_index(op.f("ix_books_created_at"), "books", ["created_at"], unique=False)
    op.create_index(
        op.f("uq_books_isbn"),
        "books",
        ["isbn"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        op.f("ix_books_title_trgm"),
        "books",
        ["title"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
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
        sa.CheckConstraint("rating >= 1", name=op.f("ck_reviews_rating_ge")),
        sa.CheckConstraint("rating <= 5", name=op.f("ck_reviews_rating_le")),
        sa.CheckConstraint(
            "char_length(body) <= 2000", name=op.f("ck_reviews_body_max_length")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reviews_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_reviews_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_reviews_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["users.id"],
            name=op.f("fk_reviews_deleted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_reviews_book_id_books"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(op.f("ix_reviews_book_id"), "reviews", ["book_id"], unique=False)
    op.create_index(
        op.f("ix_reviews_created_at"), "reviews", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_reviews_user_id_id"), "reviews", ["user_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_reviews_body_trgm"),
        "reviews",
        ["body"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"body": "gin_trgm_ops"},
    )
    op.create_table(
        "loans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_loans_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_loans_book_id_books"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
    )
    op.create_index(op.f("ix_loans_book_id"), "loans", ["book_id"], unique=False)
    op.create_index(op.f("ix_loans_created_at"), "loans", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_loans_user_id_id"), "loans", ["user_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_loans_user_id_id"), table_name="loans")
    op.drop_index(op.f("ix_loans_created_at"), table_name="loans")
    op.drop_index(op.f("ix_loans_book_id"), table_name="loans")
    op.drop_table("loans")
    op.drop_index(op.f("ix_reviews_body_trgm"), table_name="reviews")
    op.drop_index(op.f("ix_reviews_user_id_id"), table_name="reviews")
    op.drop_index(op.f("ix_reviews_created_at"), table_name="reviews")
    op.drop_index(op.f("ix_reviews_book_id"), table_name="reviews")
    op.drop_table("reviews")
    op.drop_index(op.f("ix_books_title_trgm"), table_name="books")
    op.drop_index(op.f("uq_books_isbn"), table_name="books")
    op.drop_index(op.f("ix_books_created_at"), table_name="books")
    op.drop_index(op.f("ix_books_shelf_id"), table_name="books")
    op.drop_table("books")
    op.drop_index(op.f("uq_shelves_name"), table_name="shelves")
    op.drop_index(op.f("ix_shelves_position"), table_name="shelves")
    op.drop_table("shelves")
