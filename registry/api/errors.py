"""The one exception handler: every error response is {status, code, message, pointer}."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DataError

from registry.domain.jsonbody import pointer_join
from registry.errors import DatabaseUnavailable, InvalidInput, RegistryError
from registry.storage.availability import unreachable

log = logging.getLogger("registry")

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 429: "too_many_requests", 500: "internal_error"}


def error_body(status: int, code: str, message: str, pointer: str | None = None, detail: Any = None) -> dict:
    body: dict[str, Any] = {"status": status, "code": code, "message": message, "pointer": pointer}
    if detail is not None:
        body["detail"] = detail
    return body


_FIELD = re.compile(r"(?:missing required field|unknown field) `([^`]+)`")


def body_pointer(dotted: str, message: str) -> str:
    """The JSON pointer of the field a decoder's message is about: its dotted path (`a.b[0]`), plus the field
    that a 'missing required field' or 'unknown field' message names."""
    field = _FIELD.search(message)
    if field:
        dotted = f"{dotted}.{field.group(1)}" if dotted else field.group(1)
    parts = re.findall(r"\.([^.\[]+)|\[(\d+)\]", "." + dotted) if dotted else []
    return pointer_join(*(name or index for name, index in parts))


_AT = re.compile(r" - at `\$\.?(.*)`$")  # msgspec names the place as `$.a.b[0]`


def invalid_struct(exc: msgspec.ValidationError) -> InvalidInput:
    """msgspec's complaint about a request body (or an imported record), as a 400 naming the JSON pointer."""
    text = str(exc)
    at = _AT.search(text)
    message = text[: at.start()] if at else text
    pointer = body_pointer(at.group(1) if at else "", message)
    return InvalidInput(f"{pointer or '/'}: {message}", pointer=pointer or None)


def _validation(exc: ValidationException) -> tuple[str, str | None, Any]:
    """litestar's validation errors, as a message and the JSON pointer of the offending field."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not extra or not isinstance(extra[0], dict):
        return str(exc.detail), None, None
    first = extra[0]
    key, source = str(first.get("key") or ""), first.get("source")
    source = getattr(source, "value", source)
    message = str(first.get("message") or exc.detail)
    detail = extra if len(extra) > 1 else None
    if source != "body":
        return (f"{source} parameter {key}: {message}" if key else message), None, detail
    pointer = body_pointer("" if key == "data" else key.removeprefix("data."), message)
    return (f"{pointer or '/'}: {message}"), pointer, detail


DATABASE_RETRY_AFTER = 5  # seconds: a restarted database or a freed connection comes back in seconds


def handle_error(request: Request, exc: Exception) -> Response:
    if unreachable(exc):  # the database, not the request, is at fault: 503, and when to come back
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc.orig if
                    hasattr(exc, "orig") else exc).__name__)
        exc = DatabaseUnavailable("the database cannot be reached; retry shortly",
                                  detail={"retry_after": DATABASE_RETRY_AFTER})
    if isinstance(exc, RegistryError):
        body = error_body(exc.status, exc.code, exc.message, exc.pointer, exc.detail)
    elif isinstance(exc, ValidationException):
        message, pointer, detail = _validation(exc)
        body = error_body(400, "invalid_input", message, pointer, detail)
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        message = exc.detail if exc.detail and status != 500 else _HTTP_CODES.get(status, "error").replace("_", " ")
        if status == 413:
            message = "the request body is larger than this registry accepts"
        body = error_body(status, _HTTP_CODES.get(status, "error"), message)
    elif isinstance(exc, DataError) and "NUL" in str(exc.orig):  # a NUL byte in a query parameter (PostgreSQL)
        body = error_body(400, "nul_character", "NUL characters are not accepted")
    elif isinstance(exc, RecursionError):  # deep JSON that a decoder could not walk: the caller's input
        body = error_body(400, "too_deep", "the request is nested too deeply")
    elif isinstance(exc, DataError):  # a value the database cannot hold (a NUL in a query parameter …): the input's
        body = error_body(400, "invalid_value", "a value in the request cannot be stored or searched for "
                                                "(a NUL character, or a value out of range)")
    else:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        body = error_body(500, "internal_error", "an unexpected error happened; it has been logged")
    headers = {"WWW-Authenticate": "Bearer"} if body["status"] == 401 else None
    if isinstance(exc, HTTPException) and exc.headers and body["status"] == 405:
        headers = {"Allow": exc.headers.get("Allow", "")}  # which methods the route answers
    if body["status"] in (429, 503):  # too many from this caller, or from everyone: when to come back
        headers = {"Retry-After": str((body.get("detail") or {}).get("retry_after", 60))}
    return Response(content=body, status_code=body["status"], media_type=MediaType.JSON, headers=headers)
