"""What became of each listed article of a `warta rehydrate` run (`RehydrateLedger`, added to
the downloader middlewares by `crawler.runtime.rehydrate.ledger_settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.statscollectors import StatsCollector

from crawler.exceptions import (
    OffsiteRequest,
    RefusedRequest,
    SkipRequest,
    classify_download_error,
)

LEDGER_PRIORITY = 595
"""The ledger's place among the downloader middlewares: after redirects (600) have been
followed, so it sees the final response; before ResponseCheckMiddleware (590) may refuse it
and before retries (550) decide, so it sees every attempt (the last one counts)."""

NO_ARTICLE = "fetched, but no article was read from the page"


def describe_failure(exc: BaseException) -> str:
    """Why a listed article's request failed, in a few words."""
    if isinstance(exc, SkipRequest):
        return f"skipped: {exc.reason}"
    if isinstance(exc, RefusedRequest):
        return f"refused: {exc.reason}"
    if isinstance(exc, OffsiteRequest):
        return "redirected off the outlet"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "forbidden by robots.txt"
        return text or type(exc).__name__
    kind, reason, _ = classify_download_error(exc)
    return f"{kind}: {reason}" if reason else kind


class RehydrateLedger:
    """Downloader middleware of rehydrate runs: what became of each listed article.

    Keyed by the canonical URL the spider asked for (`warta_target`, kept through redirects
    and retries), it remembers the last response or failure of each article request, and the
    pages items were scraped from (`fetched_url`). When the spider closes it sets the stat
    `rehydrate/failed` (canonical URL -> reason) and `rehydrate/archived_as` (canonical URL ->
    the canonical URL the page declared, when that is another).
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.final_url: dict[str, str] = {}
        self.failed: dict[str, str] = {}
        self.scraped: dict[str, str] = {}
        self.dropped: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        ledger = cls(crawler.stats)
        crawler.signals.connect(ledger.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ledger.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ledger.spider_closed, signal=signals.spider_closed)
        return ledger

    @staticmethod
    def _target(request: Request) -> str | None:
        meta = request.meta
        return meta.get("warta_target") if meta.get("warta_kind") == "article" else None

    def process_response(self, request: Request, response: Response) -> Response:
        target = self._target(request)
        if target is not None:
            self.final_url[target] = response.url
            if response.status >= 400:
                self.failed[target] = f"HTTP {response.status}"
            else:
                self.failed.pop(target, None)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        target = self._target(request)
        if target is not None:
            self.final_url.pop(target, None)
            self.failed[target] = describe_failure(exception)

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        adapter = ItemAdapter(item)
        fetched, url = adapter.get("fetched_url"), adapter.get("url")
        if isinstance(fetched, str) and isinstance(url, str):
            self.scraped[fetched] = url

    def item_dropped(self, item: Any, response: Response, exception: BaseException,
                     spider: Spider) -> None:
        fetched = ItemAdapter(item).get("fetched_url")
        if isinstance(fetched, str):
            self.dropped[fetched] = f"dropped: {exception}"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # What the spider counted for an article it could not read (a redirect loop cut by the
        # duplicate filter, a gzip bomb refused while inflating, a page extraction could not
        # read) is the reason, where the responses seen here tell nothing or too little.
        noted: Mapping[str, str] = getattr(spider, "failed_articles", None) or {}
        failed = {**noted, **self.failed}
        moved: dict[str, str] = {}
        for target, url in self.final_url.items():
            if target in self.failed:
                continue
            if url in self.scraped:
                if self.scraped[url] != target:
                    moved[target] = self.scraped[url]
                failed.pop(target, None)
            elif target not in noted:
                failed[target] = self.dropped.get(url, NO_ARTICLE)
        self.stats.set_value("rehydrate/failed", dict(sorted(failed.items())))
        self.stats.set_value("rehydrate/archived_as", dict(sorted(moved.items())))
