"""The title chain (crawler/extract/title.py)."""

from __future__ import annotations

import pytest

from tests.crawler.extract.pagekit import extract, page


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


def test_a_headline_whose_dash_is_its_own_stays_whole() -> None:
    title = "Samarinda - Balikpapan Kini Ditempuh Satu Jam Lewat Tol"
    head = f'<meta property="og:title" content="{title} - Berita Kaltim">'
    assert extract(page(title=title, head=head))["title"] == title


HEADLINE = "Ratusan Warga Mengungsi ke Masjid"


def _declared(og: str, ld: str | None = None) -> str:
    head = f'<meta property="og:title" content="{og}">'
    if ld is not None:
        head += (
            '<script type="application/ld+json">'
            f'{{"@type": "NewsArticle", "headline": "{ld}"}}</script>'
        )
    return head


@pytest.mark.parametrize(
    "heading",
    [
        f"Banjir Samarinda: {HEADLINE}",
        f"Banjir Samarinda - {HEADLINE}",
        f'<span class="kicker">Banjir Samarinda</span> {HEADLINE}',
    ],
)
def test_a_kicker_the_declared_title_leaves_out_is_not_the_title(heading: str) -> None:
    html = page(head=_declared(HEADLINE, f"Banjir Samarinda: {HEADLINE}")).replace(
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>", f"<h1>{heading}</h1>"
    )
    assert extract(html)["title"] == HEADLINE


def test_a_long_lead_before_the_declared_title_is_a_headline_of_its_own() -> None:
    heading = f"Hujan Deras Enam Jam Tanpa Henti di Kota Samarinda Sejak Senin: {HEADLINE}"
    html = page(head=_declared(HEADLINE, heading)).replace(
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>", f"<h1>{heading}</h1>"
    )
    assert extract(html)["title"] == heading


def test_json_ld_and_og_title_agreeing_outvote_the_heading() -> None:
    result = extract(page(head=_declared(HEADLINE, HEADLINE)))
    assert (result["title"], result["provenance"]["title"]) == (HEADLINE, "jsonld")


def test_og_title_alone_does_not_outvote_the_heading() -> None:
    result = extract(page(head=_declared(HEADLINE)))
    assert result["title"] == "Banjir Rendam Lima Kecamatan di Samarinda"


def test_a_heading_with_its_spans_glued_gives_the_declared_text() -> None:
    declared = f"Banjir Samarinda / {HEADLINE}"
    html = page(head=_declared(declared)).replace(
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>",
        f"<h1><span>Banjir Samarinda</span>{HEADLINE}</h1>",
    )
    assert extract(html)["title"] == declared


@pytest.mark.parametrize(
    ("og", "title"),
    [
        # the headline's own separator is kept as written, only the site piece goes
        (f"Banjir Samarinda : {HEADLINE} | Berita Kaltim", f"Banjir Samarinda : {HEADLINE}"),
        (f"Berita Kaltim | Banjir Samarinda : {HEADLINE}", f"Banjir Samarinda : {HEADLINE}"),
        (f"BANJIR 3.0 | {HEADLINE}", f"BANJIR 3.0 | {HEADLINE}"),
    ],
)
def test_cutting_the_site_name_keeps_the_headlines_own_separators(og: str, title: str) -> None:
    site = '<meta property="og:site_name" content="Berita Kaltim">'
    html = page(head=site + f'<meta property="og:title" content="{og}">').replace(
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>", "<h2>Samarinda</h2>"
    )
    assert extract(html)["title"] == title


_KICKED = (
    '<h1><span class="kicker">Banjir Samarinda</span> '
    f'<span class="headline">{HEADLINE}</span></h1>'
)


@pytest.mark.parametrize(
    ("og", "title"),
    [
        # the heading sets its kicker as an element of its own and `og:title` declares the
        # headline element's text: the headline, without the kicker
        (HEADLINE, HEADLINE),
        # a declaration behind a kicker of its own, not the heading's, names the same part
        (f"Cuaca Ekstrem: {HEADLINE}", HEADLINE),
        # a declaration that carries the heading's kicker keeps it in the title
        (f"Banjir Samarinda: {HEADLINE}", f"Banjir Samarinda: {HEADLINE}"),
    ],
)
def test_a_kicker_element_in_the_heading_leaves_the_title_when_a_declaration_says_so(
    og: str, title: str
) -> None:
    shown = "Banjir Rendam Lima Kecamatan, Warga Mengungsi"  # the h1: the SEO headline
    html = page(title=shown, head=_declared(og, ld=shown)).replace(
        f"<h1>{shown}</h1>", f"<h1>{shown}</h1>" + _KICKED.replace("h1", "h2"))
    assert extract(html)["title"] == title


def test_a_heading_whose_headline_element_no_declaration_carries_stays_whole() -> None:
    shown = f"Banjir Samarinda {HEADLINE}"
    head = '<meta property="og:title" content="Sungai Karang Mumus Meluap Lagi Sore Ini">'
    html = page(title=shown, head=head).replace(f"<h1>{shown}</h1>", _KICKED)
    assert extract(html)["title"] == shown


@pytest.mark.parametrize(
    ("site", "title"),
    [
        # `og:title` is the declared headline and a site suffix behind separators of any
        # kind: the declared headline
        ("Berita Kaltim", HEADLINE),
        # a rest that does not name the site is no suffix: `og:title` as declared
        ("Kabar Kukar", f"{HEADLINE}-Samarindaㅣ Berita Kaltim"),
    ],
)
def test_a_site_suffix_behind_an_unusual_separator_leaves_the_title_by_another_declaration(
    site: str, title: str
) -> None:
    head = (f'<meta property="og:site_name" content="{site}">'
            f'<meta name="headline" content="{HEADLINE}">'
            f'<meta property="og:title" content="{HEADLINE}-Samarindaㅣ Berita Kaltim">')
    html = page(head=head).replace(
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>", "<h2>Samarinda</h2>"
    )
    assert extract(html)["title"] == title
