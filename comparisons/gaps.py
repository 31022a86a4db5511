"""gap(source, target): the constraints of `target` that `source` does not already imply."""

from __future__ import annotations

from typing import Any

from .budget import Budget
from .canonical import R_UNDECIDED, R_WITNESS
from .constraints import Constraint, flatten
from .containment import R_EXPANSION, is_subschema
from .differences import COMPARATORS, phrase
from .resources import all_of
from .results import Containment, GapItem, GapReport
from .witness_check import witness_problem
from .within import minimise


def _rule_fields(rule: Any) -> dict:
    if not isinstance(rule, dict):
        return {}
    return {"rule": rule, "citation": rule.get("citation"), "obligation": rule.get("obligation")}


def gap(source: Any, target: Any, *, format_assertion: bool = False, domain: Any = None) -> GapReport:
    """Each target constraint not implied by `source`; empty exactly when source ⊆ target is proven.

    With a `domain` (the vocabulary both are written over), the items are the same, but every witness is an
    instance of the domain, minimised (comparisons.within); an item with none has `no_witness`: "none" when no
    instance of the domain shows the gap (it lies in values the domain forbids), else "unknown: <reason>"."""
    budget = Budget()  # one budget for the whole report: late checks answer "budget exceeded"
    overall = is_subschema(source, target, format_assertion=format_assertion, budget=budget)
    if overall.answer == "no" and domain is not None:
        overall = _within(source, target, None, domain, format_assertion, budget)
    if overall.answer == "yes":
        return GapReport("yes")
    if overall.reason and overall.reason.startswith(R_EXPANSION):  # flattening would unfold the schema too
        return GapReport("unknown", (GapItem(path="", keyword="*", required=None, status="unknown",
                                             summary="the schemas are too expansive to compare", reason=overall.reason),),
                         reason=overall.reason)
    source_keys = {c.key(): c for c in flatten(source)}
    elsewhere: dict[tuple, list[Constraint]] = {}  # the source's rules on a field, whatever their conditions
    for c in flatten(source):
        elsewhere.setdefault((c.path, c.keyword), []).append(c)
    items: list[GapItem] = []
    seen: set[tuple] = set()
    for c in flatten(target):
        if c.key() in seen:
            continue
        seen.add(c.key())
        mine = source_keys.get(c.key()) or _counterpart(c, elsewhere.get((c.path, c.keyword), ()))
        items.extend(_check(source, target, c, mine, format_assertion, budget, domain))
    if not items:
        # every constraint alone is implied, but not their combination (or undecided)
        status = "combination" if overall.answer == "no" else "unknown"
        items.append(GapItem(
            path="", keyword="*", required=None, status=status,
            summary=("source allows an instance the target rejects, though each target constraint alone is implied"
                     if status == "combination" else "containment of source in target is undecided"),
            witness=overall.witness if overall.has_witness else None, has_witness=overall.has_witness,
            reason=overall.reason, no_witness=_no_witness(overall)))
    kwargs: dict[str, Any] = {}
    if overall.has_witness:
        kwargs.update(witness=overall.witness, has_witness=True)
    # a "no" without a witness within the domain keeps its why in the items (`no_witness`), not as the report's reason
    return GapReport(overall.answer, tuple(items), reason=overall.reason if overall.answer != "no" else None, **kwargs)


def _counterpart(c: Constraint, candidates: Any) -> Constraint | None:
    """The source's rule on the same field and keyword under other conditions: one as strict as the target's
    first (the gap is then only where the source's condition does not hold), else any."""
    compare = COMPARATORS.get(c.keyword)
    for mine in candidates:
        if compare is not None and compare(mine.value, c.value) in (None, "stricter"):
            return mine
    return next(iter(candidates), None)


def _within(source: Any, target: Any, c: Constraint | None, domain: Any, fa: bool, budget: Budget) -> Containment:
    """A "no" (the gap exists) whose witness is an instance of `domain` that `source` accepts and the target (and
    the constraint `c`) refuses, minimised; without a witness (`reason` says why) when there is none."""
    refused = target if c is None else c.schema()
    # half of what is left at most: the search for a witness never starves the items still to decide
    share = Budget(seconds=max(0.0, budget.remaining() / 2), max_steps=budget.max_steps // 4)
    within = is_subschema(all_of([source, domain]), refused, format_assertion=fa, budget=share)
    if within.answer == "no" and witness_problem(within.witness, (source, domain), (target,), fa) is None:
        outside = (target,) if c is None else (target, refused)
        return Containment("no", witness=minimise(within.witness, (source, domain), outside, fa), has_witness=True)
    if within.answer == "no":
        return Containment("no", reason=f"{NO_WITNESS_UNKNOWN}: {R_WITNESS}")
    return Containment("no", reason=NO_WITNESS_NONE if within.answer == "yes" else
                       f"{NO_WITNESS_UNKNOWN}: {within.reason or R_UNDECIDED}")


NO_WITNESS_NONE = "none"
NO_WITNESS_UNKNOWN = "unknown"


def _no_witness(found: Containment) -> str | None:
    """Why a "no" carries no witness (only when a domain was given: see gap())."""
    return found.reason if found.answer == "no" and not found.has_witness else None


def _check(source: Any, target: Any, c: Constraint, mine: Constraint | None, fa: bool, budget: Budget,
           domain: Any = None) -> list[GapItem]:
    res = is_subschema(source, c.schema(), format_assertion=fa, budget=budget)
    if res.answer == "yes":
        return []
    if res.answer == "no":  # the item's witness must break the target itself, not only this constraint
        problem = witness_problem(res.witness, (source,), (target,), fa)
        if problem is not None:
            res = Containment("unknown", reason=f"{R_WITNESS}: {problem}")
    if res.answer == "no" and domain is not None:
        res = _within(source, target, c, domain, fa, budget)
    where = c.path or "the document"
    need = phrase(c.keyword, c.value)
    cond = [x.to_dict() for x in c.conditions] or None
    other = mine is not None and mine.key() != c.key()  # the source's rule on this field has other conditions
    compare = COMPARATORS.get(c.keyword)
    as_strict = mine is not None and compare is not None and compare(mine.value, c.value) in (None, "stricter")
    if res.answer == "unknown":
        status, summary = "unknown", f"{where}: target requires {need}; undecided whether source implies it"
    elif mine is None:
        status, summary = "missing", f"{where}: target requires {need}; source does not"
    elif other and as_strict:
        status, summary = "narrower_condition", (f"{where}: target requires {need}; source requires it too, but not in "
                                                 "every case the target's condition covers")
    else:
        status, summary = "weaker", f"{where}: target requires {need}; source requires only {phrase(c.keyword, mine.value)}"
    return [GapItem(path=c.path, keyword=c.keyword, required=c.value, status=status, summary=summary,
                    source_value=None if mine is None else mine.value, condition=cond,
                    source_condition=([x.to_dict() for x in mine.conditions] or None) if other and mine else None,
                    witness=res.witness if res.has_witness else None, has_witness=res.has_witness,
                    reason=(res.reason or R_UNDECIDED) if res.answer == "unknown" else None,
                    no_witness=_no_witness(res),
                    **_rule_fields(c.rule))]
