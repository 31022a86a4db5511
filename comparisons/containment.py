"""is_subschema: proof by canonical forms, exact decisions for finite sets, verified witnesses."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Optional

from . import atoms as A
from .automata import TooLarge
from .bounded import BoundedCache
from .budget import Budget, BudgetExceeded
from .canonical import (R_BUDGET, R_CAP, R_ENGINES, R_INVALID, R_PATTERN, R_REMOTE, R_UNDECIDED, R_WITNESS, Context,
                        normalise_root)
from .expansion import measure
from .results import Containment
from .validation import ENGINES_DISAGREE, Undecidable, is_valid
from .values import unique_values
from .witness import Verifier, find_witness, robust, schema_patterns
from .witness_check import checked, is_finite_json

ANNOTATIONS = {"title", "description", "examples", "default", "$comment", "deprecated", "readOnly",
               "writeOnly", "contentMediaType", "contentEncoding", "contentSchema", "$schema"}
FINITE_LIMIT = 5000


def strip_annotations(schema: Any) -> Any:
    """Drop annotation keywords at the top level (x-* included); the same object if none."""
    if isinstance(schema, dict) and any(k in ANNOTATIONS or k.startswith("x-") for k in schema):
        return {k: v for k, v in schema.items() if k not in ANNOTATIONS and not k.startswith("x-")}
    return schema


def is_universal_literal(schema: Any, format_assertion: bool) -> bool:
    s = strip_annotations(schema)
    if s is True or s == {}:
        return True
    return isinstance(s, dict) and not format_assertion and set(s) == {"format"}


def is_empty_literal(schema: Any, format_assertion: bool) -> bool:
    s = strip_annotations(schema)
    return s is False or (isinstance(s, dict) and s.get("not") is not None
                          and is_universal_literal(s["not"], format_assertion))


def _same_text(a: Any, b: Any, ctx: Context) -> bool:
    """Structurally equal apart from annotations (then a ⊆ b, whatever the keywords)."""
    if a is b:
        return True
    try:
        if ctx.text(a) == ctx.text(b):
            return True
        sa, sb = strip_annotations(a), strip_annotations(b)
        if sa is a and sb is b or not isinstance(a, dict) or not isinstance(b, dict):
            return False
        return json.dumps(sa, sort_keys=True) == json.dumps(sb, sort_keys=True) and a.get("$id") == b.get("$id")
    except (TypeError, ValueError):
        return False


def finite_values(schema: Any, depth: int = 0) -> Optional[list]:
    """The instances of `schema` when it is syntactically a finite set (a superset of them,
    filtered by validation later), else None."""
    if depth > 8:
        return None
    if schema is False:
        return []
    if not isinstance(schema, dict):
        return None
    candidates: Optional[list] = None
    if "const" in schema:
        candidates = [schema["const"]]
    if isinstance(schema.get("enum"), list):
        candidates = list(schema["enum"]) if candidates is None else candidates
    if isinstance(schema.get("anyOf"), list) and candidates is None:
        parts = [finite_values(x, depth + 1) for x in schema["anyOf"]]
        if all(p is not None for p in parts):
            candidates = [v for p in parts for v in p]  # type: ignore[union-attr]
    if isinstance(schema.get("oneOf"), list) and candidates is None:
        parts = [finite_values(x, depth + 1) for x in schema["oneOf"]]
        if all(p is not None for p in parts):
            candidates = [v for p in parts for v in p]  # type: ignore[union-attr]
    if isinstance(schema.get("allOf"), list) and candidates is None:
        for x in schema["allOf"]:
            p = finite_values(x, depth + 1)
            if p is not None:
                candidates = p
                break
    if candidates is None or len(candidates) > FINITE_LIMIT:
        return None
    return unique_values(candidates)


def _not_finite(schema: Any) -> Optional[list]:
    s = strip_annotations(schema)
    if isinstance(s, dict) and set(s) == {"not"}:
        return finite_values(s["not"])
    return None


R_EXPANSION = f"{R_BUDGET}: schema expansion"  # then ": " and expansion.Expansion.over()'s words
# by the schema's text: the answer (a few words) and the text it was measured on
_EXPANSION = BoundedCache("schema-expansion", 1024, 8_000_000, lambda key, over: len(key) + len(over or ""))


def too_expansive(schema: Any, ctx: Context) -> Optional[str]:
    """Why validating against `schema` could take exponential time (expansion.measure), or None; remembered by
    the schema's text."""
    try:
        text = ctx.text(schema)
    except (TypeError, ValueError):
        return None
    if "$ref" not in text and "$dynamicRef" not in text:
        return None  # every subschema is checked at most once per value: validation is linear in the schema
    if text in _EXPANSION:
        return _EXPANSION[text]
    over = _EXPANSION[text] = measure(schema).over()  # a text too large to keep is measured again next time
    return over


