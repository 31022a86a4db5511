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


# Where draft 2020-12 keeps sub-schemas: a keyword of one of these holds schemas (named, listed or single); an
# `x-rule` is an annotation only as a keyword of a schema object reached through them. Values of other keywords
# (`const`, `enum`, `default`, `examples`, unknown ones) and the names under `properties` are data, kept as written.
SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_SINGLE = ("items", "additionalProperties", "contains", "not", "if", "then", "else", "propertyNames",
                 "unevaluatedItems", "unevaluatedProperties", "contentSchema")
ANNOTATION = "x-rule"


def without_annotations(schema: Any) -> Any:
    """The schema with every `x-rule` keyword of its schema objects removed (a new value; the argument is kept)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword == ANNOTATION:
            continue
        if keyword in SCHEMA_MAPS and isinstance(value, dict):
            value = {name: without_annotations(sub) for name, sub in value.items()}
        elif keyword in SCHEMA_LISTS and isinstance(value, list):
            value = [without_annotations(sub) for sub in value]
        elif keyword in SCHEMA_SINGLE:
            value = without_annotations(value)
        out[keyword] = value
    return out


def schema_hash(schema: Any) -> str:
    """A version's content hash: what the schema requires, without its `x-rule` annotations. Sources, quotes,
    summaries and citations may be amended without changing it; any change to a constraint changes it."""
    return content_hash(without_annotations(schema))


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def annotations_of(schema: Any, pointer: str = "") -> dict[str, Any]:
    """Every `x-rule` keyword of the schema's schema objects, by the JSON pointer of the object that holds it."""
    found: dict[str, Any] = {}
    if not isinstance(schema, dict):
        return found
    if ANNOTATION in schema:
        found[pointer] = schema[ANNOTATION]
    for keyword, value in schema.items():
        here = f"{pointer}/{_escape(keyword)}"
        if keyword in SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                found.update(annotations_of(sub, f"{here}/{_escape(name)}"))
        elif keyword in SCHEMA_LISTS and isinstance(value, list):
            for index, sub in enumerate(value):
                found.update(annotations_of(sub, f"{here}/{index}"))
        elif keyword in SCHEMA_SINGLE:
            found.update(annotations_of(value, here))
    return found


def version_hashes(body: Any) -> dict[str, str]:
    """A version's two hashes: `content_hash` (without annotations) and `body_hash` (the body as stored)."""
    return {"content_hash": schema_hash(body), "body_hash": content_hash(body)}
