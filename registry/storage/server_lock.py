"""Who holds the database: `registry serve` holds a shared lock on it for as long as it serves, and `registry
restore` takes it exclusively, so a restore is refused while a server holds the database (a restore under a
running server would mix the two databases in its caches and open transactions) and a server started during a
restore waits for it. SQLite: flock(2) on a file next to the database (`registry.db.lock`, 0600); PostgreSQL:
a session-level advisory lock in the database itself (per database: two registries on one server do not meet)."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text

from registry.errors import Conflict
from registry.storage.database import make_engine, sqlite_path

# an advisory lock key of our own (PostgreSQL: one bigint namespace per database)
_ADVISORY_KEY = 0x52_43_52_53_45_52_56_45  # "RCRSERVE"


class DatabaseInUse(Conflict):
    code = "database_in_use"


def _lock_file(path: os.PathLike) -> int:
    return os.open(f"{os.fspath(path)}.lock", os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def serving(url: str) -> Iterator[None]:
    """Held by a server for as long as it serves (shared: several servers may serve one database)."""
    path = sqlite_path(url)
    if path is not None:
        descriptor = _lock_file(path)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH)  # waits while a restore runs
            yield
        finally:
            os.close(descriptor)  # releases the lock
        return
    if url.startswith("sqlite"):  # in memory: nothing else can reach it
        yield
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock_shared(:key)"), {"key": _ADVISORY_KEY})
            connection.commit()
            yield
    finally:
        engine.dispose()  # closing the session releases the lock


@contextmanager
def exclusively(url: str) -> Iterator[None]:
    """Held by a restore; refused at once (409 `database_in_use`) while a server holds the database."""
    refusal = DatabaseInUse("a server is using this database: stop `registry serve` (every process of it) first, "
                            "then restore")
    path = sqlite_path(url)
    if path is not None:
        descriptor = _lock_file(path)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise refusal from None
            yield
        finally:
            os.close(descriptor)
        return
    if url.startswith("sqlite"):
        yield
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}).scalar():
                raise refusal
            connection.commit()
            yield
    finally:
        engine.dispose()
