"""gap(source, target): the constraints of `target` that `source` does not already imply."""

from __future__ import annotations

from typing import Any

from .budget import Budget
from .canonical import R_UNDECIDED, R_WITNESS
from .constraints import Constraint, flatten
from .containment import R_EXPANSION, is_subschema
from .differences import COMPARATORS, phrase
from .results import Containment, GapItem, GapReport
from .witness_check import witness_problem


def _rule_fields(rule: Any) -> dict:
    if not isinstance(rule, dict):
        return {}
    return {"rule": rule, "citation": rule.get("citation"), "obligation": rule.get("obligation")}


def gap(source: Any, target: Any, *, format_assertion: bool = False) -> GapReport:
    """Each target constraint not implied by `source`; empty exactly when source ⊆ target is proven."""
    budget = Budget()  # one budget for the whole report: late checks answer "budget exceeded"
    overall = is_subschema(source, target, format_assertion=format_assertion, budget=budget)
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
        items.extend(_check(source, target, c, mine, format_assertion, budget))
    if not items:
        # every constraint alone is implied, but not their combination (or undecided)
        status = "combination" if overall.answer == "no" else "unknown"
        items.append(GapItem(
            path="", keyword="*", required=None, status=status,
            summary=("source allows an instance the target rejects, though each target constraint alone is implied"
                     if status == "combination" else "containment of source in target is undecided"),
            witness=overall.witness if overall.answer == "no" else None, has_witness=overall.answer == "no",
            reason=overall.reason))
    kwargs: dict[str, Any] = {}
    if overall.answer == "no":
        kwargs.update(witness=overall.witness, has_witness=True)
    return GapReport(overall.answer, tuple(items), reason=overall.reason, **kwargs)


def _counterpart(c: Constraint, candidates: Any) -> Constraint | None:
    """The source's rule on the same field and keyword under other conditions: one as strict as the target's
    first (the gap is then only where the source's condition does not hold), else any."""
    compare = COMPARATORS.get(c.keyword)
    for mine in candidates:
        if compare is not None and compare(mine.value, c.value) in (None, "stricter"):
            return mine
    return next(iter(candidates), None)


def _check(source: Any, target: Any, c: Constraint, mine: Constraint | None, fa: bool, budget: Budget) -> list[GapItem]:
    res = is_subschema(source, c.schema(), format_assertion=fa, budget=budget)
    if res.answer == "yes":
        return []
    if res.answer == "no":  # the item's witness must break the target itself, not only this constraint
        problem = witness_problem(res.witness, (source,), (target,), fa)
        if problem is not None:
            res = Containment("unknown", reason=f"{R_WITNESS}: {problem}")
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
                    witness=res.witness if res.answer == "no" else None, has_witness=res.answer == "no",
                    reason=(res.reason or R_UNDECIDED) if res.answer == "unknown" else None,
                    **_rule_fields(c.rule))]
