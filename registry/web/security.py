"""What every page is protected by (security headers: registry/api/headers.py): CSRF on forms (not on the bearer-token
API), and the signed-in person's token kept in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

import secrets

from litestar.config.csrf import CSRFConfig

TOKEN_COOKIE = "rcr_token"
CSRF_COOKIE = "rcr_csrf"


def csrf_config(secret: str | None = None) -> CSRFConfig:
    """Forms carry a token that matches a cookie; the middleware guards the page router only (registry/web/site.py;
    the static files have a router of their own): the API's bearer tokens are not sent by browsers on their own,
    so cross-site requests cannot use them. Without a configured secret (REGISTRY_SECRET) each process makes its
    own, and forms open in a browser stop working when the server restarts."""
    return CSRFConfig(secret=secret or secrets.token_urlsafe(32), cookie_name=CSRF_COOKIE, cookie_samesite="strict",
                      cookie_httponly=True)
