"""Keyword table: one small function per keyword, for each polarity.

POSITIVE[k](ctx, value, schema, resolver, builder) narrows the builder's per-type atoms;
NEGATIVE[k](ctx, value, schema, resolver) returns the node of instances violating keyword k.
A schema is the conjunction of its keywords, so its negation is the union of their negations.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any, Callable, Optional

from . import atoms as A
from .canonical import (R_DYNAMIC, R_FLOAT_MULTIPLE, R_INVALID, R_NUMBER, R_UNEVALUATED, Context,
                        normalise, resolve_ref)
from .values import EXACT_LIMIT, TYPES, has_big_number, is_big_number, is_integer_value, json_equal, json_type

# why numbers of magnitude 2^53 or more are left undecided (see values.EXACT_LIMIT)
R_BIG_NUMBER = R_NUMBER + ": the validation engines differ on numbers of magnitude 2^53 or more"


class Builder:
    def __init__(self) -> None:
        self.atoms: dict[str, Optional[A.Atom]] = {t: A.top_atom(t) for t in TYPES}
        self.extra: list[A.Node] = []

    def narrow(self, atom: A.Atom) -> None:
        cur = self.atoms.get(atom.type)
        if cur is None:
            return
        new = A.conj_atoms(cur, atom)
        self.atoms[atom.type] = None if A.quick_empty(new) else new

    def keep_types(self, types: set[str]) -> None:
        for t in TYPES:
            if t not in types:
                self.atoms[t] = None

    def add(self, node: A.Node) -> None:
        self.extra.append(node)

    def empty(self) -> bool:
        return all(a is None for a in self.atoms.values()) or any(len(n) == 0 for n in self.extra)

    def node(self) -> A.Node:
        node: A.Node = tuple(a for a in self.atoms.values() if a is not None)
        for n in self.extra:
            node = A.conj(node, n)
            if not node:
                break
        return node


def neg_of(atom: A.Atom) -> A.Node:
    """Instances violating a type-specific keyword: only ones of its type (it ignores others)."""
    return (atom,)


Pos = Callable[[Context, Any, dict, Any, Builder], None]
Neg = Callable[[Context, Any, dict, Any], A.Node]
POSITIVE: dict[str, Pos] = {}
NEGATIVE: dict[str, Neg] = {}


def keyword(name: str):
    def deco(pair):
        pos, neg = pair()
        POSITIVE[name] = pos
        NEGATIVE[name] = neg
        return pair
    return deco


def _num(v: Any) -> Optional[Fraction]:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    try:
        return Fraction(v)
    except (ValueError, OverflowError):
        return None


def _invalid(ctx: Context) -> A.Node:
    ctx.approx(R_INVALID)
    return A.top_approx()


# ---------------------------------------------------------------- type, const, enum

TYPE_NAMES = set(TYPES) | {"integer"}


@keyword("type")
def _type():
    def names(v):
        ts = [v] if isinstance(v, str) else v
        if not isinstance(ts, list) or not all(isinstance(t, str) and t in TYPE_NAMES for t in ts):
            return None
        return set(ts)

    def pos(ctx, v, s, r, b):
        ts = names(v)
        if ts is None:
            return
        keep = set(ts) - {"integer"}
        if "integer" in ts and "number" not in ts:
            keep.add("number")
            b.keep_types(keep)
            b.narrow(A.NumAtom(integer=True))
        else:
            b.keep_types(keep)

    def neg(ctx, v, s, r):
        ts = names(v)
        if ts is None:
            return _invalid(ctx)
        out = [A.top_atom(t) for t in TYPES if t not in ts and t != "number"]
        if "number" not in ts:
            out.append(A.NumAtom(not_integer=True) if "integer" in ts else A.top_atom("number"))
        return tuple(out)
    return pos, neg


def _enum_pos(b: Builder, values: list, ctx: Context) -> None:
    if has_big_number(values):
        _widen(ctx, b, {json_type(v) for v in values})
        return
    by_type = A.split_values(values)
    b.keep_types(set(by_type))
    for t, vs in by_type.items():
        b.narrow(A.top_atom(t).replace(enum=vs))


def _widen(ctx: Context, b: Builder, types: set[str]) -> None:
    """Keep only `types` and mark them approximated: the keyword's exact meaning differs between engines."""
    ctx.approx(R_BIG_NUMBER)
    b.keep_types(types)
    for t in types:
        a = b.atoms.get(t)
        if a is not None:
            b.atoms[t] = a.replace(approx=True)


