"""The scheduler's disk queue for resumable crawls (`JOBDIR`): Scrapy's own files, written only
when there is something to keep.

Scrapy's `PickleLifoDiskQueue` turns every scheduled request into a dictionary
(`Request.to_dict`), pickles it and appends it to a file, then reads, unpickles and rebuilds
it (`request_from_dict`) when the request is due: about 60 us a request, 4% of the crawl
process on bench/crawl.py. Yet the file it writes is only readable after a clean stop: its
count of requests is written at `close()`, so after a SIGKILL the queue reads as empty
(warta then recovers the job from the archive, `crawler/runtime/jobs.py`). This queue keeps the same
promise more cheaply:

- the top of the stack stays in memory as `Request` objects (`HELD_MAX` at most per queue;
  Scrapy keeps one queue per priority), and older requests beyond that are written to the file
  in Scrapy's format, oldest first, so memory stays bounded on a frontier of any size and the
  order is Scrapy's last-in, first-out;
- `close()` (a paused or finished job) writes what is still held on top of the file, so the
  file is exactly the one Scrapy's queue would leave: a paused job resumes with either queue.

Writing a request finds the names of its callback and errback once per method, with Scrapy's
own `to_dict` (which scans every member of the spider, 64 us a request), and builds later
dictionaries naming the same methods itself (3 us). A request that cannot be written (a
callback that is not a spider method) is refused at `push`, as by Scrapy's queue, so the
scheduler keeps it in its memory queue instead.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.squeues import PickleLifoDiskQueue as ScrapyPickleLifoDiskQueue

logger = logging.getLogger(__name__)

HELD_MAX = 10_000
"""Requests a queue holds in memory; past it, the oldest half is written to the file. Scrapy
keeps one queue per outlet (download slot) and priority, and an outlet's requests are nearly
all article requests of one priority: with ~900 bytes a request (warta's metadata, measured
with tracemalloc), at most ~9 MB an outlet, ~80 MB for the nine bundled ones at once. The
2,000 articles of bench/crawl.py never touch the file until a pause."""


class PickleLifoDiskQueue(ScrapyPickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """`scrapy.squeues.PickleLifoDiskQueue`, holding its newest requests in memory."""

    def __init__(self, crawler: Crawler, key: str) -> None:
        super().__init__(crawler, key)
        self._names: dict[Any, str] = {}
        """Function of a spider method (`__func__`) -> the name `to_dict` gave it."""
        self._held: list[Request] = []
        """The top of the stack (newest last), above the requests in the file."""

    def _method_name(self, method: Any) -> Any:
        """What `to_dict` writes for a callback or errback; `_UNKNOWN` for a method it has not
        named yet."""
        if not callable(method):
            return method  # None (or a name)
        return self._names.get(getattr(method, "__func__", None), _UNKNOWN)

    def _fast_dict(self, request: Request) -> dict[str, Any] | None:
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

    def _to_dict(self, request: Request) -> dict[str, Any]:
        """The dictionary Scrapy writes for `request`; ValueError when it cannot be written."""
        data = self._fast_dict(request)
        if data is None:  # Scrapy's own, which looks among all the spider's members
            data = request.to_dict(spider=self.spider)
            for role in ("callback", "errback"):
                method = getattr(request, role)
                func = getattr(method, "__func__", None)
                if func is not None and isinstance(data.get(role), str):
                    self._names[func] = data[role]
        return data

    def _write(self, requests: list[Request]) -> None:
        """Append requests to the file, oldest first, in Scrapy's format."""
        # pickle and append: the push of the class under Scrapy's, which would call to_dict again
        write = super(ScrapyPickleLifoDiskQueue, self).push  # type: ignore[misc]
        for request in requests:
            try:
                write(self._to_dict(request))
            except Exception as exc:  # a pickle error (an unpicklable cb_kwargs value)
                logger.error("a queued request could not be saved for a resume, so a resumed "
                             "job will not fetch it: %s (%s: %s)", request.url,
                             type(exc).__name__, exc)

    def push(self, request: Request) -> None:
        self._to_dict(request)  # refused now, as by Scrapy's queue, if it cannot be written
        held = self._held
        held.append(request)
        if len(held) > HELD_MAX:
            older, held[:HELD_MAX // 2] = held[:HELD_MAX // 2], []
            self._write(older)

    def pop(self) -> Request | None:
        if self._held:
            return self._held.pop()
        request: Request | None = super().pop()
        return request

    def peek(self) -> Request | None:
        if self._held:
            return self._held[-1]
        request: Request | None = super().peek()
        return request

    def __len__(self) -> int:
        return len(self._held) + int(super().__len__())

    def close(self) -> None:
        held, self._held = self._held, []
        self._write(held)
        super().close()


_UNKNOWN = object()
