"""Time limit for greenery work, which cannot tick a budget.

An asynchronous-exception watchdog was tried and removed: an exception injected into threading
machinery can deadlock. Automata sizes are bounded statically instead (regex.MAX_REPEAT,
regex.MAX_WEIGHT, emptiness.MAX_FSM_LENGTH), and the budget is checked between automata steps.
"""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


class Timeout(Exception):
    """The time box ran out."""


def run_with_timeout(fn: Callable[[], T], seconds: float) -> T:
    if seconds <= 0:
        raise Timeout()
    return fn()
