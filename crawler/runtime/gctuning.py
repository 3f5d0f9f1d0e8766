"""Python's garbage collector tuned for a crawl: in the crawl process (`crawl_gc`, around
the whole crawl) and in each extraction worker (`tune_gc`)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

GC_GEN0_THRESHOLD = 20_000
"""Allocations between two young-generation collections of Python's cyclic garbage collector
during a crawl (Python's default: 700). A crawl allocates a stream of short-lived objects
(Deferreds, requests, responses, dicts) that reference counting frees; at the default, the
collector ran every few hundred of them, walking its young objects each time. 20,000 (a few MB
of young objects at most) made bench/crawl.py ~10% faster. Set in the crawl process
(`crawl_gc`) and in each worker; `gc.freeze()` also moves the objects of
start-up (modules, settings, profiles) out of every later collection."""


def tune_gc() -> tuple[int, int, int]:
    """Set `GC_GEN0_THRESHOLD` and freeze the objects made so far; returns the thresholds it
    replaced (`crawl_gc` puts them back after a crawl)."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()  # modules, settings, profiles: out of every later collection
    gc.set_threshold(GC_GEN0_THRESHOLD, *threshold[1:])
    return threshold


@contextlib.contextmanager
def crawl_gc() -> Iterator[None]:
    """Python's garbage collector tuned for the crawl (`tune_gc`), restored
    afterwards: `run_crawl` may run many crawls in one
    process."""
    threshold = tune_gc()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
