"""The request class: JSON bodies are parsed strictly (UTF-8, no duplicate keys, no NaN, bounded depth); a large
one in a worker thread of the bounded pool, so the event loop keeps serving others (registry/api/admission.py)."""

from __future__ import annotations

from functools import partial
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
        state = self.app.state
        parse = partial(parse_json, body or b"null", max_depth=state.settings.max_json_depth,
                        max_string_chars=state.settings.max_string_chars)
        value = parse() if len(body) <= state.admission.inline_body_bytes else await state.admission.in_worker(parse)
        self._json = self._connection_state.json = value
        return value
