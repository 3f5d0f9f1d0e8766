"""The incremental crawl's decisions, unit by unit: the rules (`decide`), what the archive's
times say (`load_seen`), the child-sitemap rule against a real archive, and the spider
middleware filtering a real `news` spider's requests, built from a test crawler."""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from archive import Archive
from crawler import settings as settings_module
from crawler.middlewares.incremental import (
    DAY,
    INCOMPLETE_DAYS,
    LASTMOD_SLACK,
    TIME_RESOLUTION,
    ArchiveIndex,
    IncrementalMiddleware,
    Seen,
    Window,
    decide,
    load_seen,
)
from crawler.runtime.runner import crawl_settings
from crawler.sites import parse_profile
from crawler.spiders.news import NewsSpider

NOW = dt.datetime(2024, 5, 10, 12, 0, tzinfo=dt.UTC).timestamp()
WINDOW = Window(now=NOW, refresh_seconds=2 * DAY)
OLD = NOW - 30 * DAY
SLACK = LASTMOD_SLACK.total_seconds()


def seen(published: float | None = OLD, read_at: float = OLD + DAY,
         modified: float | None = None) -> Seen:
    return Seen(published=published, first_seen=OLD + DAY, last_seen=read_at + 10,
                read_at=read_at, modified=modified)


def scheduled(published: float, read_at: float, next_check: float | None) -> Seen:
    return Seen(published=published, first_seen=published, last_seen=read_at, read_at=read_at,
                modified=None, next_check=next_check, scheduled=True)


@pytest.mark.parametrize(("known", "rule"), [
    (scheduled(NOW - 2 * 3600, NOW - 1.5 * 3600, NOW - 3600), "due"),  # its 1 h check came
    (scheduled(NOW - 2 * 3600, NOW - 1.5 * 3600, NOW + 4 * 3600), "archived"),  # 6 h: later
    (scheduled(NOW - 5 * DAY, NOW - DAY, None), "archived"),           # no check left
    # archived before the schedule: due when an age passed since the last read...
    (Seen(NOW - 7 * 3600, NOW - 7 * 3600, NOW - 6.5 * 3600, NOW - 6.5 * 3600, None), "due"),
    (Seen(NOW - 5 * 3600, NOW - 5 * 3600, NOW - 3 * 3600, NOW - 3 * 3600, None), "archived"),
    # ...and only while it is younger than the last age: an old archive is not read whole
    (Seen(NOW - 30 * DAY, NOW - 30 * DAY, NOW - 30 * DAY, NOW - 30 * DAY, None), "archived"),
])
def test_the_schedule_fetches_what_is_due(known: Seen, rule: str) -> None:
    assert decide(known, (), Window(NOW, 0.0)) == rule


def test_a_profile_schedule_replaces_the_crawls() -> None:
    known = Seen(NOW - 3 * 3600, NOW - 3 * 3600, NOW - 1.5 * 3600, NOW - 1.5 * 3600, None)
    assert decide(known, (), Window(NOW, 0.0)) == "archived"          # 1 h, then 6 h
    assert decide(known, (), Window(NOW, 0.0), (1.0, 2.0, 24.0)) == "due"  # its 2 h check


@pytest.mark.parametrize(("known", "hints", "window", "rule"), [
    (None, (), WINDOW, "new"),
    (seen(), (), WINDOW, "archived"),
    (seen(), (None, None), WINDOW, "archived"),
    (seen(), (OLD + 2 * DAY, None), WINDOW, "changed"),            # lastmod after the read
    (seen(), (OLD + DAY, None), WINDOW, "archived"),               # lastmod = the read
    (seen(modified=OLD + 3 * DAY), (OLD + 2 * DAY,), WINDOW, "archived"),  # page says later
    (seen(published=NOW - DAY), (), WINDOW, "refresh"),
    (seen(published=NOW - 3 * DAY), (), Window(NOW, 2 * DAY, mode="none"), "archived"),
    (seen(published=NOW - DAY), (), Window(NOW, 0.0, mode="none"), "archived"),  # no window
    (seen(), (), Window(NOW, 0.0, mode="all"), "refresh"),          # --refresh all
    (seen(), (OLD + 2 * DAY, None), Window(NOW, 0.0, mode="none"), "changed"),  # still seen
    (Seen(None, NOW - DAY, NOW - DAY, NOW - DAY, None), (), WINDOW, "refresh"),  # undated:
    (Seen(None, OLD, OLD, OLD, None), (), WINDOW, "archived"),      # by its first sight
    (seen(read_at=NOW - 60), (), Window(NOW, 2 * DAY, job_started=NOW - 3600), "done"),
    (seen(read_at=NOW - 7200), (), Window(NOW, 0.0, job_started=NOW - 3600, mode="none"),
     "archived"),
    # written in the second the job began (the archive keeps whole seconds): the job's own
    (Seen(None, OLD, NOW - 60, NOW - 60, None), (), Window(NOW, 0.0, job_started=NOW - 59.3),
     "done"),
])
def test_each_rule(known: Seen | None, hints: tuple[float | None, ...], window: Window,
                   rule: str) -> None:
    assert decide(known, hints, window) == rule


