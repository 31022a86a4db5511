"""X-Request-ID: the id a client or proxy sends is kept (when it is short and plain), else one is made; it is echoed on
every response, routing's own 404/405 and Host refusals included, and every log line written while the request is
served carries it (registry/api/logs.py), so a 500 in the log can be tied to the response a user saw.

It wraps the whole ASGI app (like the Host check) rather than being a litestar middleware, which runs only on routed
requests. One access-log line per request goes to the `registry.access` logger when it is enabled at INFO."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
# what a proxy's id looks like (uuids, hex, base64url, dotted or colon-separated traces); anything else is replaced
_PLAIN = re.compile(rb"[A-Za-z0-9._:+/=-]{1,128}")
current: ContextVar[str] = ContextVar("request_id", default="-")
access = logging.getLogger("registry.access")


def _id_from(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == HEADER:
            return value.decode("ascii") if _PLAIN.fullmatch(value) else uuid.uuid4().hex
    return uuid.uuid4().hex


def request_ids(app: ASGIApp) -> ASGIApp:
    async def with_id(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = _id_from(scope)
        token = current.set(request_id)
        header = (HEADER, request_id.encode("ascii"))
        logged = access.isEnabledFor(logging.INFO)
        start, status = time.perf_counter(), 0

        async def echo(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await app(scope, receive, echo)
        finally:
            if logged:  # the path without its query string: a query may carry what should not be logged
                access.info("%s %s %s %.1f ms", scope["method"], scope["path"], status or 500,
                            (time.perf_counter() - start) * 1000,
                            extra={"method": scope["method"], "path": scope["path"], "status": status or 500,
                                   "duration_ms": round((time.perf_counter() - start) * 1000, 2)})
            current.reset(token)

    return with_id


__all__ = ["current", "request_ids"]
