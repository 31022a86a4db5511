"""GET /readyz: whether this process can serve now, i.e. reach its database. /healthz says the process is alive
(restart it if not); /readyz says whether to send it traffic (a 503 with Retry-After while the database is down,
in the one error shape)."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import State
from sqlalchemy import Engine, text

from registry import __version__
from registry.api.errors import DATABASE_RETRY_AFTER
from registry.errors import DatabaseUnavailable

PATH = "/readyz"


def _ping(engine: Engine) -> None:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # whatever stops a connection and one query: not ready
        raise DatabaseUnavailable("the database cannot be reached; retry shortly",
                                  detail={"retry_after": DATABASE_RETRY_AFTER}) from exc


@get(PATH, include_in_schema=False)
async def readyz(state: State) -> dict[str, str]:
    await state.admission.in_worker(_ping, state.engine)  # a connect can wait on the network: not on the loop
    return {"status": "ready", "version": __version__}


__all__ = ["PATH", "readyz"]
