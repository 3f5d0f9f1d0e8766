"""A network portal: channel, tag and author pages, and multi-page articles.

Served by the mock server beside the demo outlets on a port of its own (not in the JSON line of
base URLs); `GET /__network` describes it. The shape of the big regional networks issue 13
measured: no sitemap, no feed, every article reachable only through listings, and long stories
cut into parts.

- `ARTICLES` articles, one every `SPACING_HOURS` hours back from `NEWEST`, at
  `/read/<id>/<slug>`, each in one of the `CHANNELS` with one of the `TAGS` and one of the
  `AUTHORS`; pages carry `<time datetime>` and a byline;
- the homepage shows the `HOME_SIZE` newest and links the channels; channels
  `/channel/<name>?page=N` (`rel=next` and `Next`), tags `/tag/<tag>/page/N` (numbered links)
  and authors `/author/<slug>` with `?p=N` (`»`), `PAGE_SIZE` items a page;
- the multi-page articles (`MULTIPAGE`), each part's paragraphs saying which part they are:
  - `query_all`: parts `?page=2`, `?page=3`, and a `Tampilkan semua` link to `?page=all`, the
    whole story on one page;
  - `path`: parts `/2`, `/3`, `/4` under `Halaman 1 2 3 4`, no single-page view;
  - `rel_next`: parts reached one by one (`<link rel="next">` and `Selanjutnya` only);
  - `path_all`: parts `/2`, `/3` and a `Lihat semua` link to `/all`;
  - `missing`: parts `?page=2`, `?page=3` under `Halaman 1 2 3`, where part 2 answers 404;
  - `broken_all`: part `?page=2` and a `Tampilkan semua` link to `?page=all` that answers 404
    (the parts are read instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any

from crawler.demo.server import DemoServer
from crawler.demo.site import Request, Response, html, text
from crawler.demo.state import DemoState

NETWORK_SITE = "network"
ARTICLES = 36
PAGE_SIZE = 8
HOME_SIZE = 6
SPACING_HOURS = 7
WIB = dt.timezone(dt.timedelta(hours=7))
NEWEST = dt.datetime(2024, 6, 14, 16, 40, tzinfo=WIB)
ID_BASE = 880100
CHANNELS = ("news", "regional", "bisnis")
TAGS = ("ikn", "banjir", "tambang", "pemilu")
AUTHORS = ("sari-wulandari", "andi-pratama")
MULTIPAGE: dict[int, tuple[str, int]] = {
    2: ("query_all", 3),
    5: ("path", 4),
    9: ("rel_next", 3),
    14: ("path_all", 3),
    21: ("missing", 3),
    27: ("broken_all", 2),
}
"""Article number -> (how its parts are linked, how many parts)."""
MISSING_PART = 2
"""The part of the `missing` article that answers 404."""
_WORDS = ("pemerintah", "warga", "anggaran", "jembatan", "pelabuhan", "sekolah", "pasar",
          "rumah sakit", "bandara", "jalan tol")


@dataclass(frozen=True)
class NetworkArticle:
    number: int
    title: str
    slug: str
    channel: str
    tag: str
    author: str
    published: dt.datetime

    @property
    def path(self) -> str:
        return f"/read/{ID_BASE + self.number}/{self.slug}"

    @property
    def form(self) -> str | None:
        return MULTIPAGE[self.number][0] if self.number in MULTIPAGE else None

    @property
    def parts(self) -> int:
        return MULTIPAGE[self.number][1] if self.number in MULTIPAGE else 1

    def marker(self, part: int) -> str:
        """A phrase only part `part` of this article holds."""
        return f"Bagian {part} dari {self.parts} laporan nomor {ID_BASE + self.number}"


def network_articles() -> list[NetworkArticle]:
    """The network's articles, newest first (the same on every start)."""
    found = []
    for i in range(ARTICLES):
        word = _WORDS[i % len(_WORDS)]
        title = f"Proyek {word.title()} Baru di Kaltim Dibahas Lagi Seri {i + 1}"
        found.append(NetworkArticle(
            number=i, title=title, slug="-".join(title.lower().split()),
            channel=CHANNELS[i % len(CHANNELS)], tag=TAGS[(i // 2) % len(TAGS)],
            author=AUTHORS[(i // 3) % len(AUTHORS)],
            published=NEWEST - dt.timedelta(hours=SPACING_HOURS * i)))
    return found


def _label(slug: str) -> str:
    return " ".join(w.title() for w in slug.split("-"))


class NetworkPortal:
    """The portal as the demo server's handler wants an outlet: `key`, `state`, `respond`."""

    name = "Jaringan Nusantara Kaltim"

    def __init__(self, base: str, state: DemoState) -> None:
        self.base = base
        self.state = state
        self.key = NETWORK_SITE
        self.articles = network_articles()
        self.by_path = {a.path: a for a in self.articles}

    def profile(self) -> dict[str, Any]:
        """The three lines a new user writes."""
        return {"name": self.name, "homepage": self.base + "/", "timezone": "Asia/Jakarta"}

    # -- pages ---------------------------------------------------------------------------------

    def _page(self, title: str, body: str, head: str = "") -> str:
        menu = " ".join(f'<a href="/channel/{c}">{c.title()}</a>' for c in CHANNELS)
        return (
            "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} | {self.name}</title>{head}</head><body>"
            f"<nav><a href=\"/\">Home</a> {menu} <a href=\"/login\">Login</a></nav>"
            f"<main>{body}</main><footer><a href=\"/about\">Tentang Kami</a></footer>"
            "</body></html>")

    def _items(self, chosen: list[NetworkArticle]) -> str:
        rows = "".join(
            f'<div class="card"><h3><a href="{a.path}">{escape(a.title)}</a></h3>'
            f'<a class="author" href="/author/{a.author}">{_label(a.author)}</a> '
            f'<a class="tag" href="/tag/{a.tag}">#{a.tag}</a> '
            f'<time datetime="{a.published.isoformat()}">'
            f'{a.published.strftime("%d/%m/%Y %H:%M")} WIB</time></div>'
            for a in chosen)
        return f'<section class="list">{rows}</section>'

    def _listing(self, title: str, chosen: list[NetworkArticle], page: int, form: str,
                 first: str) -> Response | None:
        pages = max(1, -(-len(chosen) // PAGE_SIZE))
        if page < 1 or page > pages:
            return None

        def page_url(n: int) -> str:
            if n == 1:
                return first
            return {"query": f"{first}?page={n}", "path": f"{first}/page/{n}",
                    "p": f"{first}?p={n}"}[form]

        more = page < pages
        head = ""
        if form == "query":
            nav = f'<a href="{page_url(page + 1)}">Next</a>' if more else ""
            head = f'<link rel="next" href="{page_url(page + 1)}">' if more else ""
        elif form == "path":
            nav = " ".join(f'<a href="{page_url(n)}">{n}</a>' for n in range(1, pages + 1)
                           if n != page)
        else:
            nav = f'<a href="{page_url(page + 1)}">&raquo;</a>' if more else ""
        items = chosen[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        return html(self._page(title, f"<h1>{escape(title)}</h1>{self._items(items)}"
                                      f'<div class="paging">{nav}</div>', head))

    def _paragraphs(self, art: NetworkArticle, part: int) -> list[str]:
        place = ("SAMARINDA", "BALIKPAPAN", "BONTANG")[art.number % 3]
        found = [f"{art.marker(part)}: rapat pembahasan proyek berlangsung hingga sore dan "
                 "dihadiri perwakilan warga serta dinas terkait dari kabupaten sekitar.",
                 f"Pada bagian {part} ini pejabat menjelaskan tahapan pekerjaan, sumber "
                 "anggaran, serta jadwal lelang yang direncanakan akhir tahun nanti."]
        if part == 1:
            found[0] = f"{place} - {found[0]}"
        if part == art.parts:
            found.append("Warga berharap proyek selesai tepat waktu dan tidak mengganggu "
                         "aktivitas ekonomi di sekitar lokasi. (sw/ap)")
        return found

    def _part_url(self, art: NetworkArticle, part: int) -> str:
        if part == 1:
            return art.path
        if art.form in ("path", "rel_next", "path_all"):
            return f"{art.path}/{part}"
        return f"{art.path}?page={part}"

    def _article(self, art: NetworkArticle, part: int | None) -> str:
        """Part `part` of an article; None: the whole story on one page."""
        shown = range(1, art.parts + 1) if part is None else [part]
        paragraphs = "".join(f"<p>{p}</p>" for n in shown for p in self._paragraphs(art, n))
        head = f'<link rel="canonical" href="{self.base}{art.path}">'
        nav = ""
        if part is not None and art.parts > 1:
            if art.form == "rel_next":
                if part < art.parts:
                    head += f'<link rel="next" href="{self._part_url(art, part + 1)}">'
                    nav = f'<a href="{self._part_url(art, part + 1)}">Selanjutnya</a>'
            else:
                nav = "Halaman " + " ".join(
                    f'<a href="{self._part_url(art, n)}">{n}</a>' if n != part else f"<b>{n}</b>"
                    for n in range(1, art.parts + 1))
                if art.form in ("query_all", "broken_all"):
                    nav += f' <a href="{art.path}?page=all">Tampilkan semua</a>'
                elif art.form == "path_all":
                    nav += f' <a href="{art.path}/all">Lihat semua</a>'
        published = art.published
        return self._page(art.title, (
            f'<article><h1>{escape(art.title)}</h1>'
            f'<div class="byline">Penulis: <a href="/author/{art.author}">'
            f'{_label(art.author)}</a></div>'
            f'<time datetime="{published.isoformat()}">'
            f'{published.strftime("%d/%m/%Y %H:%M")} WIB</time>'
            f'<div class="content">{paragraphs}</div><div class="paging">{nav}</div>'
            f'<div class="tags"><a href="/tag/{art.tag}">{art.tag}</a></div></article>'), head)

    def respond(self, request: Request) -> Response:
        found = self._respond(request)
        return found if found is not None else html(self._page("Tidak ditemukan", ""), 404)

    def _respond(self, request: Request) -> Response | None:
        path = request.path
        raw_page = request.param("page") or request.param("p") or "1"
        page = int(raw_page) if raw_page.isdigit() else 0
        if path == "/":
            return html(self._page(self.name, "<h2>Terbaru</h2>"
                                   + self._items(self.articles[:HOME_SIZE])))
        if path == "/robots.txt":
            return text("User-agent: *\nDisallow: /login\n")
        art = self.by_path.get(path)
        if art is not None:
            if raw_page == "all" and art.form == "query_all":
                return html(self._article(art, None))
            if request.param("page") and art.form in ("query_all", "missing", "broken_all"):
                if page == MISSING_PART and art.form == "missing":
                    return None
                return html(self._article(art, page)) if 2 <= page <= art.parts else None
            return html(self._article(art, 1))
        base, _, last = path.rpartition("/")
        art = self.by_path.get(base)
        if art is not None and art.form in ("path", "rel_next", "path_all"):
            if last == "all" and art.form == "path_all":
                return html(self._article(art, None))
            if last.isdigit() and 2 <= int(last) <= art.parts:
                return html(self._article(art, int(last)))
            return None
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "channel" and parts[1] in CHANNELS:
            chosen = [a for a in self.articles if a.channel == parts[1]]
            return self._listing(f"Channel {parts[1].title()}", chosen, page, "query",
                                 f"/channel/{parts[1]}")
        if len(parts) in (2, 4) and parts[0] == "tag" and parts[1] in TAGS:
            n = int(parts[3]) if len(parts) == 4 and parts[2] == "page" and parts[3].isdigit() \
                else 1
            chosen = [a for a in self.articles if a.tag == parts[1]]
            return self._listing(f"Tag {parts[1]}", chosen, n, "path", f"/tag/{parts[1]}")
        if len(parts) == 2 and parts[0] == "author" and parts[1] in AUTHORS:
            chosen = [a for a in self.articles if a.author == parts[1]]
            return self._listing(f"Penulis {_label(parts[1])}", chosen, page, "p",
                                 f"/author/{parts[1]}")
        return None

    def describe(self) -> dict[str, Any]:
        """What `GET /__network` answers: its URL, profile, expected articles and, for each
        multi-page article, its form, parts and the phrase of each part."""
        return {
            "site": self.key, "url": self.base, "profile": self.profile(),
            "articles": [self.base + a.path for a in self.articles],
            "multipage": {self.base + a.path: {
                "form": a.form, "parts": a.parts,
                "markers": [a.marker(n) for n in range(1, a.parts + 1)],
                "missing": [MISSING_PART] if a.form == "missing" else []}
                for a in self.articles if a.form},
        }


def serve_network(demo: DemoServer, host: str = "127.0.0.1") -> NetworkPortal:
    """Serve the network portal on `host` (a port chosen by the system) beside the demo's
    outlets, logging into its request log under `network`."""
    portal: NetworkPortal = demo.add_site(NETWORK_SITE,
                                          lambda url: NetworkPortal(url, demo.state), host=host)
    return portal
