"""The item pipelines, built from a test crawler with warta's settings, writing into a real
archive file: normalize -> validate -> dedupe -> archive, and what each counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from archive import Archive, content_hash
from crawler import settings as settings_module
from crawler.extract.related import collapse_related
from crawler.items import ArticleItem
from crawler.pipelines.archiving import ArchivePipeline
from crawler.pipelines.dedupe import DedupePipeline
from crawler.pipelines.normalize import NormalizePipeline
from crawler.pipelines.textclean import clean_body, clean_text, count_words, with_offset
from crawler.pipelines.validate import SHORT_BODY_WORDS, ValidatePipeline
from crawler.runtime.runner import crawl_settings
from crawler.sites import SiteProfile, parse_profile
from crawler.spiders.news import NewsSpider

HOME = "https://kaltimcontoh.example/"
PROFILE = parse_profile("contoh", {
    "name": "Kaltim Contoh", "homepage": HOME, "timezone": "Asia/Makassar",
    "region": {"province": "Kalimantan Timur", "city": "Samarinda"},
})
OTHER = parse_profile("lain", {"name": "Lain", "homepage": "https://lain.example/",
                               "timezone": "Asia/Jakarta"})


def make_crawler(db: Path, profiles: list[SiteProfile] | None = None,
                 **settings: Any) -> Crawler:
    """A crawler with warta's settings and a `news` spider for the profiles (not started)."""
    project = crawl_settings({"WARTA_DB": str(db), **settings})
    values = {name: project[name] for name in dir(settings_module) if name.isupper()}
    values.update({"WARTA_DB": str(db), **settings})
    crawler = get_crawler(NewsSpider, values)
    crawler.spider = NewsSpider.from_crawler(crawler, profiles=profiles or [PROFILE, OTHER])
    return crawler


def article(n: int = 1, source: str = "contoh", **fields: Any) -> ArticleItem:
    data: dict[str, Any] = {
        "url": f"{HOME}samarinda/2024/01/{n:02d}/banjir-rendam-kelurahan-{n}/",
        "source": source,
        "title": f"Banjir Rendam Kelurahan {n}",
        "body": f"Air setinggi lutut merendam rumah warga {n}.\n\nWarga mengungsi ke masjid.",
        "published_at": f"2024-01-{n:02d}T08:00:00+08:00",
        "fetched_url": f"{HOME}samarinda/2024/01/{n:02d}/banjir-rendam-kelurahan-{n}/",
        "fetched_at": "2024-02-01T00:00:00+00:00",
        "http_status": 200,
    }
    data.update(fields)
    return ArticleItem(**data)


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    return make_crawler(tmp_path / "warta.db")


def stat(crawler: Crawler, key: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(key)


# --- pure functions -----------------------------------------------------------------------------

def test_clean_text_removes_invisible_characters_entities_and_extra_space() -> None:
    text = "  Wali\u00a0Kota &amp; Wakil\u200b Wali Kota\u00ad Samarinda\n\tmeninjau  "
    assert clean_text(text) == "Wali Kota & Wakil Wali Kota Samarinda meninjau"


def test_clean_text_composes_unicode() -> None:
    decomposed = "Andre\u0301s"  # e + combining acute
    assert clean_text(decomposed) == "Andrés"
    assert len(clean_text(decomposed)) == 6


def test_clean_body_keeps_paragraphs_separated_by_one_blank_line() -> None:
    body = "Paragraf satu\nberlanjut.\r\n\r\n\r\n  \n\u200bParagraf dua.\n\n\n"
    assert clean_body(body) == "Paragraf satu berlanjut.\n\nParagraf dua."


def test_word_count_ignores_lone_punctuation() -> None:
    assert count_words("SAMARINDA – Banjir  merendam 3 kelurahan, kata BPBD.") == 7


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-01-20T08:15:00", "2024-01-20T08:15:00+08:00"),
    ("2024-01-20T08:15:00+07:00", "2024-01-20T08:15:00+07:00"),
    ("Selasa (23/5)", None),
    (None, None),
])
def test_dates_without_offset_take_the_outlet_zone(value: str | None,
                                                   expected: str | None) -> None:
    assert with_offset(value, PROFILE.tz) == expected


