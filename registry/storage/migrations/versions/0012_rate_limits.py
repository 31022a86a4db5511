"""rate_limit_bucket: the rate limits (failed authentications per address, writes per token) kept in the database,
so that every server process spends from the same buckets (two workers no longer double a limit)

Revision ID: 0012_rate_limits
Revises: 0011_search
Create Date: 2026-12-02 11:20:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012_rate_limits"
down_revision = "0011_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_bucket",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("rate_limit_bucket") as batch:
        batch.create_index("ix_rate_limit_bucket_at", ["at"])


def downgrade() -> None:
    op.drop_table("rate_limit_bucket")
