"""Python's cyclic garbage collector paused during a matching run.

A run over a million mentions keeps about a million small tracked objects alive (the name
plans, the memo of fuzzy results) and allocates more in bulk; each full collection walks
all of them (about 3 s of 25 on the 1M benchmark) and frees nothing, because the matcher
builds no reference cycles. Refcounting still frees everything as usual; the collector runs
again (if it was on) when the run ends. Results do not depend on it.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def gc_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` with the cyclic collector off while it runs (restored after, also on error;
    nested calls leave it to the outermost)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        was_on = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()

    return wrapper
