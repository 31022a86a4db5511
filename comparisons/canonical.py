"""Canonicalise a schema into a disjunction of per-type atoms (see atoms.py).

`normalise(schema, negated)` returns a node that contains every instance valid under the schema
(or, when `negated`, every instance invalid under it): negation is pushed inward keyword by
keyword; what cannot be represented is dropped, which only ever enlarges the node, and the
reason is recorded so that an undecided answer can say why.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional

import referencing
import referencing.exceptions
from referencing.jsonschema import DRAFT202012

from . import atoms as A
from .bounded import BoundedCache
from .budget import Budget
from .validation import ENGINES_DISAGREE, LOCAL_REGISTRY

# stable, countable reasons for "unknown"
R_PATTERN = "pattern inclusion undecided"
R_DYNAMIC = "dynamic reference"
R_UNEVALUATED = "unevaluated keywords"
R_REMOTE = "remote reference"
R_RECURSIVE = "recursive reference"
R_FLOAT_MULTIPLE = "non-integer multipleOf"
R_OBJECT = "object constraints undecided"
R_NUMBER = "numeric constraints undecided"
R_BUDGET = "budget exceeded"
R_UNDECIDED = "containment undecided"
R_INVALID = "invalid schema"
R_ENGINES = ENGINES_DISAGREE  # python-jsonschema and jsonschema-rs read an instance differently
R_WITNESS = "witness failed the check"
R_CAP = "atom limit reached"


class Context:
    """State of one engine call: budget, format switch, reasons for approximations."""

    def __init__(self, format_assertion: bool = False, budget: Optional[Budget] = None) -> None:
        self.format_assertion = format_assertion
        self.budget = budget or Budget()
        self.reasons: dict[str, None] = {}
        self.ref_depth: dict[tuple, int] = {}
        self.memo: dict[tuple, Any] = {}
        self.observe: Optional[dict] = None
        self.texts: dict[int, tuple[Any, str]] = {}

    def text(self, schema: Any) -> str:
        """JSON text of a schema, computed once per call (sorted keys)."""
        hit = self.texts.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        text = json.dumps(schema, sort_keys=True, allow_nan=False)  # Infinity and NaN are not JSON
        self.texts[id(schema)] = (schema, text)
        return text

    def approx(self, reason: str) -> None:
        self.reasons.setdefault(reason, None)

    def recording(self, compute: Callable[[], Any]) -> tuple[Any, tuple[str, ...]]:
        """compute(), and the reasons for approximation it gave (they count for this call too): both to remember."""
        outer, self.reasons = self.reasons, {}
        try:
            result = compute()
            mine = tuple(self.reasons)
        finally:
            inner, self.reasons = self.reasons, outer
            for r in inner:
                outer.setdefault(r, None)
        return result, mine

    def replaying(self, remembered: tuple[Any, tuple[str, ...]]) -> Any:
        """A remembered (result, reasons): the reasons count for this call as when it was computed."""
        for r in remembered[1]:
            self.approx(r)
        return remembered[0]


def root_resolver(schema: Any) -> referencing.Resolver:
    resource = DRAFT202012.create_resource(schema)
    return LOCAL_REGISTRY.resolver_with_root(resource)


def _text_twice(key: tuple, value: Any) -> int:
    return 2 * len(key[0])  # the text in the key, and a node of about the schema's size


# canonical nodes of whole documents by their JSON text
_ROOT_CACHE = BoundedCache("schema-nodes", 4096, 16_000_000, _text_twice)


def normalise_root(schema: Any, negated: bool, ctx: Context) -> A.Node:
    """Canonical node of a whole document, memoised by its JSON text (nodes are immutable)."""
    try:
        key = (ctx.text(schema), negated, ctx.format_assertion)
    except (TypeError, ValueError):
        return normalise(schema, negated, ctx, root_resolver(schema))
    hit = _ROOT_CACHE.get(key)
    if hit is not None:
        return ctx.replaying(hit)
    node, mine = ctx.recording(lambda: normalise(schema, negated, ctx, root_resolver(schema)))
    _ROOT_CACHE.put(key, (node, mine))
    return node


def normalise(schema: Any, negated: bool, ctx: Context, resolver: referencing.Resolver) -> A.Node:
    ctx.budget.tick()
    if schema is True:
        return A.BOTTOM if negated else A.TOP
    if schema is False:
        return A.TOP if negated else A.BOTTOM
    if not isinstance(schema, dict):
        ctx.approx(R_INVALID)
        return A.top_approx()
    if "$id" in schema and isinstance(schema["$id"], str):
        resolver = resolver.in_subresource(DRAFT202012.create_resource(schema))
    from .keywords import NEGATIVE, POSITIVE, Builder

    if negated:
        parts: list[A.Node] = []
        for key, value in schema.items():
            fn = NEGATIVE.get(key)
            if fn is not None:
                part = fn(ctx, value, schema, resolver)
                if part:
                    parts.append(part)
                    if any(a.is_top() and not a.approx for a in part) and A.is_top_node(A.union(*parts)):
                        return A.TOP
        return A.union(*parts)
    builder = Builder()
    for key, value in schema.items():
        fn = POSITIVE.get(key)
        if fn is not None:
            fn(ctx, value, schema, resolver, builder)
            if builder.empty():
                return A.BOTTOM
    return builder.node()


def resolve_ref(ctx: Context, ref: str, resolver: referencing.Resolver, negated: bool) -> A.Node:
    try:
        resolved = resolver.lookup(ref)
    except (referencing.exceptions.Unresolvable, referencing.exceptions.NoSuchResource, Exception):
        ctx.approx(R_REMOTE)
        return A.top_approx()
    key = (id(resolved.contents), negated)
    depth = ctx.ref_depth.get(key, 0)
    if depth >= 2:
        ctx.approx(R_RECURSIVE)
        return A.top_approx()
    ctx.ref_depth[key] = depth + 1
    try:
        return normalise(resolved.contents, negated, ctx, resolved.resolver)
    finally:
        ctx.ref_depth[key] = depth
