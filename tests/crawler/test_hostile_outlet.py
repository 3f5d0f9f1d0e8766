"""A hostile outlet (tests/mockserver/hostile.py) crawled by a real `warta crawl` child: it
cannot send warta to another host, nor put terminal escapes or a megabyte title into the
archive, and a JSON-LD bomb costs only its own block. `warta rehydrate` tells the real reason
for a gzip bomb and a redirect loop. The small pure functions behind it are tested at the end."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE
from scrapy.utils.test import get_crawler

from crawler.extract.structured import MAX_JSONLD_DEPTH, read_structured
from crawler.items import ArticleItem
from crawler.pipelines.normalize import NormalizePipeline
from crawler.pipelines.textclean import (
    NAME_MAX_CHARS,
    SHORT_MAX_CHARS,
    TITLE_MAX_CHARS,
    cap,
    clean_body,
    clean_text,
)
from crawler.runtime.runner import crawl_settings
from crawler.spiders.news import NewsSpider
from tests.crawler.warta_run import FAST_SETTINGS, CrawlRun, crawl, run_warta, write_sites
from tests.mockserver import traps
from tests.mockserver.client import MockServer
from tests.mockserver.hostile import DECOY_SITE, HOSTILE_SITE

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters but tab and line feed."""


@pytest.fixture(scope="module")
def hostile(mockserver: MockServer) -> dict[str, Any]:
    return mockserver.hostile()


@pytest.fixture(scope="module")
def run(mockserver: MockServer, hostile: dict[str, Any],
        tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    folder = tmp_path_factory.mktemp("hostile")
    sites = write_sites(folder / "sites", {HOSTILE_SITE: hostile["profile"]})
    mockserver.clear_log()
    return crawl([HOSTILE_SITE], sites, folder / "warta.db")


def archived(db: Path, url: str) -> dict[str, Any] | None:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
    return dict(row) if row is not None else None


def test_the_crawl_finishes_without_a_traceback(run: CrawlRun) -> None:
    assert run.process.returncode == 0, run.process.stderr
    assert run.stat("finish_reason") == "finished"
    assert "Traceback" not in run.process.stderr


def test_the_other_host_is_never_requested(run: CrawlRun, mockserver: MockServer,
                                           hostile: dict[str, Any]) -> None:
    assert mockserver.requests(DECOY_SITE) == []
    # the sitemap index's child on the other host and the sitemap redirected there
    assert run.stat("offsite/refused/off_domain") == 2
    for url in hostile["decoy_urls"][:2]:
        lines = [line for line in run.process.stderr.splitlines() if url in line]
        assert len(lines) == 1 and "refused (off_domain)" in lines[0], lines
    # the crawl did read the index that pointed there
    assert "/sitemap-index.xml" in mockserver.requested_paths(HOSTILE_SITE)


def texts(value: Any) -> list[str]:
    """A column's text, and the strings inside it when it is JSON (lists like `authors` are
    stored as JSON, where a control character is escaped but comes back when read)."""
    if not isinstance(value, str):
        return []
    try:
        decoded = json.loads(value)
    except ValueError:
        return [value]
    return [value, json.dumps(decoded, ensure_ascii=False)]


def test_the_archive_holds_no_control_characters(run: CrawlRun, hostile: dict[str, Any]
                                                 ) -> None:
    escapes = archived(run.db, hostile["escapes"]["url"])
    assert escapes is not None
    assert escapes["title"] == hostile["escapes"]["title"]
    assert "tetap waspada" in escapes["body"] and "Dedi Kurniawan" in escapes["authors"]
    with sqlite3.connect(run.db) as conn:
        for table in ("articles", "links"):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                       if r[2].upper() in ("TEXT", "")]
            for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                for column, value in zip(columns, row, strict=True):
                    for text in texts(value):
                        assert not CONTROL.search(text), (table, column, text[:200])


def test_a_json_ld_bomb_costs_only_its_block(run: CrawlRun, hostile: dict[str, Any]) -> None:
    deep = archived(run.db, hostile["deep_jsonld"]["url"])
    assert deep is not None
    assert deep["title"] == hostile["deep_jsonld"]["title"]
    assert '"jsonld": "skipped_too_deep"' in deep["provenance"]
    assert run.stat("extract/jsonld_too_deep") == 1


def test_a_huge_title_is_capped_and_counted(run: CrawlRun, hostile: dict[str, Any]) -> None:
    huge = archived(run.db, hostile["huge_title"]["url"])
    assert huge is not None
    assert len(huge["title"]) <= TITLE_MAX_CHARS < hostile["huge_title"]["chars"]
    assert huge["title"].startswith("Judul panjang sekali") and huge["title"].endswith("…")
    assert run.stat("normalize/truncated/title") == 1