def _enum_neg(values: list, ctx: Context) -> A.Node:
    if has_big_number(values):
        ctx.approx(R_BIG_NUMBER)
        return A.top_approx()
    by_type = A.split_values(values)
    return tuple(A.top_atom(t).replace(excluded=by_type[t]) if t in by_type else A.top_atom(t) for t in TYPES)


@keyword("const")
def _const():
    return (lambda ctx, v, s, r, b: _enum_pos(b, [v], ctx)), (lambda ctx, v, s, r: _enum_neg([v], ctx))


@keyword("enum")
def _enum():
    def pos(ctx, v, s, r, b):
        if isinstance(v, list):
            _enum_pos(b, v, ctx)

    def neg(ctx, v, s, r):
        return _enum_neg(v, ctx) if isinstance(v, list) else _invalid(ctx)
    return pos, neg


# ---------------------------------------------------------------- numbers

def _bound(field: str, exclusive: bool, neg_field: str, neg_exclusive: bool):
    def pos(ctx, v, s, r, b):
        f = _num(v)
        if f is not None and is_big_number(v):
            _widen(ctx, b, set(TYPES))
        elif f is not None:
            b.narrow(A.NumAtom(**{field: f, field + "_ex": exclusive}))

    def neg(ctx, v, s, r):
        f = _num(v)
        if f is None:
            return _invalid(ctx)
        if is_big_number(v):
            ctx.approx(R_BIG_NUMBER)
            return (A.top_atom("number", approx=True),)
        return neg_of(A.NumAtom(**{neg_field: f, neg_field + "_ex": neg_exclusive}))
    return lambda: (pos, neg)


keyword("minimum")(_bound("lo", False, "hi", True))
keyword("exclusiveMinimum")(_bound("lo", True, "hi", False))
keyword("maximum")(_bound("hi", False, "lo", True))
keyword("exclusiveMaximum")(_bound("hi", True, "lo", False))


# numbers of magnitude 2^53 or more, where every engine reads multipleOf its own way (values.EXACT_LIMIT):
# added, approximated, to both sides of multipleOf, so that no proof depends on how they are read
BIG_NUMBERS: A.Node = (A.NumAtom(hi=-Fraction(EXACT_LIMIT), approx=True), A.NumAtom(lo=Fraction(EXACT_LIMIT), approx=True))


@keyword("multipleOf")
def _multiple_of():
    def exact(v):
        # an integral divisor (3 or 3.0: the same JSON number) is read exactly below 2^53 by every
        # engine; a fractional one is divided in floating point
        if is_integer_value(v) and v > 0:
            return Fraction(int(v))
        return None

    def pos(ctx, v, s, r, b):
        m = exact(v)
        if m is None:
            ctx.approx(R_FLOAT_MULTIPLE)
            cur = b.atoms.get("number")
            if cur is not None:
                b.atoms["number"] = cur.replace(approx=True)
            return
        if m == 1:  # integers: every engine agrees at any magnitude
            b.narrow(A.NumAtom(integer=True))
            return
        ctx.approx(R_BIG_NUMBER)
        b.add((A.NumAtom(mults=(m,)),) + BIG_NUMBERS + A.others("number"))

    def neg(ctx, v, s, r):
        m = exact(v)
        if m is None:
            ctx.approx(R_FLOAT_MULTIPLE)
            return (A.top_atom("number", approx=True),)
        if m == 1:
            return neg_of(A.NumAtom(not_integer=True))
        ctx.approx(R_BIG_NUMBER)
        return (A.NumAtom(not_mults=(m,)),) + BIG_NUMBERS
    return pos, neg


# ---------------------------------------------------------------- strings

