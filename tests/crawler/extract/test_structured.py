"""`crawler.extract.structured`: what a page declares (JSON-LD, meta, link rels, microdata)."""

from __future__ import annotations

import json

import lxml.html

from crawler.extract.structured import (
    MAX_JSONLD_DEPTH,
    jsonld_list,
    jsonld_names,
    jsonld_text,
    one_line,
    read_structured,
)


def doc(head: str, body: str = "<p>isi</p>", lang: str = "id") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>')


def test_the_article_object_is_found_in_a_graph_beside_the_page_and_breadcrumbs() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "Halaman"},
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 2, "name": "Samarinda",
             "item": "https://contoh.example/samarinda"},
            {"@type": "ListItem", "position": 1, "name": "Beranda",
             "item": "https://contoh.example/"}]},
        {"@type": "NewsArticle", "headline": "Banjir Rendam Kelurahan"},
    ]}
    found = read_structured(doc(f'<script type="application/ld+json">{json.dumps(graph)}'
                                "</script><title> Banjir  | Contoh </title>"))
    assert found.article["headline"] == "Banjir Rendam Kelurahan"
    assert found.page["name"] == "Halaman"
    assert found.breadcrumbs == [("Beranda", "https://contoh.example/"),
                                 ("Samarinda", "https://contoh.example/samarinda")]
    assert (found.title, found.html_lang) == ("Banjir | Contoh", "id")


def test_meta_link_rels_and_microdata_are_collected() -> None:
    found = read_structured(doc(
        '<meta property="og:title" content="Judul &amp; Isi">'
        '<meta name="author" content="  Rina   Sari ">'
        '<link rel="canonical" href=" https://contoh.example/a ">',
        '<abbr itemprop="datePublished" title="2024-01-02T10:15:00+08:00">10.15</abbr>'))
    assert found.first("og:title") == ("og:title", "Judul & Isi")
    assert found.first("twitter:title", "author") == ("author", "Rina Sari")
    assert found.links["canonical"] == "https://contoh.example/a"
    assert found.itemprops["datepublished"] == [("abbr", "2024-01-02T10:15:00+08:00")]


def test_a_block_nesting_too_deep_is_skipped_not_the_page() -> None:
    deep: object = "x"
    for _ in range(MAX_JSONLD_DEPTH + 5):
        deep = {"a": deep}
    article = {"@type": "NewsArticle", "headline": "Tetap Terbaca"}
    found = read_structured(doc(
        f'<script type="application/ld+json">{json.dumps(deep)}</script>'
        f'<script type="application/ld+json">{json.dumps(article)}</script>'))
    assert found.too_deep == 1
    assert found.article["headline"] == "Tetap Terbaca"


def test_jsonld_values_as_text() -> None:
    assert one_line("  Banjir\n  &amp; longsor ") == "Banjir & longsor"
    assert jsonld_names([{"@type": "Person", "name": "Rina"}, "Budi",
                         {"@type": "Organization", "name": "Kaltim Contoh"},
                         "https://contoh.example/penulis/rina"]) == ["Rina", "Budi"]
    assert jsonld_text({"url": [{"@id": "https://contoh.example/a"}]}, "url") == (
        "https://contoh.example/a")
    assert jsonld_text({"headline": ""}, "headline") is None
    assert jsonld_list({"keywords": "banjir, samarinda,,"}, "keywords") == ["banjir", "samarinda"]
    assert jsonld_list({"keywords": ["banjir", 3, " dbd "]}, "keywords") == ["banjir", "dbd"]