def test_rehydrate_tells_a_gzip_bomb_and_a_redirect_loop_by_their_reason(
        mockserver: MockServer, hostile: dict[str, Any], tmp_path: Path) -> None:
    sites = write_sites(tmp_path / "sites", {
        HOSTILE_SITE: hostile["profile"],
        traps.TRAP_SITE: mockserver.profiles[traps.TRAP_SITE]})
    bomb = hostile["gzip_bomb"]["url"]
    loop = mockserver.url(traps.TRAP_SITE, traps.LOOP_A)
    listed = tmp_path / "list.txt"
    listed.write_text(f"{bomb}\n{loop}\n")
    args = ["rehydrate", str(listed), "--db", str(tmp_path / "r.db"), "--sites-dir", str(sites)]
    for setting in FAST_SETTINGS:
        args += ["-s", setting]
    done = run_warta(*args)
    lines = done.stdout.splitlines()
    [bomb_line] = [line for line in lines if line.strip().startswith(bomb)]
    [loop_line] = [line for line in lines if line.strip().startswith(loop)]
    assert "(too_large: " in bomb_line and "DOWNLOAD_MAXSIZE" in bomb_line, done.stdout
    assert "(redirect_loop: " in loop_line, done.stdout


# --- the pure functions ---------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("Banjir \x1b]0;warta dibajak\x07Rendam", "Banjir Rendam"),      # window title (OSC 0)
    ("a \x1b]52;c;ZWNobyBoaQ==\x1b\\b", "a b"),                      # clipboard (OSC 52, ST)
    ("a\x1b[2J b \x1b[1;31mc\x1b[0m", "a b c"),                       # clear screen, colours
    ("a \x9b31mb", "a b"),                                            # C1 CSI
    ("a\x00b\x07c\x7fd\x85e", "abcd e"),                              # NUL, BEL, DEL, NEL
    ("tanpa\x1b]akhir", "tanpaakhir"),                                # unterminated: only ESC
])
def test_control_characters_and_escapes_leave_every_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_body(f"{raw}\n\nparagraf\tdua") == f"{clean}\n\nparagraf dua"


def test_downloader_order_guards_before_robots_txt() -> None:
    """The guard and the scope run before Scrapy asks a new host for its robots.txt (100), so
    a refused host gets no request at all, not even that one."""
    middlewares = crawl_settings().getdict("DOWNLOADER_MIDDLEWARES")
    guard = middlewares["crawler.middlewares.addressguard.AddressGuardMiddleware"]
    scope = middlewares["crawler.middlewares.outletscope.OutletScopeMiddleware"]
    assert guard < scope < DOWNLOADER_MIDDLEWARES_BASE[
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"]


def test_short_fields_are_capped_and_counted() -> None:
    crawler = get_crawler(NewsSpider, {})
    crawler.stats.open_spider()
    item = ArticleItem(url="https://contoh.example/a/2024/01/01/judul-berita/", source="x",
                       title="Judul", body="Isi berita.", authors=["Nama " * 100, "Dedi"],
                       tags=["tag" * 100], section="Rubrik " * 50, editor="E" * 300,
                       related=[{"url": "https://contoh.example/b/", "title": "Judul " * 300,
                                 "block": "baca-juga", "position": 0}])
    out = NormalizePipeline(crawler.stats, {}).process_item(item)
    assert max(len(a) for a in out.authors) <= NAME_MAX_CHARS and "Dedi" in out.authors
    assert len(out.tags[0]) <= SHORT_MAX_CHARS and len(out.section) <= SHORT_MAX_CHARS
    assert len(out.editor) <= NAME_MAX_CHARS
    assert len(out.related[0]["title"]) <= TITLE_MAX_CHARS
    for name in ("authors", "tags", "section", "editor", "related_title"):
        assert crawler.stats.get_value(f"normalize/truncated/{name}") == 1, name
    assert crawler.stats.get_value("normalize/truncated/title") is None


def test_cap_cuts_at_a_word_and_marks_the_cut() -> None:
    assert cap("pendek", 10) == ("pendek", False)
    value, cut = cap("kata " * 500, 100)
    assert cut and len(value) <= 100 and value.endswith("kata…")


def test_a_too_deep_json_ld_block_is_skipped_and_the_next_is_read() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    just_too_deep = "[" * (MAX_JSONLD_DEPTH + 1) + "]" * (MAX_JSONLD_DEPTH + 1)
    good = '{"@type": "NewsArticle", "headline": "Jalan Poros Rusak"}'
    page = ("<html><head>" + "".join(f'<script type="application/ld+json">{block}</script>'
                                     for block in (deep, just_too_deep, good))
            + "</head><body><p>isi</p></body></html>")
    found = read_structured(lxml_html.fromstring(page))
    assert found.too_deep == 2
    assert found.article["headline"] == "Jalan Poros Rusak"
