"""Why warta does not send a request or use a response: raised by its downloader middlewares
and the spider, caught and counted by the spider (as Scrapy keeps its own in
`scrapy/exceptions.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from scrapy.exceptions import IgnoreRequest


class OffsiteRequest(IgnoreRequest):
    """A request (or a redirect) that leaves the outlet it was made for."""


class RefusedRequest(OffsiteRequest):
    """A request warta refuses for safety, never sent: `reason` is the stats key suffix
    (`offsite/refused/<reason>`): an address class (`link_local`, `private`, `loopback`, ...,
    `crawler.urls.ADDRESS_CLASSES`), `scheme`, `no_host`, `off_domain` (a robots.txt, sitemap
    or feed off the outlet's registrable domain) or `resolved_<class>` (a name whose server
    turned out to be at such an address)."""

    def __init__(self, reason: str, url: str, detail: str) -> None:
        super().__init__(f"refused ({reason}): {url} {detail}")
        self.reason = reason
        self.detail = detail


class BadResponse(IgnoreRequest):
    """A response warta cannot use (an empty body, a binary file where a page was expected).

    `kind` is the stats key suffix (`errors/<kind>`); `reason` says what was wrong.
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


class SkipRequest(IgnoreRequest):
    """A request a component chose not to send (an article already archived, a page that has
    not changed): not an error. The spider counts it as `skipped/<reason>` and releases the
    article's place under `max_articles`. Raise it from `process_request`.

    `done`: the article was read earlier in this same job (a resumed crawl): it keeps its place
    under `max_articles`, and its `related` links (canonical URLs, as the archive stored them)
    are followed as if its page had been read again.
    """

    def __init__(self, reason: str, *, done: bool = False,
                 related: Sequence[str] = ()) -> None:
        super().__init__(f"skipped: {reason}")
        self.reason = reason
        self.done = done
        self.related = list(related)


def classify_download_error(exc: BaseException) -> tuple[str, str, bool]:
    """`(kind, reason, already_logged)` for a download failure; `already_logged` is True when
    Scrapy itself logged it with the URL at WARNING (an oversized body), so warta does not log
    it a second time."""
    name = type(exc).__name__
    text = str(exc)
    if "max size" in text or "maxsize" in text.lower():
        return "too_large", text, True
    if name in ("DownloadCancelledError", "CancelledError"):
        return "too_large", text or "download cancelled (larger than DOWNLOAD_MAXSIZE)", True
    if "Timeout" in name or "TimedOut" in name:
        return "timeout", text or name, False
    if name in ("CannotResolveHostError", "DNSLookupError"):
        return "dns", text or name, False
    if "ConnectionRefused" in name:
        return "connection_refused", text or name, False
    if "DataLoss" in name:
        return "data_loss", text or name, False
    return "download_failed", f"{name}: {text}" if text else name, False
