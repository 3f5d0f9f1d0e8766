"""Bad input for the crawl, served on one demo outlet (`TRAP_SITE`) so a crawl meets it.

Every trap is reachable the way a crawl discovers pages: page-like traps are listed in a
`traps-sitemap.xml` that the outlet's sitemap index points to; the XML bomb is a second extra
sitemap in the index (and a `Sitemap:` line of robots.txt); the HTML "feed" is declared by
`<link rel="alternate">` in every page head; the disallowed page and the old redirecting URL are
also linked from the home page. `trap_list()` describes each one for the tests: its URL, its
kind, the status served, and what the crawl is expected to do (`expect`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from crawler.demo.site import Addon, Outlet, Request, Response, html, redirect, xml

TRAP_SITE = "kaltimnews"

DEFAULT_SLOW_SECONDS = 5.0
"""Delay of the slow page: longer than the short timeout crawl tests give it
(tests/crawler/slow_trap.py), short enough that a test which does wait for it stays bearable."""

DEFAULT_BIG_MB = 20
"""Size of the huge page in MiB: far above any sane article (real pages are 50-300 KB)."""

REDIRECT_TARGET = "kn05"
"""The bundled article the old URL `/lama/...` redirects to with a 301."""

DISALLOWED_PATH = "/arsip-internal/draf-laporan-khusus/"
SEARCH_PATH = "/cari?q=pemilu"
REDIRECT_PATH = "/lama/bawaslu-petakan-tps-rawan/"
LOOP_A, LOOP_B = "/putar/a/", "/putar/b/"
MISSING_PATH = "/politik/2024/01/10/berita-yang-sudah-dihapus/"
ERROR_PATH = "/ekonomi/2024/01/11/galat-server-saat-dibuka/"
SLOW_PATH = "/daerah/2024/01/12/halaman-yang-sangat-lambat/"
BIG_PATH = "/daerah/2024/01/13/halaman-raksasa-dua-puluh-mb/"
BROKEN_PATH = "/daerah/2024/01/14/festival-budaya-erau-digelar-meriah/"
CHARSET_PATH = "/daerah/2024/01/15/kafe-tepian-mahakam-jadi-tujuan-wisata/"
EMPTY_PATH = "/daerah/2024/01/16/halaman-tanpa-isi/"
BODILESS_PATH = "/daerah/2024/01/17/jadwal-pemadaman-bergilir-samarinda/"
BOMB_PATH = "/sitemap-bomb.xml"
TRAPS_SITEMAP_PATH = "/traps-sitemap.xml"
HTML_FEED_PATH = "/feed/video/"

BROKEN_TITLE = "Festival Budaya Erau Digelar Meriah di Tenggarong"
BROKEN_FIRST = ("Ribuan warga memadati tepian Sungai Mahakam di Tenggarong untuk menyaksikan "
                "pembukaan Festival Budaya Erau.")
BROKEN_LAST = "Festival ini berlangsung selama sepekan dengan puluhan pertunjukan seni."
CHARSET_TITLE = "Kafe Tepian Mahakam Jadi Tujuan Wisata Baru Samarinda"
CHARSET_FIRST = ("Sebuah kafe di tepian Sungai Mahakam menjadi tujuan wisata baru bagi warga "
                 "Samarinda.")
CHARSET_LAST = "“Kami ingin tamu merasakan suasana sungai,” kata pemiliknya, Andrés Siregar."
BODILESS_TITLE = "PLN Umumkan Jadwal Pemadaman Bergilir di Samarinda"
BODILESS_PUBLISHED = "2024-01-17T09:30:00+08:00"
BODILESS_PARAGRAPHS = (
    "PLN Unit Pelaksana Pelayanan Pelanggan Samarinda mengumumkan jadwal pemadaman bergilir "
    "selama tiga hari mulai Kamis untuk pemeliharaan gardu induk di Sungai Kunjang.",
    "Pemadaman berlangsung dua sampai empat jam di setiap wilayah dan diumumkan melalui "
    "aplikasi serta akun media sosial resmi perusahaan listrik negara itu.",
    "Warga diminta menyiapkan penerangan cadangan dan mencabut peralatan listrik yang tidak "
    "dipakai selama pemeliharaan berlangsung, kata manajer unit tersebut.",
)
"""The article page whose body comes late (`bodiless`): served without its text (a script
fills it in the browser) or, once it `gained` its body, with these paragraphs."""

BODILESS_STATES = ("off", "missing", "gained")


@dataclass
class TrapSettings:
    slow_seconds: float = DEFAULT_SLOW_SECONDS
    big_mb: int = DEFAULT_BIG_MB
    bodiless: str = "off"
    """The late-body article (`BODILESS_PATH`): `off` (not listed, 404), `missing` (title,
    date and byline, no body text), `gained` (the same page with its paragraphs)."""


def _bodiless_page(base: str, with_body: bool) -> str:
    body = ("".join(f"<p>{p}</p>" for p in BODILESS_PARAGRAPHS) if with_body else "")
    return (
        "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">"
        f"<title>{BODILESS_TITLE} - Kaltim News</title>"
        f"<link rel=\"canonical\" href=\"{base}{BODILESS_PATH}\">"
        f"<meta property=\"og:title\" content=\"{BODILESS_TITLE}\">"
        f"<meta property=\"article:published_time\" content=\"{BODILESS_PUBLISHED}\">"
        "<meta name=\"author\" content=\"Rina Wulandari\">"
        "</head><body><header><nav><a href=\"/\">Beranda</a> <a href=\"/daerah/\">Daerah</a>"
        "</nav></header><main><article>"
        f"<h1>{BODILESS_TITLE}</h1>"
        "<div class=\"meta\">Oleh Rina Wulandari | Rabu, 17 Januari 2024 09:30 WITA</div>"
        f"<div id=\"isi-berita\" data-src=\"/api/isi/17\">{body}</div>"
        "<script>/* the text is loaded here in a browser */</script>"
        "</article></main></body></html>")


def _billion_laughs() -> str:
    """The classic entity-expansion bomb: ten levels of ten, 10^9 copies of "lol" if expanded."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<!DOCTYPE urlset [",
             ' <!ENTITY lol "lol">']
    previous = "lol"
    for level in range(1, 10):
        name = f"lol{level}"
        lines.append(f' <!ENTITY {name} "{("&" + previous + ";") * 10}">')
        previous = name
    lines.append("]>")
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                 f"<url><loc>http://127.0.0.1/&{previous};</loc></url></urlset>")
    return "\n".join(lines) + "\n"


