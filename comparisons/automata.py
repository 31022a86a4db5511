"""Automata construction that a budget can stop: greenery's operations, with the limits checked inside the loops.

greenery 4.2 builds every automaton with one loop (`crawl`) that finds states with `list.index` (quadratic) and
minimises by reversing twice with a quadratic `follow`; `x.{8}` took 9.5 s and nothing could interrupt it. Here
the same constructions (subset construction, products, Brzozowski minimisation) use a dict index and a
precomputed reverse map, and every row of every loop counts its steps and states against the `Meter` in
force and checks the budget's clock. greenery's `Fsm`, `Charclass` and parser are kept as they are.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator, Optional

from greenery import Charclass, Fsm
from greenery.fsm import EPSILON, NULL, from_charclass, unify_alphabets
from greenery.rxelems import Conc, Mult, Pattern

from .budget import Budget, BudgetExceeded

MAX_STATES = 20_000  # states of one automaton
MAX_STEPS = 1_000_000  # transitions computed under one meter (one pattern, one string atom's languages): ~1.5 s here


class TooLarge(BudgetExceeded):
    """The automaton would need more states or steps than allowed (the same every time: may be remembered)."""


class Meter:
    """Steps and states spent on automata, and the budget whose clock they run on."""

    __slots__ = ("budget", "steps", "max_steps", "max_states")

    def __init__(self, budget: Optional[Budget] = None, max_steps: int = MAX_STEPS,
                 max_states: int = MAX_STATES) -> None:
        self.budget, self.steps, self.max_steps, self.max_states = budget, 0, max_steps, max_states

    def row(self, transitions: int, states: int) -> None:
        self.steps += transitions
        if states > self.max_states:
            raise TooLarge(f"automaton larger than {self.max_states} states")
        if self.steps > self.max_steps:
            raise TooLarge(f"automata need more than {self.max_steps} steps")
        if self.budget is not None:
            self.budget.check()


_LOCAL = threading.local()


def current() -> Meter:
    meter = getattr(_LOCAL, "meter", None)
    return meter if meter is not None else Meter()


@contextlib.contextmanager
def metered(meter: Meter) -> Iterator[Meter]:
    """Count the automata work of the block against `meter` (nested meters: the innermost counts)."""
    outer = getattr(_LOCAL, "meter", None)
    _LOCAL.meter = meter
    try:
        yield meter
    finally:
        _LOCAL.meter = outer


def crawl(alphabet: Any, initial: Any, final: Callable[[Any], bool], follow: Callable[[Any, int], Any]) -> Fsm:
    """greenery's crawl with a dict index, under the meter in force. `follow(state, k)` gets the position of
    the symbol in `sorted(alphabet)` (hashing greenery's character classes is slow); states must be hashable."""
    meter = current()
    symbols = sorted(alphabet)
    width = range(len(symbols))
    states = [initial]
    index = {initial: 0}
    finals = set()
    rows: list[list[int]] = []
    i = 0
    while i < len(states):
        state = states[i]
        if final(state):
            finals.add(i)
        row = []
        for k in width:
            nxt = follow(state, k)
            j = index.get(nxt)
            if j is None:
                j = index[nxt] = len(states)
                states.append(nxt)
            row.append(j)
        rows.append(row)
        meter.row(len(symbols), len(states))
        i += 1
    return minimal(symbols, rows, finals)


def minimal(symbols: list, rows: list[list[int]], finals: set[int]) -> Fsm:
    """The minimal automaton of a complete one whose states are all reachable (Moore's partition refinement)."""
    meter = current()
    n = len(rows)
    block = [1 if s in finals else 0 for s in range(n)]
    count = len(set(block))
    while True:
        signatures: dict[tuple, int] = {}
        refined = [signatures.setdefault((block[s], *[block[t] for t in rows[s]]), len(signatures)) for s in range(n)]
        meter.row(n * len(symbols), n)
        stable = len(signatures) == count
        block, count = refined, len(signatures)  # numbered 0, 1, … in order of first state
        if stable:
            break
    transitions: dict[int, dict] = {}
    for s in range(n):
        if block[s] not in transitions:
            transitions[block[s]] = {symbol: block[t] for symbol, t in zip(symbols, rows[s])}
    return Fsm(alphabet=symbols, states=range(count), initial=0, finals={block[s] for s in finals},
               map=transitions)


def _tables(fsms: list[Fsm]) -> list[dict[Any, list]]:
    """Each automaton's transitions as lists in the order of its sorted alphabet."""
    out = []
    for fsm in fsms:
        symbols = sorted(fsm.alphabet)
        out.append({s: [row[x] for x in symbols] for s, row in fsm.map.items()})
    current().row(sum(len(f.map) for f in fsms), 0)
    return out


def parallel(fsms: tuple[Fsm, ...], test: Callable[[list[bool]], bool]) -> Fsm:
    """The product automaton; a state is final when `test` holds of its components' finality."""
    unified = unify_alphabets(fsms)
    tables = _tables(unified)
    pairs = list(zip(tables, range(len(tables))))

    def follow(state: tuple, k: int) -> tuple:
        return tuple(t[state[i]][k] for t, i in pairs)

    def final(state: tuple) -> bool:
        return test([s in f.finals for f, s in zip(unified, state)])

    alphabet = unified[0].alphabet if unified else {~Charclass()}
    return crawl(alphabet, tuple(f.initial for f in unified), final, follow)


def union(*fsms: Fsm) -> Fsm:
    return parallel(fsms, any)


def intersection(*fsms: Fsm) -> Fsm:
    return parallel(fsms, all)


def difference(*fsms: Fsm) -> Fsm:
    return parallel(fsms, lambda accepts: accepts[0] and not any(accepts[1:]))


def concatenate(*fsms: Fsm) -> Fsm:
    unified = unify_alphabets(fsms)
    tables = _tables(unified)
    last = len(unified) - 1

    def connect_all(i: int, substate: Any) -> set:
        result = {(i, substate)}
        while i < last and substate in unified[i].finals:
            i += 1
            substate = unified[i].initial
            result.add((i, substate))
        return result

    def final(state: frozenset) -> bool:
        return any(i == last and s in unified[i].finals for i, s in state)

    def follow(state: frozenset, k: int) -> frozenset:
        out: set = set()
        for i, s in state:
            out.update(connect_all(i, tables[i][s][k]))
        return frozenset(out)

    alphabet = unified[0].alphabet if unified else {~Charclass()}
    initial = frozenset(connect_all(0, unified[0].initial) if unified else ())
    return crawl(alphabet, initial, final, follow)


def star(fsm: Fsm) -> Fsm:
    table = _tables([fsm])[0]

    def follow(state: frozenset, k: int) -> frozenset:
        out = set()
        for s in state:
            out.add(table[s][k])
            if s in fsm.finals:
                out.add(table[fsm.initial][k])
        return frozenset(out)

    looped = crawl(fsm.alphabet, frozenset({fsm.initial}), lambda state: any(s in fsm.finals for s in state), follow)
    return union(looped, EPSILON)


def times(fsm: Fsm, n: int) -> Fsm:
    table = _tables([fsm])[0]

    def final(state: frozenset) -> bool:
        return any(s == fsm.initial and (fsm.initial in fsm.finals or k == n) for s, k in state)

    def follow(state: frozenset, k: int) -> frozenset:
        out = []
        for s, i in state:
            if i < n:
                nxt = table[s][k]
                out.append((nxt, i))
                if nxt in fsm.finals:
                    out.append((fsm.initial, i + 1))
        return frozenset(out)

    return crawl(fsm.alphabet, frozenset({(fsm.initial, 0)}), final, follow)


def from_regex(element: Any) -> Fsm:
    """The automaton of a parsed greenery expression (`greenery.parse(text)`)."""
    if isinstance(element, Charclass):
        return from_charclass(element)
    if isinstance(element, Pattern):
        return union(NULL, *(from_regex(c) for c in element.concs))
    if isinstance(element, Conc):
        return concatenate(EPSILON, *(from_regex(m) for m in element.mults))
    if isinstance(element, Mult):
        unit = from_regex(element.multiplicand)
        mandatory = times(unit, element.multiplier.mandatory.v)
        if element.multiplier.optional.v is None:  # unbounded
            optional = star(unit)
        else:
            optional = times(union(EPSILON, unit), element.multiplier.optional.v)
        return concatenate(mandatory, optional)
    raise TypeError(f"not a regular expression element: {type(element).__name__}")


def live_states(fsm: Fsm) -> set:
    """The states from which a final state can be reached (one backwards search, not one per state)."""
    back: dict[Any, list] = {}
    for prev, row in fsm.map.items():
        for nxt in row.values():
            back.setdefault(nxt, []).append(prev)
    live = set(fsm.finals)
    stack = list(live)
    while stack:
        for prev in back.get(stack.pop(), ()):
            if prev not in live:
                live.add(prev)
                stack.append(prev)
    return live


def is_empty(fsm: Fsm) -> bool:
    return fsm.initial not in live_states(fsm)


def cardinality(fsm: Fsm) -> int:
    """How many strings the automaton accepts; OverflowError when infinitely many (iterative, linear)."""
    live = live_states(fsm)
    if fsm.initial not in live:
        return 0
    counts: dict[Any, int] = {}
    on_path: set = set()
    stack: list[tuple[Any, bool]] = [(fsm.initial, False)]
    while stack:
        state, done = stack.pop()
        if done:
            on_path.discard(state)
            total = 1 if state in fsm.finals else 0
            for symbol, nxt in fsm.map[state].items():
                if nxt in live:
                    total += symbol.num_chars() * counts[nxt]
            counts[state] = total
            continue
        if state in counts:
            continue
        on_path.add(state)
        stack.append((state, True))
        for nxt in fsm.map[state].values():
            if nxt in on_path:
                raise OverflowError("infinitely many strings")
            if nxt in live and nxt not in counts:
                stack.append((nxt, False))
    return counts[fsm.initial]
