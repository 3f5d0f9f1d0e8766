"""One page in, every field out (crawler/extract/core.py), on small pages written for these
tests: each test is one thing a user of `warta extract` would notice."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from archive.errors import UsageError
from crawler.extract import RESULT_KEYS, extract_article, merge_parts, validate_selectors
from crawler.extract.related import looks_like_article
from crawler.sites import parse_profile

URL = "https://www.beritakaltim.example/samarinda/2023/05/23/banjir-rendam-samarinda"
FETCHED = datetime(2023, 6, 1, tzinfo=UTC)

PARAGRAPHS = [
    "SAMARINDA, beritakaltim.example - Banjir merendam lima kecamatan di Samarinda sejak "
    "Senin malam setelah hujan deras mengguyur kota selama enam jam tanpa henti.",
    "Badan Penanggulangan Bencana Daerah mencatat ketinggian air mencapai satu meter di "
    "kawasan Sempaja dan ratusan warga terpaksa mengungsi ke masjid terdekat.",
    '"Kami sudah menyiagakan perahu karet dan dapur umum di tiga titik," kata kepala '
    "pelaksana BPBD Samarinda kepada wartawan, Selasa (23/5).",
    "Pemerintah kota meminta warga di bantaran Sungai Karang Mumus tetap waspada karena hujan "
    "diperkirakan masih turun hingga akhir pekan.(*/han)",
]


def page(
    *,
    head: str = "",
    before: str = "",
    after: str = "",
    paragraphs: list[str] | None = None,
    title: str = "Banjir Rendam Lima Kecamatan di Samarinda",
    lang: str = "id",
    meta_line: str = '<div class="date">Selasa, 23 Mei 2023 | 10:15 WITA</div>',
) -> str:
    body = "".join(f"<p>{p}</p>" for p in (PARAGRAPHS if paragraphs is None else paragraphs))
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title} - Berita Kaltim</title>{head}</head><body>
<nav><ul><li><a href="/">Beranda</a></li><li><a href="/samarinda">Samarinda</a></li></ul></nav>
<main><article>{before}<h1>{title}</h1>{meta_line}
<div class="entry-content">{body}</div>{after}</article></main>
<aside class="sidebar"><h3>Terpopuler</h3><ul>
<li><a href="/samarinda/2023/05/20/harga-cabai-naik-di-pasar-segiri">
Harga Cabai Naik di Pasar Segiri</a></li>
<li><a href="/samarinda/2023/05/19/jalan-rusak-di-loa-janan">
Jalan Rusak di Loa Janan Dikeluhkan Warga</a></li>
</ul></aside>
<footer><p>&copy; 2023 Berita Kaltim. Hak cipta dilindungi undang-undang.</p></footer>
</body></html>"""


