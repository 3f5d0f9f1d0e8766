"""The last stages of the date chain (crawler/extract/date_fallback.py): htmldate on generic
pages where warta's own stages find nothing, and UTC instants on pages that are not
Indonesian. Each rule has a case where it fires and one where it must not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.extract import date_fallback, extract_article
from crawler.extract.date_fallback import is_indonesian, utc_as_written
from crawler.sites import parse_profile

FETCHED = datetime(2023, 6, 1, tzinfo=UTC)
URL = "https://blog.example.org/flood"
ENGLISH = (
    "The council said the river rose two metres overnight and hundreds of residents left "
    "their homes for the mosque, where volunteers had set up a kitchen. "
) * 6
INDONESIAN = (
    "Banjir merendam lima kecamatan di Samarinda sejak Senin malam setelah hujan deras "
    "mengguyur kota selama enam jam dan ratusan warga yang terpaksa mengungsi ke masjid. "
) * 6


def _page(body: str, *, lang: str = "en", head: str = "", meta: str = "") -> str:
    return (
        f'<html lang="{lang}"><head><title>Banjir</title>{head}</head><body><h1>Banjir</h1>'
        f"{meta}<article><p>{body}</p></article></body></html>"
    )


def _jsonld(published: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"datePublished": "{published}"}}</script>'
    )


def test_htmldate_gives_the_day_when_no_stage_of_warta_fires() -> None:
    html = _page(ENGLISH, meta="<footer>Last edited 2021-03-05</footer>")
    result = extract_article(html, URL, fetched_at=FETCHED)
    assert result["provenance"]["published_at"] == "htmldate"
    assert result["published_at"] == "2021-03-05T00:00:00+07:00"
    assert result["published_precision"] == "day"
    assert result["published_raw"] == "2021-03-05"


def test_an_indonesian_date_line_keeps_priority_and_htmldate_is_not_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(html: str, url: str) -> None:
        raise AssertionError("asked")

    monkeypatch.setattr(date_fallback, "htmldate_day", fail)
    html = _page(INDONESIAN, lang="id",
                 meta='<div class="date">Selasa, 23 Mei 2023 | 10:15 WITA</div>')
    result = extract_article(html, URL, fetched_at=FETCHED)
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_precision"] == "time"
    assert result["provenance"]["published_at"] == "text"


def test_a_page_without_any_date_stays_without_one() -> None:
    result = extract_article(_page(ENGLISH), URL, fetched_at=FETCHED)
    assert result["published_at"] is None
    assert "published_at" not in result["provenance"]


def test_a_utc_instant_on_a_page_that_is_not_indonesian_stays_in_utc() -> None:
    html = _page(ENGLISH, head=_jsonld("2023-04-28T17:52:31.847Z"))
    result = extract_article(html, URL, fetched_at=FETCHED)
    assert result["published_at"] == "2023-04-28T17:52:31+00:00"
    assert result["provenance"]["published_at"] == "jsonld"


def test_a_utc_instant_on_an_indonesian_page_is_written_in_wib() -> None:
    html = _page(INDONESIAN, lang="id", head=_jsonld("2023-04-28T17:52:31.847Z"))
    result = extract_article(html, URL, fetched_at=FETCHED)
    assert result["published_at"] == "2023-04-29T00:52:31+07:00"


def test_a_profile_zone_is_never_a_guess() -> None:
    profile = parse_profile(
        "blog", {"name": "Blog", "homepage": "https://blog.example.org/",
                 "timezone": "Asia/Makassar"}
    )
    html = _page(ENGLISH, head=_jsonld("2023-04-28T17:52:31Z"))
    result = extract_article(html, URL, profile=profile, fetched_at=FETCHED)
    assert result["published_at"] == "2023-04-29T01:52:31+08:00"


def test_only_a_raw_value_in_utc_is_written_in_utc_again() -> None:
    wib = "2023-04-29T00:52:31+07:00"
    assert utc_as_written(wib, "2023-04-28T17:52:31Z") == "2023-04-28T17:52:31+00:00"
    assert utc_as_written(wib, "2023-04-29T00:52:31+07:00") is None  # written in WIB itself
    assert utc_as_written(wib, "Sabtu, 29 April 2023 00:52 WIB") is None  # shown, not markup
    assert utc_as_written(wib, "2023-04-28T18:52:31Z") is None  # another instant


def test_indonesian_is_told_by_the_words_then_by_the_declared_language() -> None:
    assert is_indonesian(INDONESIAN, "en")  # the text wins over a template's default
    assert not is_indonesian(ENGLISH, "id")
    assert is_indonesian(None, "id-ID")
    assert is_indonesian("", "in")
    assert not is_indonesian(None, "de")
    assert not is_indonesian(None, None)
