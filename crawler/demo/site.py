"""One demo outlet as a web site: requests in, responses out, no sockets.

`Outlet` is the base of the three outlet templates (`outlets/*.py`): it holds the outlet's
current articles (bundled content + generated additions + edits, from `DemoState`), answers
requests through the subclass's `route`, caches rendered pages until the state changes, and
lets add-ons (the mock server's traps) answer first and add links, sitemaps and robots rules.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from crawler.demo.generate import generated_article
from crawler.demo.model import Article, load_articles
from crawler.demo.state import DemoState

STATIC_FILES: dict[str, tuple[str, bytes]] = {
    "/css/style.css": ("text/css", b"body{font-family:Verdana,sans-serif;font-size:12px}\n"
                                   b".judul{font-size:18px;color:#036}\n"),
    "/static/app.css": ("text/css", b"#app{max-width:720px;margin:auto}\n"),
    "/static/app.js": ("application/javascript",
                       b"/* renders window.__APP_STATE__ into #app (demo: does nothing) */\n"),
}
"""Assets the templates reference, so that every link on a demo page resolves."""

MAX_CACHED_PAGES = 20_000
"""Rendered pages kept per outlet before the cache is cleared: enough for every page of a
2,000-article benchmark site (article, AMP and part pages, listings) with room to spare."""


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    """Path and query as sent (`/indeks?page=2`)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    """Seconds to wait before answering (the slow-page trap)."""
    chunks: Callable[[], Iterable[bytes]] | None = None
    """A body too big to hold: produced in chunks; `length` must then give its size."""
    length: int | None = None
    cacheable: bool = True

    @property
    def size(self) -> int:
        if self.chunks is not None and self.length is not None:
            return self.length
        return len(self.body)


def html(text: str, status: int = 200, charset: str = "utf-8", declare: bool = True) -> Response:
    ctype = f"text/html; charset={charset}" if declare else "text/html"
    return Response(status=status, body=text.encode(charset), content_type=ctype)


def xml(text: str, content_type: str = "application/xml; charset=utf-8") -> Response:
    return Response(body=text.encode("utf-8"), content_type=content_type)


def text(body: str, status: int = 200) -> Response:
    return Response(status=status, body=body.encode("utf-8"),
                    content_type="text/plain; charset=utf-8")


def redirect(location: str, status: int = 301) -> Response:
    return Response(status=status, body=b"", content_type=None, headers=[("Location", location)])


def add_validators(response: Response, article: Article | None, layout: bool = False) -> None:
    """Give a page its validators, as a careful outlet does. An article page: a weak `ETag`
    made from the article itself (its text, dates and the layout it is shown in; the
    "latest news" boxes around it change with every new article, and a weak ETag says the
    page means the same without being the same bytes, RFC 9110 8.8.1) and `Last-Modified`,
    the time of its last edit (else its publication). Any other page: a strong `ETag` of its
    bytes."""
    names = {name.lower() for name, _ in response.headers}
    if "etag" not in names:
        if article is not None:
            made = f"{article!r}|{layout}".encode()
            response.headers.append(("ETag", f'W/"{hashlib.sha256(made).hexdigest()[:20]}"'))
        else:
            digest = hashlib.sha256(response.body).hexdigest()[:20]
            response.headers.append(("ETag", f'"{digest}"'))
    if article is not None and "last-modified" not in names:
        response.headers.append(("Last-Modified", format_datetime(
            article.updated.astimezone(UTC), usegmt=True)))


