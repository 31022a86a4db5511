"""Per-type atoms: the canonical form of a schema is a disjunction (a tuple) of atoms.

A `Node` is a tuple of atoms, read as their union; `()` is the empty set. Every atom is an
over-approximation of the instances it stands for (`approx` marks that something was dropped),
so a proof that all atoms of a node are empty is a proof that the node is empty.
"""

from __future__ import annotations

import contextvars
from fractions import Fraction
from typing import Any, Callable, Optional

from .values import TYPES, json_type, unique_values, value_key

Node = tuple  # tuple[Atom, ...]


class Atom:
    __slots__ = ("approx", "enum", "excluded")
    type = "?"
    FIELDS: tuple[str, ...] = ()

    def __init__(self, **kw: Any) -> None:
        self.approx = kw.pop("approx", False)
        self.enum: Optional[tuple] = kw.pop("enum", None)
        self.excluded: tuple = kw.pop("excluded", ())
        for f in self.FIELDS:
            setattr(self, f, kw.pop(f, self.DEFAULTS[f]))  # type: ignore[attr-defined]
        if kw:
            raise TypeError(f"unknown fields {sorted(kw)}")

    def replace(self, **kw: Any) -> "Atom":
        new = object.__new__(type(self))
        new.approx = self.approx
        new.enum = self.enum
        new.excluded = self.excluded
        for f in self.FIELDS:
            setattr(new, f, getattr(self, f))
        for k, v in kw.items():
            setattr(new, k, v)
        return new

    def is_top(self) -> bool:
        if self.enum is not None or self.excluded:
            return False
        return all(getattr(self, f) == self.DEFAULTS[f] for f in self.FIELDS)  # type: ignore[attr-defined]

    def conj_common(self, other: "Atom", new: "Atom") -> "Atom":
        new.approx = self.approx or other.approx
        if self.enum is None:
            new.enum = other.enum
        elif other.enum is None:
            new.enum = self.enum
        else:
            keys = {value_key(v) for v in other.enum}
            new.enum = tuple(v for v in self.enum if value_key(v) in keys)
        new.excluded = tuple(unique_values(list(self.excluded) + list(other.excluded)))
        return new

    def __repr__(self) -> str:
        parts = [f"{f}={getattr(self, f)!r}" for f in self.FIELDS if getattr(self, f) != self.DEFAULTS[f]]  # type: ignore[attr-defined]
        if self.enum is not None:
            parts.append(f"enum={self.enum!r}")
        if self.excluded:
            parts.append(f"excluded={self.excluded!r}")
        if self.approx:
            parts.append("approx")
        return f"{type(self).__name__}({', '.join(parts)})"


class NullAtom(Atom):
    __slots__ = ()
    type = "null"
    FIELDS = ()
    DEFAULTS: dict = {}

    def conj(self, other: "NullAtom") -> "NullAtom":
        return self.conj_common(other, NullAtom())  # type: ignore[return-value]


class BoolAtom(Atom):
    __slots__ = ()
    type = "boolean"
    FIELDS = ()
    DEFAULTS: dict = {}

    def conj(self, other: "BoolAtom") -> "BoolAtom":
        return self.conj_common(other, BoolAtom())  # type: ignore[return-value]


def _max_lo(a: tuple, b: tuple) -> tuple:
    """Tighter of two lower bounds (value, exclusive); None value means unbounded."""
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return (a[0], a[1] or b[1])


def _min_hi(a: tuple, b: tuple) -> tuple:
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return (a[0], a[1] or b[1])


class NumAtom(Atom):
    __slots__ = ("lo", "lo_ex", "hi", "hi_ex", "integer", "not_integer", "mults", "not_mults")
    type = "number"
    FIELDS = __slots__
    DEFAULTS = {"lo": None, "lo_ex": False, "hi": None, "hi_ex": False, "integer": False,
                "not_integer": False, "mults": (), "not_mults": ()}

    def conj(self, o: "NumAtom") -> "NumAtom":
        lo = _max_lo((self.lo, self.lo_ex), (o.lo, o.lo_ex))
        hi = _min_hi((self.hi, self.hi_ex), (o.hi, o.hi_ex))
        new = NumAtom(lo=lo[0], lo_ex=lo[1], hi=hi[0], hi_ex=hi[1],
                      integer=self.integer or o.integer, not_integer=self.not_integer or o.not_integer,
                      mults=tuple(dict.fromkeys(self.mults + o.mults)),
                      not_mults=tuple(dict.fromkeys(self.not_mults + o.not_mults)))
        return self.conj_common(o, new)  # type: ignore[return-value]


