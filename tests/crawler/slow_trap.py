"""A short download timeout for the trap outlet's slow page only, in a test crawl.

The slow page (`traps.SLOW_PATH`) answers after `traps.DEFAULT_SLOW_SECONDS`; the crawl tests
expect it to time out. A short `DOWNLOAD_TIMEOUT` for the whole crawl would also apply to every
other page, which a loaded machine (two test workers, a crawl's extraction blocking the reactor
for a second) can push past it: a flaky count. This Scrapy add-on gives the short timeout to that
one page through Scrapy's per-request `download_timeout` meta; every other page keeps the
patient one. A test crawl enables it with `-s ADDONS={"tests.crawler.slow_trap.SlowTrapTimeout": 0}`
(`warta_run.TRAP_SETTINGS`), run in the crawl's own process.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.settings import BaseSettings

from tests.mockserver.traps import SLOW_PATH

SLOW_PAGE_TIMEOUT = 3
"""Seconds the slow page is given: it answers after 5 s (`traps.DEFAULT_SLOW_SECONDS`)."""


class SlowPageTimeoutMiddleware:
    """Downloader middleware: the slow trap page gets `SLOW_PAGE_TIMEOUT`."""

    def process_request(self, request: Request, spider: Any = None) -> None:
        if urlsplit(request.url).path == SLOW_PATH:
            request.meta["download_timeout"] = SLOW_PAGE_TIMEOUT


class SlowTrapTimeout:
    """The add-on: puts the middleware among warta's own, before the downloader."""

    def update_settings(self, settings: BaseSettings) -> None:
        settings.set_in_component_priority_dict(  # type: ignore[attr-defined]
            "DOWNLOADER_MIDDLEWARES", SlowPageTimeoutMiddleware, 500)
