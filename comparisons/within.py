"""compare_within(a, b, domain): the comparison among the instances of a shared domain (a vocabulary), so that
every witness is an instance a user could submit, and as small as it can be.

Two rule documents written over one vocabulary can differ on values the vocabulary itself forbids (a `null`
where the vocabulary asks for an object): such a difference is real for the schemas and meaningless for any
profile. Comparing `a ∧ domain` with `b ∧ domain` answers for the domain's instances only; each witness is then
minimised: members and items are dropped one at a time while the witness still separates the two schemas (or
still satisfies both, for `both`), stays valid under the domain, and both validators agree.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterator

from .compare import compare
from .resources import all_of
from .results import Comparison, Containment
from .validation import Undecidable, rust_is_valid
from .witness_check import witness_problem

MAX_TRIES = 200  # validations spent on minimising one witness (each is one witness_problem call)


def compare_within(a: Any, b: Any, domain: Any, *, format_assertion: bool = False,
                   labels: tuple[str, str] = ("left", "right")) -> Comparison:
    """compare(a ∧ domain, b ∧ domain), each witness minimised. `differences` are left empty: the per-path
    differences of `a` and `b` are those of compare(a, b)."""
    found = compare(all_of([a, domain]), all_of([b, domain]), format_assertion=format_assertion, labels=labels,
                    with_differences=False)
    changes: dict[str, Any] = {"differences": ()}
    roles = {"only_left": ((a, domain), (b,)), "only_right": ((b, domain), (a,)), "both": ((a, b, domain), ())}
    for name, (inside, outside) in roles.items():
        if getattr(found, "has_" + name):
            changes[name] = minimise(getattr(found, name), inside, outside, format_assertion)
    for field, name in (("left_in_right", "only_left"), ("right_in_left", "only_right")):
        answer: Containment = getattr(found, field)
        if answer.answer == "no" and name in changes:  # the same witness, minimised
            changes[field] = dataclasses.replace(answer, witness=changes[name])
        elif answer.answer == "no":
            changes[field] = dataclasses.replace(answer, witness=minimise(answer.witness, *roles[name],
                                                                          format_assertion))
    return dataclasses.replace(found, **changes)


def minimise(value: Any, inside: tuple, outside: tuple, format_assertion: bool) -> Any:
    """`value` with as many object members and array items removed as can be while it stays valid under every
    schema of `inside` and invalid under every schema of `outside` (for both validators). Greedy, outermost
    first, within MAX_TRIES validations: the result is minimal for single removals when the budget suffices."""
    tries = 0
    texts = [(json.dumps(s, sort_keys=True), expected) for schemas, expected in ((inside, True), (outside, False))
             for s in schemas]

    def holds(candidate: Any) -> bool:
        nonlocal tries
        tries += 1
        try:  # the fast engine first: most removals break the witness, and it says so in microseconds
            if any(rust_is_valid(None, candidate, format_assertion, text) not in (expected, None)
                   for text, expected in texts):
                return False
        except Undecidable:
            return False
        return witness_problem(candidate, inside, outside, format_assertion) is None

    if witness_problem(value, inside, outside, format_assertion) is not None:
        return value  # not a witness of this role: left as found (the caller's checks decide)
    current = value
    changed = True
    while changed and tries < MAX_TRIES:
        changed = False
        for path in list(_paths(current)):
            if tries >= MAX_TRIES:
                break
            candidate = _without(current, path)
            if holds(candidate):
                current, changed = candidate, True
                break  # paths moved: list them again
    return current


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every object member and array item, outermost first (a whole section before its fields)."""
    level: list[tuple[tuple, Any]] = [(prefix, value)]
    while level:
        deeper = []
        for path, node in level:
            children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            for key, child in children:
                yield (*path, key)
                deeper.append(((*path, key), child))
        level = deeper


def _without(value: Any, path: tuple) -> Any:
    """A copy of `value` without the member or item at `path`."""
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        if not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _without(value[head], rest)}
    if not rest:
        return value[:head] + value[head + 1:]
    return [*value[:head], _without(value[head], rest), *value[head + 1:]]
