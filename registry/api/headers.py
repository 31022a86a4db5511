"""Security headers on every response, including the 404 and 405 that routing answers before any middleware runs
(a litestar `before_send` hook sees every response). Pages add their Content-Security-Policy on top."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

BASELINE = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY"}


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in BASELINE.items():
            if name not in headers:
                headers[name] = value


__all__ = ["BASELINE", "add_security_headers"]
