"""compliance_run: the request that replays a saved profile's check exactly

Issue 16: a saved check keeps its `rerun` request (markets, date, topics, the profile's id and version, and every
rule version pinned by number, content hash and body hash), so it can be sent again and answer identically whatever
has been published, corrected or back-dated since. Checks recorded before have none (null).

Revision ID: 0010_compliance_rerun
Revises: 0009_coverage
Create Date: 2026-12-02 08:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_compliance_rerun"
down_revision = "0009_coverage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("compliance_run") as batch:
        batch.add_column(sa.Column("rerun", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("compliance_run") as batch:
        batch.drop_column("rerun")