DIALECTS = ("https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#")


def document_problem(schema: Any, ctx: Context) -> Optional[str]:
    """Why a schema is not a draft 2020-12 JSON document the engine can read (None: it is)."""
    if not isinstance(schema, (bool, dict)):
        return f"{R_INVALID}: a schema is an object or a boolean"
    if isinstance(schema, dict) and "$schema" in schema and schema["$schema"] not in DIALECTS:
        return f"{R_INVALID}: $schema {str(schema['$schema'])[:200]!r} is not supported; only draft 2020-12"
    try:
        ctx.text(schema)
    except (TypeError, ValueError):  # Infinity/NaN (1e400 decodes as inf), or not JSON at all
        return f"{R_INVALID}: not JSON (a number is infinite or NaN, or a value is not a JSON type)"
    return None


def is_subschema(a: Any, b: Any, *, format_assertion: bool = False, budget: Optional[Budget] = None,
                 shortcuts: bool = True, observe: Optional[dict] = None) -> Containment:
    """Is every instance valid under `a` also valid under `b` (JSON Schema draft 2020-12)?

    `shortcuts=False` skips the exact decisions by validation (finite sets, complements of
    finite sets, structural equality) and uses only the canonical-form engine (for testing).
    `observe`, if given, receives "both": (value,) when the search met an instance valid under
    both schemas (compare() uses it).
    """
    ctx = Context(format_assertion, budget or Budget())
    ctx.observe = observe

    def decide() -> Containment:
        result = _general(a, b, ctx, None) if not shortcuts else _decide(a, b, ctx)
        if result.answer == "no" and result.witness is getattr(ctx, "checked_witness", _UNSET):
            return result  # the search checked it before it stopped on it
        return checked(result, a, b, format_assertion)

    return _answer(a, b, ctx, decide)


def are_disjoint(a: Any, b: Any, *, format_assertion: bool = False, budget: Optional[Budget] = None) -> Containment:
    """Does no instance satisfy both `a` and `b`? "yes" (proven), "no" with `witness` valid under both,
    or "unknown". Computed on the two canonical forms, each schema its own root (never as a ⊆ {"not": b},
    which would make `"$ref": "#"` in b point at the wrapper)."""
    ctx = Context(format_assertion, budget or Budget())
    return _answer(a, b, ctx, lambda: _general(a, b, ctx, None, within=False))


def _answer(a: Any, b: Any, ctx: Context, decide: Callable[[], Containment]) -> Containment:
    """`decide()` for two readable, not too expansive documents, within the budget; an unknown that the atom
    cap, the budget or the depth of recursion causes says so."""
    problem = document_problem(a, ctx) or document_problem(b, ctx)
    if problem:
        return Containment("unknown", reason=problem)
    collapses = A.ON_COLLAPSE.set(lambda: ctx.approx(R_CAP))
    try:
        # validating an instance cannot be interrupted: refuse schemas that make one validation exponential
        over = too_expansive(a, ctx) or too_expansive(b, ctx)
        if over:
            return Containment("unknown", reason=f"{R_EXPANSION}: {over}")
        ctx.budget.check()
        return decide()
    except TooLarge as e:
        return Containment("unknown", reason=f"{R_BUDGET}: {e}")
    except BudgetExceeded:
        return Containment("unknown", reason=R_BUDGET)
    except RecursionError:
        return Containment("unknown", reason=R_BUDGET + ": recursion")
    finally:
        A.ON_COLLAPSE.reset(collapses)


_UNSET = object()


def _no(witness: Any) -> Containment:
    return Containment("no", witness=witness, has_witness=True)


