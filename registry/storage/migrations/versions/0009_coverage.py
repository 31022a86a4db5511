"""jurisdiction: cooperation status as a column, coverage per topic, updated_at

Issue 15: lists and the matrix filter jurisdictions by their cooperation status (partner | not-partner |
unknown), so it is a column beside the `cooperation` JSON it repeats; rows stored before get it from that JSON
where it already says partner or not-partner, else "unknown". `coverage` holds jurisdictions.json's researched
topics ("none", with sources); `recorded` is derived from documents and never stored. `updated_at` changes when
a load changes a jurisdiction, so cached compliance frameworks see a new coverage.

Revision ID: 0009_coverage
Revises: 0008_corrections
Create Date: 2026-12-02 05:40:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_coverage"
down_revision = "0008_corrections"
branch_labels = None
depends_on = None

_jurisdiction = sa.table("jurisdiction", sa.column("code", sa.String), sa.column("cooperation", sa.JSON),
                         sa.column("cooperation_status", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("jurisdiction") as batch:
        batch.add_column(sa.Column("cooperation_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                   server_default="unknown"))
        batch.add_column(sa.Column("coverage", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch.create_index("ix_jurisdiction_cooperation_status", ["cooperation_status"])
    bind = op.get_bind()
    for code, cooperation in bind.execute(sa.select(_jurisdiction.c.code, _jurisdiction.c.cooperation)).all():
        status = cooperation.get("status") if isinstance(cooperation, dict) else None
        if status in ("partner", "not-partner"):
            bind.execute(_jurisdiction.update().where(_jurisdiction.c.code == code).values(cooperation_status=status))


def downgrade() -> None:
    with op.batch_alter_table("jurisdiction") as batch:
        batch.drop_index("ix_jurisdiction_cooperation_status")
        batch.drop_column("updated_at")
        batch.drop_column("coverage")
        batch.drop_column("cooperation_status")