def _broken_html(base: str) -> str:
    """An article page with broken markup: no </head>, no <body>, unclosed and mis-nested tags,
    unquoted attributes, a bare `&nbsp`, stray closing tags and a NUL byte."""
    return (
        "<html><head><meta charset=utf-8><title>" + BROKEN_TITLE + " - Kaltim News</title>\n"
        f"<link rel=canonical href={base}{BROKEN_PATH}>\n"
        "<div class=wrap><div class=post>\n"
        f"<h1 class=entry-title>{BROKEN_TITLE}</h1>\n"
        "<div class=entry-meta>Penulis: Dedi Kurniawan | "
        "<time datetime=2024-01-14T10:00:00+08:00>Minggu, 14 Januari 2024 - 10:00 WITA</time>"
        "</span></div></div>\n"
        "<div class=entry-content>\n"
        f"<p><b>TENGGARONG, kaltimnews.id</b> – {BROKEN_FIRST} Pembukaan ditandai "
        "arak-arakan perahu hias.\n"
        "<p>Panitia menyebut <b><i>jumlah pengunjung</b></i> tahun ini meningkat&nbsp dibanding "
        "tahun lalu. Pedagang kecil ikut kebagian rezeki.\n"
        "<p>Sejumlah turis mancanegara juga hadir\x00 dan mengikuti ritual di tepian sungai.\n"
        "<table><tr><td>Jadwal acara tersedia di posko panitia.\n"
        f"<p>{BROKEN_LAST}\n"
        "</div></div></div></div>\n"
    )