def test_related_links_collapse_per_page_and_drop_self_links() -> None:
    page = "https://a.example/satu"
    links, collapsed, self_links = collapse_related([
        {"url": "https://a.example/dua", "title": "Dua", "block": "Baca Juga", "position": 0},
        {"url": page, "title": "Satu", "block": "Terkait", "position": 1},
        {"url": "https://a.example/dua", "title": "Dua lagi", "block": "Terkait", "position": 2},
        {"url": "https://a.example/tiga", "title": "Tiga", "block": "Terkait", "position": 3},
        {"title": "tanpa url"},
    ], page)
    assert links == [
        {"url": "https://a.example/dua", "title": "Dua", "block": "Baca Juga", "position": 0},
        {"url": "https://a.example/tiga", "title": "Tiga", "block": "Terkait", "position": 1},
    ]
    assert (collapsed, self_links) == (1, 1)


# --- normalize ----------------------------------------------------------------------------------

def test_normalize_cleans_fields_and_sets_canonical_url_word_count_and_hash(
        crawler: Crawler) -> None:
    pipeline = NormalizePipeline.from_crawler(crawler)
    item = article(
        url=f"{HOME}amp/samarinda/2024/01/01/banjir/?utm_source=fb&fbclid=x",
        title="  Banjir&nbsp;Rendam \u200bKelurahan ",
        body="SAMARINDA &ndash; Air naik.\n\n\n\nWarga\u00a0mengungsi.",
        published_at="2024-01-01T08:00:00",
        authors=[" Dedi ", "Dedi", ""],
        related=[{"url": f"{HOME}daerah/2024/01/02/jalan-rusak/?utm_medium=x",
                  "title": "Jalan\u00a0Rusak", "block": "Baca Juga", "position": 0}],
    )
    out = pipeline.process_item(item)
    assert out.url == f"{HOME}samarinda/2024/01/01/banjir/"
    assert out.title == "Banjir Rendam Kelurahan"
    assert out.body == "SAMARINDA – Air naik.\n\nWarga mengungsi."
    assert out.published_at == "2024-01-01T08:00:00+08:00"
    assert out.authors == ["Dedi"]
    assert out.language == "id"
    assert out.related == [{"url": f"{HOME}daerah/2024/01/02/jalan-rusak/",
                            "title": "Jalan Rusak", "block": "Baca Juga", "position": 0}]
    assert out.word_count == 5
    assert out.content_hash == content_hash(out.title, out.body)


def test_normalize_drops_a_date_that_does_not_parse_but_keeps_the_raw_text(
        crawler: Crawler) -> None:
    out = NormalizePipeline.from_crawler(crawler).process_item(
        article(published_at="Selasa (23/5)", published_raw="Selasa (23/5)"))
    assert (out.published_at, out.published_raw) == (None, "Selasa (23/5)")
    assert stat(crawler, "normalize/published_at_unparsed") == 1
    assert stat(crawler, "normalize/no_date") == 1


def test_normalize_keeps_the_precision_of_the_date(crawler: Crawler) -> None:
    out = NormalizePipeline.from_crawler(crawler).process_item(
        article(published_at="2024-01-01T00:00:00", published_precision="day"))
    assert (out.published_at, out.published_precision) == ("2024-01-01T00:00:00+08:00", "day")


@pytest.mark.parametrize(("fields", "counted"), [
    ({"published_at": "Selasa (23/5)", "published_precision": "day"}, None),  # date dropped
    ({"published_precision": "minute"}, "normalize/published_precision_unknown"),
])
def test_normalize_drops_a_precision_that_says_nothing(crawler: Crawler, fields: dict[str, Any],
                                                       counted: str | None) -> None:
    out = NormalizePipeline.from_crawler(crawler).process_item(article(**fields))
    assert out.published_precision is None
    if counted:
        assert stat(crawler, counted) == 1


# --- validate -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "reason"), [
    ({"title": None}, "no_title"),
    ({"title": None, "body": ""}, "no_title"),
    ({"body": "", "published_at": None}, "no_body"),  # no body, no date: not an article
])
def test_validate_drops_items_without_title_or_body_counting_the_reason(
        crawler: Crawler, fields: dict[str, Any], reason: str) -> None:
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem):
        pipeline.process_item(article(**fields))
    pipeline.process_item(article(2))
    assert stat(crawler, f"validate/dropped/{reason}") == 1
    assert stat(crawler, "site/contoh/dropped") == 1
    assert stat(crawler, "validate/ok") == 1


LONG_BODY = " ".join(f"kata{n}" for n in range(SHORT_BODY_WORDS))


