"""site search: search_entry (one row per jurisdiction, document, rule and meeting found) with its full-text index,
and jurisdiction.names (the name in other languages)

The words are normalised in Python (registry/domain/search.py: stems, CJK bigrams, ASCII words), so the engines
only split on spaces. SQLite: an external-content FTS5 table over title_words and text_words kept in step by
triggers. PostgreSQL: a stored generated tsvector, the title words weighted A and the rest B, with a GIN index
(as meeting search does, migration 0002). The rows themselves are written by the app
(registry/services/search.py). Into a registry that holds anything this writes only the mark of an index that no
normaliser wrote (kind 'index', key '0'): the app rebuilds the index on start.

Revision ID: 0011_search
Revises: 0010_compliance_rerun
Create Date: 2026-12-02 08:40:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_search"
down_revision = "0010_compliance_rerun"
branch_labels = None
depends_on = None

_SQLITE = (
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(title_words, text_words, content='search_entry', "
    "content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(rowid, title_words, text_words) VALUES (new.id, new.title_words, new.text_words); "
    "END",
    "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title_words, text_words) "
    "VALUES ('delete', old.id, old.title_words, old.text_words); END",
    "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title_words, text_words) "
    "VALUES ('delete', old.id, old.title_words, old.text_words); "
    "INSERT INTO search_entry_fts(rowid, title_words, text_words) VALUES (new.id, new.title_words, new.text_words); "
    "END",
)
_POSTGRESQL = (
    "ALTER TABLE search_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_words), 'A') || setweight(to_tsvector('simple', text_words), 'B')) "
    "STORED",
    "CREATE INDEX ix_search_entry_search ON search_entry USING gin (search_vector)",
)


def upgrade() -> None:
    with op.batch_alter_table("jurisdiction") as batch:
        batch.add_column(sa.Column("names", sa.JSON(), nullable=True))
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("namespace", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("title_words", sa.Text(), nullable=False),
        sa.Column("text_words", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key", name="uq_search_entry"),
    )
    with op.batch_alter_table("search_entry") as batch:
        batch.create_index("ix_search_entry_namespace", ["namespace"])
        batch.create_index("ix_search_entry_document_id", ["document_id"])
        batch.create_index("ix_search_entry_meeting_id", ["meeting_id"])
    for statement in _SQLITE if op.get_bind().dialect.name == "sqlite" else _POSTGRESQL:
        op.execute(statement)
    bind = op.get_bind()
    held = any(bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() for table in ("jurisdiction", "document",
                                                                                               "meeting"))
    if held:  # the mark of an index no normaliser wrote: the app rebuilds it on start
        bind.execute(sa.text("INSERT INTO search_entry (kind, key, item, namespace, draft, title, url, detail, "
                             "title_words, text_words) VALUES ('index', '0', '', '', false, '', '', '', '', '')"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("update", "delete", "insert"):
            op.execute(f"DROP TRIGGER IF EXISTS search_entry_fts_{name}")
        op.execute("DROP TABLE IF EXISTS search_entry_fts")
    op.drop_table("search_entry")
    with op.batch_alter_table("jurisdiction") as batch:
        batch.drop_column("names")
