"""Ids in one canonical form. litestar reads an `{id:int}` path segment with Python's int(), which also takes
`+1`, `01`, ` 1` and digits of other scripts (`١`): each would name meeting 1 under another address. A path
segment read as an integer must be written as that integer is (`1`), or the request is a 400."""

from __future__ import annotations

from litestar import Request

from registry.errors import InvalidInput


def canonical_path_ids(request: Request) -> None:
    """litestar `before_request`: refuse an integer path parameter not written canonically."""
    values = request.scope.get("path_params") or {}
    numbers = {name for name, value in values.items() if type(value) is int}
    if not numbers:
        return
    template = request.scope.get("path_template", "").strip("/").split("/")
    for part, text in zip(template, request.scope["path"].strip("/").split("/")):
        name = part[1:-1] if part.startswith("{") and part.endswith("}") else None
        if name in numbers and text != str(values[name]):
            raise InvalidInput(f"{name} {text[:20]!r} is not an id: ids are written in ASCII digits, without a "
                               "sign, spaces or leading zeros", code="invalid_id")