def incomplete(first_seen: float) -> Seen:
    """An old article archived `first_seen` with a short or missing body."""
    return Seen(published=OLD, first_seen=first_seen, last_seen=NOW - 3600,
                read_at=NOW - 3600, modified=None, complete=False)


@pytest.mark.parametrize(("known", "window", "rule"), [
    (incomplete(NOW - DAY), WINDOW, "incomplete"),
    (incomplete(NOW - DAY), Window(NOW, 0.0), "incomplete"),           # whatever the window
    (incomplete(NOW - (INCOMPLETE_DAYS - 0.1) * DAY), WINDOW, "incomplete"),
    (incomplete(NOW - (INCOMPLETE_DAYS + 0.1) * DAY), WINDOW, "archived"),  # given up
    (incomplete(NOW - DAY)._replace(complete=True), WINDOW, "archived"),
    (incomplete(NOW - DAY), Window(NOW, 0.0, job_started=NOW - 7200), "done"),  # this job's
])
def test_an_incomplete_body_is_fetched_again_for_a_bounded_time(
        known: Seen, window: Window, rule: str) -> None:
    assert decide(known, (), window) == rule


def test_the_archive_tells_which_bodies_are_incomplete(tmp_path: Path) -> None:
    def record(n: int, body: str, status: str) -> dict[str, Any]:
        return {"url": f"https://contoh.example/{n}", "source": "contoh", "title": f"T{n}",
                "body": body, "body_status": status}

    with Archive(tmp_path / "a.db") as archive:
        archive.write([record(1, "Isi berita lengkap.", "ok"), record(2, "", "missing"),
                       record(3, "Pendek.", "short")])
        whole = {url: s.complete for url, s in load_seen(archive.seen_articles("contoh")).items()}
        one = load_seen(archive.seen_articles("contoh", urls=["https://contoh.example/2"]))
    assert whole == {"https://contoh.example/1": True, "https://contoh.example/2": False,
                     "https://contoh.example/3": False}
    assert [s.complete for s in one.values()] == [False]


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def test_the_read_time_is_the_fetch_time_when_the_last_read_stored_the_page() -> None:
    fetched, written = OLD, OLD + 8
    row = ("u", iso(OLD), iso(OLD), iso(written), iso(written), iso(fetched), None)
    assert load_seen([row])["u"].read_at == fetched - TIME_RESOLUTION


def http_date(ts: float) -> str:
    return email.utils.format_datetime(dt.datetime.fromtimestamp(ts, dt.UTC), usegmt=True)


def read_in_second(last_modified: str | None) -> Seen:
    """An article read (and stored) in the second OLD, as the archive loads it."""
    row = ("u", iso(OLD - DAY), iso(OLD), iso(OLD), iso(OLD), iso(OLD), None,
           True, None, last_modified)
    return load_seen([row])["u"]


def test_an_edit_in_the_second_of_the_read_is_fetched_as_changed() -> None:
    # read at 12:00:05.3 (stored 12:00:05), edited at 12:00:05.7: the sitemap says 12:00:05
    seen = read_in_second(http_date(OLD - DAY))
    assert decide(seen, [OLD], WINDOW) == "changed"
    assert decide(seen, [OLD - 1], WINDOW) == "archived"


def test_a_page_read_with_its_edit_is_not_fetched_again_for_it() -> None:
    # edited at 12:00:05.1 and read at 12:00:05.8: the page said Last-Modified 12:00:05
    assert decide(read_in_second(http_date(OLD)), [OLD], WINDOW) == "archived"
    # a Last-Modified later than the read proves nothing
    assert decide(read_in_second(http_date(OLD + DAY)), [OLD], WINDOW) == "changed"


def test_after_an_unchanged_read_only_the_write_time_is_known_so_a_margin_applies() -> None:
    stored, reread = OLD, OLD + DAY
    row = ("u", iso(OLD), iso(OLD), iso(reread), iso(stored), iso(stored), None)
    assert load_seen([row])["u"].read_at == reread - SLACK


# --- the child-sitemap rule ---------------------------------------------------------------

