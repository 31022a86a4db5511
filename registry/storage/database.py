"""Engines and sessions. SQLite: WAL, foreign keys on, and write transactions that take the write lock at
BEGIN (BEGIN IMMEDIATE) so concurrent writers wait their turn instead of failing with "database is locked"."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from registry.errors import RegistryError

_WRITE = "registry_write"
BUSY_TIMEOUT_MS = 60_000


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` and `postgres://` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _owner_only(path: Path) -> None:
    """The database file readable and writable by its owner only (0600), created so if new; SQLite gives its -wal
    and -shm files the database file's mode. Files left readable by others before are narrowed."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError:
        return  # a folder that does not exist or cannot be written: SQLite reports it on connecting
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if name.stat().st_mode & 0o077:
                name.chmod(0o600)
        except OSError:  # absent, or another user's file: left to its owner
            pass


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if (path := sqlite_path(url)) is not None and not url.startswith("sqlite:///file:"):
        _owner_only(path)
    engine = create_engine(
        url, echo=echo,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///:memory:",):
        return None
    return Path(url[len("sqlite:///"):])


_generation = 0


def generation() -> int:
    """How many write transactions this process has committed: caches compare it to notice local writes."""
    return _generation


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One transaction that commits on success and rolls back on any error."""
    global _generation
    with Session(engine.execution_options(**{_WRITE: True}), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            _generation += 1


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; closing it ends its transaction and leaves loaded rows usable."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


class SchemaTooNew(RegistryError):
    status = 500
    code = "schema_too_new"
