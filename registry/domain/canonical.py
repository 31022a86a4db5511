"""Canonical JSON and content hashes: the same schema always hashes the same, whatever its layout."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _normalise(value: Any) -> Any:
    # 1 and 1.0 are the same JSON number; write integral floats as integers (as RFC 8785 does).
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> str:
    """Keys sorted, no insignificant white space, UTF-8 text, integral numbers without a fraction."""
    text = _ENCODER.encode(value)
    # Python writes every integral float as "….0" or with "e+": without either anywhere in the text there is none
    # to rewrite, and the walk that rewrites them (most of the cost for small values) is not needed
    if ".0" not in text and "e+" not in text:
        return text
    return _ENCODER.encode(_normalise(value))


def content_hash(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of a value."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
