"""A legacy portal: no sitemap, a ten-item feed, and older articles reachable only by listings.

Served by the mock server beside the demo outlets on a port of its own (not in the JSON line of
base URLs, so crawls of "every mock outlet" and the counts tests pin stay the demo's);
`GET /__portal` describes it. It is the shape issue 13 measured recall on: a user gives warta
three lines (name, homepage, time zone) and expects the whole archive.

- `ARTICLES` articles, one every `SPACING_HOURS` hours back from `NEWEST`, each in one of the
  `SECTIONS` with one or two of the `TAGS` and one of the `AUTHORS`; article pages print the
  date as legacy templates do, day and month only (`Jumat (1/3)`: no year, no time), a
  byline, tag links and a "Berita Lainnya" box with the next two older
  articles (related headlines, as such portals have);
- robots.txt without `Sitemap:`; `/sitemap.xml` is a 404; the feed (`/rss.xml`, announced
  in every page head) lists the ten newest;
- the homepage shows the ten newest, a menu (sections, `Indeks Berita`), a tag cloud and the
  usual static, account and search links;
- listings, each with its own pagination form, `PAGE_SIZE` items a page, every item with its
  full time (`<time datetime>`; on the index, as text only: `Jumat, 01/03/2024 10:15 WITA`)
  and an author link:
  - the index `/indeks?page=N`: numbered links and `Selanjutnya »`;
  - sections `/kanal/<section>` then `/kanal/<section>/N`: a `Berikutnya` link;
  - tags `/tag/<tag>` then `/tag/<tag>/page/N/`: `<link rel="next">` and numbered links only;
  - authors `/penulis/<author>` then `?hal=N`: numbered links only (`1 2 3`);
  the index is longer than the five pages warta reads of one listing by default, so its last
  articles are reached through sections, tags and authors.

With `traps=True` (a second instance, `GET /__portal` -> `traps`), the homepage also links
bad listings: a calendar that paginates forever (`/arsip/YYYY-MM-DD`, each day linking the day
before), a listing whose `?page=N` always answers with the same items, a pagination loop
(`/pilihan` -> `/pilihan/2` -> `/pilihan`), and a page with a tag cloud of `CLOUD_TAGS` tags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any

from crawler.demo.server import DemoServer
from crawler.demo.site import Request, Response, html, text, xml
from crawler.demo.state import DemoState

PORTAL_SITE = "portal"
PORTAL_TRAPS_SITE = "portal_traps"
ARTICLES = 64
PAGE_SIZE = 10
FEED_SIZE = 10
HOME_SIZE = 10
SPACING_HOURS = 9
WITA = dt.timezone(dt.timedelta(hours=8))
NEWEST = dt.datetime(2024, 3, 1, 10, 15, tzinfo=WITA)
ID_BASE = 70100
CLOUD_TAGS = 5000
SECTIONS = ("politik", "ekonomi", "olahraga", "daerah")
TAGS = ("banjir", "pilkada", "tambang", "ikn", "pendidikan", "kesehatan")
AUTHORS = ("rina-maharani", "dedi-saputra", "yusuf-hamdani")
_SUBJECTS = ("warga", "pemkot", "dprd", "nelayan", "petani", "siswa", "pedagang", "polisi")
_VERBS = ("keluhkan", "bahas", "tinjau", "sambut", "tolak", "dukung", "siapkan", "gelar")
_OBJECTS = ("jalan rusak", "anggaran daerah", "pasar baru", "banjir musiman", "jembatan",
            "sekolah terpadu", "festival budaya", "tarif air")
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_PLACES = ("samarinda", "balikpapan", "bontang", "tenggarong", "sangatta", "penajam")


@dataclass(frozen=True)
class PortalArticle:
    number: int
    title: str
    slug: str
    section: str
    tags: tuple[str, ...]
    author: str
    published: dt.datetime

    @property
    def path(self) -> str:
        return f"/baca/{ID_BASE + self.number}/{self.slug}"


def portal_articles() -> list[PortalArticle]:
    """The portal's articles, newest first (deterministic: the same on every start)."""
    found = []
    for i in range(ARTICLES):
        subject = _SUBJECTS[i % len(_SUBJECTS)]
        verb = _VERBS[(i // 2) % len(_VERBS)]
        obj = _OBJECTS[(i * 3) % len(_OBJECTS)]
        place = _PLACES[(i * 5) % len(_PLACES)]
        title = f"{subject.title()} {place.title()} {verb.title()} {obj.title()} Edisi {i + 1}"
        tags = (TAGS[i % len(TAGS)],) if i % 3 else (TAGS[i % len(TAGS)], TAGS[(i + 2) % 6])
        found.append(PortalArticle(
            number=i, title=title, slug="-".join(title.lower().split()),
            section=SECTIONS[(i * 7 // 3) % len(SECTIONS)], tags=tags,
            author=AUTHORS[(i * 5 // 2) % len(AUTHORS)],
            published=NEWEST - dt.timedelta(hours=SPACING_HOURS * i)))
    return found


def _label(slug: str) -> str:
    return " ".join(w.title() for w in slug.split("-"))


class LegacyPortal:
    """The portal as the demo server's handler wants an outlet: `key`, `state`, `respond`."""

    name = "Warta Lawas"

    def __init__(self, base: str, state: DemoState, *, traps: bool = False) -> None:
        self.base = base
        self.state = state
        self.traps = traps
        self.key = PORTAL_TRAPS_SITE if traps else PORTAL_SITE
        self.articles = portal_articles()
        self.by_path = {a.path: a for a in self.articles}

    def profile(self) -> dict[str, Any]:
        """The three lines a new user writes."""
        return {"name": self.name, "homepage": self.base + "/", "timezone": "Asia/Makassar"}

    def url(self, path: str) -> str:
        return self.base + path

    # -- pages ---------------------------------------------------------------------------------

    def _page(self, title: str, body: str, head: str = "") -> str:
        menu = " ".join(f'<a href="/kanal/{s}">{_label(s)}</a>' for s in SECTIONS)
        cloud = " ".join(f'<a href="/tag/{t}">#{t}</a>' for t in TAGS)
        return (
            "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} - {self.name}</title>"
            '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">'
            f"{head}</head><body><div id=\"menu\"><a href=\"/\">Beranda</a> {menu} "
            '<a href="/indeks">Indeks Berita</a> <a href="/login">Masuk</a></div>'
            f"<form action=\"/cari\"><input name=\"q\"></form>{body}"
            f"<div class=\"tagcloud\">{cloud}</div>"
            '<div id="footer"><a href="/redaksi">Redaksi</a> <a href="/pedoman-media-siber">'
            'Pedoman Media Siber</a> <a href="/kontak">Kontak</a> '
            '<a href="/img/logo.png">Logo</a></div></body></html>')

    def _items(self, chosen: list[PortalArticle], *, text_dates: bool = False) -> str:
        def when(a: PortalArticle) -> str:
            shown = f'{_DAYS[a.published.weekday()]}, {a.published.strftime("%d/%m/%Y %H:%M")}'
            if text_dates:  # printed as text only, as older index templates do
                return f'<span class="waktu">{shown} WITA</span>'
            return f'<time datetime="{a.published.isoformat()}">{shown} WITA</time>'

        rows = "".join(
            f'<li><a href="{a.path}">{escape(a.title)}</a> '
            f'<span>oleh <a href="/penulis/{a.author}">{_label(a.author)}</a></span> '
            f'{when(a)}</li>'
            for a in chosen)
        return f'<ul class="daftar">{rows}</ul>'

    def _listing(self, title: str, chosen: list[PortalArticle], page: int, form: str,
                 first: str) -> Response | None:
        pages = max(1, -(-len(chosen) // PAGE_SIZE))
        if page < 1 or page > pages:
            return None

        def page_url(n: int) -> str:
            if n == 1:
                return first
            if form == "query":
                return f"{first}?page={n}"
            if form == "trailing":
                return f"{first}/{n}"
            if form == "path":
                return f"{first}/page/{n}/"
            return f"{first}?hal={n}"

        numbers = " ".join(f'<a href="{page_url(n)}">{n}</a>' if n != page else f"<b>{n}</b>"
                           for n in range(1, pages + 1))
        nav, head = "", ""
        more = page < pages
        if form == "query":
            nav = numbers + (f' <a href="{page_url(page + 1)}">Selanjutnya &raquo;</a>'
                             if more else "")
        elif form == "trailing":
            nav = f'<a href="{page_url(page + 1)}">Berikutnya</a>' if more else ""
        elif form == "path":
            nav = numbers
            head = f'<link rel="next" href="{page_url(page + 1)}">' if more else ""
        else:
            nav = numbers
        items = chosen[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        listed = self._items(items, text_dates=form == "query")
        return html(self._page(title, f"<h1>{escape(title)}</h1>{listed}"
                                      f"<div class=\"pagination\">{nav}</div>", head))

    def _article(self, art: PortalArticle) -> str:
        index = self.articles.index(art)
        older = self.articles[index + 1:index + 3]
        related = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in older)
        tags = " ".join(f'<a href="/tag/{t}">{t}</a>' for t in art.tags)
        paragraphs = "".join(
            f"<p>{line}</p>" for line in (
                f"{art.title}: kabar ini dihimpun redaksi {self.name} di "
                f"{_label(_PLACES[art.number % len(_PLACES)])} pada pekan ini.",
                "Sejumlah pihak yang ditemui menyampaikan pandangan mereka tentang rencana "
                "tersebut dan berharap pemerintah daerah segera mengambil langkah nyata.",
                "Pemerintah setempat menyatakan akan membahas usulan itu bersama dewan dan "
                "melibatkan warga dalam setiap tahap pelaksanaannya tahun ini."))
        published = art.published
        # a legacy template: the day and month only (`Jumat (1/3)`), no year, no time
        shown = f"{_DAYS[published.weekday()]} ({published.day}/{published.month})"
        return self._page(art.title, (
            f'<article><h1 class="entry-title">{escape(art.title)}</h1>'
            f'<div class="entry-meta">Penulis: {_label(art.author)}</div>'
            f'<div class="tanggal">{shown}</div>'
            f'<div class="entry-content">{paragraphs}</div><div class="tags">{tags}</div>'
            f'<div class="lainnya"><h3>Berita Lainnya</h3><ul>{related}</ul></div></article>'))

    def _feed(self) -> str:
        items = "".join(
            f"<item><title>{escape(a.title)}</title><link>{self.url(a.path)}</link>"
            f"<pubDate>{a.published.strftime('%a, %d %b %Y %H:%M:%S +0800')}</pubDate></item>"
            for a in self.articles[:FEED_SIZE])
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>{self.name}</title><link>{self.base}/</link>{items}</channel></rss>")

    def _traps_box(self) -> str:
        return ('<div class="arsip"><a href="/arsip/2024-03-01">Arsip Harian</a> '
                '<a href="/terpopuler">Terpopuler</a> <a href="/pilihan">Pilihan</a> '
                '<a href="/topik-populer">Semua Topik</a></div>')

    def respond(self, request: Request) -> Response:
        found = self._respond(request)
        return found if found is not None else html(self._page("Tidak ditemukan", ""), 404)

    def _respond(self, request: Request) -> Response | None:
        path = request.path
        page = int(request.param("page") or request.param("hal") or 1) if (
            (request.param("page") or request.param("hal") or "1").isdigit()) else 0
        if path == "/":
            box = self._traps_box() if self.traps else ""
            return html(self._page(self.name, "<h2>Berita Terkini</h2>"
                                   + self._items(self.articles[:HOME_SIZE]) + box))
        if path == "/robots.txt":
            return text("User-agent: *\nDisallow: /cari\n")
        if path == "/rss.xml":
            return xml(self._feed(), "application/rss+xml; charset=utf-8")
        art = self.by_path.get(path)
        if art is not None:
            return html(self._article(art))
        parts = [p for p in path.split("/") if p]
        if parts == ["indeks"]:
            return self._listing("Indeks Berita", self.articles, page, "query", "/indeks")
        if len(parts) in (2, 3) and parts[0] == "kanal" and parts[1] in SECTIONS:
            n = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else page
            chosen = [a for a in self.articles if a.section == parts[1]]
            return self._listing(f"Kanal {_label(parts[1])}", chosen, n, "trailing",
                                 f"/kanal/{parts[1]}")
        if len(parts) in (2, 4) and parts[0] == "tag" and parts[1] in TAGS:
            n = int(parts[3]) if len(parts) == 4 and parts[2] == "page" else page
            chosen = [a for a in self.articles if parts[1] in a.tags]
            return self._listing(f"Tag: {parts[1]}", chosen, n, "path", f"/tag/{parts[1]}")
        if len(parts) == 2 and parts[0] == "penulis" and parts[1] in AUTHORS:
            chosen = [a for a in self.articles if a.author == parts[1]]
            return self._listing(f"Penulis: {_label(parts[1])}", chosen, page, "hal",
                                 f"/penulis/{parts[1]}")
        if self.traps:
            return self._trap(parts, page)
        return None

    def _trap(self, parts: list[str], page: int) -> Response | None:
        newest = self.articles[:PAGE_SIZE]
        if len(parts) == 2 and parts[0] == "arsip":
            # a calendar: every day links the day before, for ever (the same ten items)
            try:
                day = dt.date.fromisoformat(parts[1])
            except ValueError:
                return None
            before = day - dt.timedelta(days=1)
            return html(self._page(f"Arsip {day}", self._items(newest)
                                   + f'<a href="/arsip/{before}">Selanjutnya</a>'))
        if parts == ["terpopuler"]:
            # `?page=N` answers for any N, always with the same items
            return html(self._page("Terpopuler", self._items(newest)
                                   + f'<a href="/terpopuler?page={page + 1}">Next</a>'))
        if parts in (["pilihan"], ["pilihan", "2"]):
            other = "/pilihan/2" if parts == ["pilihan"] else "/pilihan"
            chosen = newest if parts == ["pilihan"] else self.articles[PAGE_SIZE:2 * PAGE_SIZE]
            return html(self._page("Pilihan", self._items(chosen)
                                   + f'<a href="{other}">&raquo;</a>'))
        if parts == ["topik-populer"]:
            cloud = " ".join(f'<a href="/tag/topik-{i}">topik {i}</a>' for i in range(CLOUD_TAGS))
            return html(self._page("Semua Topik", f'<div class="awan">{cloud}</div>'))
        if len(parts) == 2 and parts[0] == "tag" and parts[1].startswith("topik-"):
            return html(self._page(f"Tag {parts[1]}", self._items(newest[:2])))
        return None


@dataclass
class PortalSites:
    """The running portals (plain and with traps): two sites of the demo server, stopped with
    it."""

    outlets: list[LegacyPortal]

    def describe(self) -> dict[str, Any]:
        """What `GET /__portal` answers: per portal its URL, profile and expected articles."""
        found: dict[str, Any] = {}
        for outlet in self.outlets:
            found["traps" if outlet.traps else "plain"] = {
                "site": outlet.key, "url": outlet.base, "profile": outlet.profile(),
                "articles": [outlet.url(a.path) for a in outlet.articles],
                "published": {outlet.url(a.path): a.published.isoformat()
                              for a in outlet.articles},
            }
        return found


def serve_portals(demo: DemoServer, host: str = "127.0.0.1") -> PortalSites:
    """Serve the plain portal and the one with traps on `host` (ports chosen by the system)
    beside the demo's outlets, logging into its request log under `portal` and
    `portal_traps`."""
    def portal(traps: bool) -> LegacyPortal:
        return demo.add_site("portal-traps" if traps else "portal",
                             lambda url: LegacyPortal(url, demo.state, traps=traps), host=host)

    return PortalSites([portal(False), portal(True)])
