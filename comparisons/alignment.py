"""alignment(left, right): how far two rule schemas agree, rule by rule, counting separately the rules both
state alike, alike but under different conditions, differently, and on one side only.

A rule here is one keyword at one instance path (the engine's constraints, `type` left out: it names the shape
of the vocabulary, not a rule). For each (path, keyword) either side constrains:
- `aligned`: both state the same value under the same condition;
- `partly_aligned`: both state the same value, under different conditions (one side exempts cases the other
  covers, say);
- `conflicting`: both constrain it, with different values;
- `one_sided`: only one side constrains it.
score = (aligned + ½ partly_aligned) / (aligned + partly_aligned + conflicting + one_sided); 1.0 when neither side
constrains anything. Rules of topics not researched are not here to count: the registry answers those cells
`unknown`, with no score (docs/comparisons.md#the-matrix).
"""

from __future__ import annotations

from typing import Any

from .constraints import Constraint, condition_key, flatten
from .differences import COMPARATORS
from .values import json_equal

KINDS = ("aligned", "partly_aligned", "conflicting", "one_sided")


def _same(a: Constraint, b: Constraint) -> bool:
    compare = COMPARATORS.get(a.keyword)
    if compare is not None and a.keyword != "pattern":
        return compare(a.value, b.value) is None
    return json_equal(a.value, b.value)


def _by_place(schemas: Any) -> dict[tuple[str, str], list[Constraint]]:
    out: dict[tuple[str, str], list[Constraint]] = {}
    for schema in schemas:
        for c in flatten(schema):
            if c.keyword != "type":
                out.setdefault((c.path, c.keyword), []).append(c)
    return out


def alignment(left: Any, right: Any) -> dict[str, Any]:
    """Counts per kind and the score; `left` and `right` are each a list of schemas (a framework's documents)."""
    lp, rp = _by_place(left), _by_place(right)
    counts = dict.fromkeys(KINDS, 0)
    for place in list(lp) + [p for p in rp if p not in lp]:
        mine, theirs = lp.get(place, []), rp.get(place, [])
        if not mine or not theirs:
            counts["one_sided"] += 1
            continue
        pairs = [(a, b) for a in mine for b in theirs if _same(a, b)]
        if any(condition_key(a.conditions) == condition_key(b.conditions) for a, b in pairs):
            counts["aligned"] += 1
        elif pairs:
            counts["partly_aligned"] += 1
        else:
            counts["conflicting"] += 1
    total = sum(counts.values())
    score = 1.0 if total == 0 else round((counts["aligned"] + 0.5 * counts["partly_aligned"]) / total, 4)
    return {"counts": counts, "score": score}
