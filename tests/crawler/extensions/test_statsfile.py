"""`crawler.extensions.statsfile`: the final stats written to `WARTA_STATS_FILE`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions.statscollector import WartaStatsCollector
from crawler.extensions.statsfile import StatsFileExtension


def test_off_without_a_path() -> None:
    with pytest.raises(NotConfigured):
        StatsFileExtension.from_crawler(get_crawler(settings_dict={"WARTA_STATS_FILE": None}))


def test_the_stats_are_written_as_json_when_the_engine_stops(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"WARTA_STATS_FILE": str(tmp_path / "stats.json")})
    stats = WartaStatsCollector(crawler)
    stats.set_value("finish_time", dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
    stats.set_value("errors/total", 4)
    extension = StatsFileExtension(stats, str(tmp_path / "stats.json"))
    extension.engine_stopped()
    written = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert written == {"errors/total": 4, "finish_time": "2024-01-02T00:00:00+00:00"}
