"""The request class: JSON bodies are parsed strictly (UTF-8, no duplicate keys, no NaN, bounded depth)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.utils.empty import value_or_default

from registry.domain.jsonbody import parse_json


class RegistryRequest(Request):
    async def json(self) -> Any:
        cached = value_or_default(self._json, None) if hasattr(self, "_json") else None
        if cached is not None:
            return cached
        body = await self.body()
        settings = self.app.state.settings
        value = parse_json(body or b"null", max_depth=settings.max_json_depth, max_string_chars=settings.max_string_chars)
        self._json = self._connection_state.json = value
        return value
