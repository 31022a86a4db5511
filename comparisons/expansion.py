"""How much validation work a schema can cause: its unfolded size, measured without unfolding it.

A validator checks one value against every subschema that applies to it in place (`allOf`, `anyOf`, `oneOf`,
`not`, `if`/`then`/`else`, `dependentSchemas`, `$ref`), each time it is reached. A `$defs` chain whose every
level is `anyOf: [{$ref: next}, {$ref: next}]` is 2 KB but reaches its last level 2^N times: python-jsonschema
and jsonschema-rs both take exponential time on it. `measure()` counts those paths (dynamic programming over
the reference graph, linear in the schema), weighs each subschema by its own assertions (enum members,
properties, required names), then follows the members and items one level deeper, the most expensive way
first, so that recursion that multiplies at each level of the instance (`"$ref": "#"` reached twice for one
property) is counted too. Pure: no web, no database; `$ref` resolves only inside the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import referencing

from .canonical import root_resolver

DEFAULT_LIMIT = 2_000  # subschema checks one value can cause (the shipped corpus needs at most 71)
DEFAULT_DEPTH = 64  # subschemas nested in place (through $ref) at one value (the corpus: at most 5)
MAX_LEVELS = 64  # levels of the instance followed
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE_ONE = ("not", "if", "then", "else")


@dataclass(frozen=True)
class Expansion:
    """`work`: subschema evaluations (weighted by enum members, properties, required names) along the most
    expensive path into an instance, capped just above the limit it was measured against; `depth`: the deepest
    in-place nesting; `pointer`: the subschema reached most often, `reached`: how often at one value."""

    work: int
    depth: int
    pointer: str
    reached: int
    cycle: bool = False  # a reference cycle that consumes nothing (validation would never end)

    def over(self, limit: int = DEFAULT_LIMIT, depth: int = DEFAULT_DEPTH) -> Optional[str]:
        """Why the schema is over the limits, or None."""
        if self.cycle:
            return f"a $ref cycle at {self.pointer or '/'} consumes nothing of the instance: validation would never end"
        if self.work > limit:
            return (f"the schema unfolds to more than {limit:,} subschema checks for one value (through $ref and "
                    f"allOf/anyOf/oneOf/not/if); {self.pointer or '/'} alone is reached "
                    + (f"more than {limit:,}" if self.reached > limit else f"{self.reached:,}") + " times")
        if self.depth > depth:
            return f"subschemas nest more than {depth} deep in place (through $ref) at {self.pointer or '/'}"
        return None


class _Graph:
    """The schema's subschemas (dicts, by identity) with their pointers and resolved references."""

    def __init__(self, schema: Any) -> None:
        self.pointers: dict[int, str] = {}
        self.nodes: dict[int, tuple[dict, Any]] = {}
        stack: list[tuple[Any, str]] = [(schema, "")]
        while stack:
            node, where = stack.pop()
            if isinstance(node, dict):
                self.pointers.setdefault(id(node), where)
                stack.extend((v, f"{where}/{_escape(k)}") for k, v in node.items())
            elif isinstance(node, list):
                stack.extend((v, f"{where}/{i}") for i, v in enumerate(node))
        self.root = schema
        try:
            self.root_resolver: Any = root_resolver(schema)
        except Exception:  # not a resource referencing can read: no reference resolves
            self.root_resolver = None
        if isinstance(schema, dict):
            self.nodes[id(schema)] = (schema, self.root_resolver)

    def add(self, node: Any, resolver: Any) -> Optional[int]:
        if not isinstance(node, dict):
            return None
        key = id(node)
        if key not in self.nodes:
            if resolver is not None and isinstance(node.get("$id"), str):
                try:
                    from referencing.jsonschema import DRAFT202012

                    resolver = resolver.in_subresource(DRAFT202012.create_resource(node))
                except Exception:
                    pass
            self.nodes[key] = (node, resolver)
        return key

    def in_place(self, key: int) -> Iterator[int]:
        node, resolver = self.nodes[key]
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if isinstance(ref, str) and resolver is not None:
                try:
                    resolved = resolver.lookup(ref)
                except (referencing.exceptions.Unresolvable, Exception):
                    continue  # refused at submission; the engine answers unknown
                child = self.add(resolved.contents, resolved.resolver)
                if child is not None:
                    yield child
        for keyword in _IN_PLACE_LISTS:
            if isinstance(node.get(keyword), list):
                yield from self._children(node[keyword], resolver)
        for keyword in _IN_PLACE_ONE:
            yield from self._children([node.get(keyword)], resolver)
        if isinstance(node.get("dependentSchemas"), dict):
            yield from self._children(node["dependentSchemas"].values(), resolver)

    def _children(self, values: Any, resolver: Any) -> Iterator[int]:
        for v in values:
            child = self.add(v, resolver)
            if child is not None:
                yield child

    def weight(self, key: int) -> int:
        node = self.nodes[key][0]
        w = 1
        for keyword in ("enum", "required", "prefixItems"):
            if isinstance(node.get(keyword), list):
                w += len(node[keyword])
        for keyword in ("properties", "patternProperties", "dependentRequired", "dependentSchemas"):
            if isinstance(node.get(keyword), dict):
                w += len(node[keyword])
        return w

    def deeper(self, counts: dict[int, int], cap: int) -> list[dict[int, int]]:
        """The subschemas that apply one level into the instance, for each kind of member or item."""
        names: set[str] = set()
        indexes = 0
        for key in counts:
            node = self.nodes[key][0]
            if isinstance(node.get("properties"), dict):
                names.update(k for k in node["properties"] if isinstance(k, str))
            if isinstance(node.get("prefixItems"), list):
                indexes = max(indexes, len(node["prefixItems"]))
        steps: list[dict[int, int]] = []
        for name in sorted(names):
            steps.append(self._step(counts, cap, lambda node, r: self._member(node, r, name, False)))
        steps.append(self._step(counts, cap, lambda node, r: self._member(node, r, None, True)))
        steps.append(self._step(counts, cap, lambda node, r: self._member(node, r, None, False)))
        for i in range(indexes):
            steps.append(self._step(counts, cap, lambda node, r: self._item(node, r, i)))
        steps.append(self._step(counts, cap, lambda node, r: self._item(node, r, None)))
        steps.append(self._step(counts, cap, lambda node, r: self._children([node.get("propertyNames")], r)))
        return steps

    def _step(self, counts: dict[int, int], cap: int, children: Any) -> dict[int, int]:
        out: dict[int, int] = {}
        for key, n in counts.items():
            node, resolver = self.nodes[key]
            for child in children(node, resolver):
                out[child] = min(cap, out.get(child, 0) + n)
        return out

    def _member(self, node: dict, resolver: Any, name: Optional[str], matches_patterns: bool) -> Iterator[int]:
        props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        patterns = node.get("patternProperties") if isinstance(node.get("patternProperties"), dict) else {}
        matched = False
        if name is not None and name in props:
            yield from self._children([props[name]], resolver)
        for p, sub in patterns.items():
            if _matches(p, name, matches_patterns):
                matched = True
                yield from self._children([sub], resolver)
        if not matched and (name is None or name not in props):
            yield from self._children([node.get("additionalProperties")], resolver)
        yield from self._children([node.get("unevaluatedProperties")], resolver)

    def _item(self, node: dict, resolver: Any, index: Optional[int]) -> Iterator[int]:
        prefix = node.get("prefixItems") if isinstance(node.get("prefixItems"), list) else []
        if index is not None and index < len(prefix):
            yield from self._children([prefix[index]], resolver)
        else:
            yield from self._children([node.get("items")], resolver)
        yield from self._children([node.get("contains"), node.get("unevaluatedItems")], resolver)


