"""One page in, every field out (crawler/extract/core.py): the result as a whole, bad input,
profile selectors and stitched parts, on small pages written for these tests."""

from __future__ import annotations

import json

import pytest

from archive.errors import UsageError
from crawler.extract import RESULT_KEYS, merge_parts, validate_selectors
from crawler.extract.words import word_count
from crawler.sites import parse_profile
from tests.crawler.extract.pagekit import BOX, PARAGRAPHS, URL, extract, page


def test_a_page_without_structured_data_gives_every_field() -> None:
    result = extract(page())
    assert result["title"] == "Banjir Rendam Lima Kecamatan di Samarinda"
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_raw"] == "Selasa, 23 Mei 2023 | 10:15 WITA"
    assert result["dateline"] == "SAMARINDA"
    assert result["dateline_raw"] == "SAMARINDA, beritakaltim.example -"
    assert result["signoff"] == "*/han" and result["signoff_raw"] == "(*/han)"
    assert result["signoff_codes"] == ["han"]
    assert result["language"] == "id"


def test_provenance_names_the_stage_of_each_field() -> None:
    provenance = extract(page())["provenance"]
    assert provenance["published_at"] == "text"
    assert provenance["body"] == "generic"
    assert provenance["dateline"] == "text"


def test_result_keys_are_the_item_fields() -> None:
    assert tuple(extract(page())) == RESULT_KEYS


def test_the_result_is_json_serializable() -> None:
    json.dumps(extract(page()), ensure_ascii=False)


