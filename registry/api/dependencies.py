"""What handlers receive: the engine, the settings, the caller (from the bearer token), pagination."""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from typing import Annotated, Optional

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from sqlalchemy import Engine

from registry.api.limits import Limits
from registry.domain.access import ANONYMOUS, Principal
from registry.errors import Unauthorized
from registry.services import tokens
from registry.settings import Settings
from registry.storage.database import read_session


def provide_engine(state: State) -> Engine:
    return state.engine


def provide_settings(state: State) -> Settings:
    return state.settings


async def provide_principal(request: Request, engine: NamedDependency[Engine]) -> Principal:
    """The caller: anonymous without an Authorization header (no thread, no database), else the token's holder."""
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    limits: Limits = request.app.state.limits  # failed authentications per address, writes per token
    limits.check_auth_allowed(request)
    scheme, _, text = header.partition(" ")

    def look_up() -> Principal:
        if scheme.lower() != "bearer" or not text.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'", code="invalid_token")
        with read_session(engine) as session:
            return tokens.authenticate(session, text.strip())

    try:
        principal = await anyio.to_thread.run_sync(look_up)
    except Unauthorized:
        limits.auth_failed(request)
        raise
    limits.check_write(request, principal.token_id)
    return principal


# row ids are 32-bit integers in PostgreSQL: a larger id cannot exist, and must not reach the database (500)
ROW_ID_MAX = 2_147_483_647
RowId = Annotated[int, Parameter(ge=1, le=ROW_ID_MAX, description="A row id")]
OptionalRowId = Annotated[Optional[int], Parameter(ge=1, le=ROW_ID_MAX, description="A row id")]


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def provide_page(
    limit: Annotated[int, QueryParameter(ge=1, le=500, description="How many items, at most 500")] = 50,
    offset: Annotated[int, QueryParameter(ge=0, le=10_000_000, description="How many items to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)
