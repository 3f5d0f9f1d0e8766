"""The scheduler's disk queue for resumable crawls (`JOBDIR`): Scrapy's own, made cheaper.

With a JOBDIR, Scrapy writes every scheduled request to disk as a dictionary
(`Request.to_dict`) that names its callback and errback. To find those names it scans every
member of the spider (`inspect.getmembers`), running its properties on the way: 64 us a
request, 2% of the crawl process on bench/crawl.py. `PickleLifoDiskQueue` gives `to_dict` a
small stand-in holding only the spider methods that requests have named so far, so a name is
looked up among the spider's members once per method, not once per request. The dictionary,
its pickle and the files are exactly Scrapy's (`scrapy.squeues.PickleLifoDiskQueue`): a paused
job resumes with either queue.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.squeues import PickleLifoDiskQueue as ScrapyPickleLifoDiskQueue


class _Callbacks:
    """The spider's callback and errback methods met so far, as attributes (bound methods)."""


class PickleLifoDiskQueue(ScrapyPickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """`scrapy.squeues.PickleLifoDiskQueue` with the callback names remembered."""

    def __init__(self, crawler: Crawler, key: str) -> None:
        super().__init__(crawler, key)
        self._callbacks = _Callbacks()

    def push(self, request: Request) -> None:
        try:
            # duck-typed: to_dict only looks the callbacks up among the object's members
            data: dict[str, Any] = request.to_dict(spider=self._callbacks)  # type: ignore[arg-type]
        except ValueError:  # a method no request has named yet: look among all the spider's
            data = request.to_dict(spider=self.spider)
            for role in ("callback", "errback"):
                name = data.get(role)
                if isinstance(name, str):
                    setattr(self._callbacks, name, getattr(self.spider, name))
        # Scrapy's push, less its to_dict: serialize and write
        super(ScrapyPickleLifoDiskQueue, self).push(data)  # type: ignore[misc]
