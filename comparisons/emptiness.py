"""Sound emptiness proofs and membership tests on canonical nodes.

`node_empty` answers True only when no instance can belong to the node; `member` answers False
only when the value certainly does not belong (so both hold for the schemas the nodes
over-approximate).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Optional

from . import atoms as A
from .canonical import R_NUMBER, R_OBJECT, R_PATTERN, Context
from .automata import Meter, cardinality, difference, intersection, is_empty, metered, union
from .regex import SEMANTICS, all_strings_fsm, length_fsm, pattern_fsms, python_search
from .validation import Undecidable, is_valid
from .values import is_integer_value, json_equal, json_type, value_key

MAX_ENUMERATE = 500
MAX_FSM_LENGTH = 32


def node_empty(node: Optional[A.Node], ctx: Context) -> bool:
    if node is None:
        return False
    if not node:
        return True
    key = ("empty", id(node))
    hit = ctx.memo.get(key)
    if hit is not None and hit[0] is node:
        return hit[1]
    result = all(atom_empty(a, ctx) for a in node)
    ctx.memo[key] = (node, result)
    return result


def atom_empty(a: A.Atom, ctx: Context) -> bool:
    ctx.budget.tick()
    if A.quick_empty(a):
        return True
    key = ("atom_empty", id(a))
    hit = ctx.memo.get(key)
    if hit is not None and hit[0] is a:
        return hit[1]
    if a.enum is not None:
        result = not any(atom_member(a, v, ctx) for v in a.enum)
    else:
        fn = _EMPTY.get(a.type)
        result = fn(a, ctx) if fn else False
    ctx.memo[key] = (a, result)
    return result


# ---------------------------------------------------------------- numbers

def _lcm(x: Fraction, y: Fraction) -> Fraction:
    num = x.numerator * y.numerator // math.gcd(x.numerator, y.numerator)
    den = math.gcd(x.denominator, y.denominator)
    return Fraction(num, den)


def step_of(a: A.NumAtom) -> Optional[Fraction]:
    step: Optional[Fraction] = Fraction(1) if a.integer else None
    for m in a.mults:
        step = m if step is None else _lcm(step, m)
    return step


def _num_ok(a: A.NumAtom, x: Fraction) -> bool:
    if a.lo is not None and (x < a.lo or (a.lo_ex and x == a.lo)):
        return False
    if a.hi is not None and (x > a.hi or (a.hi_ex and x == a.hi)):
        return False
    if a.integer and x.denominator != 1:
        return False
    if a.not_integer and x.denominator == 1:
        return False
    if any((x / m).denominator != 1 for m in a.mults):
        return False
    if any((x / m).denominator == 1 for m in a.not_mults):
        return False
    return not any(Fraction(v) == x for v in a.excluded)


def _num_empty(a: A.NumAtom, ctx: Context) -> bool:
    step = step_of(a)
    if a.not_integer and step is not None and step.denominator == 1:
        return True
    if step is not None and any((step / m).denominator == 1 for m in a.not_mults):
        return True
    if step is None:
        if a.lo is None or a.hi is None or a.lo < a.hi:
            return False  # an interval with interior cannot be covered by finitely many exclusions
        return not _num_ok(a, a.lo)
    kmin = None if a.lo is None else math.ceil(a.lo / step)
    if kmin is not None and a.lo_ex and kmin * step == a.lo:
        kmin += 1
    kmax = None if a.hi is None else math.floor(a.hi / step)
    if kmax is not None and a.hi_ex and kmax * step == a.hi:
        kmax -= 1
    if kmin is not None and kmax is not None:
        if kmin > kmax:
            return True
        if kmax - kmin <= MAX_ENUMERATE:
            return not any(_num_ok(a, k * step) for k in range(kmin, kmax + 1))
    if a.not_integer or a.excluded or a.not_mults:
        ctx.approx(R_NUMBER)
    return False


# ---------------------------------------------------------------- strings

def pattern_matches(pattern: str, s: str) -> Optional[bool]:
    """Whether `pattern` finds a match in `s` under every semantics (SEMANTICS); None when they differ
    or cannot be decided."""
    py = python_search(pattern, s)
    if py is None:
        return None
    fsms = pattern_fsms(pattern, True)
    if fsms is None:
        plain = all(0x20 <= ord(c) < 0x7F for c in s)
        return py if plain else None
    fsms_under = pattern_fsms(pattern, False)
    if any(f.accepts(s) != py for f in fsms) or (fsms_under is not None and any(f.accepts(s) != py for f in fsms_under)):
        return None
    return py


def fsm_call(ctx: Context, fn):
    """Run automata work under the call's budget and a step and state limit (automata.Meter): running out of
    either means the budget is exceeded."""
    with metered(Meter(ctx.budget)):
        return fn()


def string_fsms(a: A.StrAtom, ctx: Context) -> Optional[list]:
    """One FSM per SEMANTICS over-approximating the atom's strings (ignoring enum/excluded)."""
    if not a.patterns and not a.not_patterns:
        return None
    key = ("string_fsms", a.min_len, a.max_len, a.patterns, a.not_patterns)
    hit = ctx.memo.get(key)
    if hit is not None:
        return ctx.replaying(hit)
    result, mine = ctx.recording(lambda: fsm_call(ctx, lambda: _string_fsms(a, ctx)))
    ctx.memo[key] = (result, mine)
    return result


