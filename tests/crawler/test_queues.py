"""The JOBDIR disk queue (`crawler.queues`): Scrapy's own files, so a paused job resumes with
either queue, and every request comes back as it went in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.squeues import PickleLifoDiskQueue as ScrapyQueue
from scrapy.utils.test import get_crawler

from crawler.queues import PickleLifoDiskQueue
from crawler.spiders.news import NewsSpider
from crawler.urls import canonical_url


@pytest.fixture
def spider() -> NewsSpider:
    crawler = get_crawler(NewsSpider)
    spider = NewsSpider(site="kaltimpost")
    crawler.spider = spider
    spider.crawler = crawler
    return spider


def requests(spider: NewsSpider) -> list[Request]:
    url = canonical_url("https://kaltimpost.jawapos.com/samarinda/2024/05/06/judul-berita")
    return [
        Request(url, callback=spider.read_article, errback=spider.on_error, priority=20,
                meta={"warta_site": "kaltimpost", "warta_kind": "article", "warta_depth": 1,
                      "warta_target": url, "warta_lastmod": "2024-05-06T10:00:00+08:00"}),
        Request("https://kaltimpost.jawapos.com/sitemap.xml", callback=spider.parse_sitemap,
                errback=spider.on_error, meta={"warta_site": "kaltimpost"}),
        Request(url + "?page=2", callback=spider.parse_part, errback=spider.on_part_error,
                dont_filter=True, meta={"warta_kind": "part"}),
        Request(url, callback=spider.read_article, errback=spider.on_error),  # seen again
    ]


def as_dicts(spider: NewsSpider, queue: Any) -> list[dict[str, object]]:
    out = []
    while (request := queue.pop()) is not None:
        out.append(request.to_dict(spider=spider))
    queue.close()
    return out


@pytest.mark.parametrize(("writer", "reader"), [(PickleLifoDiskQueue, ScrapyQueue),
                                                (ScrapyQueue, PickleLifoDiskQueue)])
def test_a_paused_job_resumes_with_either_queue(spider: NewsSpider, tmp_path: Path,
                                                writer: Any, reader: Any) -> None:
    path = str(tmp_path / "queue")
    queue = writer.from_crawler(spider.crawler, path)
    sent = requests(spider)
    for request in sent:
        queue.push(request)
    queue.close()
    back = as_dicts(spider, reader.from_crawler(spider.crawler, path))
    assert back == [r.to_dict(spider=spider) for r in reversed(sent)]
