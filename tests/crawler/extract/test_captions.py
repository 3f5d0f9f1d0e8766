"""Photo captions out of the body and the date chains (crawler/extract/captions.py)."""

from __future__ import annotations

import pytest

from tests.crawler.extract.pagekit import PARAGRAPHS, extract, page


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
