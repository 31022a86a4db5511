"""Type-aware JSON values: in JSON Schema 1 == 1.0, but 0 != false and 1 != true."""

from __future__ import annotations

import hashlib
import json
import math
from fractions import Fraction
from typing import Any

TYPES = ("null", "boolean", "number", "string", "array", "object")
# beyond this magnitude the validation engines read numbers differently (jsonschema-rs compares an
# integer with a float as two floats and saturates floats to 64-bit integers in multipleOf;
# python-jsonschema divides by a float multipleOf in floating point)
EXACT_LIMIT = 2 ** 53


def json_type(value: Any) -> str:
    """The JSON type of a Python value decoded from JSON ("number" covers integers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


def is_integer_value(value: Any) -> bool:
    """True for JSON numbers with no fractional part (1 and 1.0, never true/false)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def is_big_number(value: Any) -> bool:
    """A number whose magnitude is at least 2^53, where the engines stop agreeing (see EXACT_LIMIT)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= EXACT_LIMIT


def has_big_number(value: Any) -> bool:
    """Whether a JSON value holds a number of magnitude at least 2^53 anywhere (iterative)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif is_big_number(v):
            return True
    return False


def to_fraction(value: int | float) -> Fraction:
    return Fraction(value)


def json_equal(one: Any, two: Any) -> bool:
    """JSON Schema equality: booleans never equal numbers; 1 equals 1.0."""
    t1, t2 = json_type(one), json_type(two)
    if t1 != t2:
        return False
    if t1 == "array":
        return len(one) == len(two) and all(json_equal(x, y) for x, y in zip(one, two))
    if t1 == "object":
        return one.keys() == two.keys() and all(json_equal(one[k], two[k]) for k in one)
    return one == two


def _normal(value: Any) -> Any:
    """A form where Python equality is JSON equality (integral floats become ints)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return int(value)
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def canonical_json(value: Any) -> str:
    """Canonical JSON text: sorted keys, no spaces, integral floats written as integers."""
    return json.dumps(_normal(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(value: Any) -> str:
    """SHA-256 of the canonical JSON text of a schema or value."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def value_key(value: Any) -> Any:
    """Hashable key with JSON-Schema equality (1 and 1.0 share a key, true does not)."""
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, int):
        return ("n", value)
    if isinstance(value, float):
        return ("n", int(value)) if value.is_integer() else ("n", value)
    return ("j", canonical_json(value))


def unique_values(values: list[Any]) -> list[Any]:
    """Drop JSON-equal duplicates, keeping the first occurrence."""
    seen: set = set()
    out = []
    for v in values:
        k = value_key(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def has_duplicates(values: list[Any]) -> bool:
    return len(unique_values(values)) != len(values)
