"""The JOBDIR disk queue (`crawler.runtime.queues`): Scrapy's own files, so a paused job
resumes with either queue, and every request comes back as it went in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.squeues import PickleLifoDiskQueue as ScrapyQueue
from scrapy.utils.test import get_crawler

from crawler.runtime.queues import PickleLifoDiskQueue
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


def test_the_queue_files_are_byte_for_byte_scrapys(spider: NewsSpider, tmp_path: Path) -> None:
    """Requests whose methods the queue has named before are written from its own dictionary:
    the same bytes as Scrapy's `to_dict`, for plain requests, headers and a Request subclass."""
    from scrapy import FormRequest

    sent = [*requests(spider),
            Request("https://kaltimpost.jawapos.com/a", callback=spider.read_article,
                    headers={"Referer": "https://kaltimpost.jawapos.com/"}, priority=-3),
            FormRequest("https://kaltimpost.jawapos.com/b", callback=spider.parse_listing,
                        formdata={"q": "banjir"}),
            Request("https://kaltimpost.jawapos.com/c")]  # no callback
    files = {}
    for name, queue_class in (("ours", PickleLifoDiskQueue), ("scrapy", ScrapyQueue)):
        path = tmp_path / name
        queue = queue_class.from_crawler(spider.crawler, str(path))
        for request in sent:
            queue.push(request)
        queue.close()
        files[name] = path.read_bytes()
    assert files["ours"] == files["scrapy"]


def numbered(spider: NewsSpider, count: int) -> list[Request]:
    return [Request(f"https://kaltimpost.jawapos.com/berita/{n}", callback=spider.read_article,
                    errback=spider.on_error, meta={"warta_kind": "article", "n": n})
            for n in range(count)]


def test_a_large_frontier_goes_to_the_file_and_comes_back_last_in_first_out(
        spider: NewsSpider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past `HELD_MAX` requests the oldest are written to the file: memory stays bounded and
    pops still come newest first, through the held ones and then the file."""
    import crawler.runtime.queues

    monkeypatch.setattr(crawler.runtime.queues, "HELD_MAX", 4)
    queue = PickleLifoDiskQueue.from_crawler(spider.crawler, str(tmp_path / "queue"))
    sent = numbered(spider, 11)
    for request in sent[:7]:
        queue.push(request)
        assert len(queue._held) <= 4
    assert queue.pop().meta["n"] == 6
    for request in sent[7:]:
        queue.push(request)
    assert len(queue) == 10
    popped = [queue.pop().meta["n"] for _ in range(10)]
    assert popped == [10, 9, 8, 7, 5, 4, 3, 2, 1, 0]
    assert queue.pop() is None
    queue.close()


def test_a_pause_with_spilled_and_held_requests_leaves_scrapys_file(
        spider: NewsSpider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.runtime.queues

    monkeypatch.setattr(crawler.runtime.queues, "HELD_MAX", 4)
    path = str(tmp_path / "queue")
    queue = PickleLifoDiskQueue.from_crawler(spider.crawler, path)
    sent = numbered(spider, 9)
    for request in sent:
        queue.push(request)
    queue.close()
    back = as_dicts(spider, ScrapyQueue.from_crawler(spider.crawler, path))
    assert back == [r.to_dict(spider=spider) for r in reversed(sent)]


def test_a_request_scrapy_could_not_save_is_refused_when_pushed(
        spider: NewsSpider, tmp_path: Path) -> None:
    """A callback that is not a spider method cannot be written to a JOBDIR: refused at once
    (ValueError), so Scrapy's scheduler keeps it in its memory queue, as with its own queue."""
    queue = PickleLifoDiskQueue.from_crawler(spider.crawler, str(tmp_path / "queue"))
    with pytest.raises(ValueError):
        queue.push(Request("https://kaltimpost.jawapos.com/x", callback=lambda r: None))
    assert len(queue) == 0
    queue.close()