def conditional(request: Request, response: Response) -> Response:
    """`304 Not Modified` (with the validators, no body) when the request's `If-None-Match`
    names the page's ETag, or, without `If-None-Match`, when its `If-Modified-Since` is not
    before the page's `Last-Modified` (RFC 9110 13.2.2); else `response`."""
    if response.status != 200 or request.method not in ("GET", "HEAD"):
        return response
    headers = {name.lower(): value for name, value in request.headers.items()}
    own = {name.lower(): value for name, value in response.headers}
    etag = own.get("etag")
    match = headers.get("if-none-match")
    if match is not None:
        tags = [t.strip().removeprefix("W/") for t in match.split(",")]
        fresh = etag is not None and ("*" in tags or etag.removeprefix("W/") in tags)
    else:
        since = _http_date(headers.get("if-modified-since"))
        modified = _http_date(own.get("last-modified"))
        fresh = since is not None and modified is not None and modified <= since
    if not fresh:
        return response
    kept = [(n, v) for n, v in response.headers if n.lower() in ("etag", "last-modified")]
    return Response(status=304, body=b"", content_type=None, headers=kept, cacheable=False)


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class Addon:
    """Extra behaviour plugged into an outlet (the mock server's traps). All hooks optional."""

    def respond(self, outlet: Outlet, request: Request) -> Response | None:
        """Answer a request before the outlet does (None: let the outlet answer)."""
        return None

    def robots_lines(self, outlet: Outlet) -> list[str]:
        """Lines added to the outlet's robots.txt (`Disallow: ...`, `Sitemap: ...`)."""
        return []

    def sitemaps(self, outlet: Outlet) -> list[str]:
        """Absolute URLs of sitemaps added to the outlet's sitemap index."""
        return []

    def feeds(self, outlet: Outlet) -> list[tuple[str, str, str]]:
        """(type, title, absolute URL) of feeds declared in the outlet's page heads."""
        return []

    def links(self, outlet: Outlet) -> list[tuple[str, str]]:
        """(anchor text, absolute URL) shown in a box on the outlet's home page."""
        return []


@dataclass(frozen=True)
class Snapshot:
    """The articles an outlet shows at one state version."""

    version: int
    articles: tuple[Article, ...]
    """Newest first."""
    by_id: Mapping[str, Article]
    by_path: Mapping[str, Article]
    rank: Mapping[str, int]
    """Position of each article id in `articles` (0 = newest)."""
    linked: frozenset[str]
    """Ids of the articles some other article links to (related box or inline line)."""

    def get(self, art_id: str) -> Article:
        return self.by_id[art_id]


