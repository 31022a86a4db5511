"""Canonical JSON and content hashes: the same schema always hashes the same, whatever its layout."""

from __future__ import annotations

import hashlib
import json
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
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
# The C encoder that _ENCODER.encode builds anew on every call (about half the time of a small value), built once:
# the same code with the same options, without the markers that detect a cycle (a JSON value has none; a cyclic
# Python value still fails, with RecursionError).
_C_ENCODER = c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", True, False, False) \
    if c_make_encoder is not None else None


def _encode(value: Any) -> str:
    return "".join(_C_ENCODER(value, 0)) if _C_ENCODER is not None else _ENCODER.encode(value)


def canonical_json(value: Any) -> str:
    """Keys sorted, no insignificant white space, UTF-8 text, integral numbers without a fraction."""
    text = _encode(value)
    # Python writes every integral float as "….0" or with "e+": without either anywhere in the text there is none
    # to rewrite, and the walk that rewrites them (most of the cost for small values) is not needed
    if ".0" not in text and "e+" not in text:
        return text
    return _encode(_normalise(value))


def content_hash(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of a value."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
