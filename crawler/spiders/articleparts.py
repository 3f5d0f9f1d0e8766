"""`ArticleParts`, the `news` spider's reading of multi-page articles whole
(`crawler/spiders/news.py`): the single-page view when the first page offers one (`Tampilkan
semua`, `?page=all`, `/all`: one request instead of every part; the parts when it fails or
shows no more than the first page), else every part in order (`next_pages`: numbered part
links, `rel=next`), up to `WARTA_MAX_PARTS`. What could not be read is kept in the article's
`PartsState.missing` and said in its provenance (`parts`: `incomplete: 2 of 3 parts; missing
URL (http_404)`), so an article is never silently shortened. Counted: `extract/multipage`,
`extract/single_page`, `extract/single_page_unusable`, `extract/parts_stitched`,
`extract/parts_missing`, `extract/parts_over_limit`, `extract/articles_incomplete`.

The callbacks keep their names on the spider (JOBDIR queues name them); `PartsState`, pickled in
their `cb_kwargs`, stays in `crawler.spiders.news`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.items import ArticleItem
from crawler.middlewares.capture import META_KEY as CAPTURE_KEY
from crawler.sites import SiteProfile
from crawler.spiders.listingfollow import ListingFollow

if TYPE_CHECKING:
    from crawler.spiders.news import PartsState

PART_PRIORITY = 30
"""The further pages of a multi-page article go first, above `ARTICLE_PRIORITY`."""


def failure_kind(failure: Failure) -> str:
    """A failed request's reason in a word or two, as counted under `errors/<kind>`."""
    from scrapy.spidermiddlewares.httperror import HttpError

    from crawler.exceptions import BadResponse

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, BadResponse):
        return exc.kind
    return type(exc).__name__


class ArticleParts(ListingFollow):
    """Multi-page articles read whole (a mixin of the `news` spider)."""

    # The `news` spider's: read one page; emit the article once its parts are read.
    _extract: Callable[..., dict[str, Any] | None]
    _now: Callable[[], dt.datetime]  # the crawl's clock (WARTA_NOW)
    _finish: Callable[[SiteProfile, PartsState], Iterator[Request | ArticleItem]]

    def _read_parts(self, profile: SiteProfile, state: PartsState,
                    single: Any) -> Iterator[Request | ArticleItem]:
        """After the first page: its single-page view, else its next part, else the item."""
        first_url = state.fetched[0]
        if isinstance(single, str) and single != first_url and profile.owns(single) \
                and self.max_parts > 1:
            # the whole article on one page: one request instead of every part
            state.fetched.append(single)
            yield Request(single, callback=self.parse_single, errback=self.on_single_error,
                          priority=PART_PRIORITY, dont_filter=True, cb_kwargs={"state": state},
                          meta=self._meta(profile, "part"))
            return
        yield from self._continue(profile, state)

    def parse_single(self, response: Response, state: PartsState
                     ) -> Iterator[Request | ArticleItem]:
        """The single-page view of an article: taken when it holds more than the first
        page's text (as much, when no further part is linked), else the parts are read one
        by one (a view that redirects to the first page, or shows only it, is no view)."""
        profile = self.profiles[response.meta["warta_site"]]
        data = self._extract(response, profile, self._now())
        needed = (state.first.get("word_count") or 0) + (1 if state.pending else 0)
        if data is not None and data.get("body") and (data.get("word_count") or 0) >= needed \
                and response.url != state.fetched[0]:
            state.single = data
            state.single_capture = response.meta.get(CAPTURE_KEY)
            yield from self._finish(profile, state)
            return
        self._inc("extract/single_page_unusable")
        yield from self._continue(profile, state)

    def on_single_error(self, failure: Failure) -> Iterator[Request | ArticleItem]:
        """A single-page view that failed: counted, and the parts are read instead."""
        yield from self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        state: PartsState = request.cb_kwargs["state"]
        profile = self.profiles[request.meta["warta_site"]]
        self._inc("extract/single_page_unusable")
        yield from self._continue(profile, state)

    def _new_parts(self, profile: SiteProfile, data: dict[str, Any],
                   state: PartsState) -> list[str]:
        known = set(state.fetched) | set(state.pending)
        found = []
        for url in data.get("next_pages") or []:
            if isinstance(url, str) and url not in known and profile.owns(url):
                known.add(url)
                found.append(url)
        return found

    def _continue(self, profile: SiteProfile, state: PartsState) -> Iterator[Request | ArticleItem]:
        if state.pending and 1 + len(state.parts) < self.max_parts:
            url = state.pending.pop(0)
            yield Request(url, callback=self.parse_part, errback=self.on_part_error,
                          priority=PART_PRIORITY, dont_filter=True, cb_kwargs={"state": state},
                          meta=self._meta(profile, "part"))
            return
        if state.pending:
            self._inc("extract/parts_over_limit")
            state.missing.extend(f"{url} (over WARTA_MAX_PARTS)" for url in state.pending)
            state.pending = []
        yield from self._finish(profile, state)

    def parse_part(self, response: Response, state: PartsState) -> Iterator[Request | ArticleItem]:
        profile = self.profiles[response.meta["warta_site"]]
        state.fetched.append(response.url)
        data = self._extract(response, profile, self._now())
        if data is not None:
            state.parts.append(data)
            state.captures.append(response.meta.get(CAPTURE_KEY))
            state.pending.extend(self._new_parts(profile, data, state))
        else:
            self._inc("extract/parts_missing")
            state.missing.append(f"{response.url} (unreadable)")
        yield from self._continue(profile, state)

    def on_part_error(self, failure: Failure) -> Iterator[Request | ArticleItem]:
        yield from self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        state: PartsState = request.cb_kwargs["state"]
        profile = self.profiles[request.meta["warta_site"]]
        self._inc("extract/parts_missing")
        state.missing.append(f"{request.url} ({failure_kind(failure)})")
        yield from self._continue(profile, state)

    def _stitched(self, state: PartsState) -> dict[str, Any]:
        """The article's fields from every page read: the first page's with the single-page
        view's text, or the parts stitched (`merge_parts`); provenance `parts` says which,
        and what is missing."""
        if state.single is None and not state.parts and not state.missing:
            return state.first
        from crawler.extract import merge_parts

        self._inc("extract/multipage")
        if state.single is not None:
            # the first page's fields, the single-page view's text
            data = merge_parts({**state.first, "body": None, "captions": []}, [state.single])
            note = f"single page view: {state.fetched[-1]}"
            self._inc("extract/single_page")
        else:
            data = merge_parts(state.first, state.parts)
            total = 1 + len(state.parts) + len(state.missing)
            if state.missing:
                # marked, not silently shortened: the reader knows text is lacking
                note = (f"incomplete: {1 + len(state.parts)} of {total} parts; missing "
                        + ", ".join(state.missing))
                self._inc("extract/articles_incomplete")
            else:
                note = f"whole: {total} parts"
            self._inc("extract/parts_stitched", len(state.parts))
        data["provenance"] = {**(data.get("provenance") or {}), "parts": note}
        return data