def _decide(a: Any, b: Any, ctx: Context) -> Containment:
    fa = ctx.format_assertion
    if is_universal_literal(b, fa) or is_empty_literal(a, fa):
        return Containment("yes")
    if _same_text(a, b, ctx):
        return Containment("yes")
    patterns = schema_patterns(a) | schema_patterns(b)
    undecidable = None
    # a is a finite set: validate each member
    values = finite_values(a)
    if values is not None:
        try:
            members = []
            for v in values:
                ctx.budget.tick()
                ctx.budget.check()  # one validation each: check the clock every time
                if is_valid(a, v, fa):
                    members.append(v)
            bad = []
            for v in members:
                ctx.budget.tick()
                ctx.budget.check()  # one validation each: check the clock every time
                if not is_valid(b, v, fa):
                    bad.append(v)
                    break
            if all(robust(v, patterns) for v in members):
                if not bad:  # is_valid asked both validators (validation.AgreedValidator): the yes holds for each
                    return Containment("yes")
                return _checked_no(a, b, bad[0], ctx)
        except Undecidable as e:
            undecidable = str(e)
    # b is the complement of a finite set: a ⊆ b iff none of them is valid under a
    excluded = _not_finite(b)
    if excluded is not None:
        try:
            inside = []
            for v in excluded:
                ctx.budget.tick()
                ctx.budget.check()  # one validation each: check the clock every time
                if is_valid(a, v, fa):
                    inside.append(v)
            if all(robust(v, patterns) for v in excluded):
                if not inside:
                    return Containment("yes")
                if not is_valid(b, inside[0], fa):
                    return _checked_no(a, b, inside[0], ctx)
        except Undecidable as e:
            undecidable = str(e)
    return _general(a, b, ctx, undecidable)


def _checked_no(a: Any, b: Any, witness: Any, ctx: Context) -> Containment:
    """`witness` is valid under a and invalid under b for both validators (is_valid asked each of them)."""
    if is_finite_json(witness):
        ctx.checked_witness = witness  # is_subschema need not check it again
    return _no(witness)


def _pairs(left: A.Node, right: A.Node, ctx: Context) -> Iterator[A.Atom]:
    """The atoms of left ∧ right, lazily (the first non-empty one often yields a witness)."""
    for x in left:
        for y in right:
            if x.type == y.type:
                ctx.budget.tick()
                ctx.budget.check()  # one validation each: check the clock every time
                c = A.conj_atoms(x, y)
                if not A.quick_empty(c):
                    yield c


def _general(a: Any, b: Any, ctx: Context, undecidable: Optional[str], within: bool = True) -> Containment:
    """a ⊆ b (`within`), or a ∩ b = ∅: the atoms of a ∧ ¬b (or a ∧ b) are all empty, or a witness."""
    fa = ctx.format_assertion
    if is_empty_literal(a, fa) or (is_universal_literal(b, fa) if within else is_empty_literal(b, fa)):
        return Containment("yes")
    left = normalise_root(a, False, ctx)
    right = normalise_root(b, within, ctx)
    verifier = Verifier(a, b, fa, ctx, in_b=not within)
    found, nonempty = find_witness(_pairs(left, right, ctx), a, b, ctx, verifier)
    if ctx.observe is not None and verifier.both is not None:
        ctx.observe.setdefault("both", verifier.both)
    if not nonempty:
        return Containment("yes")  # every atom of a ∧ ¬b is provably empty
    if found is not None:
        return _no(found[0])
    why = undecidable or verifier.undecidable or ""
    if verifier.rejected and not why or why.startswith("validators disagree"):
        ctx.reasons = {f"{R_WITNESS}: {why or verifier.rejected}": None, **ctx.reasons}
    if why.startswith("remote"):
        ctx.approx(R_REMOTE)
    elif why.startswith(ENGINES_DISAGREE):
        ctx.approx(R_ENGINES)
    elif why.startswith("pattern"):
        ctx.reasons = {R_PATTERN + ": Python re rejects a pattern": None, **ctx.reasons}
    reasons = sorted(ctx.reasons, key=lambda r: r != R_CAP)  # the cap first: it explains the rest
    return Containment("unknown", reason=reasons[0] if reasons else R_UNDECIDED)
