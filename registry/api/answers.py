"""One answer in the format the caller chose (`?format=`, then Accept; registry/reports/formats.py): JSON as it is,
the other formats through the renderers the route offers, any other format refused with the list of those offered."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from litestar import Response

from registry.errors import InvalidInput
from registry.reports.formats import FORMATS


def in_format(fmt: str, data: dict, renderers: Mapping[str, Callable[[dict], str]]) -> Response[Any]:
    if fmt == "json":
        return Response(data, media_type=FORMATS["json"])
    if fmt not in renderers:
        raise InvalidInput(f"this answer comes as {', '.join(['json', *renderers])}", code="unsupported_format")
    return Response(renderers[fmt](data), media_type=FORMATS[fmt])
