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