def _string_fsms(a: A.StrAtom, ctx: Context) -> Optional[list]:
    out = []
    done: dict[tuple, Any] = {}  # semantics that read every pattern alike share one automaton
    for sem in range(len(SEMANTICS)):
        same = tuple(id(f[sem]) if f else None for f in (pattern_fsms(p, over) for ps, over in
                                                          ((a.patterns, True), (a.not_patterns, False)) for p in ps))
        if same in done:
            out.append(done[same])
            continue
        fsm = None
        if a.min_len or a.max_len is not None:
            if a.min_len <= MAX_FSM_LENGTH and (a.max_len is None or a.max_len <= MAX_FSM_LENGTH):
                fsm = length_fsm(a.min_len, a.max_len)
        for p in a.patterns:
            f = pattern_fsms(p, True)
            if f is None:
                ctx.approx(R_PATTERN)
                continue
            fsm = f[sem] if fsm is None else intersection(fsm, f[sem])
            ctx.budget.tick(8)
        for p in a.not_patterns:
            f = pattern_fsms(p, False)
            if f is None:
                ctx.approx(R_PATTERN)
                continue
            fsm = difference(all_strings_fsm() if fsm is None else fsm, f[sem])
            ctx.budget.tick(8)
        ctx.budget.check()
        if fsm is None:
            return None
        done[same] = fsm
        out.append(fsm)
    return out


def _str_empty(a: A.StrAtom, ctx: Context) -> bool:
    if a.formats & a.not_formats:
        return True
    fsms = string_fsms(a, ctx)
    if fsms is None:
        if a.max_len == 0:
            return any(json_equal(v, "") for v in a.excluded)
        return False
    empties = [_fsm_empty_except(f, a.excluded) for f in fsms]  # linear in the automata
    if all(empties):
        return True
    if any(empties):
        ctx.approx(R_PATTERN + ": the regular-expression engines differ")
    return False


def _fsm_empty_except(fsm, excluded: tuple) -> bool:
    """Is every string of the automaton among the excluded values?"""
    if is_empty(fsm):
        return True
    if not excluded:
        return False
    try:
        n = cardinality(fsm)
    except OverflowError:
        return False
    if n > MAX_ENUMERATE:
        return False
    from .regex import sample_strings

    strings = sample_strings(fsm, n + 1, 100_000)
    if len(strings) < n:
        return False
    return all(any(json_equal(v, s) for v in excluded) for s in strings)


# ---------------------------------------------------------------- arrays

def _arr_max_len(a: A.ArrAtom, ctx: Context) -> Optional[int]:
    limit = a.max_items
    for i, p in enumerate(a.prefix):
        if limit is not None and i >= limit:
            break
        if node_empty(p, ctx):
            limit = i if limit is None else min(limit, i)
            break
    if a.items is not None and (limit is None or limit > len(a.prefix)) and node_empty(a.items, ctx):
        limit = len(a.prefix) if limit is None else min(limit, len(a.prefix))
    return limit


