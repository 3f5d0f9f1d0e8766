"""`ValidatePipeline`: what is not an article is dropped, and how whole a body is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive import Archive, content_hash
from crawler.items import ArticleItem
from crawler.pipelines.normalize import NormalizePipeline
from crawler.pipelines.validate import SHORT_BODY_WORDS, ValidatePipeline
from tests.crawler.pipelines.pipekit import article, make_crawler, stat


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


@pytest.mark.parametrize(("body", "status"), [
    (LONG_BODY, "incomplete"), ("Dua kata.", "incomplete"), ("", "missing")])
def test_validate_marks_an_article_stitched_with_a_part_missing_incomplete(
        crawler: Crawler, body: str, status: str) -> None:
    parts = "incomplete: 1 of 2 parts; missing http://contoh.example/1?page=2 (http_404)"
    item = judged(crawler, body=body, provenance={"body": "generic", "parts": parts})
    assert item.body_status == status
    assert item.provenance["parts"] == parts  # the reason stays where the spider wrote it
    assert stat(crawler, "validate/body_incomplete") == (1 if status == "incomplete" else None)
    assert stat(crawler, "site/contoh/body_incomplete") == (
        1 if status == "incomplete" else None)


def test_validate_keeps_a_whole_multipage_article_ok(crawler: Crawler) -> None:
    item = judged(crawler, body=LONG_BODY, provenance={"parts": "whole: 3 parts"})
    assert item.body_status == "ok"
