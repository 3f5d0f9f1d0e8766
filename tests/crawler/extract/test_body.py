"""The body chain (crawler/extract/body.py): paragraphs without the parts read as fields."""

from __future__ import annotations

import json

import pytest

from tests.crawler.extract.pagekit import PARAGRAPHS, extract, page


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


def test_a_standfirst_that_repeats_the_description_opens_the_body() -> None:
    result = extract(ghost_page(STANDFIRST))
    assert result["dateline"] == "SAMARINDA"  # read from the paragraph after the standfirst
    first, second = result["body"].split("\n\n")[:2]
    assert first == STANDFIRST
    assert second.startswith("Banjir merendam lima kecamatan di Samarinda sejak")


def test_a_standfirst_repeating_a_truncated_description_keeps_the_dateline() -> None:
    result = extract(ghost_page(STANDFIRST, description=STANDFIRST[:70] + "..."))
    assert result["dateline"] == "SAMARINDA"
    assert result["body"].startswith(STANDFIRST)


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


def test_a_very_long_article_keeps_every_paragraph() -> None:
    paragraphs = [
        f"Paragraf nomor {i} tentang banjir di Samarinda yang panjang dan lengkap, "
        f"ditulis ulang dengan angka {i} agar tidak sama."
        for i in range(3000)
    ]
    body = extract(page(paragraphs=paragraphs))["body"]
    assert len(body.split("\n\n")) == 3000


def test_a_script_rendered_page_falls_back_to_json_ld_article_body() -> None:
    data = {"@type": "NewsArticle", "headline": "Banjir Rendam Lima Kecamatan di Samarinda",
            "datePublished": "2023-05-23T10:15:00+08:00", "articleBody": "\n".join(PARAGRAPHS)}
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head>'
        '<body><div id="app"></div><script src="/app.js"></script></body></html>'
    )
    result = extract(html)
    assert result["body"].split("\n\n")[0].startswith("Banjir merendam lima kecamatan")
    assert result["dateline"] == "SAMARINDA" and result["signoff"] == "*/han"
    assert result["provenance"]["body"] == "jsonld"


def test_a_script_shell_without_structured_body_has_no_body() -> None:
    html = ('<html><head><title>Banjir | Berita Kaltim</title></head><body><div id="app">'
            "<noscript>Aktifkan JavaScript untuk membaca berita ini.</noscript></div>"
            '<script id="state" type="application/json">{"c": ["Banjir merendam"]}</script>'
            "</body></html>")
    result = extract(html)
    assert result["body"] is None and "body" not in result["provenance"]


# -- the second opinion's doubts and candidates (crawler/extract/second_opinion.py) ----------

_SO_URL = "https://www.beritakaltim.example/samarinda/2023/05/23/banjir-rendam-samarinda"
_LEDE = (
    "Banjir merendam lima kecamatan di Samarinda sejak Senin malam setelah hujan deras "
    "mengguyur kota selama enam jam tanpa henti, dan ratusan warga terpaksa mengungsi ke "
    "masjid terdekat yang disiapkan oleh relawan bersama Badan Penanggulangan Bencana Daerah "
    "sejak awal pekan ini. Pemerintah kota meminta warga di bantaran Sungai Karang Mumus tetap "
    "waspada karena hujan diperkirakan masih turun hingga akhir pekan."
)
_REST = [
    f"Paragraf lanjutan nomor {i} menjelaskan dampak banjir terhadap warga, sekolah dan pasar "
    "di kawasan hilir sungai yang tergenang sejak awal pekan ini menurut petugas."
    for i in range(6)
]


def _lede_page(head: str = "", lede: str = _LEDE) -> str:
    return (
        f"<html><head><title>Banjir</title>{head}</head><body>"
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>"
        '<div class="date">Selasa, 23 Mei 2023 | 10:15 WITA</div>'
        f'<div class="entry"><p>{lede}</p></div></body></html>'
    )


def _article_body(words: int) -> str:
    text = " ".join(["kata"] * words)
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Banjir", '
        f'"articleBody": "{text}"}}</script>'
    )


