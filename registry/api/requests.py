"""The request class: JSON bodies are parsed strictly (UTF-8, no duplicate keys, no NaN, bounded depth); a large
one away from the event loop, so it keeps serving others (registry/api/admission.py)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.utils.empty import value_or_default


class RegistryRequest(Request):
    async def json(self) -> Any:
        cached = value_or_default(self._json, None) if hasattr(self, "_json") else None
        if cached is not None:
            return cached
        value = await self.app.state.admission.parse_json(await self.body())
        self._json = self._connection_state.json = value
        return value
