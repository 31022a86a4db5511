"""filter values as words of a meeting's search text (its first line)

A search with words and filters then narrows inside the full-text index (FTS5 on SQLite, the GIN-indexed tsvector
on PostgreSQL) instead of looking up every meeting that a common word matches; the filters are still checked
exactly after that. The app writes the line whenever it refreshes a meeting's search text
(registry.domain.meetings.filter_words: a word per tag, "rcr", the kind's letter and 24 hex digits of a BLAKE2b
digest of the value, and one for the UTC start year); this migration writes it for the meetings stored before, in
the same form, kept here as it was at this revision so that the migration never changes.
tests/meetings/test_meeting_storage.py checks that both give the same text.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 17:30:00
"""
import hashlib
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LETTERS = {"jurisdiction": "j", "topic": "t", "organisation": "o"}
_MAX_SEARCH_TEXT = 300_000


def _words(tags: list[tuple[str, str]], year: int) -> str:
    return " ".join([f"rcr{_LETTERS[kind]}{hashlib.blake2b(value.encode('utf-8'), digest_size=12).hexdigest()}"
                     for kind, value in sorted(tags) if kind in _LETTERS] + [f"rcryear{year}"])


def upgrade() -> None:
    bind = op.get_bind()
    year = "strftime('%Y', start_at)" if bind.dialect.name == "sqlite" else \
        "CAST(extract(year FROM start_at AT TIME ZONE 'UTC') AS integer)"
    tags: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for meeting_id, kind, value in bind.execute(sa.text("SELECT meeting_id, kind, value FROM meeting_tag")):
        tags[meeting_id].append((kind, value))
    rows = []
    for meeting_id, start_year, text in bind.execute(sa.text(f"SELECT id, {year}, search_text FROM meeting")):
        words = _words(tags[meeting_id], int(start_year))  # then the content, cut as the app cuts it
        rows.append({"id": meeting_id, "text": words + "\n" + text[:max(0, _MAX_SEARCH_TEXT - len(words) - 1)]})
    if rows:
        bind.execute(sa.text("UPDATE meeting SET search_text = :text WHERE id = :id"), rows)


def downgrade() -> None:
    bind = op.get_bind()
    rows = [{"id": meeting_id, "text": text.split("\n", 1)[1] if "\n" in text else ""}
            for meeting_id, text in bind.execute(sa.text("SELECT id, search_text FROM meeting "
                                                         "WHERE search_text LIKE 'rcr%'"))]
    if rows:
        bind.execute(sa.text("UPDATE meeting SET search_text = :text WHERE id = :id"), rows)
