"""Conditional re-checks against outlets that get them wrong (issue 14), on the real loopback
demo server with real `warta crawl` processes: an `ETag` shared by every page, a `304` to a
request that sent no validator, a `Last-Modified` in the future. Each is detected, counted,
and the page is fetched in full as before; nothing archived is lost.

Each outlet here is the demo outlet `kaltimnews` (every article it bundles) with one add-on
that answers its article pages the wrong way (`Addon.respond`, before the outlet's own,
careful answer). The last test is the schedule on its own: an edit that no sitemap or feed
announces is stored by the first run at which its article is due, and not asked for before.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest

from crawler.demo import profiles
from crawler.demo.model import load_articles
from crawler.demo.server import DemoServer, serve
from crawler.demo.site import Addon, Outlet, Request, Response
from crawler.demo.state import DemoState
from tests.crawler.warta_run import CrawlRun, crawl, write_sites

SITE = "kaltimnews"
ARTICLES = len(load_articles(SITE))  # the demo's own list: adding articles breaks nothing
EDITED = "kn05"


def article_page(outlet: Outlet, request: Request) -> Response | None:
    """The outlet's own answer to an article page request, without its validators; None for
    any other page."""
    snap = outlet.snapshot()
    if request.method != "GET" or request.path not in snap.by_path:
        return None
    page = outlet.route(request, snap)
    assert page is not None
    return Response(status=page.status, body=page.body, content_type=page.content_type,
                    cacheable=False)


class SharedEtag(Addon):
    """One `ETag` for every article page, and a 304 whenever a request sends it back."""

    def respond(self, outlet: Outlet, request: Request) -> Response | None:
        page = article_page(outlet, request)
        if page is None:
            return None
        if request.headers.get("If-None-Match") == '"same"':
            return Response(status=304, content_type=None, headers=[("ETag", '"same"')])
        page.headers.append(("ETag", '"same"'))
        return page


class OtherEtagNotModified(Addon):
    """A 304 to every conditional request, naming an `ETag` that is not the one sent."""

    def respond(self, outlet: Outlet, request: Request) -> Response | None:
        page = article_page(outlet, request)
        if page is None:
            return None
        if request.headers.get("If-None-Match"):
            return Response(status=304, content_type=None, headers=[("ETag", '"other"')])
        page.headers.append(("ETag", f'"{request.path}"'))
        return page


class UnaskedNotModified(Addon):
    """A 304 to the first request for each article page that sent no validator (a cache in
    front of the outlet gone wrong); `always` answers so every time."""

    def __init__(self, always: str) -> None:
        self.always = always
        self.answered: set[str] = set()
        self.lock = threading.Lock()

    def respond(self, outlet: Outlet, request: Request) -> Response | None:
        page = article_page(outlet, request)
        if page is None:
            return None
        if request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"):
            return page
        with self.lock:
            first = request.path not in self.answered
            self.answered.add(request.path)
        if first or self.always in request.path:
            return Response(status=304, content_type=None)
        return page


class FutureLastModified(Addon):
    """No `ETag`; a `Last-Modified` a year ahead; a 304 to any `If-Modified-Since` not before
    the page's real last change (so a crawler that sent the future date back would never see
    an edit again)."""

    def respond(self, outlet: Outlet, request: Request) -> Response | None:
        page = article_page(outlet, request)
        if page is None:
            return None
        art = outlet.snapshot().by_path[request.path]
        since = request.headers.get("If-Modified-Since")
        if since and parsedate_to_datetime(since) >= art.updated:
            return Response(status=304, content_type=None)
        ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
        page.headers.append(("Last-Modified", format_datetime(ahead, usegmt=True)))
        return page


@pytest.fixture
def outlet_with(tmp_path: Path) -> Iterator[Callable[[Addon], tuple[DemoServer, Path]]]:
    servers: list[DemoServer] = []

    def start(addon: Addon) -> tuple[DemoServer, Path]:
        demo = serve([SITE], state=DemoState([SITE]), addons=lambda key, state: [addon])
        servers.append(demo)
        sites = write_sites(tmp_path / "sites", {SITE: profiles(demo.urls)[SITE]})
        return demo, sites

    yield start
    for demo in servers:
        demo.stop()


def versions(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute(
            "SELECT a.url FROM article_versions v JOIN articles a ON a.id = v.article_id")]


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def recrawl_all(sites: Path, db: Path) -> CrawlRun:
    return crawl([SITE], sites, db, "--refresh", "all")


def test_an_etag_shared_by_every_page_is_not_sent_back_so_an_edit_is_caught(
        outlet_with: Callable[[Addon], tuple[DemoServer, Path]], tmp_path: Path) -> None:
    demo, sites = outlet_with(SharedEtag())
    db = tmp_path / "warta.db"
    first = crawl([SITE], sites, db)
    assert first.stat("archive/new") == ARTICLES
    demo.state.edit_article(SITE, EDITED)
    second = recrawl_all(sites, db)
    assert second.process.returncode == 0, second.process.stderr
    assert second.stat("conditional/etag_shared") == ARTICLES  # detected and counted
    assert second.stat("incremental/not_modified") == 0        # no 304 taken for "unchanged"
    assert second.stat("archive/updated") == 1                 # the edit is stored
    outlet = demo.outlets[SITE]
    assert versions(db) == [outlet.article_url(outlet.snapshot().get(EDITED))]
    assert count(db) == ARTICLES


def test_a_304_naming_another_etag_is_asked_again_in_full_so_an_edit_is_caught(
        outlet_with: Callable[[Addon], tuple[DemoServer, Path]], tmp_path: Path) -> None:
    demo, sites = outlet_with(OtherEtagNotModified())
    db = tmp_path / "warta.db"
    crawl([SITE], sites, db)
    demo.state.edit_article(SITE, EDITED)
    second = recrawl_all(sites, db)
    assert second.stat("conditional/mismatched_304") == ARTICLES
    assert second.stat("incremental/not_modified") == 0
    assert second.stat("archive/updated") == 1
    assert second.stat("archive/unchanged") == ARTICLES - 1


def test_a_304_to_a_request_without_validators_is_asked_again_in_full(
        outlet_with: Callable[[Addon], tuple[DemoServer, Path]], tmp_path: Path) -> None:
    addon = UnaskedNotModified(always="/never-a-page/")
    _, sites = outlet_with(addon)
    db = tmp_path / "warta.db"
    run = crawl([SITE], sites, db)
    assert run.process.returncode == 0, run.process.stderr
    assert run.stat("conditional/unexpected_304") == ARTICLES
    assert run.stat("archive/new") == count(db) == ARTICLES  # every article read in full


def test_an_article_that_answers_304_to_every_plain_request_is_an_error_and_loses_nothing(
        outlet_with: Callable[[Addon], tuple[DemoServer, Path]], tmp_path: Path) -> None:
    demo, sites = outlet_with(UnaskedNotModified(always="/never-a-page/"))
    db = tmp_path / "warta.db"
    crawl([SITE], sites, db)  # archived in full (each page's first answer was a 304)
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT url, content_hash, changed_at FROM articles "
                              "ORDER BY url").fetchall()
        # the outlet's validators are forgotten, so the next check asks without any
        conn.execute("DELETE FROM article_checks")
    broken = demo.outlets[SITE].addons[0]
    assert isinstance(broken, UnaskedNotModified)
    broken.always = "/"  # from now on a 304 to every request without validators
    run = recrawl_all(sites, db)
    assert run.stat("conditional/unexpected_304") == 2 * ARTICLES  # asked twice each
    assert run.stat("errors/http_304") == ARTICLES
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT url, content_hash, changed_at FROM articles "
                             "ORDER BY url").fetchall()
    assert after == before  # nothing archived changed or went


def test_a_last_modified_in_the_future_is_not_kept_so_an_edit_is_caught(
        outlet_with: Callable[[Addon], tuple[DemoServer, Path]], tmp_path: Path) -> None:
    demo, sites = outlet_with(FutureLastModified())
    db = tmp_path / "warta.db"
    first = crawl([SITE], sites, db)
    assert first.stat("conditional/future_last_modified") == ARTICLES
    with sqlite3.connect(db) as conn:
        kept = conn.execute("SELECT count(*) FROM article_checks "
                            "WHERE last_modified IS NOT NULL").fetchone()[0]
    assert kept == 0
    demo.state.edit_article(SITE, EDITED)
    second = recrawl_all(sites, db)
    assert second.stat("conditional/sent") == 0  # no validator to send back
    assert second.stat("archive/updated") == 1
    outlet = demo.outlets[SITE]
    assert versions(db) == [outlet.article_url(outlet.snapshot().get(EDITED))]


def test_an_edit_nothing_announces_is_stored_by_the_first_run_at_which_it_is_due(
        tmp_path: Path) -> None:
    """An outlet with neither sitemap nor feed (`mahakampos`: listings only) says nothing of
    an edit: the schedule alone catches it, at the article's 1 h check. The outlet and the
    crawls share a simulated clock (`DemoState.set_clock`, `WARTA_NOW`)."""
    site = "mahakampos"
    state = DemoState([site])
    wita = dt.timezone(dt.timedelta(hours=8))  # the demo outlets print WITA/WIB/WIT times
    published = (dt.datetime.now(wita) - dt.timedelta(days=2)).replace(second=0, microsecond=0)
    state.add_articles(site, 1, newest=published)
    with serve([site], state=state) as demo:
        outlet = demo.outlets[site]
        (article,) = [a for a in outlet.snapshot().articles if a.generated]
        state.edit_article(site, article.id, when=published + dt.timedelta(minutes=30))
        sites = write_sites(tmp_path / "sites", {site: profiles(demo.urls)[site]})
        db = tmp_path / "warta.db"
        path = outlet.article_path(article)

        def run_at(minutes: int) -> tuple[CrawlRun, bool]:
            now = published + dt.timedelta(minutes=minutes)
            state.set_clock(now)
            demo.log.clear()
            run = crawl([site], sites, db, "-s", f"WARTA_NOW={now.isoformat()}")
            assert run.process.returncode == 0, run.process.stderr
            return run, any(e["path"] == path for e in demo.log.entries(site))

        first, _ = run_at(10)           # read before the edit
        assert first.stat("archive/new") >= 1 and versions(db) == []
        _, asked = run_at(50)           # edited at 30 min, due at 60 min: not asked yet
        assert not asked and versions(db) == []
        third, asked = run_at(70)       # due: asked, the edit stored as a version
        assert asked and third.stat("incremental/due") == 1
        assert versions(db) == [outlet.article_url(article)]
