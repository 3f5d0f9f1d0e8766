"""`NormalizePipeline`: every text field cleaned and capped, dates with an offset, canonical
URLs, word count and content hash."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.crawler import Crawler

from archive import content_hash
from crawler.pipelines.normalize import NormalizePipeline
from tests.crawler.pipelines.pipekit import HOME, article, stat


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


def test_normalize_reads_the_editors_codes_from_the_signoff_as_cleaned(
        crawler: Crawler) -> None:
    out = NormalizePipeline.from_crawler(crawler).process_item(
        article(signoff="\u00a0*/han ", signoff_raw="(*/han)"))
    assert (out.signoff, out.signoff_raw, out.signoff_codes) == ("*/han", "(*/han)", ["han"])
    bare = NormalizePipeline.from_crawler(crawler).process_item(article())
    assert (bare.signoff, bare.signoff_codes) == (None, [])


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
