"""compare(a, b): the relation between two schemas, witnesses and per-path differences."""

from __future__ import annotations

from typing import Any

from .budget import Budget, BudgetExceeded
from .canonical import R_BUDGET, R_UNDECIDED, R_WITNESS, Context
from .containment import are_disjoint, document_problem, is_subschema, too_expansive
from .differences import differences
from .results import Comparison, Containment
from .validation import validator_for
from .witness import instance_pool, robust, schema_patterns
from .witness_check import witness_problem


def relation_of(lr: Containment, rl: Containment, both: Containment | None) -> tuple[str, str | None]:
    if lr.answer == "yes" and rl.answer == "yes":
        return "equivalent", None
    if lr.answer == "yes" and rl.answer == "no":
        return "stricter", None
    if lr.answer == "no" and rl.answer == "yes":
        return "looser", None
    if lr.answer == "no" and rl.answer == "no" and both is not None:
        if both.answer == "yes":
            return "disjoint", None
        if both.answer == "no":
            return "overlapping", None
        return "unknown", both.reason or R_UNDECIDED
    reason = lr.reason if lr.answer == "unknown" else rl.reason
    return "unknown", reason or R_UNDECIDED


def _no(found: tuple) -> Containment:
    return Containment("no", witness=found[0], has_witness=True)


COMPARE_SECONDS = 3.5  # the whole comparison: relation, witnesses and differences
DIFFERENCES_SECONDS = 0.25  # kept for the differences out of the comparison's time


def _from_pools(a: Any, b: Any, fa: bool, budget: Budget) -> tuple:
    """Witnesses from a few known instances of each side (each checked with jsonschema), within `budget`."""
    only_left = only_right = common = None
    patterns = schema_patterns(a) | schema_patterns(b)
    try:
        va, vb = validator_for(a, fa), validator_for(b, fa)
        for side, pool, other in ((0, instance_pool(a, fa, budget), vb), (1, instance_pool(b, fa, budget), va)):
            for v in pool:
                budget.check()  # one validation each: look at the clock every time
                if not robust(v, patterns) or not _agreed(v, a, b, fa):
                    continue
                if other.is_valid(v):
                    common = common or (v,)
                elif side == 0:
                    only_left = only_left or (v,)
                else:
                    only_right = only_right or (v,)
                if common and (only_right if side else only_left):
                    break
    except BudgetExceeded:
        raise
    except Exception:  # a reference that cannot be resolved, a pattern Python rejects...
        return None, None, None
    return only_left, only_right, common


def _too_expansive(a: Any, b: Any) -> Containment | None:
    """An unknown answer when validating against either schema could take exponential time (nothing is run)."""
    ctx = Context()
    over = too_expansive(a, ctx) or too_expansive(b, ctx)
    return Containment("unknown", reason=f"{R_BUDGET}: {over}") if over else None


def _agreed(v: Any, a: Any, b: Any, fa: bool) -> bool:
    """Both validators read `v` the same way under each schema (a pool value is valid under its own)."""
    inside = tuple(s for s in (a, b) if validator_for(s, fa).is_valid(v))
    outside = tuple(s for s in (a, b) if not any(s is t for t in inside))
    return witness_problem(v, inside, outside, fa) is None


def _both(a: Any, b: Any, fa: bool, found: Containment) -> Containment:
    """A counter-example to a ⊆ not b is a witness of overlap only if it is valid under both, checked."""
    if found.answer != "no":
        return found
    problem = witness_problem(found.witness, (a, b), (), fa)
    return found if problem is None else Containment("unknown", reason=f"{R_WITNESS}: {problem}")


def compare(a: Any, b: Any, *, format_assertion: bool = False, labels: tuple[str, str] = ("left", "right"),
            with_differences: bool = True) -> Comparison:
    """Compare two schemas: relation, witnesses for each side, and differences per path (`differences` is left
    empty with `with_differences=False`)."""
    problem = document_problem(a, Context()) or document_problem(b, Context())
    if problem:  # another dialect, or not JSON: no answer from validators that would read it otherwise
        unknown = Containment("unknown", reason=problem)
        return Comparison("unknown", unknown, unknown, reason=problem)
    seen: dict = {}
    budget = Budget(seconds=COMPARE_SECONDS)  # one budget for the whole comparison (differences included)
    relation_budget = Budget(seconds=COMPARE_SECONDS - DIFFERENCES_SECONDS)  # the pools and the relation
    over = _too_expansive(a, b)
    if over is not None:
        return Comparison("unknown", over, over, reason=over.reason)
    try:
        only_left, only_right, common = _from_pools(a, b, format_assertion, relation_budget)
    except BudgetExceeded:
        only_left = only_right = common = None
    if common is not None:
        seen["both"] = common
    lr = _no(only_left) if only_left else is_subschema(a, b, format_assertion=format_assertion, observe=seen, budget=relation_budget)
    rl = _no(only_right) if only_right else is_subschema(b, a, format_assertion=format_assertion, observe=seen, budget=relation_budget)
    both = None
    if lr.answer == "no" and rl.answer == "no":
        common = seen.get("both")
        if common is not None:
            # an instance valid under both schemas: they overlap
            both = Containment("no", witness=common[0], has_witness=True)
        else:
            # is a ∩ b empty? (a counter-example is an instance of both)
            both = are_disjoint(a, b, format_assertion=format_assertion, budget=relation_budget)
        both = _both(a, b, format_assertion, both)
    relation, reason = relation_of(lr, rl, both if lr.answer == rl.answer == "no" else None)
    if relation == "unknown" and lr.answer == rl.answer == "no" and both is None:
        relation, reason = "unknown", R_UNDECIDED
    kwargs: dict[str, Any] = {}
    if lr.answer == "no":
        kwargs.update(only_left=lr.witness, has_only_left=True)
    if rl.answer == "no":
        kwargs.update(only_right=rl.witness, has_only_right=True)
    if both is not None and both.answer == "no":
        kwargs.update(both=both.witness, has_both=True)
    diffs = tuple(differences(a, b, labels, budget)) if relation != "equivalent" and with_differences else ()
    return Comparison(relation, lr, rl, differences=diffs, reason=reason, **kwargs)
