"""`crawler.extensions.statscollector`: the crawl's stats collector and the stats as JSON."""

from __future__ import annotations

import datetime as dt
import json
import warnings

from scrapy.utils.test import get_crawler

from crawler.extensions.statscollector import WartaStatsCollector, jsonable


def test_jsonable_writes_times_as_iso_text_sorted_by_key() -> None:
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    stats = {"b": 1, "a": when, "c": dt.date(2024, 1, 2), "d": {1, 2}.__class__.__name__,
             "e": object, "f": [1, "x"], "g": None}
    out = jsonable(stats)
    assert list(out) == ["a", "b", "c", "d", "e", "f", "g"]
    assert out["a"] == "2024-01-02T03:04:05+00:00"
    assert out["c"] == "2024-01-02"
    assert out["e"] == str(object)
    json.dumps(out)  # every value JSON can hold


def test_the_collector_counts_as_scrapys_without_a_warning_for_spider() -> None:
    collector = WartaStatsCollector(get_crawler())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        collector.inc_value("site/contoh/pages")
        collector.inc_value("site/contoh/pages", 2)
        collector.set_value("archive/error", "x")
    assert collector.get_value("site/contoh/pages") == 3
    assert collector.get_stats() == {"site/contoh/pages": 3, "archive/error": "x"}
