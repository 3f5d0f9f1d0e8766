"""`crawler.runtime.gctuning`: the garbage collector tuned for a crawl, then put back."""

from __future__ import annotations

import gc

from crawler.runtime.gctuning import GC_GEN0_THRESHOLD, crawl_gc


def test_the_threshold_is_raised_during_a_crawl_and_restored_after() -> None:
    before = gc.get_threshold()
    with crawl_gc():
        assert gc.get_threshold() == (GC_GEN0_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
