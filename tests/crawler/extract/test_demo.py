"""Extraction on every article of the demo outlets (crawler/demo), without a server: each page
is rendered by its outlet object, read with the outlet's profile (multi-page articles followed
through `next_pages` and stitched with `merge_parts`), and compared with the fields the demo
says a correct extraction gives (`crawler.demo.expected_articles`). Three templates: JSON-LD
and OpenGraph, a legacy page with headlines above the title and text-only dates, and
multi-page articles with AMP variants, tracking parameters and windows-1252 pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.demo import build_outlets, expected_articles, profiles
from crawler.demo.site import Request
from crawler.extract import extract_article, merge_parts
from crawler.extract.scoring import instant_match
from crawler.sites import SiteProfile, parse_profile

BASE = {
    "kaltimnews": "http://127.0.0.1:8101",
    "mahakampos": "http://127.0.0.1:8102",
    "benuaetam": "http://127.0.0.1:8103",
}
FETCHED = datetime(2024, 6, 1, tzinfo=UTC)
OUTLETS = build_outlets(BASE)
PROFILES: dict[str, SiteProfile] = {k: parse_profile(k, v) for k, v in profiles(BASE).items()}
EXPECTED = expected_articles(BASE)


def _fetch(url: str) -> tuple[str, bytes, str | None]:
    key = next(k for k, base in BASE.items() if url.startswith(base))
    parts = urlsplit(url)
    response = OUTLETS[key].respond(
        Request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
    )
    content_type = response.content_type or ""
    charset = content_type.split("charset=")[-1] if "charset=" in content_type else None
    return key, response.body, charset


def _extract(url: str) -> dict[str, Any]:
    key, body, charset = _fetch(url)
    profile = PROFILES[key]
    first = extract_article(body, url, profile=profile, fetched_at=FETCHED, encoding=charset)
    parts = []
    for part_url in first["next_pages"]:
        _, part_body, part_charset = _fetch(part_url)
        parts.append(
            extract_article(
                part_body, part_url, profile=profile, fetched_at=FETCHED, encoding=part_charset
            )
        )
    return merge_parts(first, parts) if parts else first


@pytest.fixture(scope="module", params=EXPECTED, ids=lambda e: f"{e['site']}-{e['id']}")
def case(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    expected = request.param
    return expected, _extract(expected["url"])


def test_url_title_and_body(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    expected, result = case
    assert result["url"] == expected["url"]
    assert result["title"] == expected["title"]
    assert result["body"] == expected["body"]


def test_dates(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    expected, result = case
    if expected["published_precision"] == "day":
        assert result["published_at"].startswith(expected["published_date"])
        assert result["published_at"].endswith("+08:00")
    else:
        assert instant_match(result["published_at"], expected["published_at"])
    if expected["modified_at"]:
        assert instant_match(result["modified_at"], expected["modified_at"])
    else:
        assert result["modified_at"] is None


def test_raw_date_is_the_text_a_reader_sees(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    expected, result = case
    if expected["published_raw"]:
        assert result["published_raw"] == expected["published_raw"]


def test_people_dateline_and_signoff(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    expected, result = case
    assert result["authors"] == expected["authors"]
    assert result["editor"] == expected["editor"]
    assert result["dateline"] == expected["dateline"]
    assert result["signoff"] == expected["signoff"]


def test_related_headlines_section_and_tags(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    expected, result = case
    assert [(r["url"], r["title"], r["block"]) for r in result["related"]] == [
        (r["url"], r["title"], r["block"]) for r in expected["related"]
    ]
    assert result["section"] == expected["section"]
    assert sorted(t.casefold() for t in result["tags"]) == sorted(
        t.casefold() for t in expected["tags"]
    )