class StrAtom(Atom):
    __slots__ = ("min_len", "max_len", "patterns", "not_patterns", "formats", "not_formats")
    type = "string"
    FIELDS = __slots__
    DEFAULTS = {"min_len": 0, "max_len": None, "patterns": (), "not_patterns": (),
                "formats": frozenset(), "not_formats": frozenset()}

    def conj(self, o: "StrAtom") -> "StrAtom":
        max_len = self.max_len if o.max_len is None else (o.max_len if self.max_len is None else min(self.max_len, o.max_len))
        new = StrAtom(min_len=max(self.min_len, o.min_len), max_len=max_len,
                      patterns=tuple(dict.fromkeys(self.patterns + o.patterns)),
                      not_patterns=tuple(dict.fromkeys(self.not_patterns + o.not_patterns)),
                      formats=self.formats | o.formats, not_formats=self.not_formats | o.not_formats)
        return self.conj_common(o, new)  # type: ignore[return-value]


class Contains:
    """At least `min` and at most `max` items from index `start` on belong to `node`."""

    __slots__ = ("node", "min", "max", "start")

    def __init__(self, node: Node, min: int = 1, max: Optional[int] = None, start: int = 0) -> None:
        self.node, self.min, self.max, self.start = node, min, max, start

    def __repr__(self) -> str:
        return f"Contains({self.node!r}, {self.min}, {self.max}, start={self.start})"


class ArrAtom(Atom):
    __slots__ = ("prefix", "items", "min_items", "max_items", "unique", "not_unique", "contains")
    type = "array"
    FIELDS = __slots__
    DEFAULTS = {"prefix": (), "items": None, "min_items": 0, "max_items": None, "unique": False,
                "not_unique": False, "contains": ()}

    def item_at(self, i: int) -> Optional[Node]:
        """Node for position i; None means unconstrained."""
        if i < len(self.prefix):
            return self.prefix[i]
        return self.items

    def conj(self, o: "ArrAtom") -> "ArrAtom":
        n = max(len(self.prefix), len(o.prefix))
        prefix = tuple(conj_opt(self.item_at(i), o.item_at(i)) for i in range(n))
        max_items = self.max_items if o.max_items is None else (o.max_items if self.max_items is None else min(self.max_items, o.max_items))
        new = ArrAtom(prefix=tuple(TOP if p is None else p for p in prefix),
                      items=conj_opt(self.items, o.items),
                      min_items=max(self.min_items, o.min_items), max_items=max_items,
                      unique=self.unique or o.unique, not_unique=self.not_unique or o.not_unique,
                      contains=self.contains + o.contains)
        return self.conj_common(o, new)  # type: ignore[return-value]


class Group:
    """One schema's properties / patternProperties / additionalProperties, applied together."""

    __slots__ = ("props", "patterns", "additional")

    def __init__(self, props: Optional[dict] = None, patterns: tuple = (), additional: Optional[Node] = None) -> None:
        self.props: dict[str, Node] = props or {}
        self.patterns: tuple[tuple[str, Node], ...] = patterns
        self.additional = additional

    def __repr__(self) -> str:
        return f"Group({self.props!r}, {self.patterns!r}, {self.additional!r})"


class Exists:
    """Some property whose name is outside `names_excluded`/`patterns_excluded`, matches
    `pattern_required` (if set) and `name_node` (if set), has a value in `value`."""

    __slots__ = ("names_excluded", "patterns_excluded", "pattern_required", "name_node", "value")

    def __init__(self, value: Node, names_excluded: frozenset = frozenset(), patterns_excluded: tuple = (),
                 pattern_required: Optional[str] = None, name_node: Optional[Node] = None) -> None:
        self.value = value
        self.names_excluded = names_excluded
        self.patterns_excluded = patterns_excluded
        self.pattern_required = pattern_required
        self.name_node = name_node

    def __repr__(self) -> str:
        return f"Exists(value={self.value!r}, excl={sorted(self.names_excluded)}, pats={self.patterns_excluded}, req={self.pattern_required}, names={self.name_node!r})"


class ObjAtom(Atom):
    __slots__ = ("groups", "required", "min_props", "max_props", "names", "exists")
    type = "object"
    FIELDS = __slots__
    DEFAULTS = {"groups": (), "required": frozenset(), "min_props": 0, "max_props": None,
                "names": None, "exists": ()}

    def conj(self, o: "ObjAtom") -> "ObjAtom":
        max_props = self.max_props if o.max_props is None else (o.max_props if self.max_props is None else min(self.max_props, o.max_props))
        new = ObjAtom(groups=self.groups + o.groups, required=self.required | o.required,
                      min_props=max(self.min_props, o.min_props), max_props=max_props,
                      names=conj_opt(self.names, o.names), exists=self.exists + o.exists)
        return self.conj_common(o, new)  # type: ignore[return-value]


