"""Alembic migrations, run in code on start; a database newer than this registry is refused."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from registry.storage.database import SchemaTooNew, hold_startup_lock

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> str:
    """Bring the database to the newest schema; refuse one whose schema is newer than this code knows."""
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise SchemaTooNew(f"the database is at schema revision {current!r}, newer than this registry knows "
                           f"(newest known: {head()!r}); upgrade the registry before using this database")
    config = _config()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with engine.execution_options(registry_write=True).begin() as connection:
        hold_startup_lock(connection)  # another process starting at the same moment waits, then finds head
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head()
