"""Schemas by content hash: the body never changes for a name, so it is cached anywhere for a year
(registry/api/caching.py)."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter
from sqlalchemy import Engine

from registry.api.structs import API
from registry.services.schema_bodies import schema_by_hash
from registry.storage.database import read_session

SCHEMA_JSON = "application/schema+json"


@get(API + "/schemas/{digest:str}", sync_to_thread=True, media_type=SCHEMA_JSON, tags=["documents"],
     summary="A published schema by the SHA-256 of its canonical JSON (a version's body_hash, annotations included, "
             "or its content_hash, without them); immutable")
def schema_by_digest(engine: NamedDependency[Engine],
                     digest: Annotated[str, PathParameter(max_length=64)]) -> Response[bytes]:
    with read_session(engine) as session:
        return Response(schema_by_hash(session, digest), media_type=SCHEMA_JSON)


__all__ = ["schema_by_digest"]
