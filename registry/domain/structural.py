"""The structure of JSON values and schemas: a diff between two values (the pointers added, removed or changed),
and the loops of `$ref`s in a schema that never descend into the instance."""

from __future__ import annotations

from typing import Any, Callable, Iterator
from urllib.parse import urljoin

from registry.domain.jsonbody import pointer_join


def structural_changes(left: Any, right: Any, path: tuple = ()) -> Iterator[tuple[str, str, Any, Any]]:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if key not in right:
                yield pointer_join(*path, key), "removed", left[key], None
            elif key not in left:
                yield pointer_join(*path, key), "added", None, right[key]
            else:
                yield from structural_changes(left[key], right[key], path + (key,))
    elif isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right)):
            yield from structural_changes(a, b, path + (index,))
    elif type(left) is not type(right) or left != right:
        yield pointer_join(*path), "changed", left, right


# ---- `$ref` cycles that consume no instance -----------------------------------------------------------------
# Keywords whose subschemas apply to the same instance (in place) and those that descend into a part of it: a
# loop of in-place steps never ends, a loop that descends ends with the instance (`"$ref": "#"` under properties).
_IN_PLACE_ONE = ("not", "if", "then", "else")
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE_MAPS = ("dependentSchemas",)
_DESCENDING_ONE = ("items", "contains", "additionalProperties", "propertyNames", "unevaluatedItems",
                   "unevaluatedProperties")
_DESCENDING_LISTS = ("prefixItems",)
_DESCENDING_MAPS = ("properties", "patternProperties")
_NOT_APPLIED_MAPS = ("$defs", "definitions")


def _subschemas(node: dict, keywords_one: tuple, keywords_list: tuple, keywords_map: tuple
                ) -> Iterator[tuple[Any, tuple]]:
    for keyword in keywords_one:
        if keyword in node:
            yield node[keyword], (keyword,)
    for keyword in keywords_list:
        if isinstance(node.get(keyword), list):
            yield from ((item, (keyword, i)) for i, item in enumerate(node[keyword]))
    for keyword in keywords_map:
        if isinstance(node.get(keyword), dict):
            yield from ((item, (keyword, key)) for key, item in node[keyword].items())


def _objects(schema: Any, base: str, schema_positions_only: bool) -> dict[int, tuple[dict, tuple, str]]:
    """The objects of a schema by identity, with each one's path and the base URI its references resolve against
    (`$id` changes it): those in schema positions only, or every object (a `$ref` may point anywhere)."""
    found: dict[int, tuple[dict, tuple, str]] = {}
    stack: list[tuple[Any, tuple, str]] = [(schema, (), base)]
    keywords = (_IN_PLACE_ONE + _DESCENDING_ONE, _IN_PLACE_LISTS + _DESCENDING_LISTS,
                _IN_PLACE_MAPS + _DESCENDING_MAPS + _NOT_APPLIED_MAPS)
    while stack:
        node, path, node_base = stack.pop()
        if isinstance(node, list) and not schema_positions_only:
            stack.extend((item, path + (i,), node_base) for i, item in enumerate(node))
        if not isinstance(node, dict) or id(node) in found:
            continue
        if isinstance(node.get("$id"), str):
            node_base = urljoin(node_base, node["$id"])
        found[id(node)] = (node, path, node_base)
        children = _subschemas(node, *keywords) if schema_positions_only else (
            (value, (key,)) for key, value in node.items())
        stack.extend((child, path + where, node_base) for child, where in children)
    return found


def instance_free_cycle(schema: Any, base: str, lookup: Callable[[str, str], Any]) -> str | None:
    """The JSON pointer of a `$ref` or `$dynamicRef` that closes a loop of in-place steps (references through
    pointers, `$anchor`s, `$id`s or dynamic anchors; allOf/anyOf/oneOf/not/if/then/else/dependentSchemas) that
    never descends into the instance: validating against it would never end. None if there is no such loop.
    `lookup(base, ref)` is what a reference points at (raising or None when it does not resolve). A `$dynamicRef`
    is followed to its static target and to every `$dynamicAnchor` of its name, wherever the dynamic scope may
    take it."""
    objects = _objects(schema, base, schema_positions_only=False)
    anchors: dict[str, list[int]] = {}
    for key, (node, _, _) in objects.items():
        if isinstance(node.get("$dynamicAnchor"), str):
            anchors.setdefault(node["$dynamicAnchor"], []).append(key)

    def steps(key: int) -> list[tuple[int, str]]:
        node, path, node_base = objects[key]
        out = [(id(child), pointer_join(*path, *where))
               for child, where in _subschemas(node, _IN_PLACE_ONE, _IN_PLACE_LISTS, _IN_PLACE_MAPS)
               if isinstance(child, dict)]
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if not isinstance(ref, str):
                continue
            where = pointer_join(*path, keyword)
            try:
                target = lookup(node_base, ref)
            except Exception:  # noqa: BLE001 - an unresolvable reference is reported by the reference check
                target = None
            if isinstance(target, dict):
                out.append((id(target), where))
            if keyword == "$dynamicRef" and "#" in ref:
                out.extend((anchor, where) for anchor in anchors.get(ref.split("#", 1)[1], ()))
        return [(child, where) for child, where in out if child in objects]

    state: dict[int, int] = {}  # 1: on the path being followed, 2: every loop through it looked at
    for start in _objects(schema, base, schema_positions_only=True):  # not from data (`const`, `enum`)
        if state.get(start):
            continue
        state[start] = 1
        stack = [(start, iter(steps(start)))]
        while stack:
            key, following = stack[-1]
            step = next(following, None)
            if step is None:
                state[key] = 2
                stack.pop()
                continue
            child, where = step
            if state.get(child) == 1:
                return where
            if not state.get(child):
                state[child] = 1
                stack.append((child, iter(steps(child))))
    return None