def test_a_body_much_shorter_than_the_declared_article_body_is_in_doubt() -> None:
    from crawler.extract.context import parse_html
    from crawler.extract.page import walk
    from crawler.extract.second_opinion import DOUBT_DECLARED_FACTOR, in_doubt, words

    doc = parse_html(f"<html><body><article><p>{_LEDE}</p></article></body></html>")
    assert doc is not None
    page = walk(doc)
    root = page.blocks[0].container.getparent()
    n = words(_LEDE)
    assert in_doubt(page, root, _LEDE, declared_words=int(n * DOUBT_DECLARED_FACTOR) + 1) == (
        "declared"
    )
    assert in_doubt(page, root, _LEDE, declared_words=int(n * DOUBT_DECLARED_FACTOR)) is None


def test_trafilatura_lines_the_walk_cannot_see_extend_a_body_in_doubt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crawler.extract import second_opinion

    monkeypatch.setattr(
        second_opinion, "trafilatura_lines", lambda html, url, full=False: [_LEDE, *_REST]
    )
    result = extract(_lede_page(_article_body(400)), _SO_URL)
    assert result["provenance"]["body"] == "trafilatura"
    assert result["body"].split("\n\n") == [_LEDE, *_REST]


def test_unseen_lines_do_not_replace_a_short_body_by_the_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crawler.extract import second_opinion

    short = "Banjir merendam lima kecamatan di Samarinda sejak Senin malam."
    monkeypatch.setattr(
        second_opinion, "trafilatura_lines", lambda html, url, full=False: [short, *_REST]
    )
    result = extract(_lede_page(lede=short), _SO_URL)
    assert result["body"] == short


def test_the_full_trafilatura_chain_is_asked_only_after_a_short_fast_result() -> None:
    from crawler.extract.second_opinion import FULL_RETRY_WORDS, needs_full_chain

    assert needs_full_chain(None)
    assert needs_full_chain(" ".join(["kata"] * (FULL_RETRY_WORDS - 1)))
    assert not needs_full_chain(" ".join(["kata"] * FULL_RETRY_WORDS))


def test_the_full_trafilatura_chain_is_never_asked_on_a_huge_page() -> None:
    from crawler.extract.second_opinion import FULL_CHAIN_MAX_CHARS, needs_full_chain

    assert needs_full_chain("", FULL_CHAIN_MAX_CHARS)
    assert not needs_full_chain("", FULL_CHAIN_MAX_CHARS + 1)


def _walked_lines(lines: list[str]):  # type: ignore[no-untyped-def]
    from crawler.extract.context import parse_html
    from crawler.extract.page import walk

    doc = parse_html("<html><body>" + "".join(f"<p>{t}</p>" for t in lines) + "</body></html>")
    assert doc is not None
    return walk(doc)


def test_a_line_is_matched_inside_a_longer_second_opinion_line_and_not_elsewhere() -> None:
    from crawler.extract.second_opinion import matched_blocks

    mine = "ratusan warga terpaksa mengungsi ke masjid terdekat"
    other = "harga cabai naik di pasar segiri sejak pekan lalu"
    page = _walked_lines([mine, other])
    theirs = [f"Kata petugas, {mine} sejak Senin malam."]
    assert [b.text for b in matched_blocks(page, theirs)] == [mine]


def test_a_line_whose_words_fill_too_many_second_opinion_lines_is_not_distinctive() -> None:
    from crawler.extract.second_opinion import MATCH_CANDIDATES, matched_blocks

    mine = "dan warga terpaksa mengungsi ke masjid"
    page = _walked_lines([mine])
    few = [f"{i} dan warga terpaksa mengungsi ke masjid {i}" for i in range(MATCH_CANDIDATES)]
    assert len(matched_blocks(page, few)) == 1
    many = few + [f"x{i} warga terpaksa pulang" for i in range(2)]
    assert matched_blocks(page, many) == []


