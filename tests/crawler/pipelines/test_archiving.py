"""`ArchivePipeline`, writing into a real archive file, and the whole chain: normalize ->
validate -> dedupe -> archive, and what each counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from archive import Archive
from crawler.items import ArticleItem
from crawler.pipelines.archiving import ArchivePipeline
from crawler.pipelines.dedupe import DedupePipeline
from crawler.pipelines.normalize import NormalizePipeline
from crawler.pipelines.validate import ValidatePipeline
from tests.crawler.pipelines.pipekit import HOME, article, make_crawler, stat


def run_archive(crawler: Crawler, items: list[ArticleItem], reason: str = "finished") -> None:
    """Open, feed and close an ArchivePipeline the way the engine does."""
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    for item in items:
        pipeline.process_item(item)
    pipeline.close_spider()
    assert crawler.spider is not None
    pipeline.spider_closed(crawler.spider, reason)  # the spider_closed signal's handler


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_archive_writes_items_records_sources_and_the_crawl(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    crawler = make_crawler(db)
    items = [article(1), article(2), article(3, source="lain",
                                              url="https://lain.example/x/satu-dua-tiga/")]
    run_archive(crawler, items)
    assert stat(crawler, "archive/new") == 3
    assert (stat(crawler, "site/contoh/new"), stat(crawler, "site/lain/new")) == (2, 1)
    with Archive(db) as archive:
        assert archive.count() == 3
        sources = {s["key"]: s for s in archive.sources()}
        assert sources["contoh"]["region"] == "Samarinda, Kalimantan Timur"
        assert sources["lain"]["timezone"] == "Asia/Jakarta"
        [crawl] = archive.crawls()
    assert crawl["finish_reason"] == "finished"
    assert crawl["sites"] == ["contoh", "lain"]
    assert (crawl["new"], crawl["updated"], crawl["unchanged"]) == (3, 0, 0)
    assert crawl["stats"]["archive/new"] == 3
    assert crawl["id"] == stat(crawler, "archive/crawl_id")


def test_archive_stores_the_precision_of_each_date(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    run_archive(make_crawler(db), [article(1, published_precision="time"),
                                   article(2, published_at="2024-01-02T00:00:00+08:00",
                                           published_precision="day")])
    assert rows(db, "SELECT published_at, published_precision FROM articles ORDER BY id") == [
        ("2024-01-01T08:00:00+08:00", "time"), ("2024-01-02T00:00:00+08:00", "day")]


def test_archive_writes_in_batches_of_the_configured_size(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    crawler = make_crawler(db, WARTA_BATCH_SIZE=2)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(article(1))
    pipeline.wait_written()
    assert rows(db, "SELECT count(*) FROM articles") == [(0,)]
    pipeline.process_item(article(2))
    pipeline.wait_written()
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]
    pipeline.process_item(article(3))
    pipeline.wait_written()
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]
    pipeline.close_spider()
    assert rows(db, "SELECT count(*) FROM articles") == [(3,)]


def test_the_crawl_goes_on_while_the_archive_is_busy(tmp_path: Path) -> None:
    """Batches are written by a thread of their own: while another program holds the archive's
    write lock, items keep flowing through the pipeline, and they are all written once the
    lock is released (a pipeline that wrote in place would wait here for the lock)."""
    db = tmp_path / "warta.db"
    crawler = make_crawler(db, WARTA_BATCH_SIZE=2)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    for number in range(1, 6):
        pipeline.process_item(article(number))
    assert stat(crawler, "archive/new") is None
    other.execute("COMMIT")
    other.close()
    pipeline.close_spider()
    assert rows(db, "SELECT count(*) FROM articles") == [(5,)]
    assert stat(crawler, "archive/new") == 5


def test_a_second_crawl_counts_unchanged_and_updated_articles(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    run_archive(make_crawler(db), [article(1), article(2)])
    again = make_crawler(db)
    run_archive(again, [article(1), article(2, body="Isi yang sudah dikoreksi redaksi.")])
    assert (stat(again, "archive/unchanged"), stat(again, "archive/updated")) == (1, 1)
    assert stat(again, "archive/new") is None
    assert rows(db, "SELECT count(*) FROM article_versions") == [(1,)]


def test_related_links_are_stored_once_per_target(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    crawler = make_crawler(db)
    shared = {"url": f"{HOME}a/b/jalan-rusak-parah/", "title": "Jalan Rusak", "block": "Terkait",
              "position": 0}
    run_archive(crawler, [article(1, related=[shared]), article(2, related=[shared])])
    assert stat(crawler, "archive/links_new") == 1
    assert stat(crawler, "archive/links_seen") == 2


def test_a_record_the_archive_refuses_does_not_lose_the_rest_of_its_batch(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "warta.db"
    crawler = make_crawler(db)
    bad = article(2, published_at="kemarin sore")  # skipped normalize on purpose
    run_archive(crawler, [article(1), bad, article(3)])
    assert stat(crawler, "archive/rejected") == 1
    assert stat(crawler, "archive/new") == 2
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]
    assert [r.getMessage().split(": ")[0] for r in caplog.records if r.levelname == "ERROR"] == [
        f"archive refused {bad.url}"]


def test_the_crawl_record_keeps_the_finish_reason(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    run_archive(make_crawler(db), [article(1)], reason="shutdown")
    with Archive(db) as archive:
        assert archive.crawls()[0]["finish_reason"] == "shutdown"


def test_archive_pipeline_can_be_switched_off(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path / "warta.db", WARTA_ARCHIVE_ENABLED=False)
    with pytest.raises(NotConfigured):
        ArchivePipeline.from_crawler(crawler)
    assert not (tmp_path / "warta.db").exists()


def test_archive_is_opened_only_when_the_spider_opens(tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    pipeline = ArchivePipeline.from_crawler(make_crawler(db))
    assert not db.exists()
    pipeline.open_spider()
    assert db.exists()


# --- the chain ----------------------------------------------------------------------------------

@pytest.fixture
def chain(tmp_path: Path) -> Iterator[tuple[Crawler, list[Any]]]:
    crawler = make_crawler(tmp_path / "warta.db")
    pipelines: list[Any] = [
        NormalizePipeline.from_crawler(crawler), ValidatePipeline.from_crawler(crawler),
                 DedupePipeline.from_crawler(crawler), ArchivePipeline.from_crawler(crawler)]
    pipelines[2].open_spider()
    pipelines[3].open_spider()
    yield crawler, pipelines
    pipelines[3].close_spider()


def test_amp_and_tracking_variants_of_one_article_are_archived_once(
        chain: tuple[Crawler, list[Any]]) -> None:
    crawler, pipelines = chain
    variants = [article(1, url=f"{HOME}samarinda/2024/01/01/banjir/"),
                article(1, url=f"{HOME}samarinda/2024/01/01/banjir/amp/"),
                article(1, url=f"{HOME}samarinda/2024/01/01/banjir/?utm_source=wa")]
    for item in variants:
        try:
            for pipeline in pipelines:
                item = pipeline.process_item(item)
        except DropItem:
            pass
    pipelines[3].flush()
    assert stat(crawler, "archive/new") == 1
    assert stat(crawler, "dedupe/dropped/duplicate_url") == 2
