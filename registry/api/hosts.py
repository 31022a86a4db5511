"""Allowed hosts: a request whose Host header is not a valid host[:port] (RFC 3986: a reg-name, an IPv4 address or
an IP literal in brackets, then an optional decimal port) or names a host this registry does not answer for is
refused (400 `invalid_host`, in the error shape) before routing, so that links the app builds from its base URL
never point elsewhere (host-header injection) and no malformed Host reaches code that parses URLs (a 500)."""

from __future__ import annotations

import ipaddress
import json
import re

from litestar.types import ASGIApp, Receive, Scope, Send

from registry.api.errors import error_body

# RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4address = dec-octet "." × 3 …
_REG_NAME = re.compile(r"(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*\Z")
_DEC_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_DEC_OCTET}(?:\.{_DEC_OCTET}){{3}}\Z")
_IPV_FUTURE = re.compile(r"v[0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+\Z")
_PORT = re.compile(r"[0-9]{0,5}\Z")


def _ip_literal(inside: str) -> bool:
    if _IPV_FUTURE.match(inside):
        return True
    if "%" in inside:  # a zone id (RFC 6874) has no meaning to a server
        return False
    try:
        ipaddress.IPv6Address(inside)
    except ValueError:
        return False
    return True


def parse_host(header: str) -> str | None:
    """The host of a Host header in lower case, without its port (IP literals keep their brackets); None when the
    header is not a valid host[:port]. `localhost:80@evil.example`, `localhost:8751/evil` and `127.0.0.1:1"x` are
    not."""
    header = header.lower()
    if header.startswith("["):
        end = header.find("]")
        if end < 0 or not _ip_literal(header[1:end]):
            return None
        host, rest = header[: end + 1], header[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:]
    else:
        host, _, port = header.partition(":")
        if not (_IPV4.match(host) or _REG_NAME.match(host)):
            return None
    if not _PORT.match(port) or (port and int(port) > 65535):
        return None
    return host


def host_name(header: str) -> str:
    """The host of a Host header, without its port; "" when the header is not a valid host[:port]."""
    return parse_host(header.strip()) or ""


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    for pattern in allowed:
        if pattern == "*" or host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


class AllowedHosts:
    """Which Host headers this registry answers for ("*" allows any well-formed one). Answers are remembered per
    Host header value (at most 256 values of at most 300 bytes each), so a request costs one dictionary lookup.
    Wraps the whole application (app.py: before routing, so routing's own 404s and 405s are guarded too)."""

    def __init__(self, allowed: tuple[str, ...]):
        self.allowed = allowed
        self._answers: dict[bytes, bool] = {}
        self._refusal = json.dumps(error_body(400, "invalid_host", "this registry does not answer for that host "
                                                                   "(a Host header must be host[:port])")).encode()

    def allows(self, scope: Scope) -> bool:
        header = next((value for name, value in scope["headers"] if name.lower() == b"host"), b"")
        answer = self._answers.get(header)
        if answer is None:
            host = parse_host(header.decode("latin-1"))
            answer = host is not None and host_allowed(host, self.allowed)
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


__all__ = ["AllowedHosts", "host_allowed", "host_name", "parse_host"]
