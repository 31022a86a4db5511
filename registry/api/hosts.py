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


def allowed_hosts(allowed: tuple[str, ...]):
    """ASGI middleware factory refusing requests to hosts not in `allowed` ("*" allows any). Answers are
    remembered per Host header value (at most a few hundred), so a request costs one dictionary lookup."""
    body = json.dumps(error_body(400, "invalid_host", "this registry does not answer for that host")).encode()
    answers: dict[bytes, bool] = {}

    def allows(scope: Scope) -> bool:
        header = next((value for name, value in scope["headers"] if name.lower() == b"host"), b"")
        answer = answers.get(header)
        if answer is None:
            answer = host_allowed(host_name(header.decode("latin-1")), allowed)
            if len(answers) < 256:
                answers[header] = answer
        return answer

    def middleware(app: ASGIApp) -> ASGIApp:
        async def guard(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or allows(scope):
                await app(scope, receive, send)
                return
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        return guard

    return middleware


__all__ = ["allowed_hosts", "host_allowed", "host_name"]
