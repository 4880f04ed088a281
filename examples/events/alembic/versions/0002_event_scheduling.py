"""create events (event-scheduling)

Revision ID: 3bad6f0ea691
Revises: 5fccf41d6cc6
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3bad6f0ea691"
down_revision: str | None = "5fccf41d6cc6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("website", sa.String(length=2083), nullable=True),
        sa.Column("capacity", sa.BigInteger(), nullable=False),
        sa.Column("ticket_price", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.Uuid(), nullable=False),
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
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_events_capacity_ge")),
        sa.CheckConstraint(
            "category IN ('meetup', 'workshop', 'conference')",
            name=op.f("ck_events_event_category"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_events_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint(
            "user_id", "reference", name=op.f("uq_events_user_id_reference")
        ),
    )
    op.create_index(op.f("ix_events_starts_on"), "events", ["starts_on"], unique=False)
    op.create_index(
        op.f("ix_events_created_at"), "events", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_events_user_id_id"), "events", ["user_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_events_user_id_id"), table_name="events")
    op.drop_index(op.f("ix_events_created_at"), table_name="events")
    op.drop_index(op.f("ix_events_starts_on"), table_name="events")
    op.drop_table("events")
