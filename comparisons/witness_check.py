"""The last gate before a witness leaves the engine: a finite JSON value, valid where it must be and
invalid where it must not be, under python-jsonschema (the reference) and jsonschema-rs (the engine the
registry validates profiles with) alike. A witness that fails is dropped and the answer is unknown."""

from __future__ import annotations

import math
from typing import Any, Iterable, Optional

from .canonical import R_WITNESS
from .results import Containment
from .validation import Undecidable, valid_in_both


def is_finite_json(value: Any) -> bool:
    """Only null, booleans, finite numbers, strings, lists and objects with string keys."""
    stack = [value]
    while stack:
        v = stack.pop()
        if v is None or isinstance(v, (bool, int, str)):
            continue
        if isinstance(v, float):
            if not math.isfinite(v):
                return False
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                return False
            stack.extend(v.values())
        else:
            return False
    return True


def witness_problem(value: Any, inside: Iterable[Any], outside: Iterable[Any], format_assertion: bool) -> Optional[str]:
    """None when `value` is a finite JSON value valid under every schema of `inside` and invalid under
    every schema of `outside`, for both validators; otherwise why not."""
    if not is_finite_json(value):
        return "not a finite JSON value"
    try:
        for expected, schemas in ((True, inside), (False, outside)):
            for schema in schemas:
                if valid_in_both(schema, value, format_assertion) != expected:
                    return f"{'invalid' if expected else 'valid'} where it must {'' if expected else 'not '}be"
    except Undecidable as e:
        return str(e)
    return None


def checked(result: Containment, a: Any, b: Any, format_assertion: bool) -> Containment:
    """A "no" keeps its witness only when the witness is valid under `a` and invalid under `b`."""
    if result.answer != "no":
        return result
    problem = witness_problem(result.witness, (a,), (b,), format_assertion)
    if problem is None:
        return result
    return Containment("unknown", reason=f"{R_WITNESS}: {problem}")