SUBSCRIBE_BOX = (
    '<div class="intro-premium {cls}"><p>Langganan sekarang untuk membaca semua berita di '
    "kota Anda dan di seluruh Indonesia dengan satu akun.</p><p>Akses tanpa batas ke lima "
    "belas situs berita dan edisi cetak digital yang bisa dibaca di perangkat apa pun.</p></div>"
)


def test_a_box_hidden_by_its_class_stays_out_of_the_body() -> None:
    body = extract(page(before=SUBSCRIBE_BOX.format(cls="hidden")))["body"]
    assert "Langganan" not in body and "Badan Penanggulangan Bencana" in body


@pytest.mark.parametrize("cls", ["overflow-hidden", "hidden md:block", "hidden-xs"])
def test_a_class_that_only_looks_hidden_keeps_its_text(cls: str) -> None:
    box = SUBSCRIBE_BOX.format(cls=cls)
    body = extract(page(paragraphs=[PARAGRAPHS[0], box, *PARAGRAPHS[1:]]))["body"]
    assert "Langganan sekarang" in body


TEASER_CARD = (
    '<div class="teaser"><h3><a href="/samarinda/2023/05/20/bpbd-siagakan-perahu">BPBD '
    "Siagakan Perahu Karet</a></h3><p>Petugas menyiapkan perahu karet di tiga kelurahan yang "
    'paling sering tergenang banjir. <a href="/samarinda/2023/05/20/bpbd-siagakan-perahu">'
    "mehr</a></p></div>"
)


def test_a_teaser_card_for_another_article_stays_out_of_the_body() -> None:
    paragraphs = [*PARAGRAPHS[:2], TEASER_CARD, *PARAGRAPHS[2:]]
    body = extract(page(paragraphs=paragraphs))["body"]
    assert "Petugas menyiapkan perahu" not in body
    assert body.count("\n\n") == 3


def test_an_article_text_in_a_teaser_box_stays() -> None:
    """`teaser` also names an article's own lede or whole text: without a link, or long."""
    lede = ('<div class="teaser_text">Petugas menyiapkan perahu karet di tiga kelurahan yang '
            "paling sering tergenang banjir sejak awal musim hujan tahun ini.</div>")
    body = extract(page(paragraphs=[lede, *PARAGRAPHS]))["body"]
    assert "Petugas menyiapkan perahu" in body
    whole = "".join(f"<p>{p} <a href='/tag/banjir'>banjir</a></p>" for p in PARAGRAPHS[:3])
    body = extract(page(paragraphs=[f'<div class="article__teaser">{whole}</div>']))["body"]
    assert "Badan Penanggulangan Bencana" in body


def test_an_embed_consent_placeholder_stays_out_of_the_body() -> None:
    consent = ('<div class="c-oembed-placeholder"><p>Um eingebettete Inhalte anzuzeigen, ist '
               "deine widerrufliche Einwilligung in die Übermittlung notwendig.</p></div>")
    body = extract(page(paragraphs=[*PARAGRAPHS[:2], consent, *PARAGRAPHS[2:]]))["body"]
    assert "eingebettete" not in body and "Badan Penanggulangan Bencana" in body


def _widget_page(second_part: str, first: list[str] | None = None,
                 rest: list[str] | None = None) -> str:
    """An article split by an ad and a photo into text widgets of one kind; the second part
    wrapped as `second_part` says."""
    head = "".join(f"<p>{p}</p>" for p in (PARAGRAPHS[:2] if first is None else first))
    tail = "".join(f"<p>{p}</p>" for p in
                   ([*PARAGRAPHS[2:], *_REST[:3]] if rest is None else rest))
    return f"""<html><head><title>Banjir</title></head><body><main>
<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>
<div class="date">Selasa, 23 Mei 2023 | 10:15 WITA</div>
<div class="article-blocks">
<div class="article-block block-text"><div class="wrap"><div class="text">{head}</div></div></div>
<div class="article-block block-ad"><div class="wrap"><span>Advertisement</span></div></div>
<div class="article-block block-image"><div class="wrap"><img src="/a.jpg"></div></div>
{second_part.format(text=f'<div class="wrap"><div class="text">{tail}</div></div>')}
</div></main></body></html>"""


