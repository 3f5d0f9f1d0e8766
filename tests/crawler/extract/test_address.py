"""The canonical URL and the next parts of a multi-page article (crawler/extract/address.py)."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from tests.crawler.extract.pagekit import URL, extract, page


def test_same_outlet_rel_canonical_is_the_url() -> None:
    head = f'<link rel="canonical" href="{URL}">'
    result = extract(page(head=head), url=URL + "?utm_source=wa&fbclid=x")
    assert result["url"] == URL
    assert result["fetched_url"] == URL + "?utm_source=wa&fbclid=x"
    assert result["provenance"]["url"] == "canonical"


def test_next_parts_of_a_multi_page_article_in_order() -> None:
    pager = (
        f'<div class="pages"><a href="{URL}?page=3">3</a> <a href="{URL}?page=2">2</a>'
        f' <a href="{URL}?page=2">Selanjutnya</a></div>'
    )
    result = extract(page(after=pager))
    assert result["next_pages"] == [URL + "?page=2", URL + "?page=3"]


def test_next_parts_numbered_in_the_path() -> None:
    pager = f'<div class="halaman"><a href="{URL}/2">2</a> <a href="{URL}/3">3</a></div>'
    assert extract(page(after=pager))["next_pages"] == [URL + "/2", URL + "/3"]


# --- single-page views (issue 13) ---------------------------------------------------------------

def _article_with(nav: str) -> str:
    body = "".join(f"<p>Paragraf {i} berita panjang tentang banjir di kota ini hari ini.</p>"
                   for i in range(6))
    return (f"<html><head><title>Banjir Besar</title></head><body><article><h1>Banjir Besar "
            f"Landa Samarinda Lagi</h1>{body}<div>{nav}</div></article></body></html>")


@pytest.mark.parametrize("nav, expected", [
    ('<a href="?page=2">2</a> <a href="?page=all">Tampilkan semua</a>', "?page=all"),
    ('<a href="/read/5/banjir-besar-landa/2">2</a> <a href="/read/5/banjir-besar-landa/all">'
     "Lihat semua</a>", "/read/5/banjir-besar-landa/all"),
    ('<a href="?showall=1">Baca dalam satu halaman</a>', "?showall=1"),
])
def test_a_single_page_view_is_found(nav: str, expected: str) -> None:
    from urllib.parse import urljoin

    url = "https://berita.example/read/5/banjir-besar-landa"
    result = extract_article(_article_with(nav), url)
    assert result["single_page"] == urljoin(url, expected)


def test_a_see_all_link_to_a_section_is_not_a_single_page_view() -> None:
    url = "https://berita.example/read/5/banjir-besar-landa"
    nav = '<a href="/kanal/samarinda">Lihat semua</a> <a href="/indeks/all">semua</a>'
    assert extract_article(_article_with(nav), url)["single_page"] is None