def _matches(pattern: str, name: Optional[str], otherwise: bool) -> bool:
    if name is None:
        return otherwise
    try:
        return re.search(pattern, name) is not None
    except (re.error, RecursionError, OverflowError, ValueError):
        return True  # counted as applying: the measure only ever over-counts


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


class _Cycle(Exception):
    def __init__(self, key: int) -> None:
        self.key = key


def _closure(graph: _Graph, frontier: dict[int, int], cap: int) -> tuple[dict[int, int], int]:
    """How often each subschema is reached in place from `frontier` (path counts, capped), and the deepest chain."""
    order: list[int] = []  # post-order of the in-place graph reachable from the frontier
    edges: dict[int, list[int]] = {}
    state: dict[int, int] = {}  # 1 on the path, 2 done
    for start in frontier:
        if state.get(start):
            continue
        state[start] = 1
        edges[start] = list(graph.in_place(start))
        stack = [(start, iter(edges[start]))]
        while stack:
            key, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[key] = 2
                order.append(key)
                stack.pop()
            elif state.get(child) == 1:
                raise _Cycle(child)
            elif not state.get(child):
                state[child] = 1
                edges[child] = list(graph.in_place(child))
                stack.append((child, iter(edges[child])))
    counts = dict(frontier)
    depth: dict[int, int] = {}
    for key in reversed(order):  # parents before children
        n = counts.get(key, 0)
        for child in edges[key]:
            counts[child] = min(cap, counts.get(child, 0) + n)
    for key in order:  # children before parents
        depth[key] = 1 + max((depth[c] for c in edges[key]), default=0)
    return counts, max((depth[k] for k in frontier), default=0)


def measure(schema: Any, limit: int = DEFAULT_LIMIT) -> Expansion:
    """The expansion of `schema` (counted up to just above `limit`, so that huge ones stay cheap to measure)."""
    graph = _Graph(schema)
    if not isinstance(schema, dict):
        return Expansion(work=1, depth=0, pointer="", reached=1)
    cap = limit + 1
    frontier = {id(schema): 1}
    total, deepest, hot, hot_count = 0, 0, id(schema), 1
    seen: set[tuple] = set()
    for _level in range(MAX_LEVELS):
        try:
            counts, depth = _closure(graph, frontier, cap)
        except _Cycle as cycle:
            return Expansion(work=cap, depth=0, pointer=graph.pointers.get(cycle.key, ""), reached=cap, cycle=True)
        deepest = max(deepest, depth)
        for key, n in counts.items():
            total = min(cap, total + n * graph.weight(key))
            if n > hot_count:
                hot, hot_count = key, n
        signature = tuple(sorted(frontier.items()))
        if total >= cap or signature in seen:
            break  # over the limit, or the same subschemas again: recursion that does not multiply
        seen.add(signature)
        steps = [s for s in graph.deeper(counts, cap) if s]
        if not steps:
            break
        frontier = max(steps, key=lambda s: sum(s.values()))
    return Expansion(work=total, depth=deepest, pointer=graph.pointers.get(hot, ""), reached=hot_count)