class Outlet:
    """Base of the demo outlet templates."""

    key: ClassVar[str]
    name: ClassVar[str]
    city: ClassVar[str]
    generated_prefix: ClassVar[str]
    generated_signoff: ClassVar[str | None] = None
    id_base: ClassVar[int] = 0
    """Numeric article ids (for outlets whose URLs carry one) start here for bundled articles..."""
    generated_id_base: ClassVar[int] = 0
    """...and here for generated ones, so the two never collide."""

    def __init__(self, base_url: str, state: DemoState, addons: Iterable[Addon] = ()) -> None:
        self.base = base_url.rstrip("/")
        self.state = state
        self.addons = list(addons)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._cache: dict[str, Response] = {}
        self._cache_version = -1

    # -- content ------------------------------------------------------------------------------

    def bundled(self) -> tuple[Article, ...]:
        return load_articles(self.key)

    def numeric_id(self, art: Article) -> int:
        """The number an outlet with numeric article URLs gives `art`."""
        if art.generated:
            return self.generated_id_base + int(art.id[len(self.generated_prefix):])
        return self.id_base + [a.id for a in self.bundled()].index(art.id)

    def snapshot(self) -> Snapshot:
        """The current articles (rebuilt when the state version changes)."""
        version = self.state.version
        snap = self._snapshot
        if snap is not None and snap.version == version:
            return snap
        site = self.state.sites[self.key]
        articles = list(self.bundled())
        pool = tuple(a.id for a in sorted(articles, key=lambda a: a.published, reverse=True)[:8])
        for i, published in enumerate(site.added):
            articles.append(generated_article(self.key, self.generated_prefix, i, published,
                                              related_pool=pool, signoff=self.generated_signoff))
        shown = self.state.shown
        kept = [a for a in articles if shown(a.published)]  # by the clock, if set
        if len(kept) < len(articles):  # no link to an article not published yet
            ids = {a.id for a in kept}
            kept = [a if set(a.related) <= ids and all(t in ids for _, t in a.inline) else
                    replace(a, related=tuple(r for r in a.related if r in ids),
                            inline=tuple((x, t) for x, t in a.inline if t in ids))
                    for a in kept]
        articles = kept
        for idx, art in enumerate(articles):
            edit = site.edits.get(art.id)
            if edit is not None and shown(edit.when):
                articles[idx] = art.edited(edit.title, edit.paragraph, edit.when)
        articles.sort(key=lambda a: (a.published, a.id), reverse=True)
        snap = Snapshot(
            version=version,
            articles=tuple(articles),
            by_id={a.id: a for a in articles},
            by_path={self.article_path(a): a for a in articles},
            rank={a.id: i for i, a in enumerate(articles)},
            linked=frozenset(t for a in articles
                             for t in (*a.related, *(target for _, target in a.inline))),
        )
        self._snapshot = snap
        return snap

    @property
    def layout_changed(self) -> bool:
        return self.state.sites[self.key].layout_changed

    def article_path(self, art: Article) -> str:
        """The path of an article's canonical URL."""
        raise NotImplementedError

    def url(self, path: str) -> str:
        return self.base + path

    def article_url(self, art: Article) -> str:
        return self.base + self.article_path(art)

    # -- serving ------------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        for addon in self.addons:
            answer = addon.respond(self, request)
            if answer is not None:
                return answer
        if request.method not in ("GET", "HEAD"):
            return text("method not allowed\n", 405)
        if request.path in STATIC_FILES:
            content_type, body = STATIC_FILES[request.path]
            return Response(body=body, content_type=content_type)
        version = self.state.version
        with self._lock:
            if self._cache_version != version or len(self._cache) > MAX_CACHED_PAGES:
                self._cache = {}
                self._cache_version = version
            cached = self._cache.get(request.target)
        if cached is not None:
            return conditional(request, cached)
        snap = self.snapshot()
        response = self.route(request, snap) or self.not_found(request)
        if response.status == 200 and response.chunks is None and response.cacheable:
            add_validators(response, snap.by_path.get(request.path), self.layout_changed)
        if response.cacheable and response.chunks is None:
            with self._lock:
                if self._cache_version == version:
                    self._cache[request.target] = response
        return conditional(request, response)

    def route(self, request: Request, snap: Snapshot) -> Response | None:
        """The outlet's own pages; None for a 404."""
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        return html(f"<!DOCTYPE html><html><head><title>404 - {self.name}</title></head><body>"
                    f"<h1>Halaman tidak ditemukan</h1><p><a href=\"{self.base}/\">Beranda</a></p>"
                    "</body></html>", status=404)

    # -- helpers for templates ----------------------------------------------------------------

    def extra_robots(self) -> list[str]:
        return [line for addon in self.addons for line in addon.robots_lines(self)]

    def extra_sitemaps(self) -> list[str]:
        return [url for addon in self.addons for url in addon.sitemaps(self)]

    def extra_feeds(self) -> list[tuple[str, str, str]]:
        return [feed for addon in self.addons for feed in addon.feeds(self)]

    def extra_links(self) -> list[tuple[str, str]]:
        return [link for addon in self.addons for link in addon.links(self)]

    # -- data for tests and profiles ----------------------------------------------------------

    def profile(self) -> dict[str, Any]:
        """The outlet's profile, as its TOML file would hold it: what every demo outlet shares,
        plus `profile_hints()`."""
        return {
            "name": self.name,
            "homepage": self.url("/"),
            "timezone": "Asia/Makassar",
            "language": "id",
            "checked": True,
            "region": {"province": "Kalimantan Timur", "city": self.city},
            **self.profile_hints(),
        }

    def profile_hints(self) -> dict[str, Any]:
        """The outlet's own profile tables (`discovery`, `selectors`), if it needs any."""
        return {}

    def expected_parts(self, art: Article, snap: Snapshot) -> dict[str, Any]:
        """The outlet-specific expected values of one article (see `expected.py`); its
        `related_ids` are (article id, block label as shown or None) in page order."""
        raise NotImplementedError
