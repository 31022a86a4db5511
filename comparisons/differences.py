"""Per-path differences between two schemas, from a table of keyword comparators.

Each comparator takes the left and right values of one keyword at one instance path and returns
the direction, seen from the left: "stricter" (left allows less), "looser", "incompatible" (no
value satisfies both), "changed" (neither includes the other) or None when they are the same.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .bounded import BoundedCache
from .budget import Budget
from .constraints import Constraint, flatten
from .results import Difference
from .values import canonical_json, json_equal, value_key

Direction = Optional[str]


def _lower_bound(l: Any, r: Any) -> Direction:
    if not _is_num(l) or not _is_num(r):
        return None if json_equal(l, r) else "changed"
    return None if l == r else ("stricter" if l > r else "looser")


def _upper_bound(l: Any, r: Any) -> Direction:
    if not _is_num(l) or not _is_num(r):
        return None if json_equal(l, r) else "changed"
    return None if l == r else ("stricter" if l < r else "looser")


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _sets(l: list, r: list) -> Direction:
    lk = {value_key(v) for v in l}
    rk = {value_key(v) for v in r}
    if lk == rk:
        return None
    if not lk & rk:
        return "incompatible"
    if lk < rk:
        return "stricter"
    if lk > rk:
        return "looser"
    return "changed"


def _enum(l: Any, r: Any) -> Direction:
    if not isinstance(l, list) or not isinstance(r, list):
        return "changed"
    return _sets(l, r)


def _const(l: Any, r: Any) -> Direction:
    return None if json_equal(l, r) else "incompatible"


def _types(v: Any) -> set[str]:
    ts = set([v] if isinstance(v, str) else v if isinstance(v, list) else [])
    return ts


def _type(l: Any, r: Any) -> Direction:
    lt, rt = _types(l), _types(r)
    if lt == rt:
        return None

    def covered(x: set, y: set) -> bool:
        return all(t in y or (t == "integer" and "number" in y) for t in x)

    lr, rl = covered(lt, rt), covered(rt, lt)
    if lr and rl:
        return None
    if lr:
        return "stricter"
    if rl:
        return "looser"
    overlap = lt & rt or ({"integer"} & lt and "number" in rt) or ({"integer"} & rt and "number" in lt)
    return "changed" if overlap else "incompatible"


def _multiple_of(l: Any, r: Any) -> Direction:
    from fractions import Fraction

    if not _is_num(l) or not _is_num(r) or l <= 0 or r <= 0:
        return "changed"
    if l == r:
        return None
    q = Fraction(l) / Fraction(r)
    if q.denominator == 1:
        return "stricter"
    if (1 / q).denominator == 1:
        return "looser"
    return "changed"


def _flag(l: Any, r: Any) -> Direction:
    if json_equal(l, r):
        return None
    return "stricter" if l is True else "looser"


def _additional(l: Any, r: Any) -> Direction:
    if json_equal(l, r):  # schemas: {"const": 0} is not {"const": false}
        return None
    return "stricter" if l is False else "looser"


def _pattern(l: Any, r: Any, budget: Optional[Budget] = None) -> Direction:
    if l == r:
        return None
    from .containment import is_subschema

    if budget is not None and budget.remaining() <= 0:
        return "changed"
    lr = is_subschema({"type": "string", "pattern": l}, {"type": "string", "pattern": r}, budget=budget).answer
    rl = is_subschema({"type": "string", "pattern": r}, {"type": "string", "pattern": l}, budget=budget).answer
    if lr == "yes" and rl == "yes":
        return None
    if lr == "yes":
        return "stricter"
    if rl == "yes":
        return "looser"
    return "changed"


def _equal(l: Any, r: Any) -> Direction:
    return None if canonical_json(l) == canonical_json(r) else "changed"


COMPARATORS: dict[str, Callable[[Any, Any], Direction]] = {
    "minimum": _lower_bound, "exclusiveMinimum": _lower_bound, "minLength": _lower_bound,
    "minItems": _lower_bound, "minProperties": _lower_bound, "minContains": _lower_bound,
    "maximum": _upper_bound, "exclusiveMaximum": _upper_bound, "maxLength": _upper_bound,
    "maxItems": _upper_bound, "maxProperties": _upper_bound, "maxContains": _upper_bound,
    "enum": _enum, "const": _const, "type": _type, "multipleOf": _multiple_of,
    "uniqueItems": _flag, "required": _flag, "additionalProperties": _additional, "pattern": _pattern,
}

PHRASES = {
    "minimum": "minimum {}", "exclusiveMinimum": "more than {}", "maximum": "maximum {}",
    "exclusiveMaximum": "less than {}", "minLength": "at least {} characters",
    "maxLength": "at most {} characters", "minItems": "at least {} items", "maxItems": "at most {} items",
    "minProperties": "at least {} members", "maxProperties": "at most {} members", "multipleOf": "a multiple of {}",
    "const": "exactly {}", "enum": "one of {}", "type": "type {}", "pattern": "pattern {}", "format": "format {}",
    "required": "it present", "uniqueItems": "unique items",
}


def phrase(keyword: str, value: Any) -> str:
    if keyword == "required":
        return "it present" if value else "nothing"
    if keyword == "additionalProperties" and value is False:
        return "no other members"
    if keyword == "uniqueItems":
        return "unique items" if value else "nothing about uniqueness"
    text = canonical_json(value) if not isinstance(value, str) or keyword in ("const", "enum") else value
    if isinstance(value, list) and keyword == "type":
        text = " or ".join(value)
    template = PHRASES.get(keyword, keyword + " {}")
    return template.format(text)


def summarise(path: str, keyword: str, left: Any, right: Any, labels: tuple[str, str], missing: str = "") -> str:
    where = path or "the document"
    L, R = labels
    lp = phrase(keyword, left) if missing != "left" else "nothing"
    rp = phrase(keyword, right) if missing != "right" else "nothing"
    return f"{where}: {L} requires {lp}; {R} requires {rp}"


# by identity of flatten()'s lists: ~200 bytes a constraint, the list's and the index's
_INDEX_CACHE = BoundedCache("constraint-indexes", 1024, 8_000_000, lambda key, value: 400 * len(value[0]))


def _index(constraints: list[Constraint]) -> dict[tuple, Constraint]:
    # flatten() memoises its lists, so the index of one list object can be reused
    hit = _INDEX_CACHE.get(id(constraints))
    if hit is not None and hit[0] is constraints:
        return hit[1]
    out = _build_index(constraints)
    _INDEX_CACHE[id(constraints)] = (constraints, out)
    return out


def _build_index(constraints: list[Constraint]) -> dict[tuple, Constraint]:
    out: dict[tuple, Constraint] = {}
    for c in constraints:
        key = c.key()
        if key in out and c.keyword in COMPARATORS:
            # the same keyword twice at one path (allOf): keep the stricter one
            prev = out[key]
            d = COMPARATORS[c.keyword](c.value, prev.value)
            if d == "stricter":
                out[key] = c
            continue
        out.setdefault(key, c)
    return out


def diff_constraints(left: list[Constraint], right: list[Constraint], labels: tuple[str, str] = ("left", "right"),
                     budget: Optional[Budget] = None) -> list[Difference]:
    li, ri = _index(left), _index(right)
    out: list[Difference] = []
    for key in list(li) + [k for k in ri if k not in li]:
        lc, rc = li.get(key), ri.get(key)
        c = lc or rc
        assert c is not None
        cond = [x.to_dict() for x in c.conditions] or None
        if lc is not None and rc is not None:
            if c.keyword == "pattern":
                direction = _pattern(lc.value, rc.value, budget)
            else:
                direction = COMPARATORS.get(c.keyword, _equal)(lc.value, rc.value)
            if direction is None:
                continue
            out.append(Difference(c.path, c.keyword, lc.value, rc.value, direction,
                                  summarise(c.path, c.keyword, lc.value, rc.value, labels), lc.rule, rc.rule, cond))
        elif lc is not None:
            out.append(Difference(c.path, c.keyword, lc.value, None, "added",
                                  summarise(c.path, c.keyword, lc.value, None, labels, "right"), lc.rule, None, cond))
        else:
            assert rc is not None
            out.append(Difference(c.path, c.keyword, None, rc.value, "removed",
                                  summarise(c.path, c.keyword, None, rc.value, labels, "left"), None, rc.rule, cond))
    return out


def differences(a: Any, b: Any, labels: tuple[str, str] = ("left", "right"),
                budget: Optional[Budget] = None) -> list[Difference]:
    """Differences keyword by keyword and path by path (left = a, right = b). Pattern pairs are
    compared for inclusion within `budget` (1 s by default); past it they are "changed"."""
    return diff_constraints(flatten(a), flatten(b), labels, budget or Budget(seconds=1.0))


