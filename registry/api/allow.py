"""`Allow` on 405 answers and on OPTIONS (RFC 9110 §10.2.1): every method the path answers, read from litestar's
own routing, HEAD wherever GET is (registry/api/head.py) and OPTIONS. litestar's own header lists only the
methods of one of the handlers sharing a path (or none at all on routing's 405). A raw ASGI route answers every
method itself and keeps the header it sends."""

from __future__ import annotations

from litestar.handlers import ASGIRouteHandler
from litestar.types import Message, Scope
from litestar.utils import normalize_path

_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def allowed_methods(scope: Scope) -> list[str] | None:
    """The methods routing finds a handler for at this path; None for a raw ASGI route or an unknown path."""
    router = scope["app"].asgi_router  # type: ignore[typeddict-item]
    path = normalize_path(scope["path"])
    found: list[str] = []
    for method in _METHODS:
        try:
            handler = router.handle_routing(path=path, method=method)[1]
        except Exception:  # routing's 404 or 405: not this method
            continue
        if isinstance(handler, ASGIRouteHandler):
            return None
        found.append(method)
    if not found:
        return None
    if "GET" in found:
        found.append("HEAD")
    return sorted([*found, "OPTIONS"])


async def add_allow(message: Message, scope: Scope) -> None:
    """before_send: the right `Allow` on a 405 and on the answer to OPTIONS."""
    if message["type"] != "http.response.start":
        return
    if message["status"] != 405 and not (scope.get("method") == "OPTIONS" and message["status"] < 300):
        return
    methods = allowed_methods(scope)
    if methods is None:
        return
    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"allow"]
    headers.append((b"allow", ", ".join(methods).encode()))
    message["headers"] = headers  # type: ignore[typeddict-unknown-key]


__all__ = ["add_allow", "allowed_methods"]
