"""What every page is protected by: security headers on every response, CSRF on forms (not on the bearer-token
API), and the signed-in person's token kept in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

import secrets

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "rcr_token"
CSRF_COOKIE = "rcr_csrf"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
# litestar's Swagger and ReDoc pages load their scripts from a CDN with inline script: they keep their own rules
_OWN_CSP = ("/schema",)


def security_headers(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: adds HEADERS to every HTTP response that does not set them itself."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        own_csp = scope["path"].startswith(_OWN_CSP)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in HEADERS.items():
                    if name not in headers and not (own_csp and name == "content-security-policy"):
                        headers[name] = value
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def csrf_config(secret: str | None = None) -> CSRFConfig:
    """Forms carry a token that matches a cookie; /api/ is excluded: bearer tokens are not sent by browsers on
    their own, so cross-site requests cannot use them. Without a configured secret (REGISTRY_SECRET) each
    process makes its own, and forms open in a browser stop working when the server restarts."""
    return CSRFConfig(secret=secret or secrets.token_urlsafe(32), cookie_name=CSRF_COOKIE, cookie_samesite="strict",
                      cookie_httponly=True, exclude=["^/api/", "^/schema", "^/static/"])
