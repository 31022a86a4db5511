"""Engines and sessions. SQLite: WAL, foreign keys on, and write transactions that take the write lock at
BEGIN (BEGIN IMMEDIATE) so concurrent writers wait their turn instead of failing with "database is locked"."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from registry.errors import Conflict, RegistryError

_WRITE = "registry_write"
CHANGES_CHANNEL = "registry_changes"  # PostgreSQL: notified by each write that readers see (registry/storage/changes.py)
# rows no anonymous answer shows, or derived from rows that answers do show (the search index): a write that touches
# only these and drafts keeps every cached read answer (registry/storage/changes.py, registry/api/read_cache.py)
UNSHOWN_TABLES = frozenset({"audit_event", "token", "profile", "profile_version", "compliance_run", "search_entry",
                            "rate_limit_bucket"})
_SHOWN = "registry_shown"
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
_shown_commits = 0


def generation() -> int:
    """How many write transactions this process has committed: caches compare it to notice local writes."""
    return _generation


def shown_commits() -> int:
    """How many write transactions of this process changed what anonymous readers see."""
    return _shown_commits


def _shown(row: Any) -> bool:
    table = getattr(row, "__tablename__", None)
    return table not in UNSHOWN_TABLES and not (table == "version" and getattr(row, "status", None) == "draft")


@event.listens_for(Session, "before_flush")
def _note_rows(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(_SHOWN) and any(map(_shown, (*session.new, *session.dirty, *session.deleted))):
        session.info[_SHOWN] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        if mapper is None or mapper.local_table.name not in UNSHOWN_TABLES:
            state.session.info[_SHOWN] = True


def _announce(session: Session) -> bool:
    """In the write transaction, if it changed what readers see: PostgreSQL notifies every worker (on commit);
    SQLite counts in the database header (`user_version`, ours alone; BEGIN IMMEDIATE makes the count safe)."""
    session.flush()
    if not session.info.pop(_SHOWN, False):
        return False
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANGES_CHANNEL}"))
    else:
        connection = session.connection()
        count = connection.exec_driver_sql("PRAGMA user_version").scalar() or 0
        connection.exec_driver_sql(f"PRAGMA user_version = {(count + 1) % 2_000_000_000}")
    return True


def locked(query: SelectOfScalar[Any]) -> SelectOfScalar[Any]:
    """The rows of a read-check-write, locked until the transaction ends (SELECT … FOR UPDATE on PostgreSQL;
    SQLite's writers already hold the whole database from BEGIN IMMEDIATE) and read again even when this
    session loaded them before: without populate_existing the ORM keeps the values it read before the lock."""
    return query.with_for_update().execution_options(populate_existing=True)


# PostgreSQL: a unique key or a referenced row taken by a concurrent writer, "could not serialize", "deadlock
# detected" — the other writer won and the caller may retry. SQLite's writers take turns, so only a unique key.
_LOST_RACE_SQLSTATES = {"23505", "23503", "40001", "40P01"}


def _lost_race(exc: BaseException) -> Conflict | None:
    """A database refusal caused by a concurrent writer, as the 409 the caller can act on (never a 500)."""
    if not isinstance(exc, DBAPIError):
        return None
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _LOST_RACE_SQLSTATES or (isinstance(exc, IntegrityError) and "UNIQUE constraint failed" in str(exc.orig)):
        return Conflict("another request changed the same data at the same moment; read it again and retry",
                        code="write_conflict")
    return None


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One transaction that commits on success and rolls back on any error; a write that a concurrent writer
    made impossible (a unique key taken, a deadlock) is a 409 `write_conflict`, not a 500."""
    global _generation, _shown_commits
    with Session(engine.execution_options(**{_WRITE: True}), expire_on_commit=False) as session:
        try:
            yield session
            shown = _announce(session)
            session.commit()
            _shown_commits += shown
        except BaseException as exc:
            session.rollback()
            conflict = _lost_race(exc)
            if conflict is not None:
                raise conflict from exc
            raise
        finally:
            _generation += 1


def lock_name(connection: Any, name: str) -> None:
    """Make the write transactions about one thing that has no row to lock yet (the start-up, an imported
    meeting's title and start) take turns: a transaction-scoped PostgreSQL advisory lock on the name's hash.
    SQLite's write transactions already take turns from BEGIN IMMEDIATE."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})


def hold_startup_lock(connection: Any) -> None:
    """Make this transaction the only one migrating or loading the first corpus, so that several server
    processes can start on one database at once."""
    lock_name(connection, "registry start-up")


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; closing it ends its transaction and leaves loaded rows usable."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


class SchemaTooNew(RegistryError):
    status = 500
    code = "schema_too_new"
