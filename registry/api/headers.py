"""Security and caching headers on every response, including the 404 and 405 that routing answers before any
middleware runs: one litestar `before_send` hook sees every response. An answer that depends on who asks (a token
or a signed-in session was used: `mark_private`) or that sets a cookie is `Cache-Control: private, no-store`; every
answer but the static files says it varies by `Authorization` and `Cookie`, so no shared cache hands one caller's
answer to another. It works on the raw header list (bytes) of the message, so
it costs a few microseconds, not a headers object per response (measured in bench/compliance.py)."""

from __future__ import annotations

from litestar.types import Message, Scope

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
BASELINE = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY"}
HEADERS = {"content-security-policy": CSP, **BASELINE}
# litestar's Swagger and ReDoc pages start their scripts (served from the package) inline, and ReDoc styles inline:
# every origin but this one stays closed to them too
SCHEMA_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'") \
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") + "; worker-src 'self' blob:"
_OWN_CSP = "/schema"
_ALL = [(name.encode(), value.encode()) for name, value in HEADERS.items()]
_SCHEMA = [(name.encode(), value.encode()) for name, value in {"content-security-policy": SCHEMA_CSP, **BASELINE}.items()]
PRIVATE = "registry.private"  # in the request's state: the answer depends on the caller's identity
_NO_STORE = (b"cache-control", b"private, no-store")
_VARY = b"Authorization, Cookie"
_SHARED = "/static/"  # the same for everyone: cacheable anywhere


def mark_private(scope: Scope) -> None:
    """The answer to this request depends on who asks (a token or a signed-in session was read)."""
    scope["state"][PRIVATE] = True  # type: ignore[typeddict-item]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Adds HEADERS to a response start that does not set them itself (a page may send a stricter CSP)."""
    if message["type"] != "http.response.start":
        return
    headers = message.get("headers")
    if headers is None:
        headers = message["headers"] = []  # type: ignore[typeddict-unknown-key]
    elif not isinstance(headers, list):
        headers = message["headers"] = list(headers)  # type: ignore[typeddict-unknown-key]
    path = scope.get("path", "")
    wanted = _SCHEMA if path.startswith(_OWN_CSP) else _ALL
    present = {name.lower() for name, _ in headers}
    headers.extend(pair for pair in wanted if pair[0] not in present)
    if scope.get("state", {}).get(PRIVATE) or b"set-cookie" in present:
        headers[:] = [pair for pair in headers if pair[0].lower() != b"cache-control"]
        headers.append(_NO_STORE)
    if not path.startswith(_SHARED):
        _add_vary(headers)


def _add_vary(headers: list) -> None:
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            if value.strip() != b"*":
                headers[i] = (name, value + b", " + _VARY)
            return
    headers.append((b"vary", _VARY))


__all__ = ["BASELINE", "CSP", "HEADERS", "PRIVATE", "SCHEMA_CSP", "add_security_headers", "mark_private"]
