"""201 Created names what it created in `Location` (RFC 9110 §15.3.2): the `url` of the answer's struct."""

from __future__ import annotations

from litestar import Response


def locate_created(response: Response) -> Response:
    """after_request of every route: a 201 whose content has a `url` gets it as its Location."""
    if response.status_code == 201 and "location" not in response.headers:
        url = getattr(response.content, "url", None)
        if isinstance(url, str) and url:
            response.headers["Location"] = url
    return response


__all__ = ["locate_created"]
