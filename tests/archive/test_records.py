"""Records as `Archive.write` takes them: checks with clear messages, computed fields."""

from __future__ import annotations

import json
from typing import Any

import pytest

from archive import WartaError, article_uid, content_hash
from archive.records import ARTICLE_COLUMNS, prepare


def columns(record: dict[str, Any]) -> dict[str, Any]:
    return dict(zip(ARTICLE_COLUMNS, prepare(record).row, strict=True))


def test_uid_is_a_short_stable_hash_of_the_url() -> None:
    # Pinned: exports and citations carry it, so it must never change.
    assert article_uid("https://kaltimpost.example/berita/1") == "fb170ba1e121a329"
    assert len(article_uid("https://a.example/")) == 16


def test_content_hash_covers_title_and_body() -> None:
    assert content_hash("A", "B") != content_hash("A", "C")
    assert content_hash("A", "B") != content_hash("AB", "")


def test_content_hash_is_pinned() -> None:
    # Pinned: every archived article carries it, and a crawl compares it with the page's new
    # one; a change would store a spurious version of every unchanged article on the next
    # crawl of every archive. sha256 of the UTF-8 of title, a blank line, body.
    assert content_hash("A", "B") == \
        "13c8c841fb53ad9953fbadbc2bcf1608d590d32828d3e5bc117b0f39f6c33679"
    assert content_hash("", "") == \
        "75a11da44c802486bc6f65640aa48a730f0f684c5c07a42ba3cd1735eb3fb070"
    assert content_hash("Kafe “Ngabuburit” di Tepian", "Baris pertama.\n\nBaris kedua.") == \
        "ac66e8855cf349cd604a74fcfd34152dc21b69a5552f289c670b5db8fc66dea0"


def test_computed_columns(record) -> None:
    got = columns(record(1, published_at="2023-01-01T00:30:00+08:00", word_count=None))
    assert got["published_utc"] == "2022-12-31T16:30:00+00:00"
    assert got["published_date"] == "2023-01-01"  # the day as the outlet printed it
    assert got["word_count"] == 10
    assert got["content_hash"] == \
        "3502805e6af20280d5b996121968addcdb6628473ae19ccac9d14209d5ef8469"  # pinned, as above
    assert got["uid"] == article_uid(got["url"])


def test_z_suffix_is_normalized_and_offset_kept(record) -> None:
    assert columns(record(1, published_at="2023-05-23T02:15:00Z"))["published_at"] == \
        "2023-05-23T02:15:00+00:00"
    assert columns(record(1, published_at="2023-05-23T10:15:00+09:00"))["published_at"] == \
        "2023-05-23T10:15:00+09:00"


def test_given_hash_and_word_count_are_kept(record) -> None:
    got = columns(record(1, content_hash="abc", word_count=7))
    assert (got["content_hash"], got["word_count"]) == ("abc", 7)


def test_provenance_gives_the_stage_columns(record) -> None:
    got = columns(record(1, provenance={"body": "trafilatura", "published_at": "visible-text"}))
    assert (got["body_stage"], got["date_stage"]) == ("trafilatura", "visible-text")
    assert json.loads(got["provenance"]) == {"body": "trafilatura", "published_at": "visible-text"}


def test_unknown_keys_are_kept_in_extra_and_computed_keys_ignored(record) -> None:
    got = columns(record(1, paywall=True, id=99, first_seen_at="x", snippet="y"))
    assert json.loads(got["extra"]) == {"paywall": True}


def test_related_links_collapse_duplicates_and_number_positions(record) -> None:
    prepared = prepare(record(1, related=[
        {"url": "https://k.example/a", "title": "A", "block": "top"},
        {"url": "https://k.example/b", "title": "B", "block": "top"},
        {"url": "https://k.example/a", "title": "A again", "block": "baca-juga"},
    ]))
    assert prepared.related is not None
    assert [(r.url, r.title, r.position) for r in prepared.related] == [
        ("https://k.example/a", "A", 0), ("https://k.example/b", "B", 1)]
    assert prepare(record(2)).related is None  # no key: the record says nothing about links


@pytest.mark.parametrize(("fields", "message"), [
    ({"url": ""}, "an article record: field 'url' is required and must be non-empty text"),
    ({"title": None}, "field 'title' is required"),
    ({"body": 12}, "field 'body' is required"),
    ({"published_at": "23 Mei 2023"},
     "field 'published_at' '23 Mei 2023' does not parse (it is not an ISO 8601 date-time); "
     "give ISO 8601 with an offset"),
    ({"published_at": "2023-05-23T10:15:00"}, "'published_at' '2023-05-23T10:15:00' does not "
     "parse (it has no UTC offset; add one, e.g. +08:00 for WITA)"),
    ({"published_at": "2023-05-23"}, "it has a date but no time"),
    ({"modified_at": "kemarin"}, "field 'modified_at' 'kemarin' does not parse"),
    ({"authors": "Budi"}, "field 'authors' must be a list of text, not str"),
    ({"tags": ["a", 3]}, "field 'tags' must hold only text, found int"),
    ({"http_status": "200"}, "field 'http_status' must be a whole number, not str"),
    ({"section": ["a"]}, "field 'section' must be text, not list"),
    ({"related": [{"title": "no url"}]}, "field 'related' item 0 has no url"),
    ({"related": "https://x"}, "field 'related' must be a list"),
    ({"provenance": ["body"]}, "field 'provenance' must be a mapping"),
])
def test_bad_fields_name_the_article_and_the_field(record, fields, message) -> None:
    with pytest.raises(WartaError) as caught:
        prepare(record(1, **fields))
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    if fields.get("url") != "":
        assert text.startswith("article 'https://kaltimpost.example/berita/1': ")


def test_a_record_must_be_a_mapping() -> None:
    with pytest.raises(WartaError, match="must be a mapping"):
        prepare(["url", "title"])  # type: ignore[arg-type]
