"""create products, tax_rates (product-catalog)

Revision ID: 747325a1a122
Revises: 5fccf41d6cc6
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "747325a1a122"
down_revision: str | None = "5fccf41d6cc6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("sku", sa.String(length=32), nullable=False),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("stock", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column(
            "is_active",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
        ),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("external_id", sa.Uuid(), nullable=True),
        sa.Column("product_url", sa.String(length=2083), nullable=True),
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
            "char_length(name) >= 1",
            name=op.f("ck_products_name_min_length"),
        ),
        sa.CheckConstraint("price >= 0", name=op.f("ck_products_price_ge")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_products_stock_ge")),
        sa.CheckConstraint("weight_kg >= 0", name=op.f("ck_products_weight_kg_ge")),
        sa.CheckConstraint("weight_kg <= 1000", name=op.f("ck_products_weight_kg_le")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_products_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
        sa.UniqueConstraint("external_id", name=op.f("uq_products_external_id")),
    )
    op.create_index(op.f("ix_products_name"), "products", ["name"], unique=False)
    op.create_index(
        op.f("ix_products_created_at"),
        "products",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_products_user_id_id"),
        "products",
        ["user_id", "id"],
        unique=False,
    )
    op.create_table(
        "tax_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("rate", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column(
            "total_collected",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
        ),
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
        sa.CheckConstraint("rate >= 0", name=op.f("ck_tax_rates_rate_ge")),
        sa.CheckConstraint("rate <= 1", name=op.f("ck_tax_rates_rate_le")),
        sa.CheckConstraint(
            "total_collected >= 0",
            name=op.f("ck_tax_rates_total_collected_ge"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
        sa.UniqueConstraint("code", name=op.f("uq_tax_rates_code")),
    )
    op.create_index(
        op.f("ix_tax_rates_created_at"),
        "tax_rates",
        ["created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tax_rates_created_at"), table_name="tax_rates")
    op.drop_table("tax_rates")
    op.drop_index(op.f("ix_products_user_id_id"), table_name="products")
    op.drop_index(op.f("ix_products_created_at"), table_name="products")
    op.drop_index(op.f("ix_products_name"), table_name="products")
    op.drop_table("products")