def extract(html: str | bytes, url: str = URL, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("fetched_at", FETCHED)
    return extract_article(html, url, **kwargs)


# -- the fields of a plain legacy page ------------------------------------------------------------


def test_a_page_without_structured_data_gives_every_field() -> None:
    result = extract(page())
    assert result["title"] == "Banjir Rendam Lima Kecamatan di Samarinda"
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_raw"] == "Selasa, 23 Mei 2023 | 10:15 WITA"
    assert result["dateline"] == "SAMARINDA"
    assert result["dateline_raw"] == "SAMARINDA, beritakaltim.example -"
    assert result["signoff"] == "han" and result["signoff_raw"] == "(*/han)"
    assert result["language"] == "id"


def test_the_body_is_the_paragraphs_without_dateline_and_signoff() -> None:
    body = extract(page())["body"]
    paragraphs = body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("Banjir merendam lima kecamatan")
    assert paragraphs[-1].endswith("hingga akhir pekan.")
    assert "Terpopuler" not in body and "Hak cipta" not in body


@pytest.mark.parametrize("style", ["display:none", "display: none", "DISPLAY: NONE;",
                                   "color: red; visibility: hidden"])
def test_text_a_reader_never_sees_stays_out_of_the_body(style: str) -> None:
    hidden = f'<span style="{style}">baca-juga-tracking-8812 seo kata kunci</span>'
    paragraphs = [PARAGRAPHS[0], f"Badan Penanggulangan Bencana{hidden} Daerah mencatat.",
                  *PARAGRAPHS[2:]]
    body = extract(page(paragraphs=paragraphs))["body"]
    assert "tracking" not in body and "Badan Penanggulangan Bencana Daerah mencatat." in body


def test_provenance_names_the_stage_of_each_field() -> None:
    provenance = extract(page())["provenance"]
    assert provenance["published_at"] == "text"
    assert provenance["body"] == "generic"
    assert provenance["dateline"] == "text"


def test_result_keys_are_the_item_fields() -> None:
    assert tuple(extract(page())) == RESULT_KEYS


def test_the_result_is_json_serializable() -> None:
    json.dumps(extract(page()), ensure_ascii=False)


def test_without_a_profile_a_time_without_zone_is_wib() -> None:
    result = extract(page(meta_line='<div class="date">Selasa, 23 Mei 2023 10:15</div>'))
    assert result["published_at"] == "2023-05-23T10:15:00+07:00"


def test_with_a_profile_a_time_without_zone_takes_the_outlets_zone() -> None:
    profile = parse_profile(
        "beritakaltim",
        {
            "name": "Berita Kaltim",
            "timezone": "Asia/Makassar",
            "homepage": "https://www.beritakaltim.example/",
        },
    )
    result = extract(
        page(meta_line='<div class="date">Selasa, 23 Mei 2023 10:15</div>'), profile=profile
    )
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"


# -- structured data ------------------------------------------------------------------------------

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


def test_opengraph_article_meta() -> None:
    head = (
        '<meta property="og:title" content="Banjir Rendam Lima Kecamatan di Samarinda - Berita'
        ' Kaltim"><meta property="article:published_time" content="2023-05-23T02:15:00Z">'
        '<meta property="article:section" content="Samarinda">'
        '<meta property="article:tag" content="Banjir">'
    )
    result = extract(page(head=head, meta_line=""))
    assert result["published_at"] == "2023-05-23T09:15:00+07:00"  # UTC shown in WIB
    assert result["title"] == "Banjir Rendam Lima Kecamatan di Samarinda"
    assert result["provenance"]["published_at"] == "opengraph"
    assert result["tags"] == ["Banjir"]


def test_a_utc_instant_is_written_in_the_outlets_zone() -> None:
    head = '<meta property="article:published_time" content="2023-05-23T02:15:00+00:00">'
    profile = parse_profile(
        "beritakaltim",
        {
            "name": "Berita Kaltim",
            "timezone": "Asia/Makassar",
            "homepage": "https://www.beritakaltim.example/",
        },
    )
    result = extract(page(head=head, meta_line=""), profile=profile)
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"


def test_time_element_with_datetime() -> None:
    line = (
        '<time itemprop="datePublished" datetime="2023-05-23T10:15:00+08:00">'
        "Selasa, 23 Mei 2023</time>"
    )
    result = extract(page(meta_line=line))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["provenance"]["published_at"] == "time"


WP_META = (
    '<div class="entry-meta"><span class="posted-on"><a href="#" rel="bookmark">'
    '<time class="entry-date published" datetime="2023-05-23T10:15:00+08:00">23 Mei 2023</time>'
    '<time class="updated" datetime="2023-05-24T08:00:00+08:00">24 Mei 2023</time>'
    "</a></span></div>"
)


def test_a_plain_time_element_in_the_entry_meta_gives_the_instant() -> None:
    # WordPress without an SEO plugin: no `article:published_time`, only the theme's <time>
    result = extract(page(meta_line=WP_META))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_precision"] == "time"
    assert result["published_raw"] == "23 Mei 2023"
    assert result["provenance"]["published_at"] == "time"


def test_the_updated_time_beside_the_published_one_is_the_modification_date() -> None:
    result = extract(page(meta_line=WP_META))
    assert result["modified_at"] == "2023-05-24T08:00:00+08:00"
    assert result["provenance"]["modified_at"] == "time"


def test_an_hatom_abbr_gives_the_instant() -> None:
    line = (
        '<div class="post-meta">Diposting oleh Rina pada <abbr class="published" '
        'title="2023-05-23T10:15:00+08:00">Selasa, 23 Mei 2023</abbr></div>'
    )
    result = extract(page(meta_line=line))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_precision"] == "time"


def test_a_lone_updated_time_is_the_publication_date() -> None:
    # tagDiv Newspaper and Liputan6 class their only date `entry-date updated`
    line = (
        '<span class="td-post-date"><time class="entry-date updated td-module-date" '
        'datetime="2023-05-23T10:15:00+08:00">23 Mei 2023</time></span>'
    )
    result = extract(page(meta_line=line))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["modified_at"] is None


def test_a_photo_box_that_holds_the_title_does_not_hide_its_date_and_byline() -> None:
    # Twenty Nineteen: featured image, title and entry meta in one `featured-image` box
    hero = (
        '<div class="site-featured-image"><figure class="post-thumbnail"><img src="/a.jpg">'
        "</figure><h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>"
        '<div class="entry-meta"><span class="byline"><span class="screen-reader-text">'
        'Diposkan oleh</span><span class="author vcard"><a href="/author/rina">Rina Wulandari'
        "</a></span></span>" + WP_META + "</div></div>"
    )
    html = page(meta_line="").replace("<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>", hero)
    result = extract(html)
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["authors"] == ["Rina Wulandari"]


def test_a_date_line_in_a_photo_box_without_the_title_is_still_the_photo_s() -> None:
    photo = (
        '<div class="featured-image"><img src="/a.jpg"><span class="date">Senin, 1 Mei 2023'
        "</span></div>"
    )
    result = extract(page(meta_line="", before="", after="").replace("<h1>", photo + "<h1>", 1))
    assert result["published_at"] is None or not result["published_at"].startswith("2023-05-01")


@pytest.mark.parametrize(
    "photo",
    [
        # a credit closes the caption
        '<p><img src="/a.jpg"></p><p>Warga mengungsi ke masjid, Minggu (21/5/2023) malam. '
        "(Foto: Istimewa)</p>",
        # no credit, set small under the image
        '<p><img src="/a.jpg"><br><span style="font-size:11px">Warga mengungsi ke masjid, '
        "Minggu (21/5/2023) malam.</span></p>",
        '<p><img src="/a.jpg"></p><p><em>Warga mengungsi ke masjid, Minggu (21/5/2023).</em></p>',
    ],
)
def test_a_date_in_a_photo_caption_never_dates_the_article(photo: str) -> None:
    # the caption sits between the title and the writer's line that carries the day
    meta = '<div class="meta">Rina Wulandari &middot; Selasa, 23 Mei 2023</div>'
    html = page(meta_line=photo + meta)
    result = extract(html)
    assert result["published_at"] == "2023-05-23T00:00:00+07:00"


def test_a_short_dated_line_that_is_no_caption_still_dates_the_article() -> None:
    # plain text under an image (not small, not italic, no credit) is the page's date line
    line = '<p><img src="/a.jpg"></p><p>Minggu (21/5/2023) malam</p>'
    result = extract(page(meta_line=line))
    assert result["published_at"] == "2023-05-21T00:00:00+07:00"


ENTRY_FOOTER = (
    '<footer class="entry-footer"><span class="byline"><span class="author vcard">'
    '<span class="screen-reader-text">Penulis </span><a class="url fn n" href="/author/rina">'
    'Rina Wulandari</a></span></span><span class="posted-on"><span class="screen-reader-text">'
    'Diposkan pada </span><a href="#" rel="bookmark"><time class="entry-date published" '
    'datetime="2023-05-23T10:15:00+08:00">23 Mei 2023</time></a></span>'
    '<span class="cat-links"><a href="/category/samarinda/" rel="category tag">Samarinda</a>'
    "</span></footer>"
)


def test_byline_and_date_in_the_article_s_own_footer_are_read() -> None:
    # Twenty Sixteen: nothing by the title, the credits follow the body in `entry-footer`
    result = extract(page(meta_line="", after=ENTRY_FOOTER))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert "Rina Wulandari" not in result["body"]


def test_a_staff_line_in_a_post_footer_box_is_read() -> None:
    after = (
        '<div class="post-footer"><p>Penulis: Rina Wulandari | Editor: Budi Santoso</p>'
        '<div class="tags">Tag: <a href="/tag/banjir">banjir</a></div></div>'
    )
    result = extract(page(after=after))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["editor"] == "Budi Santoso"


def test_the_page_footer_gives_no_byline_or_date() -> None:
    html = page(meta_line="").replace(
        "<footer>",
        '<footer class="site-footer"><div class="box-redaksi"><span class="byline">'
        "Rina Wulandari</span><p>Pemimpin Redaksi: Ahmad Fauzi | Redaktur: Budi Santoso</p>"
        '<time class="entry-date published" datetime="2023-01-02T08:00:00+08:00">'
        "2 Januari 2023</time></div>",
    )
    result = extract(html)
    assert result["authors"] == []
    assert result["editor"] is None
    assert result["published_at"] != "2023-01-02T08:00:00+08:00"


def test_a_staff_box_in_an_article_footer_gives_no_byline() -> None:
    box = (
        '<footer class="entry-footer"><h4>Susunan Redaksi</h4>'
        "<p>Pemimpin Redaksi: Ahmad Fauzi</p><p>Redaktur: Budi Santoso</p>"
        '<p><span class="author">Rina Wulandari</span></p></footer>'
    )
    result = extract(page(meta_line="", after=box))
    assert result["authors"] == []
    assert result["editor"] is None


STANDFIRST = (
    "Banjir merendam lima kecamatan di Samarinda setelah hujan deras selama enam jam, "
    "ratusan warga mengungsi."
)


def ghost_page(excerpt: str, description: str = STANDFIRST) -> str:
    """Ghost's layout: the header with title, writer, reading time and excerpt inside the
    same `<article>` as the body."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f'<html><head><title>Banjir Rendam Lima Kecamatan di Samarinda</title>'
        f'<meta property="og:description" content="{description}"></head><body><main>'
        '<article class="article post"><header class="article-header">'
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>"
        '<div class="byline-meta"><h4 class="author-name">Rina Wulandari</h4>'
        '<span class="byline-reading-time">&bull; 2 menit baca</span></div>'
        f'<p class="article-excerpt">{excerpt}</p></header>'
        f'<section class="gh-content">{body}</section></article></main></body></html>'
    )


def test_a_standfirst_that_repeats_the_description_is_not_body_text() -> None:
    result = extract(ghost_page(STANDFIRST))
    assert result["dateline"] == "SAMARINDA"
    assert STANDFIRST not in result["body"]
    assert result["body"].startswith("Banjir merendam lima kecamatan di Samarinda sejak")


def test_a_standfirst_repeating_a_truncated_description_is_not_body_text() -> None:
    result = extract(ghost_page(STANDFIRST, description=STANDFIRST[:70] + "..."))
    assert result["dateline"] == "SAMARINDA"


def test_the_reading_time_never_enters_the_body() -> None:
    result = extract(ghost_page(STANDFIRST))
    assert "menit baca" not in result["body"]


def test_an_excerpt_that_differs_from_the_description_stays() -> None:
    other = "Banjir merendam lima kecamatan, BPBD Samarinda menyiagakan perahu karet di tiga titik."
    result = extract(ghost_page(other))
    assert result["body"].startswith(other)


def test_a_first_paragraph_copied_into_the_description_stays() -> None:
    first = PARAGRAPHS[1]
    head = f'<meta name="description" content="{first}">'
    result = extract(page(head=head, paragraphs=PARAGRAPHS[1:]))
    assert result["body"].startswith(first)


def test_a_time_element_in_a_sidebar_list_does_not_date_the_article() -> None:
    aside = (
        '<aside class="sidebar"><ul><li><a href="/samarinda/2023/04/01/lain">Berita lain</a> '
        '<time datetime="2023-04-01T09:00:00+08:00">1 April 2023</time></li></ul></aside>'
    )
    result = extract(page(meta_line="", after=aside))
    assert result["published_at"] != "2023-04-01T09:00:00+08:00"


def test_a_time_element_does_not_override_the_structured_date() -> None:
    head = '<meta property="article:published_time" content="2023-05-23T10:15:00+08:00">'
    line = (
        '<time class="entry-date published" datetime="2023-05-23T16:40:00+08:00">'
        "23 Mei 2023</time>"
    )
    result = extract(page(head=head, meta_line=line))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["provenance"]["published_at"] == "opengraph"


def test_local_time_labelled_utc_in_markup_takes_the_shown_zone() -> None:
    head = '<meta name="pubdate" content="2023-05-23 T10:15:42Z" itemprop="datePublished">'
    result = extract(page(head=head))
    assert result["published_at"] == "2023-05-23T10:15:42+08:00"


def test_a_shown_date_that_disagrees_with_markup_wins() -> None:
    head = '<meta content="2023-05-23T16:00:00+08:00" itemprop="datePublished">'
    result = extract(page(head=head))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"


@pytest.mark.parametrize(
    "line",
    [
        "Rina Wulandari, Jurnalis · Selasa, 23 Mei 2023 - 10:15 WITA",
        "Rina Wulandari Selasa, 23 Mei 2023 - 10:15 WITA",
    ],
)
def test_a_byline_that_also_shows_the_date_gives_the_writer_and_the_date(line: str) -> None:
    result = extract(page(meta_line=f'<div class="reporter">{line}</div>'))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert "Rina" not in result["body"]


@pytest.mark.parametrize(
    "kicker",
    [
        '<span class="cat"><a rel="category tag" href="/kabar-daerah/">Kabar Daerah</a></span>',
        '<div class="kicker"><a href="/kategori/kabar-daerah">Kabar Daerah</a></div>',
    ],
)
def test_a_category_link_by_the_title_names_the_section(kicker: str) -> None:
    result = extract(page(before=kicker))
    assert (result["section"], result["provenance"]["section"]) == ("Kabar Daerah", "generic")


@pytest.mark.parametrize("cut", ["{}...", "{} …", "{}"])
def test_a_cut_declared_title_gives_the_whole_headline_shown(cut: str) -> None:
    title = (
        "Banjir Rendam Lima Kecamatan di Samarinda, Ratusan Warga Mengungsi ke Masjid dan "
        "Sekolah Terdekat Sejak Senin Malam"
    )
    declared = cut.format(title[:100])
    head = (
        '<script type="application/ld+json">'
        f'{{"@type": "NewsArticle", "headline": "{declared}"}}</script>'
    )
    html = page(title=title, head=head).replace(
        f"<title>{title} - Berita Kaltim</title>", f"<title>{declared} - Berita Kaltim</title>"
    )
    result = extract(html)
    assert (result["title"], result["provenance"]["title"]) == (title, "jsonld")


@pytest.mark.parametrize("stored", ["2023-05-23", "2023-05-23T00:00:00+08:00"])
def test_a_day_only_markup_date_gives_way_to_the_time_the_page_shows(stored: str) -> None:
    head = f'<meta property="article:published_time" content="{stored}">'
    line = '<div class="date">Selasa, 23 Mei 2023 10:15</div>'
    result = extract(page(head=head, meta_line=line), profile=parse_profile("bk", {
        "name": "Berita Kaltim", "homepage": "https://www.beritakaltim.example/",
        "timezone": "Asia/Makassar"}))
    assert (result["published_at"], result["published_precision"]) == (
        "2023-05-23T10:15:00+08:00",
        "time",
    )


def test_a_section_meta_named_by_the_cms_is_the_last_resort_for_the_section() -> None:
    head = '<meta name="content_Category" content="Nasional, Daerah">'
    result = extract(page(head=head))
    assert (result["section"], result["provenance"]["section"]) == ("Nasional", "meta")


def test_a_publish_meta_named_by_the_cms_dates_the_page() -> None:
    head = (
        '<meta name="content_PublishedDate" content="2023/05/23 10:15:31">'
        '<meta name="content_LastUpdatedDate" content="2023/05/24 08:00:00">'
    )
    result = extract(page(head=head, meta_line=""))
    assert result["published_at"] == "2023-05-23T10:15:31+07:00"
    assert result["provenance"]["published_at"] == "meta"


@pytest.mark.parametrize(
    "clock",
    [
        '<header class="header-nn"><div>Kamis, 1 Jun 2023</div></header>',
        '<div class="tgl-hari-ini">Kamis, 1 Jun 2023</div>',
    ],
)
def test_todays_date_in_the_site_header_is_not_the_publication_date(clock: str) -> None:
    html = page(meta_line="").replace("<body>", "<body>" + clock, 1)
    result = extract(html)
    assert (result["published_at"], result["published_precision"]) == (
        "2023-05-23T00:00:00+07:00",  # the URL's date, not the header's clock
        "day",
    )


def test_an_unmodified_page_has_no_modified_at() -> None:
    head = (
        '<meta property="article:published_time" content="2023-05-23T10:15:00+08:00">'
        '<meta property="article:modified_time" content="2023-05-23T10:15:00+08:00">'
    )
    assert extract(page(head=head))["modified_at"] is None


def test_without_a_shown_date_the_urls_date_path_gives_the_day() -> None:
    result = extract(page(meta_line=""))
    assert result["published_at"] == "2023-05-23T00:00:00+07:00"
    assert result["provenance"]["published_at"] == "url"


def test_without_any_date_the_first_paragraphs_weekday_date_is_used() -> None:
    result = extract(
        page(meta_line=""), url="https://www.beritakaltim.example/berita/banjir-samarinda"
    )
    assert result["published_at"] == "2023-05-23T00:00:00+07:00"
    assert result["provenance"]["published_at"] == "text"


def test_a_template_lang_default_loses_to_the_texts_language() -> None:
    result = extract(page(lang="en"))
    assert result["language"] == "id"
    assert result["provenance"]["language"] == "text"


# -- people ---------------------------------------------------------------------------------------


def test_staff_lines_after_the_body_give_author_and_editor_and_leave_the_body() -> None:
    after = '<p class="credit">Pewarta: Rina Wulandari</p><p>Editor: Hendra Saputra</p>'
    result = extract(page(after=after))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["reporter"] == "Rina Wulandari"
    assert result["editor"] == "Hendra Saputra"
    assert "Pewarta" not in result["body"] and "Editor" not in result["body"]


def test_a_byline_element_by_the_title() -> None:
    line = (
        '<div class="meta"><span class="author">Rina Wulandari - Berita Kaltim</span>'
        '<span class="date">Selasa, 23 Mei 2023 | 10:15 WITA</span></div>'
    )
    result = extract(page(meta_line=line))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"


def test_meta_author_naming_the_outlet_is_not_a_person() -> None:
    head = '<meta name="author" content="Berita Kaltim Media Group">'
    after = "<p>Penulis: Rina Wulandari</p>"
    result = extract(
        page(head=head, after=after),
        profile=parse_profile(
            "beritakaltim",
            {
                "name": "Berita Kaltim",
                "timezone": "Asia/Makassar",
                "homepage": "https://www.beritakaltim.example/",
            },
        ),
    )
    assert result["authors"] == ["Rina Wulandari"]


# -- related headlines ----------------------------------------------------------------------------

BOX = """<section class="box"><h3>Berita Terkait</h3><ul>
<li><a href="/samarinda/2023/05/22/bpbd-siagakan-perahu-karet">
BPBD Siagakan Perahu Karet di Sempaja</a></li>
<li><a href="https://www.beritakaltim.example/samarinda/2023/05/21/sungai-karang-mumus-meluap\
?utm_source=box">Sungai Karang Mumus Meluap Lagi</a></li>
<li><a href="https://other-outlet.example/2023/05/21/banjir">
Banjir di Kota Lain Juga Terjadi</a></li>
<li><a href="/tag/banjir">Banjir Samarinda Terkini</a></li>
</ul></section>"""


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


@pytest.mark.parametrize(
    "heading",
    [
        '<span class="label">VIDEO:</span> Banjir Rendam Lima Kecamatan di Samarinda',
        "FOTO: Banjir Rendam Lima Kecamatan di Samarinda",
        "[EKSKLUSIF] Banjir Rendam Lima Kecamatan di Samarinda",
        "INFOGRAFIS | Banjir Rendam Lima Kecamatan di Samarinda",
        '<span class="badge">BREAKING NEWS</span> Banjir Rendam Lima Kecamatan di Samarinda',
    ],
)
def test_a_kicker_label_before_the_headline_is_not_the_title(heading: str) -> None:
    html = page().replace(
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>", f"<h1>{heading}</h1>"
    )
    result = extract(html)
    assert result["title"] == "Banjir Rendam Lima Kecamatan di Samarinda"
    assert "Banjir Rendam Lima Kecamatan" not in result["body"]


def test_a_speaker_before_a_colon_stays_in_the_title() -> None:
    result = extract(page(title="KPU: Pemilu Tetap Digelar Sesuai Jadwal"))
    assert result["title"] == "KPU: Pemilu Tetap Digelar Sesuai Jadwal"


@pytest.mark.parametrize(
    "caption",
    [
        "Warga antre di pasar murah Tenggarong, Senin (22/5). (Foto: Istimewa)",
        "Warga antre di pasar murah Tenggarong. (ANTARA FOTO/Rina Kartika)",
        "Warga antre di pasar murah Tenggarong. (Dok. Humas Pemkab)",
    ],
)
def test_a_caption_set_as_a_paragraph_after_an_image_leaves_the_body(caption: str) -> None:
    line = f'<img src="/foto/pasar-murah.jpg"><br><em>{caption}</em>'
    result = extract(page(paragraphs=[*PARAGRAPHS[:2], line, *PARAGRAPHS[2:]]))
    assert "pasar murah" not in result["body"]
    assert result["captions"] == [caption]


UNCREDITED = "Warga mengungsi ke masjid di Sempaja, Selasa (23/5)."


@pytest.mark.parametrize(
    "figure",
    [
        f'<p><img src="/foto/banjir.jpg"><br><span style="font-size:11px">{UNCREDITED}</span></p>',
        f'<p><a href="/f/b.jpg"><img src="/f/b.jpg"></a><br><em>{UNCREDITED}</em></p>',
        f'<p><img src="/foto/banjir.jpg"></p><p><em>{UNCREDITED}</em></p>',
        f'<p><img src="/foto/banjir.jpg"><br><small>{UNCREDITED}</small></p>',
        f'<div><img src="/f/b.jpg"><br><span style="font-size: 0.8em">{UNCREDITED}</span></div>',
    ],
)
def test_an_uncredited_caption_under_an_image_leaves_the_body(figure: str) -> None:
    result = extract(page(paragraphs=[PARAGRAPHS[0], figure, *PARAGRAPHS[1:]]))
    assert result["captions"] == [UNCREDITED]
    assert "mengungsi ke masjid di Sempaja" not in result["body"]
    assert len(result["body"].split("\n\n")) == len(PARAGRAPHS)


@pytest.mark.parametrize(
    "figure",
    [
        # plain text after the image: a paragraph, however short
        f'<p><img src="/foto/banjir.jpg"><br>{UNCREDITED}</p>',
        # a paragraph after a paragraph holding the image
        f'<p><img src="/foto/banjir.jpg"></p><p>{UNCREDITED}</p>',
        # body-size text in a span
        f'<p><img src="/foto/banjir.jpg"><br><span style="font-size:16px">{UNCREDITED}</span></p>',
        # an italic phrase that opens a paragraph going on after it
        f'<p><img src="/foto/banjir.jpg"></p><p><em>Banjir kiriman</em> {UNCREDITED}</p>',
    ],
)
def test_a_paragraph_after_an_image_stays_in_the_body(figure: str) -> None:
    result = extract(page(paragraphs=[PARAGRAPHS[0], figure, *PARAGRAPHS[1:]]))
    assert result["captions"] == []
    assert "mengungsi ke masjid di Sempaja" in result["body"]


def test_a_writers_initials_closing_the_body_are_not_a_photo_credit() -> None:
    last = "Stok beras cukup hingga Lebaran, katanya. (ist)"
    result = extract(page(paragraphs=[*PARAGRAPHS[:3], last]))
    assert result["signoff"] == "ist"
    assert result["body"].endswith("Stok beras cukup hingga Lebaran, katanya.")


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


# -- captions, canonical URL, parts ---------------------------------------------------------------


def test_captions_leave_the_body() -> None:
    figure = (
        '<figure><img src="/img/banjir.jpg"><figcaption>Warga menerobos banjir di Sempaja,'
        " Selasa (23/5). (Foto: Berita Kaltim)</figcaption></figure>"
    )
    paragraphs = [PARAGRAPHS[0], figure, *PARAGRAPHS[1:]]
    result = extract(page(paragraphs=paragraphs))
    assert result["captions"] == [
        "Warga menerobos banjir di Sempaja, Selasa (23/5). (Foto: Berita Kaltim)"
    ]
    assert "Warga menerobos" not in result["body"]


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


def test_merge_parts_stitches_bodies_and_related() -> None:
    first = extract(page(paragraphs=PARAGRAPHS[:2], after=BOX))
    second = extract(page(paragraphs=PARAGRAPHS[2:], after=BOX), url=URL + "?page=2")
    merged = merge_parts(first, [second])
    assert merged["body"].split("\n\n")[2].startswith('"Kami sudah menyiagakan')
    assert merged["signoff"] == "han"
    assert [r["position"] for r in merged["related"]] == [0, 1]
    assert merged["word_count"] == len(merged["body"].split())
    assert merged["next_pages"] == []


# -- encodings and bad input ----------------------------------------------------------------------


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


def test_a_very_long_article_keeps_every_paragraph() -> None:
    paragraphs = [
        f"Paragraf nomor {i} tentang banjir di Samarinda yang panjang dan lengkap, "
        f"ditulis ulang dengan angka {i} agar tidak sama."
        for i in range(3000)
    ]
    body = extract(page(paragraphs=paragraphs))["body"]
    assert len(body.split("\n\n")) == 3000


def test_a_date_line_without_year_takes_it_from_the_url() -> None:
    result = extract(page(meta_line='<div class="tgl">Selasa (23/5) 10.15 WITA</div>'))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_raw"] == "Selasa (23/5) 10.15 WITA"


def test_a_script_rendered_page_falls_back_to_json_ld_article_body() -> None:
    data = {"@type": "NewsArticle", "headline": "Banjir Rendam Lima Kecamatan di Samarinda",
            "datePublished": "2023-05-23T10:15:00+08:00", "articleBody": "\n".join(PARAGRAPHS)}
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head>'
        '<body><div id="app"></div><script src="/app.js"></script></body></html>'
    )
    result = extract(html)
    assert result["body"].split("\n\n")[0].startswith("Banjir merendam lima kecamatan")
    assert result["dateline"] == "SAMARINDA" and result["signoff"] == "han"
    assert result["provenance"]["body"] == "jsonld"


def test_a_script_shell_without_structured_body_has_no_body() -> None:
    html = ('<html><head><title>Banjir | Berita Kaltim</title></head><body><div id="app">'
            "<noscript>Aktifkan JavaScript untuk membaca berita ini.</noscript></div>"
            '<script id="state" type="application/json">{"c": ["Banjir merendam"]}</script>'
            "</body></html>")
    result = extract(html)
    assert result["body"] is None and "body" not in result["provenance"]


def test_next_parts_numbered_in_the_path() -> None:
    pager = f'<div class="halaman"><a href="{URL}/2">2</a> <a href="{URL}/3">3</a></div>'
    assert extract(page(after=pager))["next_pages"] == [URL + "/2", URL + "/3"]


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