def _count(v: Any) -> Optional[int]:
    return int(v) if is_integer_value(v) and v >= 0 else None


@keyword("pattern")
def _pattern():
    def pos(ctx, v, s, r, b):
        if isinstance(v, str):
            b.narrow(A.StrAtom(patterns=(v,)))

    def neg(ctx, v, s, r):
        return neg_of(A.StrAtom(not_patterns=(v,))) if isinstance(v, str) else _invalid(ctx)
    return pos, neg


@keyword("format")
def _format():
    def pos(ctx, v, s, r, b):
        if ctx.format_assertion and isinstance(v, str):
            b.narrow(A.StrAtom(formats=frozenset([v])))

    def neg(ctx, v, s, r):
        if ctx.format_assertion and isinstance(v, str):
            return neg_of(A.StrAtom(not_formats=frozenset([v])))
        return A.BOTTOM
    return pos, neg


# ---------------------------------------------------------------- arrays


@keyword("uniqueItems")
def _unique_items():
    def pos(ctx, v, s, r, b):
        if v is True:
            b.narrow(A.ArrAtom(unique=True))

    def neg(ctx, v, s, r):
        if v is True:
            return neg_of(A.ArrAtom(not_unique=True, min_items=2))
        return A.BOTTOM
    return pos, neg


@keyword("prefixItems")
def _prefix_items():
    def pos(ctx, v, s, r, b):
        if isinstance(v, list):
            b.narrow(A.ArrAtom(prefix=tuple(normalise(x, False, ctx, r) for x in v)))

    def neg(ctx, v, s, r):
        if not isinstance(v, list):
            return _invalid(ctx)
        out: list = []
        for i, x in enumerate(v):
            bad = normalise(x, True, ctx, r)
            if bad:
                prefix = tuple(A.TOP for _ in range(i)) + (bad,)
                out.append(A.ArrAtom(prefix=prefix, min_items=i + 1))
        return A.union(tuple(out))
    return pos, neg


@keyword("items")
def _items():
    def pos(ctx, v, s, r, b):
        k = len(s["prefixItems"]) if isinstance(s.get("prefixItems"), list) else 0
        node = normalise(v, False, ctx, r)
        b.narrow(A.ArrAtom(prefix=tuple(A.TOP for _ in range(k)), items=node,
                           max_items=k if not node else None))

    def neg(ctx, v, s, r):
        k = len(s["prefixItems"]) if isinstance(s.get("prefixItems"), list) else 0
        bad = normalise(v, True, ctx, r)
        if not bad:
            return A.BOTTOM
        return neg_of(A.ArrAtom(contains=(A.Contains(bad, 1, None, k),), min_items=k + 1))
    return pos, neg


@keyword("contains")
def _contains():
    def bounds(s):
        lo = s.get("minContains", 1)
        hi = s.get("maxContains")
        lo = _count(lo)
        hi = None if hi is None else _count(hi)
        return lo, hi

    def pos(ctx, v, s, r, b):
        lo, hi = bounds(s)
        if lo is None:
            return
        node = normalise(v, False, ctx, r)
        if lo == 0 and hi is None:
            return
        b.narrow(A.ArrAtom(contains=(A.Contains(node, lo, hi),), min_items=lo))

    def neg(ctx, v, s, r):
        lo, hi = bounds(s)
        if lo is None:
            return _invalid(ctx)
        node = normalise(v, False, ctx, r)
        out: list = []
        if lo >= 1:
            if lo == 1:
                out.append(A.ArrAtom(items=normalise(v, True, ctx, r)))
            else:
                out.append(A.ArrAtom(contains=(A.Contains(node, 0, lo - 1),)))
        if hi is not None:
            out.append(A.ArrAtom(contains=(A.Contains(node, hi + 1, None),), min_items=hi + 1))
        return A.union(tuple(out))
    return pos, neg


# ---------------------------------------------------------------- objects

def _names(v) -> Optional[list]:
    return v if isinstance(v, list) and all(isinstance(x, str) for x in v) else None


