"""Canonical URLs: the dedupe key of an article (crawler/urls.py)."""

from __future__ import annotations

import pytest
from w3lib.url import canonicalize_url as w3lib_canonicalize

from archive import urls as archive_urls
from crawler.urls import canonical_url, fold_variants, normalize_url, page_number, strip_tracking

ARTICLE = "https://www.kaltimnews.id/politik/2023/12/06/kpu-kaltim-mulai-sortir/"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE + "?utm_source=facebook&utm_medium=social",
        ARTICLE + "?fbclid=IwAR0abc",
        ARTICLE + "#komentar",
        "HTTPS://WWW.KaltimNews.ID:443/politik/2023/12/06/kpu-kaltim-mulai-sortir/",
        "https://www.kaltimnews.id/amp/politik/2023/12/06/kpu-kaltim-mulai-sortir/",
        ARTICLE + "?amp=1",
        ARTICLE + "2/",
        ARTICLE + "page/2/",
        ARTICLE + "amp/",
        ARTICLE + "?page=3",
        ARTICLE + "?page=all",
        "https://user:secret@www.kaltimnews.id/politik/2023/12/06/kpu-kaltim-mulai-sortir/",
    ],
)
def test_every_variant_of_an_article_has_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == ARTICLE


def test_mobile_host_folds_into_the_outlets_home_host() -> None:
    url = "https://m.kaltimnews.id/politik/2023/12/06/kpu-kaltim-mulai-sortir/"
    assert canonical_url(url, home_host="www.kaltimnews.id") == ARTICLE


def test_amp_endings_fold() -> None:
    assert fold_variants("https://x.id/berita/judul.amp") == "https://x.id/berita/judul"
    assert fold_variants("https://x.id/berita/judul/amp.html") == "https://x.id/berita/judul.html"


def test_other_query_parameters_are_kept_and_sorted() -> None:
    assert (
        canonical_url("https://x.id/read?id=42&cat=7&utm_campaign=x")
        == "https://x.id/read?cat=7&id=42"
    )


def test_same_outlet_rel_canonical_wins_over_the_fetched_url() -> None:
    fetched = "https://x.id/read/42?from=home"
    assert (
        canonical_url(fetched, "https://x.id/read/42/judul-lengkap")
        == "https://x.id/read/42/judul-lengkap"
    )


def test_relative_rel_canonical_is_resolved() -> None:
    assert canonical_url("https://x.id/a/b?x=1", "/read/42/judul") == "https://x.id/read/42/judul"


def test_other_outlets_canonical_is_ignored() -> None:
    fetched = "https://x.id/read/42/judul"
    assert canonical_url(fetched, "https://aggregator.example/copy/42") == fetched


def test_owns_decides_what_counts_as_the_same_outlet() -> None:
    fetched = "https://kaltim.x.id/read/42"
    declared = "https://www.x.id/read/42"
    assert canonical_url(fetched, declared, owns=lambda u: ".x.id" in u) == declared


def test_a_canonical_pointing_at_the_front_page_is_ignored() -> None:
    fetched = "https://x.id/read/42/judul"
    assert canonical_url(fetched, "https://x.id/") == fetched


def test_canonical_url_is_idempotent() -> None:
    for url in (ARTICLE + "?page=2&utm_source=x", "https://M.x.id/amp/a/b/3/", "http://x.id"):
        once = canonical_url(url)
        assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("https://x.id/berita/judul?page=2", 2),
        ("https://x.id/berita/judul?halaman=3", 3),
        ("https://x.id/berita/judul-berita/2/", 2),
        ("https://x.id/read/42", None),
        ("https://x.id/kanal/page/4/", 4),
        ("https://x.id/berita/judul?page=1", None),
        ("https://x.id/berita/judul?page=all", None),
        ("https://x.id/berita/12345/2", None),
        ("https://x.id/2023/05/23/", None),
        ("https://x.id/berita/judul/77/", None),
    ],
)
def test_page_numbers_of_article_parts(url: str, number: int | None) -> None:
    assert page_number(url) == number


def test_a_long_path_is_read_quickly() -> None:
    # a path shape that made a backtracking regex crawl: many segments, no trailing number
    url = "https://x.id/" + "/".join(f"seg{i}a" for i in range(2000)) + "/x"
    assert page_number(url) is None


def test_strip_tracking_leaves_a_clean_url_untouched() -> None:
    url = "https://x.id/cari?q=banjir%20samarinda"
    assert strip_tracking(url) == url


def test_normalize_url_drops_default_port_and_fragment() -> None:
    assert normalize_url("HTTP://X.ID:80/a#b") == "http://x.id/a"
    assert normalize_url("http://x.id:8080") == "http://x.id:8080/"


@pytest.mark.parametrize("url", [
    "https://kaltimpost.jawapos.com/daerah/01/06/2023/abc-def_ghi~x.html",  # kept as it is
    "http://127.0.0.1:8765/politik/2026/12/07/slug-1971/",
    "http://a.com//x//y", "http://-a.com/x", "http://" + "a" * 70 + ".com/x",
    "http://0177.0.0.1/a", "http://127.1/a", "http://0x7f.0.0.1/x", "http://1.2.3.04/x",
    "http://a.com/a/../b", "http://a.com/./b", "http://a.com/x/..", "http://a.com/.hidden",
    "http://xn--bcher-kva.de/x", "http://a.com/a%20b", "http://a.com/a%7e", "http://a.com/a;b",
    "http://a.com/caf\u00e9", "http://a.com/a b", "http://a_b.com/x", "http://a.com:080/x",
    "http://x.id/cari?q=b&a=1",
])
def test_normalize_url_gives_w3libs_canonical_form(url: str) -> None:
    """Most article URLs skip w3lib (`_is_plain`): the result must be the one w3lib gives,
    the dedupe key of every article archived before."""
    assert normalize_url(url) == w3lib_canonicalize(url)


def test_remembered_canonical_forms_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_urls, "CANONICAL_MEMO_SIZE", 50)
    monkeypatch.setattr(archive_urls, "_canonical_memo", {})
    for n in range(200):
        assert canonical_url(f"{ARTICLE}{n}-x/?utm_source=fb") == f"{ARTICLE}{n}-x/"
        assert len(archive_urls._canonical_memo) <= 50
    assert canonical_url(ARTICLE + "?fbclid=1") == ARTICLE  # still right after emptying


def test_a_remembered_canonical_form_is_per_home_host() -> None:
    mobile = "https://m.kaltimnews.id/politik/2023/12/06/kpu-kaltim-mulai-sortir/"
    assert canonical_url(mobile) == "https://kaltimnews.id/politik/2023/12/06/kpu-kaltim-mulai-sortir/"
    assert canonical_url(mobile, home_host="www.kaltimnews.id") == ARTICLE