def _charset_page(base: str) -> bytes:
    """An article whose bytes are windows-1252 while the HTTP header says UTF-8."""
    page = (
        "<!DOCTYPE html><html lang=\"id\"><head><title>" + CHARSET_TITLE + " - Kaltim News"
        f"</title><link rel=\"canonical\" href=\"{base}{CHARSET_PATH}\"></head><body>"
        f"<article><h1 class=\"entry-title\">{CHARSET_TITLE}</h1>"
        "<div class=\"entry-meta\">Penulis: Nurul Hidayah | <time datetime="
        "\"2024-01-15T16:20:00+08:00\">Senin, 15 Januari 2024 - 16:20 WITA</time></div>"
        "<div class=\"entry-content\">"
        f"<p><strong>SAMARINDA, kaltimnews.id</strong> – {CHARSET_FIRST} Menu andalannya kopi "
        "robusta dan pisang goreng.</p>"
        "<p>Pengunjung datang sejak sore untuk menikmati matahari terbenam — terutama "
        "pada akhir pekan.</p>"
        f"<p>{CHARSET_LAST}</p></div></article></body></html>"
    )
    return page.encode("cp1252")


def _big_page(base: str, size: int) -> tuple[int, Any]:
    head = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Halaman Raksasa - "
            f"Kaltim News</title><link rel=\"canonical\" href=\"{base}{BIG_PATH}\"></head><body>"
            "<article><h1>Halaman Raksasa</h1><div class=\"entry-content\">").encode()
    tail = b"</div></article></body></html>"
    filler = (b"<p>Paragraf pengisi halaman raksasa untuk menguji batas ukuran unduhan. "
              b"Isinya sengaja diulang terus-menerus.</p>\n")
    body_size = size - len(head) - len(tail)
    repeats, rest = divmod(body_size, len(filler))
    block = filler * 256

    def chunks() -> Iterator[bytes]:
        yield head
        left = repeats
        while left >= 256:
            yield block
            left -= 256
        yield filler * left
        yield b" " * rest
        yield tail

    return size, chunks


