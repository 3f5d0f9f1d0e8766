"""`DedupePipeline`, and the collapse of an article's related links it uses."""

from __future__ import annotations

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extract.related import collapse_related
from crawler.pipelines.dedupe import DedupePipeline
from tests.crawler.pipelines.pipekit import HOME, article, stat


def test_related_links_collapse_per_page_and_drop_self_links() -> None:
    page = "https://a.example/satu"
    links, collapsed, self_links = collapse_related([
        {"url": "https://a.example/dua", "title": "Dua", "block": "Baca Juga", "position": 0},
        {"url": page, "title": "Satu", "block": "Terkait", "position": 1},
        {"url": "https://a.example/dua", "title": "Dua lagi", "block": "Terkait", "position": 2},
        {"url": "https://a.example/tiga", "title": "Tiga", "block": "Terkait", "position": 3},
        {"title": "tanpa url"},
    ], page)
    assert links == [
        {"url": "https://a.example/dua", "title": "Dua", "block": "Baca Juga", "position": 0},
        {"url": "https://a.example/tiga", "title": "Tiga", "block": "Terkait", "position": 1},
    ]
    assert (collapsed, self_links) == (1, 1)


def test_dedupe_keeps_the_first_item_of_a_canonical_url(crawler: Crawler) -> None:
    pipeline = DedupePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(article(1))
    with pytest.raises(DropItem):
        pipeline.process_item(article(1, title="Judul lain"))
    pipeline.process_item(article(2))
    assert stat(crawler, "dedupe/dropped/duplicate_url") == 1


def test_dedupe_collapses_related_links_and_counts_them(crawler: Crawler) -> None:
    item = article(1)
    twice = {"url": f"{HOME}a/b/c-d-e/", "title": "X", "block": "Terkait", "position": 0}
    item.related = [twice, {**twice, "position": 1},
                    {"url": item.url, "title": "self", "block": None, "position": 2}]
    out = DedupePipeline.from_crawler(crawler).process_item(item)
    assert [link["url"] for link in out.related] == [twice["url"]]
    assert stat(crawler, "dedupe/related_collapsed") == 1
    assert stat(crawler, "dedupe/related_self") == 1
