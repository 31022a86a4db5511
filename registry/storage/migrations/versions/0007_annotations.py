"""content hashes without `x-rule` annotations; annotation revisions

A version's `content_hash` now covers its schema without the `x-rule` annotations of its schema objects (what it
requires), so sources, quotes, summaries and citations can be amended without a new version; `body_hash` keeps the
hash of the whole body as stored (annotations included). This migration recomputes both for every stored version
and adds `annotation_revision`, the history of those amendments. Audit events keep the hashes they recorded: an
event written before this revision names the hash of the whole body as it then was.

The canonical JSON and the removal of annotations are copied here as they are at this revision, so that the
migration never changes; tests/test_annotations.py checks that they give what registry.domain.canonical gives.

Revision ID: 0007_annotations
Revises: 0005_organisations
Create Date: 2026-12-02 05:30:00
"""
import hashlib
import json
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_annotations"
down_revision = "0005_organisations"
branch_labels = None
depends_on = None

_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs")
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SINGLE = ("items", "additionalProperties", "contains", "not", "if", "then", "else", "propertyNames",
           "unevaluatedItems", "unevaluatedProperties", "contentSchema")


def _normalise(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _hash(value: Any) -> str:
    text = json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _strip(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    out = {}
    for keyword, value in schema.items():
        if keyword == "x-rule":
            continue
        if keyword in _MAPS and isinstance(value, dict):
            value = {name: _strip(sub) for name, sub in value.items()}
        elif keyword in _LISTS and isinstance(value, list):
            value = [_strip(sub) for sub in value]
        elif keyword in _SINGLE:
            value = _strip(value)
        out[keyword] = value
    return out


_version = sa.table("version", sa.column("id", sa.Integer), sa.column("body", sa.JSON),
                    sa.column("content_hash", sa.String), sa.column("body_hash", sa.String))


def _rehash(annotations: bool) -> None:
    bind = op.get_bind()
    for version_id, body in bind.execute(sa.select(_version.c.id, _version.c.body)).all():
        values = {"content_hash": _hash(_strip(body)) if annotations else _hash(body)}
        if annotations:
            values["body_hash"] = _hash(body)
        bind.execute(_version.update().where(_version.c.id == version_id).values(**values))


def upgrade() -> None:
    with op.batch_alter_table("version") as batch:
        batch.add_column(sa.Column("body_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                   server_default=""))
    op.create_table(
        "annotation_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("body_before", sa.JSON(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("token_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "revision", name="uq_annotation_revision"),
    )
    with op.batch_alter_table("annotation_revision") as batch:
        batch.create_index("ix_annotation_revision_version_id", ["version_id"], unique=False)
    _rehash(annotations=True)


def downgrade() -> None:
    with op.batch_alter_table("annotation_revision") as batch:
        batch.drop_index("ix_annotation_revision_version_id")
    op.drop_table("annotation_revision")
    _rehash(annotations=False)
    with op.batch_alter_table("version") as batch:
        batch.drop_column("body_hash")
