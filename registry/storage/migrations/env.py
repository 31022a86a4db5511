"""Alembic environment: migrations run on the connection that registry.storage.migrate hands over."""

from alembic import context
from sqlmodel import SQLModel

from registry.storage import tables  # noqa: F401  (registers every table on the metadata)

connection = context.config.attributes["connection"]


def _include_name(name, type_, parent_names) -> bool:
    # full-text search objects made by hand in 0002 and 0011 (not in the metadata): autogenerate must not drop them
    return not (name or "").startswith(("meeting_fts", "ix_meeting_search", "search_vector", "search_entry_fts",
                                        "ix_search_entry_search"))


context.configure(connection=connection, target_metadata=SQLModel.metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                  include_name=_include_name)
with context.begin_transaction():
    context.run_migrations()
