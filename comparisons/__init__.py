"""Comparison engine for JSON Schema (draft 2020-12): a pure library, no web, no database.

Public API
----------
is_subschema(a, b, *, format_assertion=False) -> Containment
    Is every instance valid under `a` also valid under `b`?
    `answer` is "yes" (proven by the engine's rules), "no" (with `witness`: a finite JSON value
    that python-jsonschema and jsonschema-rs both confirm valid under `a` and invalid under `b`;
    otherwise unknown, "witness failed the check") or "unknown" (with `reason`, one of
    UNKNOWN_REASONS, optionally followed by ": detail"). Each call is bounded by a budget
    (4 s, step counter); running out answers unknown with "budget exceeded"; a canonical form
    over the atom limit answers unknown with "atom limit reached".

compare(a, b, *, format_assertion=False, labels=("left", "right")) -> Comparison
    `relation`: "equivalent", "stricter" (a ⊂ b), "looser" (b ⊂ a), "overlapping", "disjoint"
    or "unknown" (`reason`). Witnesses where they exist: `only_left` (in a, not b),
    `only_right` (in b, not a), `both` (in both). `differences`: one entry per instance path
    (JSON pointer; `*` = every item / every other member, `{pattern}` = members matching a
    patternProperties key) and keyword, with `left`/`right` values, `direction` seen from the
    left ("stricter", "looser", "added", "removed", "incompatible", "changed"), the nearest
    `x-rule` on each side (`left_rule`, `right_rule`), the if-`condition` for constraints under
    then/else, and a one-line `summary` ("/a/b: EU requires minimum 14; CN requires minimum 7").

compare_within(a, b, domain, *, format_assertion=False, labels=("left", "right")) -> Comparison
    compare() of `a ∧ domain` with `b ∧ domain` (a shared vocabulary): the relation among the domain's
    instances only, so that every witness is valid under `domain`; each witness is minimised (members
    and items dropped while it still separates the schemas, stays valid and both validators agree).
    `differences` is empty: those of compare(a, b) describe the two schemas.

gap(source, target, *, format_assertion=False) -> GapReport
    `covered` is the answer to source ⊆ target; `items` lists each target constraint (one
    keyword at one path, within its if-condition) that source does not imply, with `status`
    "missing" / "weaker" / "narrower_condition" (source states it, under a condition that leaves
    out some of the target's cases: `source_condition`) / "unknown" (with `reason`) /
    "combination", the target's `rule`,
    `citation`, `obligation`, the `required` value, `source_value` and a `witness` when one was
    found. `items` is empty exactly when source ⊆ target is proven.

merge_strictest({label: schema, ...}, *, format_assertion=False, schema=True) -> Merged
    `schema` accepts exactly what all inputs accept (an allOf, replaced by a keyword-wise merge
    only when that is proven equivalent: `simplified`; None with `schema=False`, which skips that
    work and gives the same requirements and conflicts); `requirements` gives per path and
    keyword the strictest value and the labels (and x-rules) imposing it; `conflicts` lists
    paths where no instance satisfies all inputs (bounds that cross, const/enum/type clashes),
    naming the labels; under if/then they count when the conditions can hold together
    (`status` "certain", or "possible" when that is undecided; `conditions` shows them).

check_compatibility(old, new, mode="BACKWARD", *, format_assertion=False) -> Compatibility
    Modes (MODES): NONE; BACKWARD (old ⊆ new: data valid before stays valid); FORWARD
    (new ⊆ old); FULL (both); BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE, FULL_TRANSITIVE (`old`
    is the list of all earlier versions, each checked; other modes use the last one).
    `compatible` is yes/no/unknown, with the breaking `differences`, the `witness` and the
    `failed_version` index.

comparisons.alignment.alignment([schemas], [schemas]) -> {"counts", "score"}
    How far two frameworks agree rule by rule: `aligned`, `partly_aligned` (same value, other
    conditions), `conflicting`, `one_sided`; score = (aligned + ½ partly) / all (module docstring).

ComparisonCache — memoises compare()/is_subschema() by the SHA-256 of each schema's canonical
JSON (content_hash), so an unchanged pair is never compared twice.

json_equal, canonical_json, content_hash — type-aware JSON values: 1 == 1.0, but 0 != false.

all_of(schemas) — one schema accepting what all of them accept, each document keeping what its
`$ref`s point at (a document holding a reference goes in with an `$id` of its own).

All results are frozen dataclasses with `to_dict()` giving JSON-ready dicts.

Semantics
---------
* `format` is an annotation unless format_assertion=True (then jsonschema's format checker
  decides witnesses; proofs about formats are limited to identical formats).
* Annotations (title, description, examples, default, $comment, x-*, deprecated, readOnly,
  writeOnly, content*) and unknown keywords never change a relation.
* Local $ref/$defs/$anchor/$id are resolved through a referencing.Registry that refuses every
  retrieval; remote references, $dynamicRef and unevaluated* lead to unknown unless the question
  is decidable otherwise (structurally equal schemas, finite sets decided by validation).
* Patterns are ECMA-262 searches; jsonschema checks them with Python's re. Inclusion is decided
  with greenery under both semantics (\\d, \\w, \\s, `.` and `$` differ) and proofs must hold for
  both; witnesses are rejected when the two semantics would read them differently.
"""

from .cache import ComparisonCache
from .canonical import (R_BUDGET, R_CAP, R_DYNAMIC, R_ENGINES, R_FLOAT_MULTIPLE, R_INVALID, R_NUMBER, R_OBJECT,
                        R_PATTERN, R_RECURSIVE, R_REMOTE, R_UNDECIDED, R_UNEVALUATED, R_WITNESS)
from .compare import compare
from .within import compare_within
from .compatibility import MODES, check_compatibility
from .containment import is_subschema
from .gaps import gap
from .merge import merge_strictest
from .results import (Comparison, Compatibility, Conflict, Containment, Difference, GapItem, GapReport, Merged,
                      Requirement)
from .resources import all_of
from .values import canonical_json, content_hash, json_equal

# the reasons an answer can be "unknown" (a detail may follow after ": ")
UNKNOWN_REASONS = (R_PATTERN, R_DYNAMIC, R_UNEVALUATED, R_REMOTE, R_RECURSIVE, R_FLOAT_MULTIPLE, R_OBJECT,
                   R_NUMBER, R_BUDGET, R_UNDECIDED, R_INVALID, R_ENGINES, R_WITNESS, R_CAP)

__all__ = [
    "is_subschema", "compare", "compare_within", "gap", "merge_strictest", "check_compatibility", "ComparisonCache",
    "Containment", "Comparison", "Difference", "GapReport", "GapItem", "Merged", "Requirement", "Conflict",
    "Compatibility", "MODES", "UNKNOWN_REASONS", "json_equal", "canonical_json", "content_hash", "all_of",
]
