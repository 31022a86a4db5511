"""Allowed hosts: a request whose Host header names another host is refused (400, in the error shape) before any
handler runs, so that links the app builds from its base URL never point elsewhere (host-header injection)."""

from __future__ import annotations

import json

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


class AllowedHosts:
    """Which Host headers this registry answers for ("*" allows any). Answers are remembered per
    Host header value (at most 256 values of at most 300 bytes each), so a request costs one dictionary lookup. Used as ASGI middleware
    on every route; the fast lane (registry/api/fast_lane.py) asks it before taking a request."""

    def __init__(self, allowed: tuple[str, ...]):
        self.allowed = allowed
        self._answers: dict[bytes, bool] = {}
        self._refusal = json.dumps(error_body(400, "invalid_host", "this registry does not answer for that host")).encode()

    def allows(self, scope: Scope) -> bool:
        header = next((value for name, value in scope["headers"] if name.lower() == b"host"), b"")
        answer = self._answers.get(header)
        if answer is None:
            answer = host_allowed(host_name(header.decode("latin-1")), self.allowed)
            if len(self._answers) < 256 and len(header) <= 300:  # a host name has at most 253 characters
                self._answers[header] = answer
        return answer

    async def refuse(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(self._refusal)).encode())]})
        await send({"type": "http.response.body", "body": self._refusal})

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def guard(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or self.allows(scope):
                await app(scope, receive, send)
            else:
                await self.refuse(send)

        return guard


__all__ = ["AllowedHosts", "host_allowed", "host_name"]
