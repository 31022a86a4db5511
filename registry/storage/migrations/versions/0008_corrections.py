"""corrections and dates with their precision (issue 15)

A version may correct an earlier one: `corrects` names the number it corrects (the corrected version gets the status
`corrected`, which needs no column). `effective_from_precision` / `effective_to_precision` say how much of the stored
first-day date is known: `day` (every existing row), `month` or `year`.

Revision ID: 0008_corrections
Revises: 0007_annotations
Create Date: 2026-12-02 05:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_corrections"
down_revision = "0007_annotations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("version") as batch:
        batch.add_column(sa.Column("corrects", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("effective_from_precision", sqlmodel.sql.sqltypes.AutoString(length=5),
                                   nullable=False, server_default="day"))
        batch.add_column(sa.Column("effective_to_precision", sqlmodel.sql.sqltypes.AutoString(length=5),
                                   nullable=False, server_default="day"))


def downgrade() -> None:
    with op.batch_alter_table("version") as batch:
        batch.drop_column("effective_to_precision")
        batch.drop_column("effective_from_precision")
        batch.drop_column("corrects")