def _arr_empty(a: A.ArrAtom, ctx: Context) -> bool:
    limit = _arr_max_len(a, ctx)
    if limit is not None and a.min_items > limit:
        return True
    for c in a.contains:
        if c.max is not None and c.min > c.max:
            return True
        if c.min < 1:
            continue
        possible = 0
        unbounded = False
        n_prefix = len(a.prefix)
        for i in range(c.start, n_prefix):
            if limit is not None and i >= limit:
                break
            if not node_empty(A.conj_opt(a.prefix[i], c.node), ctx):
                possible += 1
        rest_start = max(c.start, n_prefix)
        if limit is None or limit > rest_start:
            if not node_empty(A.conj_opt(a.items, c.node), ctx):
                if limit is None:
                    unbounded = True
                else:
                    possible += limit - rest_start
        if not unbounded and possible < c.min:
            return True
    if a.unique and a.not_unique:
        return True
    return False


# ---------------------------------------------------------------- objects

def group_at(g: A.Group, name: str) -> tuple[Optional[A.Node], bool]:
    """(node constraining property `name` in this group or None, certain?)"""
    node: Optional[A.Node] = None
    matched = False
    certain = True
    if name in g.props:
        node = g.props[name]
        matched = True
    for p, sub in g.patterns:
        m = pattern_matches(p, name)
        if m is None:
            certain = False
        elif m:
            matched = True
            node = A.conj_opt(node, sub)
    if not matched and g.additional is not None:
        if not certain:
            return None, False
        node = g.additional
    return node, certain


def value_at(a: A.ObjAtom, name: str) -> Optional[A.Node]:
    """Over-approximation of the values property `name` may take (None: unconstrained)."""
    node: Optional[A.Node] = None
    for g in a.groups:
        sub, _certain = group_at(g, name)
        node = A.conj_opt(node, sub)
    return node


def value_at_cached(a: A.ObjAtom, name: str, ctx: Context) -> Optional[A.Node]:
    key = ("value_at", id(a), name)
    hit = ctx.memo.get(key)
    if hit is not None and hit[0] is a:
        return hit[1]
    node = _groups_value_at(a.groups, name, ctx)
    ctx.memo[key] = (a, node)
    return node


def _groups_value_at(groups: tuple, name: str, ctx: Context) -> Optional[A.Node]:
    """value_at over a tuple of groups, memoised by prefix (a chain of memo entries): the atoms of a
    product of if/then rules share their leading groups (EAEU/customs-low-value v4: 405 atoms)."""
    node: Optional[A.Node] = None
    prefix = 0  # names the groups before this one: the id of a marker the memo keeps alive
    for g in groups:
        key = ("groups_value_at", name, prefix, id(g))
        hit = ctx.memo.get(key)
        if hit is None or hit[0] is not g:
            sub, _certain = group_at(g, name)
            hit = ctx.memo[key] = (g, A.conj_opt(node, sub), object())
        node, prefix = hit[1], id(hit[2])
    return node


def finite_names(a: A.ObjAtom) -> Optional[set[str]]:
    """Names allowed at all, when some group forbids everything outside its properties."""
    out: Optional[set[str]] = None
    if a.names is not None and all(x.type != "string" or x.enum is not None for x in a.names):
        out = {v for x in a.names if x.type == "string" for v in x.enum if isinstance(v, str)}
    for g in a.groups:
        if g.additional is not None and len(g.additional) == 0 and not g.patterns:
            names = set(g.props)
            out = names if out is None else out & names
    return out


def in_region(ex: A.Exists, name: str, ctx: Context) -> bool:
    """May `name` be one of the names `ex` speaks about?"""
    if name in ex.names_excluded:
        return False
    for p in ex.patterns_excluded:
        if pattern_matches(p, name) is True:
            return False
    if ex.pattern_required is not None and pattern_matches(ex.pattern_required, name) is False:
        return False
    if ex.name_node is not None and not member(ex.name_node, name, ctx):
        return False
    return True