def record_crawl(archive: Archive, *, errors: int = 0, since: str | None = None) -> str:
    crawl_id = archive.begin_crawl(["contoh"], {"since": since})
    archive.finish_crawl(crawl_id, finish_reason="finished", counts={}, stats={},
                         sites=[{"source": "contoh", "found": 5, "errors": errors}])
    (row,) = archive.connection.execute("SELECT started_at FROM crawls WHERE id = ?",
                                        (crawl_id,)).fetchall()
    return str(row[0])


def sitemap(lastmod: dt.datetime) -> Request:
    return Request("https://contoh.example/post-sitemap3.xml",
                   meta={"warta_site": "contoh", "warta_kind": "sitemap",
                         "warta_lastmod": lastmod.isoformat()})


def index_for(db: Path) -> ArchiveIndex:
    crawler = get_crawler(settings_dict={"WARTA_DB": str(db)})
    assert crawler.stats is not None
    return ArchiveIndex(str(db), crawler.stats, refresh_days=2)


@pytest.mark.parametrize(("errors", "since", "days_ago", "skipped"), [
    (0, None, 30, True),     # older than the last complete crawl and the refresh window
    (0, None, 1, False),     # may list articles to refresh
    (2, None, 30, False),    # that crawl had errors at the outlet: not complete
    (0, "2024-01-01", 30, False),  # bounded by --since: not complete
])
def test_an_old_child_sitemap_is_skipped_only_after_a_complete_crawl(
        tmp_path: Path, errors: int, since: str | None, days_ago: int, skipped: bool) -> None:
    db = tmp_path / "warta.db"
    with Archive(db) as archive:
        record_crawl(archive, errors=errors, since=since)
    index = index_for(db)
    lastmod = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    decision = index.sitemap(sitemap(lastmod))
    assert (decision is not None and decision.reason == "sitemap_unchanged") is skipped
    index.close()


def test_no_recorded_crawl_reads_every_sitemap(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    Archive(db).close()
    index = index_for(db)
    assert index.sitemap(sitemap(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))) is None
    index.close()


# --- the spider middleware ----------------------------------------------------------------

HOME = "https://contoh.example/"
PROFILE = parse_profile("contoh", {"name": "Contoh", "homepage": HOME,
                                   "timezone": "Asia/Makassar"})
ARCHIVED = f"{HOME}berita/2024/01/02/lama"
RELATED = f"{HOME}berita/2024/01/01/terkait"


def archive_with_one_article(db: Path, **fields: Any) -> None:
    with Archive(db) as archive:
        archive.write([{"url": ARCHIVED, "source": "contoh", "title": "Lama", "body": "Isi.",
                        "published_at": "2024-01-02T08:00:00+08:00",
                        "fetched_at": "2024-01-03T00:00:00+00:00",
                        "related": [{"url": RELATED, "title": "Terkait"}], **fields}])


def middleware_and_spider(db: Path, **settings: Any) -> tuple[IncrementalMiddleware,
                                                                NewsSpider]:
    project = crawl_settings()
    values = {name: project[name] for name in dir(settings_module) if name.isupper()}
    values.update(WARTA_DB=str(db), **settings)
    crawler = get_crawler(NewsSpider, values)
    spider = NewsSpider.from_crawler(crawler, profiles=[PROFILE])
    crawler.spider = spider
    return IncrementalMiddleware.from_crawler(crawler), spider


def article_requests(spider: NewsSpider, *urls: str) -> list[Request]:
    return [r for url in urls for r in spider._article_requests(PROFILE, url, via="sitemap")]


def test_archived_articles_never_leave_the_spider_and_are_counted(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    archive_with_one_article(db)
    middleware, spider = middleware_and_spider(db)
    new = f"{HOME}berita/2024/05/09/baru"
    kept = list(middleware.process_spider_output(None, article_requests(spider, ARCHIVED, new)))
    assert [r.url for r in kept] == [new]
    stats = spider.crawler.stats
    assert stats is not None
    assert (stats.get_value("skipped/archived"), stats.get_value("site/contoh/skipped"),
            stats.get_value("incremental/new")) == (1, 1, 1)
    assert spider._in_flight["contoh"] == 1  # the skipped one gave its place back
    middleware.index.close()


def test_an_article_done_earlier_in_the_job_is_replaced_by_its_related_links(
        tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    job_started = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    archive_with_one_article(db)  # written just now: after the job began
    middleware, spider = middleware_and_spider(db, WARTA_JOB_STARTED=job_started)
    kept = list(middleware.process_spider_output(None, article_requests(spider, ARCHIVED)))
    assert [(r.url, r.meta["warta_via"]) for r in kept] == [(RELATED, "related")]
    assert spider._articles["contoh"] == 1  # it still counts toward max_articles
    middleware.index.close()


def test_with_incremental_crawls_off_there_is_no_middleware(tmp_path: Path) -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        middleware_and_spider(tmp_path / "warta.db", WARTA_INCREMENTAL=False)
