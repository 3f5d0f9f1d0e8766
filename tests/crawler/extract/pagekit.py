"""The small article page the extraction tests build, and how they read it: `page(...)` writes
one with the parts a test changes, `extract(html)` reads it as `warta extract` would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crawler.extract import extract_article

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


WP_META = (
    '<div class="entry-meta"><span class="posted-on"><a href="#" rel="bookmark">'
    '<time class="entry-date published" datetime="2023-05-23T10:15:00+08:00">23 Mei 2023</time>'
    '<time class="updated" datetime="2023-05-24T08:00:00+08:00">24 Mei 2023</time>'
    "</a></span></div>"
)


BOX = """<section class="box"><h3>Berita Terkait</h3><ul>
<li><a href="/samarinda/2023/05/22/bpbd-siagakan-perahu-karet">
BPBD Siagakan Perahu Karet di Sempaja</a></li>
<li><a href="https://www.beritakaltim.example/samarinda/2023/05/21/sungai-karang-mumus-meluap\
?utm_source=box">Sungai Karang Mumus Meluap Lagi</a></li>
<li><a href="https://other-outlet.example/2023/05/21/banjir">
Banjir di Kota Lain Juga Terjadi</a></li>
<li><a href="/tag/banjir">Banjir Samarinda Terkini</a></li>
</ul></section>"""
