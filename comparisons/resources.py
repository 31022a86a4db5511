"""Combining documents without changing what their references mean.

Nested under `{"allOf": [...]}` as they are, a document's `"$ref": "#"` would point at the wrapper and
its `#/$defs/...` would not resolve. Each document that holds a reference therefore goes in with an
`$id` of its own, so that it stays its own resource: its references resolve inside it, as before.
"""

from __future__ import annotations

from typing import Any, Sequence

PART_ID = "urn:comparisons:part:{}"
REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


def has_reference(schema: Any) -> bool:
    """Whether a schema holds a reference keyword anywhere (iterative: deep schemas are fine)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if any(isinstance(node.get(k), str) for k in REFERENCE_KEYWORDS):
                return True
            stack.extend(v for k, v in node.items() if k not in ("const", "enum", "default", "examples"))
        elif isinstance(node, list):
            stack.extend(node)
    return False


def as_resource(schema: Any, index: int) -> Any:
    """The schema with an `$id` of its own when it holds a reference and has none (else unchanged)."""
    if not isinstance(schema, dict) or "$id" in schema or not has_reference(schema):
        return schema
    return {"$id": PART_ID.format(index), **schema}


def all_of(schemas: Sequence[Any]) -> Any:
    """A schema accepting exactly what every one of `schemas` accepts, each keeping its meaning."""
    if not schemas:
        return True
    if len(schemas) == 1:
        return schemas[0]
    return {"allOf": [as_resource(s, i) for i, s in enumerate(schemas)]}
