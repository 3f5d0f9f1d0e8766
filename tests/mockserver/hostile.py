"""A hostile outlet: a news site that tries to send warta elsewhere and to poison the archive.

Served by the mock server beside the demo outlets, on its own 127.0.0.1 port, with a decoy
origin on a second loopback address (`DECOY_HOST`, 127.0.0.2) standing in for "another host":
the cloud metadata service, a machine on the local network. Nothing in a test crawl may ever
reach the decoy: every request it gets is in the request log under the site `offsite`.

What the hostile outlet does (`describe()` gives the URLs and expectations to the tests):

- robots.txt declares a sitemap index whose children are its own article sitemap, a sitemap
  on the decoy (`/latest/meta-data/sitemap.xml`, the shape of the metadata address) and a
  sitemap of its own that redirects to the decoy;
- its article sitemap lists an article that redirects to the decoy, and its home page links
  to an article on the decoy;
- articles: one with terminal escapes (`ESC]0;...BEL`, `ESC[2J`, OSC 52, a C1 CSI) in its
  title, JSON-LD, section, tags, body and a related headline; one with a JSON-LD block nested
  `DEEP_JSONLD` levels deep beside a good one; one whose title is `HUGE_TITLE_CHARS` long;
  one gzip bomb (`GZIP_BOMB_MB` of zeros, a few KB on the wire); a plain one.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

from crawler.demo.server import DemoServer
from crawler.demo.site import Request, Response, html, redirect, text, xml
from crawler.demo.state import DemoState

HOSTILE_SITE = "hostile"
DECOY_SITE = "offsite"
DECOY_HOST = "127.0.0.2"
"""A second loopback address: "another host" that a test can watch, and that is never a real
machine, however wrong the code under test is."""

DEEP_JSONLD = 200_000
HUGE_TITLE_CHARS = 1_800_000
GZIP_BOMB_MB = 20

ESC, BEL = "\x1b", "\x07"
OSC_TITLE = f"{ESC}]0;warta dibajak{BEL}"
CLEAR = f"{ESC}[2J"
OSC_52 = f"{ESC}]52;c;ZWNobyBkaWJhamFr{BEL}"
C1_CSI = "\x9b31m"
BACKSPACE, DCS = "\x08", "\x90"

ESCAPES_PATH = "/daerah/2024/02/01/banjir-rendam-tiga-kelurahan-samarinda/"
DEEP_PATH = "/daerah/2024/02/02/jalan-poros-bontang-rusak-parah/"
HUGE_PATH = "/daerah/2024/02/03/judul-yang-tidak-ada-habisnya/"
PLAIN_PATH = "/daerah/2024/02/04/pasar-ramadan-dibuka-di-tepian/"
BOMB_PATH = "/daerah/2024/02/05/bom-gzip-dalam-halaman/"
AWAY_PATH = "/daerah/2024/02/06/berita-yang-pindah-ke-tempat-lain/"
INDEX_PATH = "/sitemap-index.xml"
ARTICLES_SITEMAP = "/sitemap-artikel.xml"
MOVED_SITEMAP = "/sitemap-pindah.xml"
DECOY_SITEMAP = "/latest/meta-data/sitemap.xml"
DECOY_REDIRECTED = "/sitemap-dialihkan.xml"
DECOY_ARTICLE = "/daerah/2024/02/07/berita-di-host-lain/"

ESCAPES_TITLE = "Banjir Rendam Tiga Kelurahan di Samarinda"
DEEP_TITLE = "Jalan Poros Bontang Rusak Parah Setelah Hujan"
PLAIN_TITLE = "Pasar Ramadan Dibuka di Tepian Mahakam"


def _page(title: str, body: str, *, head: str = "", published: str,
          related: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">"
        f"<title>{title} - Kabar Liar</title>{head}</head><body><article>"
        f"<h1 class=\"entry-title\">{title}</h1>"
        f"<div class=\"entry-meta\">Penulis: Dedi Kurniawan | <time datetime=\"{published}\">"
        f"{published}</time></div><div class=\"entry-content\">{body}</div>{related}"
        "</article></body></html>"
    )


def _paragraphs(*lines: str) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


def _ld(data: dict[str, Any]) -> str:
    return f"<script type=\"application/ld+json\">{json.dumps(data)}</script>"


class HostileOutlet:
    """The hostile outlet as the demo server's handler wants an outlet: `key`, `state`,
    `respond(request)`."""

    key = HOSTILE_SITE
    name = "Kabar Liar"

    def __init__(self, base: str, decoy: str, state: DemoState) -> None:
        self.base = base
        self.decoy = decoy
        self.state = state

    def profile(self) -> dict[str, Any]:
        return {"name": self.name, "homepage": self.base + "/", "timezone": "Asia/Makassar",
                "language": "id", "checked": True,
                "region": {"province": "Kalimantan Timur", "city": "Samarinda"}}

    def _urlset(self, paths: list[str]) -> Response:
        entries = "".join(f"<url><loc>{self.base}{p}</loc>"
                          "<lastmod>2024-02-07T12:00:00+08:00</lastmod></url>" for p in paths)
        return xml('<?xml version="1.0" encoding="UTF-8"?><urlset '
                   f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>')

    def respond(self, request: Request) -> Response:
        path, base = request.path, self.base
        if path == "/robots.txt":
            return text(f"User-agent: *\nDisallow:\nSitemap: {base}{INDEX_PATH}\n")
        if path == INDEX_PATH:
            children = [base + ARTICLES_SITEMAP, self.decoy + DECOY_SITEMAP, base + MOVED_SITEMAP]
            entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in children)
            return xml('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                       f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
                       "</sitemapindex>")
        if path == MOVED_SITEMAP:
            return redirect(self.decoy + DECOY_REDIRECTED, 302)
        if path == ARTICLES_SITEMAP:
            return self._urlset([ESCAPES_PATH, DEEP_PATH, HUGE_PATH, PLAIN_PATH, AWAY_PATH])
        if path == AWAY_PATH:
            return redirect(self.decoy + DECOY_ARTICLE, 302)
        if path == "/":
            links = [base + p for p in (ESCAPES_PATH, DEEP_PATH, PLAIN_PATH)]
            links.append(self.decoy + DECOY_ARTICLE)
            items = "".join(f"<li><a href=\"{u}\">Berita {i}</a></li>"
                            for i, u in enumerate(links))
            return html(f"<!DOCTYPE html><html><head><title>{self.name}</title></head><body>"
                        f"<h1>{self.name}</h1><ul>{items}</ul></body></html>")
        if path == ESCAPES_PATH:
            return html(self._escapes())
        if path == DEEP_PATH:
            return html(self._deep())
        if path == HUGE_PATH:
            title = ("Judul panjang sekali " * (HUGE_TITLE_CHARS // 21 + 1))[:HUGE_TITLE_CHARS]
            return html(_page(title.strip(), _paragraphs(
                "SAMARINDA – Sebuah halaman dengan judul yang tidak ada habisnya diterbitkan "
                "untuk menguji batas panjang judul di arsip.",
                "Isi beritanya sendiri pendek dan biasa saja, seperti berita lainnya."),
                published="2024-02-03T09:00:00+08:00"))
        if path == PLAIN_PATH:
            return html(_page(PLAIN_TITLE, _paragraphs(
                "SAMARINDA – Pasar Ramadan kembali dibuka di tepian Sungai Mahakam dengan "
                "ratusan pedagang takjil.",
                "Pengunjung memadati lokasi sejak sore menjelang waktu berbuka puasa."),
                published="2024-02-04T16:00:00+08:00"))
        if path == BOMB_PATH:
            body = gzip.compress(b"\0" * (GZIP_BOMB_MB * 1024 * 1024), compresslevel=9)
            return Response(body=body, content_type="text/html; charset=utf-8",
                            headers=[("Content-Encoding", "gzip")], cacheable=False)
        return html("<html><body><h1>404</h1></body></html>", status=404)

    def _escapes(self) -> str:
        title = f"Banjir {OSC_TITLE}Rendam Tiga Kelurahan di Samarinda"
        head = (f"<meta property=\"article:section\" content=\"Dae{CLEAR}rah\">"
                f"<meta property=\"article:tag\" content=\"ban{ESC}[31mjir\">"
                f"<meta name=\"author\" content=\"Dedi{BACKSPACE}{BEL} Kurniawan\">"
                + _ld({"@type": "NewsArticle", "headline": title,
                       "datePublished": "2024-02-01T08:00:00+08:00",
                       "keywords": f"banjir{ESC}[5m, samarinda{C1_CSI}"}))
        body = _paragraphs(
            f"SAMARINDA – Banjir {CLEAR}merendam tiga kelurahan di Samarinda {OSC_52}sejak "
            f"Sabtu pagi, warga {C1_CSI}diminta waspada.",
            f"Petugas BPBD menyiagakan perahu karet di sejumlah titik rawan banjir.{ESC}[0m",
            # lone controls, no sequence: backspaces that overwrite text, a bell, a C1 DCS
            f"Warga yang tinggal di bantaran sungai diminta{BACKSPACE * 3} tetap waspada "
            f"karena hujan deras diperkirakan turun lagi{BEL} hingga akhir pekan.{DCS}")
        related = (f"<div class=\"baca-juga\">Baca Juga: <a href=\"{self.base}{PLAIN_PATH}\">"
                   f"Pasar Ramadan {OSC_TITLE}Dibuka di Tepian Mahakam</a></div>")
        return _page(title, body, head=head, published="2024-02-01T08:00:00+08:00",
                     related=related)

    def _deep(self) -> str:
        deep = "[" * DEEP_JSONLD + "]" * DEEP_JSONLD
        head = (f"<script type=\"application/ld+json\">{deep}</script>"
                + _ld({"@type": "NewsArticle", "headline": DEEP_TITLE,
                       "datePublished": "2024-02-02T07:30:00+08:00"}))
        return _page(DEEP_TITLE, _paragraphs(
            "BONTANG – Jalan poros Bontang rusak parah setelah hujan deras mengguyur kota "
            "selama tiga hari berturut-turut.",
            "Dinas pekerjaan umum berjanji menambal lubang jalan pekan depan."),
            head=head, published="2024-02-02T07:30:00+08:00")


class DecoyOrigin:
    """The other host: answers anything with a sitemap pointing back into the hostile outlet,
    so a crawl that reached it would also show it by fetching more."""

    key = DECOY_SITE

    def __init__(self, base: str, state: DemoState, hostile_base: str = "") -> None:
        self.base = base
        self.hostile_base = hostile_base
        self.state = state

    def respond(self, request: Request) -> Response:
        return xml('<?xml version="1.0" encoding="UTF-8"?><urlset '
                   'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
                   f"{self.hostile_base}/daerah/2024/02/08/rahasia-dari-host-lain/</loc>"
                   "</url></urlset>")


@dataclass
class HostileSites:
    """The running hostile outlet and decoy origin (two sites of the demo server, stopped with
    it)."""

    outlet: HostileOutlet

    def describe(self) -> dict[str, Any]:
        """What `GET /__hostile` answers: URLs, the profile, and what a crawl must do."""
        base, decoy = self.outlet.base, self.outlet.decoy
        return {
            "url": base, "decoy": decoy, "profile": self.outlet.profile(),
            "decoy_urls": [decoy + DECOY_SITEMAP, decoy + DECOY_REDIRECTED,
                           decoy + DECOY_ARTICLE],
            "escapes": {"url": base + ESCAPES_PATH, "title": ESCAPES_TITLE},
            "deep_jsonld": {"url": base + DEEP_PATH, "title": DEEP_TITLE,
                            "depth": DEEP_JSONLD},
            "huge_title": {"url": base + HUGE_PATH, "chars": HUGE_TITLE_CHARS},
            "plain": {"url": base + PLAIN_PATH, "title": PLAIN_TITLE},
            "gzip_bomb": {"url": base + BOMB_PATH, "inflated_mb": GZIP_BOMB_MB},
            "redirect_away": {"url": base + AWAY_PATH, "to": decoy + DECOY_ARTICLE},
        }


def serve_hostile(demo: DemoServer, host: str = "127.0.0.1") -> HostileSites:
    """Serve the hostile outlet on `host` and the decoy on `DECOY_HOST` (ports chosen by the
    system) beside the demo's outlets, logging into its request log."""
    decoy = demo.add_site("hostile-decoy", lambda url: DecoyOrigin(url, demo.state),
                          host=DECOY_HOST)
    outlet = demo.add_site("hostile", lambda url: HostileOutlet(url, decoy.base, demo.state),
                           host=host)
    decoy.hostile_base = outlet.base
    return HostileSites(outlet)