def _exists_empty(a: A.ObjAtom, ex: A.Exists, ctx: Context) -> bool:
    if a.max_props == 0 or node_empty(ex.value, ctx):
        return True
    if a.names is not None and ex.name_node is not None and node_empty(A.conj(a.names, ex.name_node), ctx):
        return True
    names = finite_names(a)
    if names is not None:
        for n in names:
            if a.names is not None and not member(a.names, n, ctx):
                continue
            if in_region(ex, n, ctx) and not node_empty(A.conj_opt(value_at_cached(a, n, ctx), ex.value), ctx):
                return False
        return True
    if _region_empty(a, ex, ctx):
        return True
    for g in a.groups:
        if g.additional is None or not node_empty(A.conj(g.additional, ex.value), ctx):
            continue
        if not all(node_empty(A.conj(sub, ex.value), ctx) for _p, sub in g.patterns):
            continue
        if all(not in_region(ex, n, ctx) or node_empty(A.conj_opt(value_at_cached(a, n, ctx), ex.value), ctx) for n in g.props):
            return True
    ctx.approx(R_OBJECT)
    return False


def _strings_lang(node: A.Node, sem: int, ctx: Context):
    """FSM over-approximating the strings of a node under one semantics (None: unknown)."""
    from .regex import literal_fsm

    lang = None
    for atom in node:
        if atom.type != "string":
            continue
        if atom.enum is not None:
            f = literal_fsm(tuple(v for v in atom.enum if atom_member(atom, v, ctx)))
        else:
            fsms = string_fsms(atom, ctx)
            if fsms is None:
                if atom.min_len or atom.max_len is not None:
                    f = length_fsm(atom.min_len, atom.max_len) if atom.min_len <= MAX_FSM_LENGTH and (
                        atom.max_len is None or atom.max_len <= MAX_FSM_LENGTH) else all_strings_fsm()
                else:
                    f = all_strings_fsm()
            else:
                f = fsms[sem]
        lang = f if lang is None else union(lang, f)
    if lang is None:
        return literal_fsm(())
    return lang


def _region_empty(a: A.ObjAtom, ex: A.Exists, ctx: Context) -> bool:
    """No name can carry `ex`: automata over names, under both pattern semantics."""
    return fsm_call(ctx, lambda: _region_empty_fsm(a, ex, ctx))


def _reading(a: A.ObjAtom, ex: A.Exists, sem: int) -> tuple:
    """The automata a region is decided with under one semantics (semantics that read every pattern
    alike share them: pattern_fsms builds one automaton per distinct reading)."""
    found = [pattern_fsms(p, False) for p in ex.patterns_excluded]
    if ex.pattern_required is not None:
        found.append(pattern_fsms(ex.pattern_required, True))
    found += [pattern_fsms(p, True) for g in a.groups for p, _sub in g.patterns]
    for node in (ex.name_node, a.names):
        for atom in node or ():
            if atom.type == "string":
                found += [pattern_fsms(p, True) for p in atom.patterns]
                found += [pattern_fsms(p, False) for p in atom.not_patterns]
    return tuple(id(f[sem]) if f else None for f in found)


def _region_empty_fsm(a: A.ObjAtom, ex: A.Exists, ctx: Context) -> bool:
    from .regex import literal_fsm

    closed = [g for g in a.groups if g.additional is not None and node_empty(A.conj(g.additional, ex.value), ctx)]
    if not closed and not ex.pattern_required and ex.name_node is None and a.names is None:
        return False
    readings: set[tuple] = set()
    for sem in range(len(SEMANTICS)):
        reading = _reading(a, ex, sem)
        if reading in readings:
            continue  # the same automata as a semantics already checked
        readings.add(reading)
        lang = all_strings_fsm()
        for p in ex.patterns_excluded:
            f = pattern_fsms(p, False)
            if f is not None:
                lang = difference(lang, f[sem])
        if ex.pattern_required is not None:
            f = pattern_fsms(ex.pattern_required, True)
            if f is not None:
                lang = intersection(lang, f[sem])
        for node in (ex.name_node, a.names):
            if node is not None:
                lang = intersection(lang, _strings_lang(node, sem, ctx))
        for g in closed:
            allowed = literal_fsm(tuple(n for n in g.props if not node_empty(A.conj_opt(value_at_cached(a, n, ctx), ex.value), ctx)))
            for p, sub in g.patterns:
                if node_empty(A.conj(sub, ex.value), ctx):
                    continue
                f = pattern_fsms(p, True)
                if f is None:
                    return False
                allowed = union(allowed, f[sem])
            lang = intersection(lang, allowed)
        if ex.names_excluded:
            lang = difference(lang, literal_fsm(tuple(ex.names_excluded)))
        ctx.budget.tick(16)
        ctx.budget.check()
        if not is_empty(lang):
            return False
    return True


