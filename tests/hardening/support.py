"""Helpers of the hardening tests: a fingerprint of everything stored, and the app's write routes."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, select
from sqlmodel import SQLModel

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# the rate limits' buckets: every attempt spends from them, refused or not (registry/storage/rate_limits.py)
NOT_DATA = {"rate_limit_bucket"}


def snapshot(engine: Engine) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its rows (order-independent): equal snapshots, nothing changed."""
    out = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in NOT_DATA:
                continue
            rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            out[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def route_key(path: str) -> str:
    """/meetings/{meeting_id:int} → /meetings/{meeting_id}: the path as the OpenAPI document names it."""
    return path.replace(":int}", "}").replace(":str}", "}").replace(":path}", "}")


def write_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) of the app that can change something, from its route table."""
    out = set()
    for route in app.routes:
        methods = getattr(route, "methods", None) or {"POST"}  # a raw ASGI route takes any method: count it
        out |= {(method, route_key(route.path)) for method in methods & WRITE_METHODS}
    return out
