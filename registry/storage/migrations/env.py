"""Alembic environment: migrations run on the connection that registry.storage.migrate hands over."""

from alembic import context
from sqlmodel import SQLModel

from registry.storage import tables  # noqa: F401  (registers every table on the metadata)

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
