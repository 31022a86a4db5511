"""Whether a database error means the database cannot be reached now (a 503 and a retry), rather than a fault of
the request or of the code (a 500): refused or dropped connections, the pool or the server out of connections,
a server shutting down, SQLite's file unopenable or locked past its busy timeout."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# PostgreSQL SQLSTATEs: class 08 (connection exception); admin shutdown, crash shutdown, cannot connect now; too many
# connections
_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300"}
_SQLITE_UNAVAILABLE = ("unable to open database", "database is locked", "disk i/o error")


def unreachable(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    state = getattr(exc.orig, "sqlstate", None)
    if state:
        return state.startswith("08") or state in _UNAVAILABLE_STATES
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(m in str(exc.orig).lower() for m in _SQLITE_UNAVAILABLE)
    return True  # psycopg's OperationalError with no SQLSTATE: no server answered


__all__ = ["unreachable"]
