"""What every page is protected by (security headers: registry/api/headers.py): CSRF on forms (not on the bearer-token
API), the signed-in person's token kept in an HttpOnly, SameSite=Strict cookie (a cookie whose token is bad, expired
or revoked is cleared, and the page served as to anyone), and the API's limits on forms too: writes per token,
failed sign-ins per client address."""

from __future__ import annotations

import secrets

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.types import Message, Scope
from sqlalchemy import Engine

from registry.api.headers import mark_private
from registry.api.limits import Limits
from registry.domain.access import ANONYMOUS, Principal
from registry.errors import RegistryError
from registry.services import tokens
from registry.storage.database import read_session

TOKEN_COOKIE = "rcr_token"
CSRF_COOKIE = "rcr_csrf"


def csrf_config(secret: str | None = None) -> CSRFConfig:
    """Forms carry a token that matches a cookie; the middleware guards the page router only (registry/web/site.py;
    the static files have a router of their own): the API's bearer tokens are not sent by browsers on their own,
    so cross-site requests cannot use them. Without a configured secret (REGISTRY_SECRET) each process makes its
    own, and forms open in a browser stop working when the server restarts."""
    return CSRFConfig(secret=secret or secrets.token_urlsafe(32), cookie_name=CSRF_COOKIE, cookie_samesite="strict",
                      cookie_httponly=True)


_FORGET = "registry.forget_session"
_FORGET_HEADER = (b"set-cookie", f"{TOKEN_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict".encode())


def signed_in_viewer(request: Request, engine: Engine) -> Principal:
    """The person signed in on this browser (their token in the cookie), or anonymous; a cookie whose token is bad,
    expired or revoked is cleared by the answer. A form sent by a signed-in person spends one of their token's
    writes, as the API does (429 with Retry-After past the limit)."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return ANONYMOUS
    try:
        with read_session(engine) as session:
            viewer = tokens.authenticate(session, token)
    except RegistryError:
        request.scope["state"][_FORGET] = True
        return ANONYMOUS
    mark_private(request.scope)
    limits: Limits = request.app.state.limits
    limits.check_write(request, viewer.token_id)
    return viewer


async def forget_bad_sessions(message: Message, scope: Scope) -> None:
    """A before_send hook: clears the sign-in cookie when signed_in_viewer found its token no longer good."""
    if message["type"] == "http.response.start" and scope.get("state", {}).get(_FORGET):
        message["headers"] = [*message.get("headers", ()), _FORGET_HEADER]  # type: ignore[typeddict-unknown-key]