@keyword("required")
def _required():
    def pos(ctx, v, s, r, b):
        names = _names(v)
        if names:
            b.narrow(A.ObjAtom(required=frozenset(names)))

    def neg(ctx, v, s, r):
        names = _names(v)
        if names is None:
            return _invalid(ctx)
        out = [A.ObjAtom(groups=(A.Group(props={n: A.BOTTOM}),)) for n in dict.fromkeys(names)]
        return tuple(out)
    return pos, neg


def _group(ctx, s, r, keys: tuple[str, ...]) -> A.Group:
    props = s.get("properties") if "properties" in keys else None
    pats = s.get("patternProperties") if "patternProperties" in keys else None
    add = s.get("additionalProperties") if "additionalProperties" in keys else None
    return A.Group(
        props={k: normalise(x, False, ctx, r) for k, x in props.items()} if isinstance(props, dict) else {},
        patterns=tuple((k, normalise(x, False, ctx, r)) for k, x in pats.items()) if isinstance(pats, dict) else (),
        additional=None if add is None else normalise(add, False, ctx, r),
    )


def _members(own: str, bad_member):
    """properties and patternProperties: the positive side narrows to the group of member schemas (unless
    additionalProperties builds the group instead); the negative side is any member whose value breaks its schema,
    as the atom `bad_member(name or pattern, the broken schema)`."""
    def pos(ctx, v, s, r, b):
        if isinstance(v, dict) and "additionalProperties" not in s:
            b.narrow(A.ObjAtom(groups=(_group(ctx, s, r, (own,)),)))

    def neg(ctx, v, s, r):
        if not isinstance(v, dict):
            return _invalid(ctx)
        out: list = []
        for k, x in v.items():
            bad = normalise(x, True, ctx, r)
            if bad:
                out.append(bad_member(k, bad))
        return A.union(tuple(out))
    return pos, neg


@keyword("properties")
def _properties():
    return _members("properties", lambda k, bad: A.ObjAtom(required=frozenset([k]), groups=(A.Group(props={k: bad}),)))


@keyword("patternProperties")
def _pattern_properties():
    return _members("patternProperties",
                    lambda k, bad: A.ObjAtom(exists=(A.Exists(bad, pattern_required=k),), min_props=1))


@keyword("additionalProperties")
def _additional_properties():
    def pos(ctx, v, s, r, b):
        b.narrow(A.ObjAtom(groups=(_group(ctx, s, r, ("properties", "patternProperties", "additionalProperties")),)))

    def neg(ctx, v, s, r):
        bad = normalise(v, True, ctx, r)
        if not bad:
            return A.BOTTOM
        props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        pats = s.get("patternProperties") if isinstance(s.get("patternProperties"), dict) else {}
        ex = A.Exists(bad, names_excluded=frozenset(props), patterns_excluded=tuple(pats))
        return neg_of(A.ObjAtom(exists=(ex,), min_props=1))
    return pos, neg


@keyword("propertyNames")
def _property_names():
    def pos(ctx, v, s, r, b):
        b.narrow(A.ObjAtom(names=normalise(v, False, ctx, r)))

    def neg(ctx, v, s, r):
        bad = normalise(v, True, ctx, r)
        bad_strings = tuple(a for a in bad if a.type == "string")
        if not bad_strings:
            return A.BOTTOM
        return neg_of(A.ObjAtom(exists=(A.Exists(A.TOP, name_node=bad_strings),), min_props=1))
    return pos, neg


@keyword("dependentRequired")
def _dependent_required():
    def pos(ctx, v, s, r, b):
        if not isinstance(v, dict):
            return
        for k, deps in v.items():
            deps = _names(deps) or []
            absent = A.ObjAtom(groups=(A.Group(props={k: A.BOTTOM}),))
            present = A.ObjAtom(required=frozenset([k, *deps]))
            b.add((absent, present) + A.others("object"))

    def neg(ctx, v, s, r):
        if not isinstance(v, dict):
            return _invalid(ctx)
        out: list = []
        for k, deps in v.items():
            for d in _names(deps) or []:
                if d != k:
                    out.append(A.ObjAtom(required=frozenset([k]), groups=(A.Group(props={d: A.BOTTOM}),)))
        return A.union(tuple(out))
    return pos, neg


