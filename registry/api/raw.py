"""What a raw ASGI route needs that litestar's HTTP handlers would otherwise give it: the query, a header, the
body (bounded), a request struct from parsed JSON, and a bytes answer. Used by the hot compliance routes, where
litestar's handler machinery was most of the cost of a request (docs/performance.md); their errors still go
through the one error handler, and their operations are still in the OpenAPI document (registry/api/openapi.py)."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import parse_qs

import msgspec
from litestar.exceptions import MethodNotAllowedException
from litestar.types import Receive, Scope, Send

from registry.api.errors import invalid_struct
from registry.errors import InvalidInput, PayloadTooLarge

T = TypeVar("T")


def only(scope: Scope, method: str) -> None:
    if scope.get("method") != method:
        raise MethodNotAllowedException(detail=f"use {method}", headers={"Allow": method})


def query(scope: Scope) -> dict[str, str]:
    """The query parameters (the first value of each)."""
    raw = scope.get("query_string", b"")
    if not raw:
        return {}
    return {k: v[0] for k, v in parse_qs(raw.decode("latin-1"), keep_blank_values=True).items()}


def headers(scope: Scope) -> dict[bytes, bytes]:
    """The request's headers by name (ASGI servers give the names in lower case); the first of repeated ones."""
    found: dict[bytes, bytes] = {}
    for key, value in scope["headers"]:
        found.setdefault(key, value)
    return found


async def read_body(receive: Receive, limit: int, announced: bytes | None = None) -> bytes:
    """The whole body, refused with 413 as soon as it passes `limit` bytes (announced in Content-Length, or
    received)."""
    if announced is not None and announced.isdigit() and int(announced) > limit:
        raise PayloadTooLarge("the request body is larger than this registry accepts")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise InvalidInput("the client went away before sending the whole body", code="disconnected")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge("the request body is larger than this registry accepts")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def struct_from_value(value: object, kind: type[T]) -> T:
    """A request struct from a parsed JSON value; a value of the wrong type is a 400 naming its JSON pointer."""
    try:
        return msgspec.convert(value, kind, strict=False)  # as litestar converts every other route's body
    except msgspec.ValidationError as exc:
        raise invalid_struct(exc) from None


async def answer(send: Send, body: bytes, media_type: str, status: int = 200) -> None:
    content_type = media_type if not media_type.startswith("text/") else media_type + "; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


__all__ = ["answer", "headers", "only", "query", "read_body", "struct_from_value"]