def _obj_empty(a: A.ObjAtom, ctx: Context) -> bool:
    if a.max_props == 0:
        return not atom_member(a, {}, ctx)
    for r in a.required:
        if a.names is not None and not member(a.names, r, ctx):
            return True
        if node_empty(value_at_cached(a, r, ctx), ctx):
            return True
    names = finite_names(a)
    if names is not None:
        usable = [n for n in names if not node_empty(value_at_cached(a, n, ctx), ctx)
                  and (a.names is None or member(a.names, n, ctx))]
        if len(usable) < a.min_props or not a.required <= set(usable):
            return True
    for ex in a.exists:
        if _exists_empty(a, ex, ctx):
            return True
    return False


def _null_empty(a: A.NullAtom, ctx: Context) -> bool:
    return any(v is None for v in a.excluded)


def _bool_empty(a: A.BoolAtom, ctx: Context) -> bool:
    return all(any(json_equal(v, b) for v in a.excluded) for b in (True, False))


_EMPTY = {"null": _null_empty, "boolean": _bool_empty, "number": _num_empty, "string": _str_empty, "array": _arr_empty, "object": _obj_empty}


# ---------------------------------------------------------------- membership

def member(node: Optional[A.Node], v: Any, ctx: Context) -> bool:
    if node is None:
        return True
    return any(atom_member(a, v, ctx) for a in node)


def atom_member(a: A.Atom, v: Any, ctx: Context) -> bool:
    ctx.budget.tick()
    if json_type(v) != a.type:
        return False
    if a.enum is not None and not any(json_equal(v, e) for e in a.enum):
        return False
    if any(json_equal(v, e) for e in a.excluded):
        return False
    fn = _MEMBER.get(a.type)
    return fn(a, v, ctx) if fn else True


def _num_member(a: A.NumAtom, v: Any, ctx: Context) -> bool:
    try:
        return _num_ok(a, Fraction(v))
    except (ValueError, OverflowError):
        return True


def _format_ok(fmt: str, v: str) -> Optional[bool]:
    """Whether `v` has format `fmt` for every validation engine; None when they disagree."""
    try:
        return is_valid({"format": fmt}, v, True)
    except Undecidable:
        return None


def _str_member(a: A.StrAtom, v: str, ctx: Context) -> bool:
    n = len(v)
    if n < a.min_len or (a.max_len is not None and n > a.max_len):
        return False
    for p in a.patterns:
        if pattern_matches(p, v) is False:
            return False
    for p in a.not_patterns:
        if pattern_matches(p, v) is True:
            return False
    for f in a.formats:
        if _format_ok(f, v) is False:
            return False
    for f in a.not_formats:
        if _format_ok(f, v) is True and f in _known_formats():
            return False
    return True


def _known_formats() -> set[str]:
    from jsonschema import Draft202012Validator

    return set(Draft202012Validator.FORMAT_CHECKER.checkers)


def _arr_member(a: A.ArrAtom, v: list, ctx: Context) -> bool:
    n = len(v)
    if n < a.min_items or (a.max_items is not None and n > a.max_items):
        return False
    for i, x in enumerate(v):
        if not member(a.item_at(i), x, ctx):
            return False
    for c in a.contains:
        count = sum(1 for x in v[c.start:] if member(c.node, x, ctx))
        if count < c.min:
            return False
    keys = [value_key(x) for x in v]
    if a.unique and len(set(keys)) != n:
        return False
    if a.not_unique and len(set(keys)) == n:
        return False
    return True


def _obj_member(a: A.ObjAtom, v: dict, ctx: Context) -> bool:
    n = len(v)
    if n < a.min_props or (a.max_props is not None and n > a.max_props):
        return False
    if not a.required <= set(v):
        return False
    for k, x in v.items():
        if a.names is not None and not member(a.names, k, ctx):
            return False
        if not member(value_at_cached(a, k, ctx), x, ctx):
            return False
    for ex in a.exists:
        if not any(in_region(ex, k, ctx) and member(ex.value, x, ctx) for k, x in v.items()):
            return False
    return True


_MEMBER = {"number": _num_member, "string": _str_member, "array": _arr_member, "object": _obj_member}


def is_integral(v: Any) -> bool:
    return is_integer_value(v)
