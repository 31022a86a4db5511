"""A hard time limit for pure-Python work that cannot tick a budget (greenery automata).

A watchdog timer raises `Timeout` asynchronously in the calling thread when the limit passes.
When the work ends first, an exception not yet delivered is withdrawn, so none escapes later.
Time boxes do not nest (an inner one runs under the outer limit), and very short ones are
refused outright, so the asynchronous exception never lands inside threading machinery.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Callable, TypeVar

T = TypeVar("T")
MIN_SECONDS = 0.05

# PyThreadState_SetAsyncExc(thread id, exception, or NULL to withdraw a pending one)
_raise_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))
_withdraw_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))
_local = threading.local()


class Timeout(Exception):
    """The time box ran out."""


def run_with_timeout(fn: Callable[[], T], seconds: float) -> T:
    if getattr(_local, "active", False):
        return fn()  # already inside a time box: the outer limit applies
    if seconds < MIN_SECONDS:
        raise Timeout()
    tid = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                _raise_in(tid, Timeout)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    _local.active = True
    try:
        return fn()
    finally:
        _local.active = False
        with lock:
            state["done"] = True
            fired = state["fired"]
        if fired:
            _withdraw_in(tid, None)
        timer.cancel()
