"""enterprise data owned by an organisation id on the token, not by the token's name

Before, a profile's `owner` was the name of the enterprise token that saved it, and any enterprise token with
that name could read and change it (every token made without --name was named "enterprise"). Now an enterprise
token carries an organisation id and profiles belong to it. The rule for stored data, chosen so that nobody
loses and nobody gains access by upgrading: each distinct owner name N becomes the organisation id
`legacy:N`, every profile owned by N is owned by `legacy:N`, and every enterprise token named N acts for
`legacy:N` (including those named "enterprise" without a profile yet). An admin then issues tokens with real ids
and moves nothing: `registry token create --role enterprise --organisation legacy:N` keeps a legacy id in use.
docs/security.md and docs/cli.md say the same.

Revision ID: 0005_organisations
Revises: 0004
Create Date: 2026-12-02 02:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_organisations"
down_revision = "0004"
branch_labels = None
depends_on = None

LEGACY = "legacy:"
_token = sa.table("token", sa.column("role", sa.String), sa.column("name", sa.String),
                  sa.column("organisation", sa.String))
_profile = sa.table("profile", sa.column("owner", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("token") as batch:
        batch.add_column(sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.create_index("ix_token_organisation", ["organisation"])
    # names are at most 200 characters: cut so that the prefix still fits the column
    op.execute(_profile.update().values(owner=sa.literal(LEGACY) + sa.func.substr(_profile.c.owner, 1, 193)))
    op.execute(_token.update().where(_token.c.role == "enterprise")
               .values(organisation=sa.literal(LEGACY) + sa.func.substr(_token.c.name, 1, 193)))


def downgrade() -> None:
    legacy = _profile.c.owner.startswith(LEGACY, autoescape=True)
    op.execute(_profile.update().where(legacy).values(owner=sa.func.substr(_profile.c.owner, len(LEGACY) + 1)))
    with op.batch_alter_table("token") as batch:
        batch.drop_index("ix_token_organisation")
        batch.drop_column("organisation")
