"""Pausing Python's cyclic garbage collector while a crisis report is built.

A report over the whole Gulf coast makes about 100,000 small objects (rows, tuples, floats) that hold no
reference cycles; meanwhile the collector would walk the whole heap of the worker (250,000 objects) again
and again: 60-130 ms of a 400 ms report, and its slowest runs (measured at 10,000 organisations,
docs/benchmarks.md). It is paused for the report and resumes after. Workers run several threads
(gunicorn.conf.py): the pause is counted, so that the collector resumes when the last report ends, and
only if it was running before the first began."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pausers = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused (reference counting still frees memory)."""
    global _pausers, _was_enabled
    with _lock:
        if _pausers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _lock:
            _pausers -= 1
            if _pausers == 0 and _was_enabled:
                gc.enable()
