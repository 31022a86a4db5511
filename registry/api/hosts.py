"""Allowed hosts: a request whose Host header names another host is refused (400, in the error shape) before any
handler runs, so that links the app builds from its base URL never point elsewhere (host-header injection)."""

from __future__ import annotations

import json

from litestar.datastructures import Headers
from litestar.types import ASGIApp, Receive, Scope, Send

from registry.api.errors import error_body


def host_name(header: str) -> str:
    """The host of a Host header, without its port; IPv6 literals keep their brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    for pattern in allowed:
        if pattern == "*" or host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def allowed_hosts(allowed: tuple[str, ...]):
    """ASGI middleware factory refusing requests to hosts not in `allowed` ("*" allows any)."""
    body = json.dumps(error_body(400, "invalid_host", "this registry does not answer for that host")).encode()

    def middleware(app: ASGIApp) -> ASGIApp:
        async def guard(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or host_allowed(host_name(Headers.from_scope(scope).get("host", "")), allowed):
                await app(scope, receive, send)
                return
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        return guard

    return middleware


__all__ = ["allowed_hosts", "host_allowed", "host_name"]
