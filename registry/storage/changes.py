"""A count that changes whenever any process commits a write that anonymous readers would see (a publish, a
withdrawal, a correction, an amendment, a document, jurisdiction or meeting changed; not a draft, a token, a
profile, the audit log: registry/storage/database.py, UNSHOWN_TABLES). The cache of read answers keys on it
(registry/api/read_cache.py), so a publish in one worker invalidates what every worker kept, with no database
trip per read.

- SQLite: such a write counts in the database header (`PRAGMA user_version`), read on a connection of our own:
  about 8 µs per read.
- PostgreSQL: such a write sends `NOTIFY registry_changes` (delivered on commit) and a thread of each process
  LISTENs and counts. Until it listens, and from the moment its connection is lost until it listens again, the
  count is None: nothing is cached or served from the cache. A worker sees another's commit a few milliseconds
  later (the notification's trip); its own writes at once (the local count).

Writes that bypass the registry (SQL typed into psql) are not seen on PostgreSQL: restart the workers after one.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Protocol

from sqlalchemy import Engine

from registry.storage.database import CHANGES_CHANNEL, shown_commits, sqlite_path

log = logging.getLogger("registry")


class ChangeCounter(Protocol):
    def current(self) -> tuple[int, int] | None: ...

    def close(self) -> None: ...


class _Never:
    """In-memory SQLite (tests, one connection): no cache."""

    def current(self) -> tuple[int, int] | None:
        return None

    def close(self) -> None:
        pass


class _UserVersion:
    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()

    def current(self) -> tuple[int, int] | None:
        with self._lock:
            try:
                return self._connection.execute("PRAGMA user_version").fetchone()[0], shown_commits()
            except sqlite3.Error:
                return None

    def close(self) -> None:
        self._connection.close()


class _Listener:
    def __init__(self, url: str) -> None:
        self._url = url
        self._count = 0
        self._listening = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="registry-changes", daemon=True)
        self._thread.start()

    def current(self) -> tuple[int, int] | None:
        return (self._count, shown_commits()) if self._listening else None

    def _listen(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self._count += 1  # whatever happened while not listening
                    self._listening = True
                    while not self._stop.is_set():
                        for _ in connection.notifies(timeout=1.0):
                            self._count += 1
            except Exception as exc:  # the database went away: stop serving cached answers until it is back
                if self._listening:
                    log.warning("stopped listening for changes (%s); read answers are not cached until it is back",
                                type(exc).__name__)
                self._listening = False
                self._stop.wait(1.0)
        self._listening = False

    def close(self) -> None:
        self._stop.set()
        self._listening = False


def change_counter(engine: Engine) -> ChangeCounter:
    if engine.dialect.name == "postgresql":
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return _Listener(url)
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    return _Never() if path is None else _UserVersion(str(path))


__all__ = ["ChangeCounter", "change_counter"]