@keyword("dependentSchemas")
def _dependent_schemas():
    def pos(ctx, v, s, r, b):
        if not isinstance(v, dict):
            return
        for k, sub in v.items():
            absent = A.ObjAtom(groups=(A.Group(props={k: A.BOTTOM}),))
            present = A.conj((A.ObjAtom(required=frozenset([k])),), normalise(sub, False, ctx, r))
            b.add((absent,) + present + A.others("object"))

    def neg(ctx, v, s, r):
        if not isinstance(v, dict):
            return _invalid(ctx)
        parts = []
        for k, sub in v.items():
            parts.append(A.conj((A.ObjAtom(required=frozenset([k])),), normalise(sub, True, ctx, r)))
        return A.union(*parts)
    return pos, neg


# ---------------------------------------------------------------- applicators

@keyword("allOf")
def _all_of():
    def pos(ctx, v, s, r, b):
        if not isinstance(v, list):
            return
        if _has_complement_pair(v):
            b.keep_types(set())
            return
        for x in v:
            b.add(normalise(x, False, ctx, r))

    def neg(ctx, v, s, r):
        if not isinstance(v, list):
            return _invalid(ctx)
        if _has_complement_pair(v):
            return A.TOP
        return A.union(*(normalise(x, True, ctx, r) for x in v))
    return pos, neg


def _has_complement_pair(schemas: list) -> bool:
    """`X` and `{"not": X}` side by side (same base URI, so the same meaning), X compared as JSON
    (`{"const": 0}` is not `{"const": false}`) and written alike: `{"multipleOf": 3}` and
    `{"multipleOf": 3.0}` are equal JSON, but python-jsonschema reads them differently beyond 2^53."""
    plain = [x for x in schemas if not (isinstance(x, dict) and set(x) == {"not"})]
    for x in schemas:
        if isinstance(x, dict) and set(x) == {"not"} and any(json_equal(x["not"], y) and _written_alike(x["not"], y)
                                                             for y in plain):
            return True
    return False


def _written_alike(one: Any, two: Any) -> bool:
    try:
        return json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    except (TypeError, ValueError):
        return False


@keyword("anyOf")
def _any_of():
    def pos(ctx, v, s, r, b):
        if not isinstance(v, list):
            return
        if _has_complement_pair(v):
            return
        b.add(A.union(*(normalise(x, False, ctx, r) for x in v)))

    def neg(ctx, v, s, r):
        if not isinstance(v, list):
            return _invalid(ctx)
        if _has_complement_pair(v):
            return A.BOTTOM
        node = A.TOP
        for x in v:
            node = A.conj(node, normalise(x, True, ctx, r))
            if not node:
                break
        return node
    return pos, neg


@keyword("oneOf")
def _one_of():
    def pos(ctx, v, s, r, b):
        if not isinstance(v, list):
            return
        pos_nodes = [normalise(x, False, ctx, r) for x in v]
        neg_nodes = [normalise(x, True, ctx, r) for x in v]
        parts = []
        for i, p in enumerate(pos_nodes):
            node = p
            for j, n in enumerate(neg_nodes):
                if j != i and node:
                    node = A.conj(node, n)
            parts.append(node)
        b.add(A.union(*parts))

    def neg(ctx, v, s, r):
        if not isinstance(v, list):
            return _invalid(ctx)
        pos_nodes = [normalise(x, False, ctx, r) for x in v]
        none = A.TOP
        for x in v:
            none = A.conj(none, normalise(x, True, ctx, r))
        parts = [none]
        for i in range(len(v)):
            for j in range(i + 1, len(v)):
                parts.append(A.conj(pos_nodes[i], pos_nodes[j]))
        return A.union(*parts)
    return pos, neg


@keyword("not")
def _not():
    def pos(ctx, v, s, r, b):
        b.add(normalise(v, True, ctx, r))

    def neg(ctx, v, s, r):
        return normalise(v, False, ctx, r)
    return pos, neg


