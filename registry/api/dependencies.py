"""What handlers receive: the engine, the settings, the caller (from the bearer token), pagination."""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from typing import Annotated, Optional

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from litestar.types import Scope
from sqlalchemy import Engine

from registry.api.headers import mark_private
from registry.api.limits import Limits
from registry.api.structs import API
from registry.domain.access import ANONYMOUS, Principal
from registry.errors import Unauthorized
from registry.services import tokens
from registry.settings import Settings
from registry.storage.database import read_session


def provide_engine(state: State) -> Engine:
    return state.engine


def provide_settings(state: State) -> Settings:
    return state.settings


PRINCIPAL = "registry.principal"  # where the caller, once authenticated, is kept for the rest of the request


async def provide_principal(request: Request, engine: NamedDependency[Engine]) -> Principal:
    """The caller: anonymous without an Authorization header (no thread, no database), else the token's holder.
    Authenticated once per request (authenticate_api may have done it before the handler)."""
    state = request.scope["state"]
    if PRINCIPAL in state:
        return state[PRINCIPAL]
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    mark_private(request.scope)
    limits: Limits = request.app.state.limits  # failed authentications per address, writes per token (database)
    scheme, _, text = header.partition(" ")

    def look_up() -> Principal:  # one worker thread for the limits and the token
        try:
            with read_session(engine) as session:
                limits.check_auth_allowed(request, session)  # a blocked address: 429, even for a good token
                if scheme.lower() != "bearer" or not text.strip():
                    raise Unauthorized("use 'Authorization: Bearer <token>'", code="invalid_token")
                principal = tokens.authenticate(session, text.strip())
        except Unauthorized:
            limits.auth_failed(request)
            raise
        limits.check_write(request, principal.token_id)
        return principal

    principal = await anyio.to_thread.run_sync(look_up)
    state[PRINCIPAL] = principal
    return principal


def is_api(scope: Scope) -> bool:
    path, root = scope["path"], scope.get("root_path") or ""
    return (path[len(root):] if root and path.startswith(root) else path).startswith(API + "/")


async def authenticate_api(request: Request) -> None:
    """before_request of every route: on the API, a token that is sent must be good (401 otherwise), also on the
    routes that answer anyone the same; it runs before the body is read and the handler's parameters are parsed."""
    if "authorization" in request.headers and is_api(request.scope):
        await provide_principal(request, request.app.state.engine)


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