class Traps(Addon):
    """The trap routes and the links that lead a crawl to them."""

    def __init__(self, settings: TrapSettings) -> None:
        self.settings = settings

    def respond(self, outlet: Outlet, request: Request) -> Response | None:
        path, base = request.path, outlet.base
        if path == DISALLOWED_PATH:
            return html("<html><head><title>Draf internal</title></head><body><p>Draf laporan "
                        "yang belum terbit.</p></body></html>")
        if path == REDIRECT_PATH:
            return redirect(outlet.article_url(outlet.snapshot().get(REDIRECT_TARGET)), 301)
        if path == LOOP_A:
            return redirect(base + LOOP_B, 302)
        if path == LOOP_B:
            return redirect(base + LOOP_A, 302)
        if path == MISSING_PATH:
            return outlet.not_found(request)
        if path == ERROR_PATH:
            return html("<html><body><h1>500 Internal Server Error</h1></body></html>", 500)
        if path == SLOW_PATH:
            page = html("<html><head><title>Halaman Lambat</title></head><body><p>Akhirnya "
                        "terbuka.</p></body></html>")
            page.delay = self.settings.slow_seconds
            page.cacheable = False
            return page
        if path == BIG_PATH:
            length, chunks = _big_page(base, self.settings.big_mb * 1024 * 1024)
            return Response(chunks=chunks, length=length, cacheable=False)
        if path == BROKEN_PATH:
            return Response(body=_broken_html(base).encode("utf-8"),
                            content_type="text/html; charset=utf-8")
        if path == CHARSET_PATH:
            return Response(body=_charset_page(base), content_type="text/html; charset=utf-8")
        if path == EMPTY_PATH:
            return Response(body=b"", content_type="text/html; charset=utf-8")
        if path == BODILESS_PATH and self.settings.bodiless != "off":
            page = html(_bodiless_page(base, self.settings.bodiless == "gained"))
            page.cacheable = False
            return page
        if path == BOMB_PATH:
            return xml(_billion_laughs())
        if path == HTML_FEED_PATH:
            return html("<!DOCTYPE html><html><head><title>Video - Kaltim News</title></head>"
                        "<body><h1>Video Terbaru</h1><p>Halaman video sedang dalam perbaikan."
                        "</p></body></html>")
        if path == TRAPS_SITEMAP_PATH:
            listed = [*SITEMAP_TRAPS, *([BODILESS_PATH] if self.settings.bodiless != "off"
                                        else [])]
            entries = "".join(
                f"<url><loc>{base}{p}</loc><lastmod>2024-01-{day:02d}T12:00:00+08:00</lastmod>"
                "</url>\n"
                for day, p in enumerate(listed, start=10))
            return xml('<?xml version="1.0" encoding="UTF-8"?>\n'
                       '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                       f"{entries}</urlset>\n")
        return None

    def robots_lines(self, outlet: Outlet) -> list[str]:
        return ["Disallow: /arsip-internal/", f"Sitemap: {outlet.base}{BOMB_PATH}"]

    def sitemaps(self, outlet: Outlet) -> list[str]:
        return [outlet.base + TRAPS_SITEMAP_PATH, outlet.base + BOMB_PATH]

    def feeds(self, outlet: Outlet) -> list[tuple[str, str, str]]:
        return [("application/rss+xml", "Kaltim News » Video", outlet.base + HTML_FEED_PATH)]

    def links(self, outlet: Outlet) -> list[tuple[str, str]]:
        return [("Draf laporan khusus", outlet.base + DISALLOWED_PATH),
                ("Bawaslu petakan TPS rawan (arsip)", outlet.base + REDIRECT_PATH)]


SITEMAP_TRAPS = (DISALLOWED_PATH, REDIRECT_PATH, MISSING_PATH, ERROR_PATH, SLOW_PATH, BIG_PATH,
                 BROKEN_PATH, CHARSET_PATH, EMPTY_PATH, LOOP_A)
"""Page-like traps listed in the traps sitemap (lastmod 2024-01-10 onwards, in this order)."""


def trap_list(outlet: Outlet, settings: TrapSettings) -> list[dict[str, Any]]:
    """What each trap is and what a correct crawl does with it.

    `expect` values: `not_requested` (robots.txt forbids it: the request log must not show it),
    `redirect` (followed to `target`, archived once under the target's canonical URL),
    `redirect_loop`, `http_error` (counted, nothing archived), `timeout`, `too_large`,
    `article` (bad markup or charset, still an article: `title` and sentences given), `empty`,
    `bad_sitemap` (refused without expanding entities), `bad_feed` (not XML: counted).
    """
    base = outlet.base
    target = outlet.article_url(outlet.snapshot().get(REDIRECT_TARGET))
    return [
        {"kind": "robots_disallowed", "url": base + DISALLOWED_PATH, "status": 200,
         "expect": "not_requested", "robots_rule": "Disallow: /arsip-internal/"},
        {"kind": "robots_disallowed", "url": base + SEARCH_PATH, "status": 200,
         "expect": "not_requested", "robots_rule": "Disallow: /cari"},
        {"kind": "redirect", "url": base + REDIRECT_PATH, "status": 301,
         "expect": "redirect", "target": target},
        {"kind": "redirect_loop", "url": base + LOOP_A, "status": 302,
         "expect": "redirect_loop", "loop": [base + LOOP_A, base + LOOP_B]},
        {"kind": "not_found", "url": base + MISSING_PATH, "status": 404, "expect": "http_error"},
        {"kind": "server_error", "url": base + ERROR_PATH, "status": 500, "expect": "http_error"},
        {"kind": "slow", "url": base + SLOW_PATH, "status": 200, "expect": "timeout",
         "delay_seconds": settings.slow_seconds},
        {"kind": "huge", "url": base + BIG_PATH, "status": 200, "expect": "too_large",
         "bytes": settings.big_mb * 1024 * 1024},
        {"kind": "broken_html", "url": base + BROKEN_PATH, "status": 200, "expect": "article",
         "title": BROKEN_TITLE, "published_at": "2024-01-14T10:00:00+08:00",
         "body_first_sentence": BROKEN_FIRST, "body_last_sentence": BROKEN_LAST},
        {"kind": "wrong_charset", "url": base + CHARSET_PATH, "status": 200, "expect": "article",
         "declared": "utf-8", "actual": "windows-1252",
         "title": CHARSET_TITLE, "published_at": "2024-01-15T16:20:00+08:00",
         "body_first_sentence": CHARSET_FIRST, "body_last_sentence": CHARSET_LAST},
        {"kind": "empty", "url": base + EMPTY_PATH, "status": 200, "expect": "empty"},
        {"kind": "xml_bomb", "url": base + BOMB_PATH, "status": 200, "expect": "bad_sitemap"},
        {"kind": "feed_is_html", "url": base + HTML_FEED_PATH, "status": 200,
         "expect": "bad_feed"},
    ]
