"""The scheduler's disk queue for resumable crawls (`JOBDIR`): Scrapy's own, made cheaper.

With a JOBDIR, Scrapy writes every scheduled request to disk as a dictionary
(`Request.to_dict`) that names its callback and errback. To find those names it scans every
member of the spider (`inspect.getmembers`), running its properties on the way: 64 us a
request, 2% of the crawl process on bench/crawl.py. `PickleLifoDiskQueue` finds the name of
each method once, with Scrapy's own `to_dict`, and builds the dictionaries of later requests
naming the same methods itself, from the names it remembers (even a stand-in with a few
members cost `to_dict` 19 us in `inspect.getmembers`; the dictionary built here takes 3).
The dictionary, its pickle and the files are exactly Scrapy's
(`scrapy.squeues.PickleLifoDiskQueue`): a paused job resumes with either queue.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.squeues import PickleLifoDiskQueue as ScrapyPickleLifoDiskQueue


class PickleLifoDiskQueue(ScrapyPickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """`scrapy.squeues.PickleLifoDiskQueue` with the callback names remembered."""

    def __init__(self, crawler: Crawler, key: str) -> None:
        super().__init__(crawler, key)
        self._names: dict[Any, str] = {}
        """Function of a spider method (`__func__`) -> the name `to_dict` gave it."""

    def _method_name(self, method: Any) -> Any:
        """What `to_dict` writes for a callback or errback; `_UNKNOWN` for a method it has not
        named yet."""
        if not callable(method):
            return method  # None (or a name)
        return self._names.get(getattr(method, "__func__", None), _UNKNOWN)

    def _to_dict(self, request: Request) -> dict[str, Any] | None:
        """`request.to_dict(spider=...)`, the same dictionary, for a plain `Request` whose
        methods have been named before; None for any other."""
        if type(request) is not Request:
            return None
        callback = self._method_name(request.callback)
        errback = self._method_name(request.errback)
        if callback is _UNKNOWN or errback is _UNKNOWN:
            return None
        data = {"url": request.url, "callback": callback, "errback": errback,
                "headers": dict(request.headers)}
        for attr in request.attributes:
            data.setdefault(attr, getattr(request, attr))
        return data

    def push(self, request: Request) -> None:
        data = self._to_dict(request)
        if data is None:  # Scrapy's own, which looks among all the spider's members
            data = request.to_dict(spider=self.spider)
            for role in ("callback", "errback"):
                method = getattr(request, role)
                func = getattr(method, "__func__", None)
                if func is not None and isinstance(data.get(role), str):
                    self._names[func] = data[role]
        # Scrapy's push, less its to_dict: serialize and write
        super(ScrapyPickleLifoDiskQueue, self).push(data)  # type: ignore[misc]


_UNKNOWN = object()