GRAPH = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "Berita Kaltim"},
 {"@type": ["ReportageNewsArticle"], "headline": "Banjir Rendam Lima Kecamatan di Samarinda",
  "datePublished": "2023-05-23T10:15:00+08:00", "dateModified": "2023-05-23T12:00:00+08:00",
  "author": [{"@type": "Person", "name": "Rina Wulandari"}, {"@type": "Organization",
  "name": "Berita Kaltim"}], "editor": {"@type": "Person", "name": "Hendra Saputra"},
  "articleSection": "Samarinda", "keywords": ["Banjir", "Samarinda", "BPBD"],}
]}</script>"""


def test_json_ld_in_a_graph_gives_title_date_people_section_and_tags() -> None:
    result = extract(page(head=GRAPH, meta_line=""))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["modified_at"] == "2023-05-23T12:00:00+08:00"
    assert result["authors"] == ["Rina Wulandari"]
    assert result["editor"] == "Hendra Saputra"
    assert result["section"] == "Samarinda"
    assert result["tags"] == ["Banjir", "Samarinda", "BPBD"]
    assert result["provenance"]["published_at"] == "jsonld"
    assert result["provenance"]["authors"] == "jsonld"


def test_merge_parts_stitches_bodies_and_related() -> None:
    first = extract(page(paragraphs=PARAGRAPHS[:2], after=BOX))
    second = extract(page(paragraphs=PARAGRAPHS[2:], after=BOX), url=URL + "?page=2")
    merged = merge_parts(first, [second])
    assert merged["body"].split("\n\n")[2].startswith('"Kami sudah menyiagakan')
    assert merged["signoff"] == "*/han" and merged["signoff_codes"] == ["han"]
    assert [r["position"] for r in merged["related"]] == [0, 1]
    assert merged["word_count"] == word_count(merged["body"])
    assert merged["next_pages"] == []



def test_merge_parts_drops_the_paragraphs_a_later_page_repeats() -> None:
    """Templates repeat the lead (or a whole paragraph) at the top of page 2: kept once, however
    its case, spacing and quotes differ. Short lines (under `DUPLICATE_MIN_CHARS`, like `Foto:
    Humas`) may legitimately recur and are kept."""
    lead = "SAMARINDA - Banjir kembali merendam sejumlah kawasan di Samarinda sejak Senin pagi."
    again = "samarinda -  banjir kembali merendam sejumlah kawasan di Samarinda sejak Senin pagi."
    quoted = "\"Kami sudah menyiagakan perahu karet,\" kata Kepala BPBD kepada wartawan."
    typographic = "“Kami sudah menyiagakan perahu karet,” kata Kepala BPBD kepada wartawan."
    short = "Foto: Humas"
    first = {"body": "\n\n".join([lead, quoted, short])}
    second = {"body": "\n\n".join([again, short, "Paragraf baru di halaman kedua, cukup panjang.",
                                    typographic])}
    third = {"body": "\n\n".join([short, "Paragraf baru di halaman kedua, cukup panjang."])}
    merged = merge_parts(first, [second, third])
    assert merged["body"].split("\n\n") == [
        lead, quoted, short, short, "Paragraf baru di halaman kedua, cukup panjang.", short]
    assert merged["word_count"] == word_count(merged["body"])

def test_a_legacy_encoding_declared_in_the_page() -> None:
    html = page(title="Kafe di Tepian Mahakam Ramai “Ngabuburit”").replace(
        '<meta charset="utf-8">', '<meta charset="windows-1252">'
    )
    result = extract(html.encode("cp1252"))
    assert result["title"] == "Kafe di Tepian Mahakam Ramai “Ngabuburit”"


def test_utf8_bytes_under_a_wrong_latin1_declaration() -> None:
    html = page(title="Kafe “Ngabuburit” di Tepian").replace(
        '<meta charset="utf-8">', '<meta charset="iso-8859-1">'
    )
    assert (
        extract(html.encode("utf-8"), encoding="iso-8859-1")["title"]
        == "Kafe “Ngabuburit” di Tepian"
    )


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        "<html><body></body></html>",
        b"\x00\xff\xfe garbage",
        "<p>unclosed <div><b>tags",
    ],
)
def test_empty_or_broken_pages_give_an_empty_result_not_an_error(html: str | bytes) -> None:
    result = extract(html)
    assert tuple(result) == RESULT_KEYS
    assert result["url"] == URL and result["related"] == [] and result["word_count"] == 0


def test_a_bad_profile_selector_is_refused_with_its_field() -> None:
    # refused when the profile loads, before any page is read (crawler.sites)
    with pytest.raises(UsageError, match=r"selectors\.body.*div\[\[\["):
        validate_selectors(parse_profile(
            "x",
            {
                "name": "X",
                "timezone": "Asia/Makassar",
                "homepage": "https://x.example/",
                "selectors": {"body": "div[[["},
            },
        ))


def test_profile_selectors_override_the_generic_chain() -> None:
    profile = parse_profile(
        "beritakaltim",
        {
            "name": "Berita Kaltim",
            "timezone": "Asia/Makassar",
            "homepage": "https://www.beritakaltim.example/",
            "selectors": {
                "title": "h2.judul",
                "date": "span.tgl",
                "author": "span.oleh",
                "body": "div.isi",
                "drop": ["div.iklan"],
            },
        },
    )
    html = page(
        before=(
            '<h2 class="judul">Judul Menurut Profil</h2><span class="tgl">24/05/2023'
            ' 08:00</span><span class="oleh">Rina Wulandari</span>'
        ),
        after=(
            '<div class="isi"><p>Paragraf isi menurut profil yang dipilih dengan '
            'selektor.</p><div class="iklan">Iklan: pasang iklan di sini sekarang '
            "juga, murah meriah untuk semua.</div></div>"
        ),
    )
    result = extract(html, profile=profile)
    assert result["title"] == "Judul Menurut Profil"
    assert result["published_at"] == "2023-05-24T08:00:00+08:00"
    assert result["authors"] == ["Rina Wulandari"]
    assert result["body"] == "Paragraf isi menurut profil yang dipilih dengan selektor."
    assert {result["provenance"][k] for k in ("title", "published_at", "authors", "body")} == {
        "profile"
    }


def test_one_word_count_for_the_item_and_the_pipeline() -> None:
    from crawler.pipelines.textclean import count_words

    body = "SAMARINDA – Banjir merendam 3 kelurahan. 東京女子医大"
    # a lone dash is no word; six Japanese characters are three
    assert word_count(body) == count_words(body) == 6 + 3
    assert word_count(None) == word_count("") == 0


def test_a_page_cannot_make_extraction_remember_its_long_texts() -> None:
    """What extraction remembers between pages (the outlet's words, staff lines and names,
    headline links, canonical URLs, compared lines, class names) keeps nothing of a page's
    own long texts: a site name of a paragraph, kilobyte links, huge lines and class names are
    read, not kept, so hostile pages cannot fill memory."""
    from archive import urls
    from crawler.extract import context, indonesian, related
    from crawler.extract import page as walk

    site_name = "Berita Kaltim " + "sangat panjang " * 700
    href = "/samarinda/2023/05/22/" + "banjir-" * 600
    box = f'<section class="box"><h3>Berita Terkait</h3><ul><li><a href="{href}">' \
          "BPBD Siagakan Perahu Karet di Sempaja</a></li></ul></section>"
    memos = [context._outlet_words, indonesian._names_of, context._comparable,
             walk.flag_for_names, walk._word_kinds]
    result = extract(page(head=f'<meta property="og:site_name" content="{site_name}">',
                          after=box + '<p class="byline">Penulis: Rangga Pratama</p>'))
    assert result["related"] and len(result["related"][0]["url"]) > 4000  # read
    assert not any(href in key[-1] for key in related._article_links)  # not kept
    assert not any(href in key[0] for key in urls._canonical_memo)

    sizes = [memo.cache_info().currsize for memo in memos]
    line, made_up = "kata " * 999 + "kata", "x" * 5000
    assert context.comparable(line) == line
    assert walk.class_flag(walk.etree.fromstring(f'<div class="{made_up}"/>')) is None
    assert indonesian.person_names("Rangga Pratama", frozenset({site_name})) == ["Rangga Pratama"]
    assert [memo.cache_info().currsize for memo in memos] == sizes
