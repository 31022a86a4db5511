"""Errors on pages: people get a page that says what went wrong; /api/ and programs keep the one JSON shape."""

from __future__ import annotations

from litestar import Request, Response

from registry.api.errors import handle_error as api_error
from registry.web.layout import page

_NOT_PAGES = ("/api/", "/schema", "/static/", "/healthz", "/readyz", "/metrics")


def wants_page(request: Request) -> bool:
    return not request.url.path.startswith(_NOT_PAGES) and "text/html" in request.headers.get("accept", "")


def handle_error(request: Request, exc: Exception) -> Response:
    response = api_error(request, exc)
    if not wants_page(request):
        return response
    error = response.content
    shown = page("error.html", status_code=error["status"], title=f"{error['status']}: {error['code'].replace('_', ' ')}",
                 error=error)
    shown.headers.update(response.headers)  # Retry-After, Allow, WWW-Authenticate: people's browsers read them too
    return shown  # type: ignore[return-value]
