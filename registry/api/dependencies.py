"""What handlers receive: the engine, the settings, the caller (from the bearer token), pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import Engine

from registry.domain.access import ANONYMOUS, Principal
from registry.errors import Unauthorized
from registry.services import tokens
from registry.settings import Settings
from registry.storage.database import read_session


def provide_engine(state: State) -> Engine:
    return state.engine


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_principal(request: Request, engine: NamedDependency[Engine]) -> Principal:
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    scheme, _, text = header.partition(" ")
    if scheme.lower() != "bearer" or not text.strip():
        raise Unauthorized("use 'Authorization: Bearer <token>'", code="invalid_token")
    with read_session(engine) as session:
        return tokens.authenticate(session, text.strip())


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def provide_page(
    limit: Annotated[int, QueryParameter(ge=1, le=500, description="How many items, at most 500")] = 50,
    offset: Annotated[int, QueryParameter(ge=0, le=10_000_000, description="How many items to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)