ATOM_CLASSES = {"null": NullAtom, "boolean": BoolAtom, "number": NumAtom, "string": StrAtom,
                "array": ArrAtom, "object": ObjAtom}


_TOPS: dict[str, Atom] = {}


def top_atom(t: str, approx: bool = False) -> Atom:
    """An unconstrained atom of type t (shared: atoms are never mutated after construction)."""
    if approx:
        return ATOM_CLASSES[t](approx=True)
    atom = _TOPS.get(t)
    if atom is None:
        atom = _TOPS[t] = ATOM_CLASSES[t]()
    return atom


TOP: Node = tuple(top_atom(t) for t in TYPES)
BOTTOM: Node = ()


def top_approx() -> Node:
    return tuple(top_atom(t, approx=True) for t in TYPES)


def others(t: str) -> Node:
    return tuple(top_atom(u) for u in TYPES if u != t)


def is_top_node(node: Optional[Node]) -> bool:
    if node is None:
        return True
    present = {a.type for a in node if a.is_top()}
    return len(present) == len(TYPES)


# Measured on the shipped corpus (bench/atom_cap.py): every version pair of every shipped document stays
# at or under 405 atoms (EAEU/customs-low-value v4: five if/then rules); 200 collapsed it to unknown.
MAX_ATOMS = 1000
# called when a node is collapsed, so that an unknown it causes can say so (set per engine call)
ON_COLLAPSE: contextvars.ContextVar[Optional[Callable[[], None]]] = contextvars.ContextVar("on_collapse", default=None)


def simplify(node: Node) -> Node:
    """Drop atoms subsumed by an unconstrained atom of the same type."""
    tops = {a.type for a in node if a.is_top() and not a.approx}
    if not tops:
        return node
    out = []
    seen_top: set[str] = set()
    for a in node:
        if a.type in tops:
            if a.type not in seen_top:
                seen_top.add(a.type)
                out.append(top_atom(a.type))
        else:
            out.append(a)
    return tuple(out)


def collapse(node: Node) -> Node:
    """Bound the size of a node by over-approximating: one approximate top atom per type."""
    if len(node) <= MAX_ATOMS:
        return node
    report = ON_COLLAPSE.get()
    if report is not None:
        report()
    return tuple(top_atom(t, approx=True) for t in TYPES if any(a.type == t for a in node))


def union(*nodes: Node) -> Node:
    out: list = []
    for n in nodes:
        out.extend(n)
    return collapse(simplify(tuple(out)))


def conj_atoms(a: Atom, b: Atom) -> Atom:
    if a.is_top() and not a.approx:
        return b
    if b.is_top() and not b.approx:
        return a
    return a.conj(b)  # type: ignore[attr-defined]


def conj(x: Node, y: Node) -> Node:
    if x is y or y is TOP:
        return x
    if x is TOP:
        return y
    out = []
    for a in x:
        for b in y:
            if a.type == b.type:
                c = conj_atoms(a, b)
                if not quick_empty(c):
                    out.append(c)
    return collapse(simplify(tuple(out)))


def conj_opt(x: Optional[Node], y: Optional[Node]) -> Optional[Node]:
    if x is None:
        return y
    if y is None:
        return x
    return conj(x, y)


def quick_empty(a: Atom) -> bool:
    """Cheap, certain emptiness tests used to prune while building."""
    if a.enum is not None and not a.enum:
        return True
    if isinstance(a, NumAtom):
        if a.lo is not None and a.hi is not None:
            if a.lo > a.hi or (a.lo == a.hi and (a.lo_ex or a.hi_ex)):
                return True
        if a.integer and a.not_integer:
            return True
    elif isinstance(a, StrAtom):
        if a.max_len is not None and a.min_len > a.max_len:
            return True
    elif isinstance(a, ArrAtom):
        if a.max_items is not None and a.min_items > a.max_items:
            return True
        if a.unique and a.not_unique:
            return True
    elif isinstance(a, ObjAtom):
        if a.max_props is not None and (a.min_props > a.max_props or len(a.required) > a.max_props):
            return True
    return False


def split_values(values: list) -> dict[str, tuple]:
    """Group JSON values by type (booleans are not numbers)."""
    out: dict[str, list] = {}
    for v in unique_values(values):
        out.setdefault(json_type(v), []).append(v)
    return {k: tuple(v) for k, v in out.items()}


def fraction(v: Any) -> Fraction:
    return Fraction(v)
