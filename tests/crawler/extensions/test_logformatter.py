"""`crawler.extensions.logformatter`: items named by URL in the log, never printed whole."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request

from crawler.extensions.logformatter import WartaLogFormatter
from crawler.items import ArticleItem

URL = "https://kaltimcontoh.example/samarinda/2024/01/01/banjir/"


def item() -> ArticleItem:
    return ArticleItem(url=URL, source="contoh", title="Banjir", body="kata " * 500)


def response() -> HtmlResponse:
    return HtmlResponse(URL, body=b"<html></html>", request=Request(URL))


def test_a_dropped_item_is_named_by_its_reason_not_printed() -> None:
    dropped = DropItem(f"no body: {URL}", log_level="WARNING")
    result = WartaLogFormatter().dropped(item(), dropped, response(), Spider("news"))
    assert result["msg"] % result["args"] == f"Dropped (no body: {URL})"


@pytest.fixture
def scrapy_level(request: pytest.FixtureRequest) -> Iterator[None]:
    """Scrapy's engine and scraper loggers at the level the test is parametrized with."""
    loggers = [logging.getLogger(n) for n in ("scrapy.core.engine", "scrapy.core.scraper")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(request.param)
    yield
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


@pytest.mark.parametrize("scrapy_level", [logging.INFO], indirect=True)
def test_scraped_and_crawled_lines_are_not_built_unless_logged(scrapy_level: None) -> None:
    formatter = WartaLogFormatter()
    assert formatter.scraped(item(), response(), Spider("news")) is None
    assert formatter.crawled(Request(URL), response(), Spider("news")) is None


@pytest.mark.parametrize("scrapy_level", [logging.DEBUG], indirect=True)
def test_a_scraped_item_is_named_by_its_url(scrapy_level: None) -> None:
    result = WartaLogFormatter().scraped(item(), response(), Spider("news"))
    assert result is not None
    assert result["msg"] % result["args"] == f"Scraped {URL}"