def judged(crawler: Crawler, **fields: Any) -> ArticleItem:
    """An item through normalize and validate (word count, then the body's status)."""
    item = NormalizePipeline.from_crawler(crawler).process_item(article(**fields))
    out = ValidatePipeline.from_crawler(crawler).process_item(item)
    assert isinstance(out, ArticleItem)
    return out


def test_validate_keeps_a_dated_article_without_body_as_missing(crawler: Crawler) -> None:
    item = judged(crawler, body=None, authors=["Rina"])
    assert (item.body_status, item.body, item.title) == ("missing", "", "Banjir Rendam Kelurahan 1")
    assert item.provenance["body"].startswith("missing: no stage of the body chain")
    assert item.content_hash == content_hash(item.title or "", "")
    assert stat(crawler, "validate/body_missing") == 1
    assert stat(crawler, "site/contoh/body_missing") == 1
    assert stat(crawler, "validate/ok") == 1
    assert stat(crawler, "validate/dropped/no_body") is None
    assert stat(crawler, "site/contoh/dropped") is None


def test_validate_says_which_stage_gave_a_body_that_cleaned_to_nothing(
        crawler: Crawler) -> None:
    item = judged(crawler, body="\u200b \u00ad", provenance={"body": "profile"})
    assert item.body_status == "missing"
    assert item.provenance["body"] == "missing: the profile body was empty once cleaned"


@pytest.mark.parametrize(("words", "status"), [
    (SHORT_BODY_WORDS - 1, "short"), (SHORT_BODY_WORDS, "ok")])
def test_validate_marks_a_body_under_the_bound_short(crawler: Crawler, words: int,
                                                     status: str) -> None:
    item = judged(crawler, body=" ".join(["kata"] * words), provenance={"body": "generic"})
    assert item.body_status == status
    assert item.provenance["body"] == "generic"  # the stage stays; the status has its reason
    if status == "short":
        assert item.provenance["body_status"] == (
            f"short: {words} words (under {SHORT_BODY_WORDS})")
        assert stat(crawler, "validate/body_short") == 1
        assert stat(crawler, "site/contoh/body_short") == 1
    else:
        assert "body_status" not in item.provenance
        assert stat(crawler, "validate/body_short") is None
    assert stat(crawler, "validate/ok") == 1


def test_an_ok_article_keeps_its_content_hash(crawler: Crawler) -> None:
    item = judged(crawler, body=LONG_BODY)
    assert item.body_status == "ok"
    assert item.content_hash == content_hash(item.title or "", LONG_BODY)


def test_a_missing_body_is_archived_and_a_later_body_replaces_it_keeping_a_version(
        tmp_path: Path) -> None:
    db = tmp_path / "warta.db"
    crawler = make_crawler(db, WARTA_BATCH_SIZE=1)
    first = judged(crawler, body=None)
    with Archive(db) as archive:
        archive.write([{k: v for k, v in vars(first).items() if v is not None}])
    second = judged(crawler, body=LONG_BODY)
    with Archive(db) as archive:
        result = archive.write([{k: v for k, v in vars(second).items() if v is not None}])
        assert (result.updated, result.unchanged) == (1, 0)
        stored = archive.get(first.url)
        assert stored is not None
        assert (stored["body_status"], stored["body"]) == ("ok", LONG_BODY)
        assert [v["body"] for v in stored["versions"]] == [""]


# --- dedupe -------------------------------------------------------------------------------------

def test_dedupe_keeps_the_first_item_of_a_canonical_url(crawler: Crawler) -> None:
    pipeline = DedupePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(article(1))
    with pytest.raises(DropItem):
        pipeline.process_item(article(1, title="Judul lain"))
    pipeline.process_item(article(2))
    assert stat(crawler, "dedupe/dropped/duplicate_url") == 1


def test_dedupe_collapses_related_links_and_counts_them(crawler: Crawler) -> None:
    item = article(1)
    twice = {"url": f"{HOME}a/b/c-d-e/", "title": "X", "block": "Terkait", "position": 0}
    item.related = [twice, {**twice, "position": 1},
                    {"url": item.url, "title": "self", "block": None, "position": 2}]
    out = DedupePipeline.from_crawler(crawler).process_item(item)
    assert [link["url"] for link in out.related] == [twice["url"]]
    assert stat(crawler, "dedupe/related_collapsed") == 1
    assert stat(crawler, "dedupe/related_self") == 1


# --- archive ------------------------------------------------------------------------------------

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
