"""Flatten a schema into constraints: one keyword at one instance path, within the if-conditions
that lead to it, with the nearest `x-rule` annotation.

Instance paths are JSON pointers; `*` stands for every array item (or every other member under
additionalProperties), `{pattern}` for members whose name matches a patternProperties key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from .bounded import BoundedCache
from .values import canonical_json

CONSTRAINT_KEYWORDS = (
    "type", "const", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "format", "minItems", "maxItems", "uniqueItems", "contains",
    "minContains", "maxContains", "minProperties", "maxProperties", "propertyNames", "dependentRequired",
    "dependentSchemas", "anyOf", "oneOf", "not", "$dynamicRef", "unevaluatedProperties", "unevaluatedItems",
)


@dataclass(frozen=True)
class Step:
    kind: str  # "prop" | "item" | "prefix" | "additional" | "pattern"
    # "prop": the name; "prefix": the index; "pattern": the pattern; "item": how many prefixItems come
    # before (items applies after them); "additional": (property names, patterns) it does not apply to
    name: Any = None

    def pointer(self) -> str:
        if self.kind == "prop":
            return "/" + str(self.name).replace("~", "~0").replace("/", "~1")
        if self.kind == "prefix":
            return f"/{self.name}"
        if self.kind == "pattern":
            return "/{" + str(self.name) + "}"
        return "/*"


@dataclass(frozen=True)
class Condition:
    steps: tuple[Step, ...]
    schema: Any  # the `if` schema
    branch: str  # "then" | "else"

    def to_dict(self) -> dict:
        return {"path": pointer(self.steps), "if": self.schema, "branch": self.branch}


@dataclass(frozen=True)
class Constraint:
    steps: tuple[Step, ...]
    keyword: str
    value: Any
    rule: Optional[dict] = None
    conditions: tuple[Condition, ...] = ()

    @property
    def path(self) -> str:
        return pointer(self.steps)

    def key(self) -> tuple:
        cached = self.__dict__.get("_key")
        if cached is None:
            cached = (self.path, self.keyword, condition_key(self.conditions))
            object.__setattr__(self, "_key", cached)
        return cached

    def schema(self, document: bool = True) -> Any:
        """A schema imposing just this constraint (inside its conditions); with `document`, the document
        it came from rides along under `$defs` when the constraint has local references."""
        if self.keyword == "required":
            inner: Any = {"required": [self.steps[-1].name]}
            steps = self.steps[:-1]
        elif self.keyword == "false":
            inner, steps = False, self.steps
        elif self.keyword == "additionalProperties":
            inner, steps = {"additionalProperties": self.value, **self.value_context}, self.steps
        else:
            inner, steps = {self.keyword: self.value}, self.steps
            if self.keyword in ("minContains", "maxContains"):
                inner = {"contains": self.value_context.get("contains", True), self.keyword: self.value}
        for cond in reversed(self.conditions):
            inner = wrap(steps[len(cond.steps):], inner)
            inner = {"if": cond.schema, cond.branch: inner}
            steps = cond.steps
        return with_document(wrap(steps, inner), getattr(self, "_root", None) if document else None)

    @property
    def value_context(self) -> dict:
        return getattr(self, "_context", {})


def pointer(steps: tuple[Step, ...]) -> str:
    return "".join(s.pointer() for s in steps) or ""


def condition_key(conditions: tuple[Condition, ...]) -> str:
    return canonical_json([[pointer(c.steps), c.schema, c.branch] for c in conditions])


def wrap(steps: tuple[Step, ...], inner: Any) -> Any:
    """`inner` applied at `steps`, with the siblings that say where it applies (items after prefixItems,
    additionalProperties outside properties and patternProperties)."""
    for step in reversed(steps):
        if step.kind == "prop":
            inner = {"properties": {step.name: inner}}
        elif step.kind == "item":
            inner = {"prefixItems": [True] * step.name, "items": inner} if step.name else {"items": inner}
        elif step.kind == "prefix":
            inner = {"prefixItems": [True] * step.name + [inner]}
        elif step.kind == "pattern":
            inner = {"patternProperties": {step.name: inner}}
        else:
            names, patterns = step.name or ((), ())
            inner = {"additionalProperties": inner}
            if names:
                inner["properties"] = {n: True for n in names}
            if patterns:
                inner["patternProperties"] = {p: True for p in patterns}
    return inner


DOCUMENT_KEY = "document"  # where a constraint's schema keeps its document, for its local references
_LOCATING = ("$id", "$anchor", "$dynamicAnchor")


def with_document(schema: Any, root: Any) -> Any:
    """`schema` with the document it came from under `$defs`, its `#...` references pointed there, so
    that a reference to `$defs` (or `#` itself) means what it meant in the document. Unchanged without
    references, or when the document names resources ($id, anchors) that moving it would change."""
    if root is None or '"$ref"' not in _text(schema):
        return schema
    document = _text(root)
    if any(f'"{k}"' in document for k in _LOCATING):
        return schema  # (a "$id" in a literal value errs on the side of the old behaviour)
    return {"$defs": {DOCUMENT_KEY: _repoint(root)}, "allOf": [_repoint(schema)]}


_DATA = ("const", "enum", "examples", "default")


def _repoint(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_repoint(x) for x in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for k, v in schema.items():
        if k == "$ref" and isinstance(v, str) and (v == "#" or v.startswith("#/")):
            out[k] = f"#/$defs/{DOCUMENT_KEY}" + v[1:]
        elif k in _DATA:
            out[k] = v
        else:
            out[k] = _repoint(v)
    return out


def _make(steps, keyword, value, rule, conditions, context=None) -> Constraint:
    c = Constraint(steps, keyword, value, rule, conditions)
    if context:
        object.__setattr__(c, "_context", context)
    return c


def _flat_size(key: int, value: tuple[Any, str, list]) -> int:
    return 2 * len(value[1]) + 200 * len(value[2])  # the schema, its text, ~200 bytes a constraint


# the constraints of the last schemas flattened, by identity (the schema is kept, so its id is not reused)
_FLAT_CACHE = BoundedCache("schema-constraints", 1024, 8_000_000, _flat_size)


def flatten(schema: Any) -> list[Constraint]:
    """The constraints of a schema (memoised; the list must not be modified by callers)."""
    text = None
    hit = _FLAT_CACHE.get(id(schema))
    if hit is not None and hit[0] is schema:
        text = _text(schema)
        if text == hit[1]:  # the same object, not modified since
            return hit[2]
    out: list[Constraint] = []
    _walk(schema, (), None, (), schema, out, set(), 0)
    for c in out:
        object.__setattr__(c, "_root", schema)  # its local references resolve in this document
    _FLAT_CACHE[id(schema)] = (schema, text or _text(schema), out)
    return out


def _text(schema: Any) -> str:
    try:
        return json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return canonical_json(schema)


def _resolve_local(root: Any, ref: str) -> Optional[Any]:
    if not ref.startswith("#"):
        return None
    node = root
    frag = ref[1:]
    if frag and not frag.startswith("/"):
        return None
    for part in frag.split("/")[1:] if frag else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _walk(s: Any, steps: tuple, rule: Optional[dict], conds: tuple, root: Any, out: list, refs: set, depth: int) -> None:
    if depth > 40:
        return
    if s is False:
        out.append(_make(steps, "false", False, rule, conds))
        return
    if not isinstance(s, dict):
        return
    if isinstance(s.get("x-rule"), dict):
        rule = s["x-rule"]
    for kw in CONSTRAINT_KEYWORDS:
        if kw in s:
            ctx = {"contains": s.get("contains", True)} if kw in ("minContains", "maxContains") else None
            if kw in ("minContains", "maxContains") and "contains" not in s:
                continue
            out.append(_make(steps, kw, s[kw], rule, conds, ctx))
    props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
    if isinstance(s.get("required"), list):
        for name in s["required"]:
            if isinstance(name, str):
                sub = props.get(name)
                sub_rule = sub.get("x-rule") if isinstance(sub, dict) and isinstance(sub.get("x-rule"), dict) else rule
                out.append(_make(steps + (Step("prop", name),), "required", True, sub_rule, conds))
    for name, sub in props.items():
        _walk(sub, steps + (Step("prop", name),), rule, conds, root, out, refs, depth + 1)
    if isinstance(s.get("patternProperties"), dict):
        for pat, sub in s["patternProperties"].items():
            _walk(sub, steps + (Step("pattern", pat),), rule, conds, root, out, refs, depth + 1)
    if "additionalProperties" in s:
        add = s["additionalProperties"]
        if isinstance(add, bool):
            ctx = {k: s[k] for k in ("properties", "patternProperties") if k in s}
            ctx = {k: ({n: True for n in v} if isinstance(v, dict) else v) for k, v in ctx.items()}
            out.append(_make(steps, "additionalProperties", add, rule, conds, ctx))
        else:
            outside = (tuple(props), tuple(s["patternProperties"]) if isinstance(s.get("patternProperties"), dict) else ())
            _walk(add, steps + (Step("additional", outside),), rule, conds, root, out, refs, depth + 1)
    if isinstance(s.get("prefixItems"), list):
        for i, sub in enumerate(s["prefixItems"]):
            _walk(sub, steps + (Step("prefix", i),), rule, conds, root, out, refs, depth + 1)
    if "items" in s:
        after = len(s["prefixItems"]) if isinstance(s.get("prefixItems"), list) else 0
        _walk(s["items"], steps + (Step("item", after),), rule, conds, root, out, refs, depth + 1)
    if isinstance(s.get("allOf"), list):
        for sub in s["allOf"]:
            _walk(sub, steps, rule, conds, root, out, refs, depth + 1)
    if "if" in s:
        for branch in ("then", "else"):
            if branch in s:
                cond = Condition(steps, s["if"], branch)
                _walk(s[branch], steps, rule, conds + (cond,), root, out, refs, depth + 1)
    if isinstance(s.get("$ref"), str):
        ref = s["$ref"]
        target = _resolve_local(root, ref)
        if target is None or ref in refs:
            out.append(_make(steps, "$ref", ref, rule, conds))
        else:
            _walk(target, steps, rule, conds, root, out, refs | {ref}, depth + 1)