# keywords that never reject an instance (annotations, and `x-…` extensions such as the registry's `x-rule`)
_ANNOTATION_KEYWORDS = frozenset({"title", "description", "$comment", "examples", "default", "deprecated", "readOnly",
                                  "writeOnly", "$schema", "$id", "$anchor", "contentMediaType", "contentEncoding"})
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def _accepts_everything(schema: Any, depth: int = 0) -> bool:
    """True only when `schema` plainly accepts every instance: true, {}, annotations, or maps of such sub-schemas
    (a `then` that holds nothing but a rule's annotation). False when unsure: the engine then does the full work."""
    if schema is True:
        return True
    if not isinstance(schema, dict) or depth > 32:
        return False
    for key, value in schema.items():
        if key in _ANNOTATION_KEYWORDS or (isinstance(key, str) and key.startswith("x-")):
            continue
        if key in _SUBSCHEMA_MAPS and isinstance(value, dict) and all(
                _accepts_everything(sub, depth + 1) for sub in value.values()):
            continue
        return False
    return True


@keyword("if")
def _if():
    def branches(ctx, v, s, r, negated):
        then, else_ = s.get("then", True), s.get("else", True)
        if _accepts_everything(then) and _accepts_everything(else_):
            return None  # e.g. a rule recorded as an annotation only: `then` constrains nothing, whatever `if` says
        t = normalise(then, negated, ctx, r)
        e = normalise(else_, negated, ctx, r)
        cond = normalise(v, False, ctx, r)
        not_cond = normalise(v, True, ctx, r)
        return A.union(A.conj(cond, t), A.conj(not_cond, e))

    def pos(ctx, v, s, r, b):
        node = branches(ctx, v, s, r, False)
        if node is not None:
            b.add(node)

    def neg(ctx, v, s, r):
        node = branches(ctx, v, s, r, True)
        return A.BOTTOM if node is None else node
    return pos, neg


@keyword("$ref")
def _ref():
    def pos(ctx, v, s, r, b):
        if isinstance(v, str):
            b.add(resolve_ref(ctx, v, r, False))

    def neg(ctx, v, s, r):
        return resolve_ref(ctx, v, r, True) if isinstance(v, str) else _invalid(ctx)
    return pos, neg


def _unsupported(reason: str):
    def pair():
        def pos(ctx, v, s, r, b):
            ctx.approx(reason)
            for t, a in list(b.atoms.items()):
                if a is not None:
                    b.atoms[t] = a.replace(approx=True)

        def neg(ctx, v, s, r):
            ctx.approx(reason)
            return A.top_approx()
        return pos, neg
    return pair


keyword("$dynamicRef")(_unsupported(R_DYNAMIC))
keyword("$recursiveRef")(_unsupported(R_DYNAMIC))
keyword("unevaluatedProperties")(_unsupported(R_UNEVALUATED))
keyword("unevaluatedItems")(_unsupported(R_UNEVALUATED))


def _count_bounds(low: str, high: str, atom: Any, low_field: str, high_field: str) -> None:
    """minLength/maxLength, minItems/maxItems, minProperties/maxProperties: one rule on three kinds of atom."""
    def lower():
        def pos(ctx, v, s, r, b):
            n = _count(v)
            if n is not None:
                b.narrow(atom(**{low_field: n}))

        def neg(ctx, v, s, r):
            n = _count(v)
            if n is None:
                return _invalid(ctx)
            return A.BOTTOM if n == 0 else neg_of(atom(**{high_field: n - 1}))
        return pos, neg

    def upper():
        def pos(ctx, v, s, r, b):
            n = _count(v)
            if n is not None:
                b.narrow(atom(**{high_field: n}))

        def neg(ctx, v, s, r):
            n = _count(v)
            return _invalid(ctx) if n is None else neg_of(atom(**{low_field: n + 1}))
        return pos, neg

    keyword(low)(lower)
    keyword(high)(upper)


_count_bounds("minLength", "maxLength", A.StrAtom, "min_len", "max_len")
_count_bounds("minItems", "maxItems", A.ArrAtom, "min_items", "max_items")
_count_bounds("minProperties", "maxProperties", A.ObjAtom, "min_props", "max_props")