def test_an_article_split_into_boxes_of_one_kind_is_read_whole() -> None:
    body = extract(_widget_page('<div class="article-block block-text">{text}</div>'))["body"]
    assert body.startswith("Banjir merendam lima kecamatan")  # the first part, before the ad
    assert "Paragraf lanjutan nomor 2" in body and "Advertisement" not in body
    assert body.index("Badan Penanggulangan") < body.index("Kami sudah menyiagakan")


_OTHER_STORY = [
    f"Cerita lain nomor {i} tentang harga cabai di pasar Segiri yang naik dua kali lipat "
    "sejak awal bulan menurut para pedagang di sana."
    for i in range(2)
]


@pytest.mark.parametrize("wrapper", [
    '<article class="next-story">{text}</article>',  # the next story of an endless page
    '<div class="comments">{text}</div>',  # a comment thread reusing the class
])
def test_a_box_of_the_root_s_kind_in_another_story_or_region_stays_out(wrapper: str) -> None:
    """Negative case: the same `<div class="text">` inside another `<article>` or a comment
    region is not a part of this article."""
    html = _widget_page(wrapper, first=[*PARAGRAPHS, *_REST[:3]], rest=_OTHER_STORY)
    body = extract(html)["body"]
    assert "Badan Penanggulangan" in body and "Paragraf lanjutan nomor 2" in body
    assert "Cerita lain" not in body


def _lead_page(lead: str, description: str = STANDFIRST) -> str:
    """A standfirst under the headline, above the date line, outside the body's box."""
    return page(head=f'<meta property="og:description" content="{description}">',
                meta_line=f'<p class="lead">{lead}</p>'
                          '<div class="date">Selasa, 23 Mei 2023 | 10:15 WITA</div>')


def test_a_standfirst_above_the_body_box_opens_the_body() -> None:
    result = extract(_lead_page(STANDFIRST))
    first, second = result["body"].split("\n\n")[:2]
    assert first == STANDFIRST
    assert second.startswith("Banjir merendam lima kecamatan di Samarinda sejak")
    assert result["dateline"] == "SAMARINDA"
    assert result["body"].count(STANDFIRST) == 1


def test_a_line_above_the_body_that_is_not_the_description_stays_out() -> None:
    other = "Baca berita banjir lainnya di kanal Samarinda kami yang diperbarui setiap jam."
    result = extract(_lead_page(other))
    assert other not in result["body"]
    assert result["body"].startswith("Banjir merendam lima kecamatan di Samarinda sejak")


def test_a_standfirst_restating_the_first_paragraph_stays_out() -> None:
    from crawler.extract.body import restates

    lead = PARAGRAPHS[0].split(" - ", 1)[1]
    assert restates("Banjir merendam lima kecamatan di Samarinda sejak Senin malam.", lead)
    assert not restates(STANDFIRST, lead)  # it adds: the refugees
    result = extract(_lead_page(lead[:60] + "...", description=lead[:60] + "..."))
    assert not result["body"].startswith(lead[:60] + "...")
    assert result["body"].startswith("Banjir merendam lima kecamatan di Samarinda sejak")


def test_a_subhead_styled_as_a_widget_title_stays_but_a_widget_line_does_not() -> None:
    subhead = '<h2 class="widget-title">Warga Mengungsi ke Masjid</h2>'
    share = '<div class="share-bar">Bagikan artikel ini ke teman dan keluarga Anda sekarang.</div>'
    html = page(paragraphs=[*PARAGRAPHS[:2], "__SUB__", *PARAGRAPHS[2:]]).replace(
        "<p>__SUB__</p>", subhead + share)
    body = extract(html)["body"]
    assert "\n\nWarga Mengungsi ke Masjid\n\n" in body
    assert "Bagikan artikel" not in body  # negative: boilerplate that is no heading stays out
