"""Process-wide tuning a service applies once, when its runtime is made."""

from __future__ import annotations

import gc


def tune_garbage_collector(young_threshold: int) -> None:
    """Collect cyclic garbage after ``young_threshold`` new objects instead of Python's 700,
    and freeze what exists now (modules, settings, the engine) so no collection scans it
    again. A billing run makes millions of short-lived tuples, Decimals and dicts that
    reference counting frees at once; with the default threshold the collector ran every
    700 of them and scanned the surviving chunk each time. 0 leaves Python's defaults."""
    if young_threshold <= 0:
        return
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(young_threshold, older, oldest)
    gc.freeze()
