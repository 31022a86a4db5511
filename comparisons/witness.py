"""Witness construction and verification.

Candidates come from the canonical atoms (boundary numbers, strings sampled from pattern
automata, minimal arrays and objects) and from values written in either schema. A witness is
only ever returned after jsonschema confirms it: valid under one schema, invalid under the other.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any, Iterable, Iterator, Optional

from . import atoms as A
from .bounded import BoundedCache, json_size
from .budget import Budget, BudgetExceeded
from .canonical import R_BUDGET, Context
from .automata import intersection
from .emptiness import atom_empty, atom_member, finite_names, fsm_call, pattern_matches, step_of, string_fsms
from .emptiness import value_at_cached as value_at
from .regex import pattern_fsms, sample_strings
from .validation import Undecidable, is_valid, validator_by_text, validator_for
from .values import unique_values
from .witness_check import witness_problem

MAX_DEPTH = 5
# the largest values a witness is built from: a schema asking for more ("minLength": 100000000) gets "unknown"
MAX_STRING_CHARS = 10_000
MAX_NUMBER = Fraction(10) ** 300
R_TOO_LARGE = f"{R_BUDGET}: a witness would be larger than the limit"
FORMAT_EXAMPLES = {
    "email": "user@example.com", "idn-email": "user@example.com", "date": "2024-01-31",
    "date-time": "2024-01-31T12:00:00Z", "time": "12:00:00Z", "uri": "https://example.com/a",
    "uri-reference": "/a", "iri": "https://example.com/a", "iri-reference": "/a", "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1", "hostname": "example.com", "idn-hostname": "example.com",
    "uuid": "123e4567-e89b-12d3-a456-426614174000", "duration": "P1D", "regex": "a+",
    "json-pointer": "/a", "relative-json-pointer": "0/a", "uri-template": "/a/{b}",
}
GENERIC = [None, False, True, 0, 1, -1, 0.5, 2, 10, 100, "", "a", "abc", [], [None], {}, {"a": 1}]


def to_json_number(x: Fraction) -> Any:
    if x.denominator == 1:
        return int(x)
    return float(x)


# ---------------------------------------------------------------- candidates from atoms

def node_candidates(node: Optional[A.Node], ctx: Context, depth: int = 0, limit: int = 3) -> list:
    """A few members of `node` (memoised per node within one engine call)."""
    if node is None:
        return [0, "a", None]
    key = (id(node), depth, limit)
    hit = ctx.memo.get(key)
    if hit is not None and hit[0] is node:
        return hit[1]
    out: list = []
    for a in node:
        out.extend(atom_candidates(a, ctx, depth, limit))
        if len(out) >= limit:
            break
    out = out[:limit]
    ctx.memo[key] = (node, out)
    return out


def atom_candidates(a: A.Atom, ctx: Context, depth: int = 0, limit: int = 8) -> list:
    out: list = []
    for v in iter_candidates(a, ctx, depth):
        out.append(v)
        if len(out) >= limit:
            break
    return out


def iter_candidates(a: A.Atom, ctx: Context, depth: int = 0, tries: int = 60) -> Iterator[Any]:
    """Members of the atom (checked against its own constraints), lazily, without repeats."""
    ctx.budget.tick()
    if depth > MAX_DEPTH:
        return
    if a.enum is not None:
        raw: Iterable[Any] = a.enum
    else:
        gen = _GEN.get(a.type)
        raw = gen(a, ctx, depth) if gen else ()
    seen: set = set()
    for i, v in enumerate(raw):
        if i >= tries:
            break
        k = repr(v)  # only to skip repeats: a cheap key is enough
        if k in seen:
            continue
        seen.add(k)
        if atom_member(a, v, ctx):
            yield v


def _null(a, ctx, depth):
    return [None]


def _bool(a, ctx, depth):
    return [False, True]


def _number(a: A.NumAtom, ctx: Context, depth: int) -> Iterator[Any]:
    """Boundary values first (lazily: the first member usually serves)."""
    for p in _number_points(a):
        if abs(p) > MAX_NUMBER:
            ctx.approx(R_TOO_LARGE + " (numbers up to 1e300)")
            continue
        v = to_json_number(p)
        if isinstance(v, float) and not math.isfinite(v):
            continue
        yield v


def _number_points(a: A.NumAtom) -> Iterator[Fraction]:
    step = step_of(a)
    if step is not None:
        if a.lo is not None:
            k = math.ceil(a.lo / step)
            yield from (k * step, (k + 1) * step, (k + 2) * step)
        if a.hi is not None:
            k = math.floor(a.hi / step)
            yield from (k * step, (k - 1) * step, (k - 2) * step)
        yield from (Fraction(0), step, -step, 2 * step, 3 * step)
    if a.lo is not None:
        yield from (a.lo, a.lo + 1, a.lo + Fraction(1, 2))
    if a.hi is not None:
        yield from (a.hi, a.hi - 1, a.hi - Fraction(1, 2))
    if a.lo is not None and a.hi is not None:
        yield (a.lo + a.hi) / 2
    yield from (Fraction(0), Fraction(1), Fraction(-1), Fraction(1, 2), Fraction(7), Fraction(-7, 2))
    for v in a.excluded:
        yield from (Fraction(v) + 1, Fraction(v) - 1, Fraction(v) + Fraction(1, 2))
    if step is not None and a.not_mults:
        yield from (k * step for k in range(4, 40))
    if a.not_integer:
        base = [x for x in (a.lo, a.hi) if x is not None] + [Fraction(0)]
        for p in base:
            yield from (p + Fraction(1, 2), p - Fraction(1, 2), p + Fraction(1, 4), p - Fraction(1, 4))


def _string(a: A.StrAtom, ctx: Context, depth: int) -> Iterator[Any]:
    for f in a.formats:
        if f in FORMAT_EXAMPLES:
            yield FORMAT_EXAMPLES[f]
    fsms = string_fsms(a, ctx)
    if fsms is not None:
        yield from sample_strings(fsm_call(ctx, lambda: intersection(*fsms)), 6)  # searches are bounded
        yield from sample_strings(fsms[1], 3)
    n = a.min_len
    if n + 2 > MAX_STRING_CHARS:
        ctx.approx(R_TOO_LARGE + f" ({MAX_STRING_CHARS} characters)")
        return
    yield "a" * n
    yield "x" * (n + 1)
    yield "".join("ab"[i % 2] for i in range(n + 2))
    if a.max_len is not None and a.max_len <= MAX_STRING_CHARS:
        yield "a" * a.max_len
    for v in a.excluded:
        if isinstance(v, str):
            yield v + "x"
            yield "x" + v
            yield v[:-1]
    yield "abc"
    yield "0"
    yield "1"
    yield " "


def _array(a: A.ArrAtom, ctx: Context, depth: int) -> Iterator[Any]:
    lo = a.min_items
    for c in a.contains:
        lo = max(lo, c.start + c.min)
    hi = a.max_items
    lengths = [lo, lo + 1, a.min_items, 0, 1, 2]
    for n in dict.fromkeys(lengths):
        if n < 0 or (hi is not None and n > hi) or n > 12:
            continue
        yield from _arrays_of_length(a, ctx, depth, n)


def _arrays_of_length(a: A.ArrAtom, ctx: Context, depth: int, n: int) -> Iterator[list]:
    per_pos: list[list] = []
    for i in range(n):
        node = a.item_at(i)
        wanted = [c for c in a.contains if c.min >= 1 and i >= c.start]
        cands: list = []
        for c in wanted:
            cands += node_candidates(A.conj_opt(node, c.node), ctx, depth + 1, 2)
        cands += node_candidates(node, ctx, depth + 1, 2)
        # values avoiding maxContains / negated contains first when asked
        per_pos.append(unique_values(cands) or [None])
    yield [p[0] for p in per_pos]
    yield [p[min(i, len(p) - 1)] for i, p in enumerate(per_pos)]
    yield [p[-1] for p in per_pos]
    if n >= 2:
        # duplicates (for "not uniqueItems")
        yield [per_pos[0][0]] * n
    for c in a.contains:
        if c.max is not None or c.min == 0:
            # avoid the contained node where possible
            avoid = []
            for i in range(n):
                cands = [v for v in per_pos[i] if not _in_node(c.node, v, ctx)]
                avoid.append(cands[0] if cands else per_pos[i][0])
            yield avoid


def _in_node(node: A.Node, v: Any, ctx: Context) -> bool:
    from .emptiness import member

    return member(node, v, ctx)


def _object(a: A.ObjAtom, ctx: Context, depth: int) -> Iterator[Any]:
    base: dict[str, Any] = {}
    for r in sorted(a.required):
        vals = node_candidates(value_at(a, r, ctx), ctx, depth + 1, 1)
        base[r] = vals[0] if vals else None
    names = finite_names(a)
    pool = sorted(names) if names is not None else []
    for g in a.groups:
        pool += [n for n in g.props if n not in pool]
    extra_names = pool + [n for n in ("x", "foo", "a", "b1", "zz") if n not in pool]
    for ex in a.exists:
        if ex.pattern_required:
            f = pattern_fsms(ex.pattern_required, False)
            if f is not None:
                extra_names = sample_strings(fsm_call(ctx, lambda: intersection(*f)), 3) + extra_names
        if ex.name_node:
            extra_names = [s for s in node_candidates(ex.name_node, ctx, depth + 1) if isinstance(s, str)] + extra_names
    yield dict(base)
    obj = dict(base)
    # existential requirements
    from .emptiness import in_region

    for ex in a.exists:
        for name in extra_names:
            if name in obj or not in_region(ex, name, ctx):
                continue
            if names is not None and name not in names:
                continue
            vals = node_candidates(A.conj_opt(value_at(a, name, ctx), ex.value), ctx, depth + 1, 1)
            if vals:
                obj[name] = vals[0]
                break
    yield dict(obj)
    # fill up to minProperties
    for name in extra_names:
        if len(obj) >= a.min_props:
            break
        if name in obj or (names is not None and name not in names):
            continue
        vals = node_candidates(value_at(a, name, ctx), ctx, depth + 1, 1)
        if vals:
            obj[name] = vals[0]
    yield dict(obj)
    # one optional property at a time, with values that may break the other side
    for name in pool[:8]:
        if name in base:
            continue
        for v in node_candidates(value_at(a, name, ctx), ctx, depth + 1, 4):
            yield {**base, name: v}
    for name in list(base)[:8]:
        for v in node_candidates(value_at(a, name, ctx), ctx, depth + 1, 4)[1:]:
            yield {**base, name: v}


_GEN = {"null": _null, "boolean": _bool, "number": _number, "string": _string, "array": _array,
        "object": _object}


# ---------------------------------------------------------------- values found in schemas

def schema_values(schema: Any, limit: int = 400) -> list:
    """Literal values in a schema (const, enum, examples, default, bounds and neighbours)."""
    out: list = []
    stack = [schema]
    while stack and len(out) < limit:
        s = stack.pop()
        if isinstance(s, list):
            stack.extend(s)
            continue
        if not isinstance(s, dict):
            continue
        for k, v in s.items():
            if k == "const":
                out.append(v)
            elif k in ("enum", "examples") and isinstance(v, list):
                out.extend(v)
            elif k == "default":
                out.append(v)
            elif k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf") \
                    and isinstance(v, (int, float)) and not isinstance(v, bool):
                out += [v, v + 1, v - 1, v * 2]
            elif k in ("properties", "patternProperties", "$defs", "dependentSchemas") and isinstance(v, dict):
                stack.extend(v.values())
            elif isinstance(v, (dict, list)) and k not in ("enum", "const", "examples", "default"):
                stack.append(v)
    return out


# ---------------------------------------------------------------- verification

# by identity of the schema, which is kept (so its id is not reused): measured as the schema's text
_PATTERN_CACHE = BoundedCache("schema-patterns", 1024, 8_000_000)


def schema_patterns(schema: Any) -> frozenset:
    """Every regular expression in a schema (pattern values, patternProperties keys)."""
    hit = _PATTERN_CACHE.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    result = frozenset(_schema_patterns(schema))
    _PATTERN_CACHE[id(schema)] = (schema, result)
    return result


def _schema_patterns(schema: Any) -> set[str]:
    out: set[str] = set()
    stack = [schema]
    while stack:
        s = stack.pop()
        if isinstance(s, list):
            stack.extend(s)
        elif isinstance(s, dict):
            for k, v in s.items():
                if k == "pattern" and isinstance(v, str):
                    out.add(v)
                elif k == "patternProperties" and isinstance(v, dict):
                    out.update(x for x in v if isinstance(x, str))
                    stack.extend(v.values())
                elif k in ("enum", "const", "examples", "default"):
                    continue
                elif isinstance(v, (dict, list)):
                    stack.append(v)
    return out


def _strings_in(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for x in value:
            yield from _strings_in(x)
    elif isinstance(value, dict):
        for k, x in value.items():
            yield k
            yield from _strings_in(x)


def robust(value: Any, patterns: set[str]) -> bool:
    """True when no pattern reads any string of `value` differently (ECMA-262, Python re, RE2, Rust
    regex). Numbers and formats are checked by validation itself (validation.AgreedValidator)."""
    if not patterns:
        return True
    for s in _strings_in(value):
        if all(0x20 <= ord(c) < 0x7F for c in s):
            continue
        for p in patterns:
            if pattern_matches(p, s) is None:
                return False
    return True


class Verifier:
    """Checks candidate witnesses: valid under `a`, invalid under `b` (valid under both with `in_b`)."""

    def __init__(self, a: Any, b: Any, format_assertion: bool, ctx: Optional[Context] = None,
                 in_b: bool = False) -> None:
        self.a, self.b, self.fa = a, b, format_assertion
        self.in_b = in_b
        self.ctx = ctx
        self.patterns = schema_patterns(a) | schema_patterns(b)
        self.seen: set = set()
        self.undecidable: Optional[str] = None
        self.both: Optional[tuple[Any]] = None
        self.rejected: Optional[str] = None  # why the last candidate that passed the first check was dropped
        self._validators: list = [None, None]

    def _valid(self, side: int, value: Any) -> bool:
        validator = self._validators[side]
        if validator is None:
            schema = self.a if side == 0 else self.b
            if self.ctx is not None:
                validator = validator_by_text(self.ctx.text(schema), self.fa)
            else:
                validator = validator_for(schema, self.fa)
            self._validators[side] = validator
        try:
            return validator.is_valid(value)
        except Exception:
            return is_valid(self.a if side == 0 else self.b, value, self.fa)  # raises Undecidable

    def check(self, value: Any) -> bool:
        key = repr(value)
        if key in self.seen:
            return False
        self.seen.add(key)
        try:
            if not self._valid(0, value):
                return False
            if self._valid(1, value):
                if self.both is None and robust(value, self.patterns) \
                        and witness_problem(value, (self.a, self.b), (), self.fa) is None:
                    self.both = (value,)  # valid under both: useful to compare()
                if not self.in_b:
                    return False
            elif self.in_b:
                return False
        except Undecidable as e:
            self.undecidable = str(e)
            return False
        if not robust(value, self.patterns):
            return False
        inside, outside = ((self.a, self.b), ()) if self.in_b else ((self.a,), (self.b,))
        self.rejected = witness_problem(value, inside, outside, self.fa)
        if self.rejected is None and self.ctx is not None:
            self.ctx.checked_witness = value  # is_subschema need not check it again
        return self.rejected is None

    def first(self, values: Iterable[Any], ctx: Context, limit: int = 400) -> Optional[tuple[Any]]:
        for i, v in enumerate(values):
            if i >= limit:
                break
            ctx.budget.tick()
            ctx.budget.check()  # each check validates twice: look at the clock every time
            if self.check(v):
                return (v,)
        return None


def find_witness(atoms: Iterable[A.Atom], a: Any, b: Any, ctx: Context,
                 verifier: Optional[Verifier] = None) -> tuple[Optional[tuple[Any]], bool]:
    """(verified instance of a ∖ b or None, whether some atom of a ∧ ¬b could not be proven empty).

    `atoms` are the atoms of a ∧ ¬b; each is first tried for emptiness, then for a witness."""
    verifier = verifier or Verifier(a, b, ctx.format_assertion)
    pending = []
    for atom in atoms:
        if atom_empty(atom, ctx):
            continue
        pending.append(atom)
        found = verifier.first(iter_candidates(atom, ctx), ctx, limit=12)
        if found:
            return found, True
    if not pending:
        return None, False
    pool = schema_values(a) + schema_values(b) + GENERIC
    found = verifier.first(unique_values(pool), ctx)
    if found:
        return found, True
    for atom in pending:
        found = verifier.first(iter_candidates(atom, ctx, tries=400), ctx, limit=200)
        if found:
            return found, True
    return None, True



# by the schema's JSON text
_POOL_CACHE = BoundedCache("instance-pools", 4096, 8_000_000, lambda key, pool: len(key[0]) + json_size(pool))
POOL_SIZE = 6
POOL_SECONDS = 0.5


def instance_pool(schema: Any, format_assertion: bool = False, budget: Optional[Budget] = None) -> list:
    """A few verified instances of a schema (memoised by its JSON text): minimal ones first, then
    variants with boundary values and optional members. compare() tries them before searching.
    Within `budget` when given: a pool cut short by the caller's clock is returned but not remembered."""
    from .canonical import normalise_root

    try:
        key = (json.dumps(schema, sort_keys=True), format_assertion)
    except (TypeError, ValueError):
        return []
    hit = _POOL_CACHE.get(key)
    if hit is not None:
        return hit
    seconds = POOL_SECONDS if budget is None else min(POOL_SECONDS, budget.remaining())
    ctx = Context(format_assertion, Budget(seconds=seconds, max_steps=200_000))
    out: list = []
    try:
        validator = validator_by_text(key[0], format_assertion)
        for atom in normalise_root(schema, False, ctx):
            for v in iter_candidates(atom, ctx, tries=40):
                ctx.budget.check()  # one validation each: look at the clock every time
                if validator.is_valid(v):
                    out.append(v)
                    if len(out) >= POOL_SIZE:
                        break
            if len(out) >= POOL_SIZE:
                break
    except BudgetExceeded:
        if budget is not None and budget.remaining() <= POOL_SECONDS:
            return out  # the caller's time ran out: another call may do better
        out = []
    except Exception:  # recursion, unresolvable reference: no pool
        out = []
    _POOL_CACHE[key] = out
    return out
