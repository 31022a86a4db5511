"""Time and step budget for one engine call."""

from __future__ import annotations

import time

DEFAULT_SECONDS = 4.0


class BudgetExceeded(Exception):
    """The call ran out of time or steps; the answer becomes unknown."""


class Budget:
    __slots__ = ("deadline", "steps", "max_steps")

    def __init__(self, seconds: float = DEFAULT_SECONDS, max_steps: int = 2_000_000) -> None:
        self.deadline = time.monotonic() + seconds
        self.steps = 0
        self.max_steps = max_steps

    def tick(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.max_steps:
            raise BudgetExceeded("steps")
        if self.steps % 64 == 0 and time.monotonic() > self.deadline:
            raise BudgetExceeded("time")

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded("time")

    def remaining(self) -> float:
        return self.deadline - time.monotonic()
