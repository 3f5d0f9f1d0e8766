"""The canonical URL and the next parts of a multi-page article (crawler/extract/address.py)."""

from __future__ import annotations

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
