"""Related headlines (crawler/extract/related.py)."""

from __future__ import annotations

import pytest

from crawler.extract.related import looks_like_article
from crawler.sites import parse_profile
from tests.crawler.extract.pagekit import BOX, PARAGRAPHS, extract, page


def test_a_labelled_box_below_the_article_gives_related_headlines() -> None:
    related = extract(page(after=BOX))["related"]
    assert [(r["title"], r["block"], r["position"]) for r in related] == [
        ("BPBD Siagakan Perahu Karet di Sempaja", "berita-terkait", 0),
        ("Sungai Karang Mumus Meluap Lagi", "berita-terkait", 1),
    ]
    assert (
        related[1]["url"]
        == "https://www.beritakaltim.example/samarinda/2023/05/21/sungai-karang-mumus-meluap"
    )


def test_site_wide_lists_are_not_related_headlines() -> None:
    titles = [r["title"] for r in extract(page(after=BOX))["related"]]
    assert "Harga Cabai Naik di Pasar Segiri" not in titles


def test_baca_juga_lines_leave_the_body_and_collapse_with_the_box() -> None:
    paragraphs = [
        *PARAGRAPHS[:2],
        '<strong>Baca juga: <a href="/samarinda/2023/05/22/bpbd-siagakan-perahu-karet">'
        "BPBD Siagakan Perahu Karet di Sempaja</a></strong>",
        *PARAGRAPHS[2:],
    ]
    result = extract(page(paragraphs=paragraphs, after=BOX))
    assert "Baca juga" not in result["body"]
    assert len(result["body"].split("\n\n")) == 4
    assert [(r["block"], r["position"]) for r in result["related"]] == [
        ("baca-juga", 0),
        ("berita-terkait", 1),
    ]


def test_a_baca_juga_label_inside_the_link_is_not_part_of_the_headline() -> None:
    paragraphs = [
        *PARAGRAPHS[:2],
        '<div class="baca-juga-inline"><a href="/samarinda/2023/05/22/bpbd-siagakan-perahu">'
        "<span>Baca Juga: </span>BPBD Siagakan Perahu Karet di Sempaja</a></div>",
        *PARAGRAPHS[2:],
    ]
    related = extract(page(paragraphs=paragraphs))["related"]
    assert [r["title"] for r in related] == ["BPBD Siagakan Perahu Karet di Sempaja"]


def test_an_inline_berita_terkait_line_is_a_related_headline() -> None:
    paragraphs = [
        *PARAGRAPHS[:2],
        '<strong>Berita Terkait:</strong> <a href="/samarinda/2023/05/22/bpbd-siagakan-perahu">'
        "BPBD Siagakan Perahu Karet di Sempaja</a>",
        *PARAGRAPHS[2:],
    ]
    result = extract(page(paragraphs=paragraphs))
    assert [r["title"] for r in result["related"]] == ["BPBD Siagakan Perahu Karet di Sempaja"]
    assert "Berita Terkait" not in result["body"]


@pytest.mark.parametrize("label", ["<strong>BACA JUGA</strong> ", "<b>Baca Juga</b>", "BACA JUGA "])
def test_a_baca_juga_label_without_a_colon_before_a_link_is_related(label: str) -> None:
    paragraphs = [
        *PARAGRAPHS[:2],
        f'{label}<a href="/samarinda/2023/05/22/bpbd-siagakan-perahu">'
        "BPBD Siagakan Perahu Karet di Sempaja</a>",
        *PARAGRAPHS[2:],
    ]
    result = extract(page(paragraphs=paragraphs))
    assert [r["title"] for r in result["related"]] == ["BPBD Siagakan Perahu Karet di Sempaja"]
    assert "Siagakan Perahu" not in result["body"]


def test_a_sentence_that_starts_with_baca_juga_is_text() -> None:
    sentence = (
        'Baca juga buku panduan dari <a href="/samarinda/2023/05/22/panduan-banjir">BPBD</a> '
        "sebelum musim hujan datang, kata petugas."
    )
    result = extract(page(paragraphs=[*PARAGRAPHS[:2], sentence, *PARAGRAPHS[2:]]))
    assert result["related"] == []
    assert "Baca juga buku panduan" in result["body"]


def test_headlines_listed_above_the_title_are_related() -> None:
    items = "".join(
        f'<li><a href="/samarinda/2023/05/{10 + i}/judul-berita-nomor-{i}">Judul Berita Kota '
        f"Nomor {i}</a></li>"
        for i in range(10)
    )
    result = extract(page(before=f"<ul>{items}</ul>"))
    assert len(result["related"]) == 10
    assert {r["block"] for r in result["related"]} == {"above-title"}
    assert "Judul Berita" not in result["body"]


def test_a_profile_with_subdomains_keeps_related_links_on_them() -> None:
    box = (
        '<div class="baca"><h4>Baca Juga</h4><ul><li><a href="https://kaltim.beritakaltim.'
        'example/berau/2023/05/20/jembatan-putus">Jembatan Putus di Berau</a></li></ul></div>'
    )
    profile = parse_profile(
        "beritakaltim",
        {
            "name": "Berita Kaltim",
            "timezone": "Asia/Makassar",
            "homepage": "https://www.beritakaltim.example/",
            "allowed_domains": ["beritakaltim.example"],
        },
    )
    assert extract(page(after=box))["related"] == []
    assert len(extract(page(after=box), profile=profile)["related"]) == 1


@pytest.mark.parametrize(
    ("path", "query", "verdict"),
    [
        ("/index.php", "berita=5521", True),
        ("/", "p=123", True),
        ("/detail.php", "id=42&judul=banjir-rendam-samarinda", True),
        ("/index.php", "kategori=kutim", False),
        ("/index.php", "page=2", False),
        ("/search", "q=banjir-rendam-samarinda", False),
        ("/", "", False),
    ],
)
def test_articles_addressed_by_query_are_headlines(path: str, query: str, verdict: bool) -> None:
    assert looks_like_article(path, query) is verdict
