"""Benua Etam (`benuaetam`): a Balikpapan portal with multi-page articles, AMP and trackers.

Template: OpenGraph (title, url, description) but no JSON-LD and no `article:*` meta on the
normal pages; a visible numeric date `Selasa, 05/03/2024 - 10:20 WITA`; `Reporter:` and
`Editor:` in one line; the dateline `Balikpapan (BenuaEtam) - `; a sign-off `(ra/ew)` after the
last sentence; an inline `Baca juga:` line on the first part; an "Artikel Terkait" box on every
part.

Variants of one article (all fold into one canonical URL, `/read/<num>/<slug>`):

- multi-page: long articles are split into parts `?page=2`, `?page=3`, with `Halaman 1 2 3
  Selanjutnya` links and `<link rel="next"/"prev">`; each part's `rel=canonical` is the part's
  own URL (as many real sites do), so folding `?page=N` is the crawler's job;
- AMP: `/amp/read/<num>/<slug>` holds the whole article (all parts) with a JSON-LD
  `NewsArticle`, and points back with `rel=canonical`; the normal page links it with
  `<link rel="amphtml">`; a third of the feed entries link to the AMP page;
- tracking parameters: internal links carry `utm_source`/`utm_medium`/`utm_campaign`, and some
  related links a `fbclid`.

Encodings: most pages are UTF-8; three articles are served in windows-1252 (curly quotes, `é`):
one declares it in the HTTP header, one only in a `<meta http-equiv>` that says `iso-8859-1`
(which browsers and w3lib read as windows-1252), one declares no charset at all.

Discovery: an Atom feed (`/feed/atom`, the 23 newest: every bundled article, so an edit of
any of them moves its `<updated>`; generated additions push the oldest out) declared by
`<link rel="alternate">` only (the profile does not name it: finding it is the crawler's job),
the home page, and the index `/terkini?page=N` (in the profile); no sitemap.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from crawler.demo.model import Article
from crawler.demo.site import Outlet, Request, Response, Snapshot, html, text, xml
from crawler.demo.templates import (
    atom,
    changed_layout,
    day_name,
    esc,
    iso,
    json_ld,
    slugify,
    txt,
    zone_name,
)

FEED_SIZE = 23
HOME_SIZE = 10
LISTING_SIZE = 8
ID_BASE = 51200
GENERATED_ID_BASE = 80000
AMP_EVERY = 3
"""Every third feed entry links to the AMP page instead of the normal one."""
FBCLID = "IwAR0benuaEtamDemoClickId"

ENCODINGS = {
    # option enc=...: (codec, HTTP Content-Type, <meta> element)
    "utf-8": ("utf-8", "text/html; charset=utf-8", '<meta charset="utf-8">'),
    "cp1252-header": ("cp1252", "text/html; charset=windows-1252",
                      '<meta charset="windows-1252">'),
    "cp1252-meta": ("cp1252", "text/html",
                    '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'),
    "cp1252-none": ("cp1252", "text/html", ""),
}


class BenuaEtam(Outlet):
    key: ClassVar[str] = "benuaetam"
    name: ClassVar[str] = "Benua Etam"
    city: ClassVar[str] = "Balikpapan"
    id_base: ClassVar[int] = ID_BASE
    generated_id_base: ClassVar[int] = GENERATED_ID_BASE
    generated_prefix: ClassVar[str] = "bex"
    generated_signoff: ClassVar[str | None] = "red/ew"

    def article_path(self, art: Article) -> str:
        return f"/read/{self.numeric_id(art)}/{art.slug}"

    def amp_path(self, art: Article) -> str:
        return "/amp" + self.article_path(art)

    def tracked(self, art: Article, source: str, medium: str = "internal",
                fbclid: bool = False) -> str:
        """An internal link as this outlet writes it: with tracking parameters."""
        url = (f"{self.article_url(art)}?utm_source={source}&utm_medium={medium}"
               "&utm_campaign=benuaetam")
        return url + f"&fbclid={FBCLID}" if fbclid else url

    def display_date(self, art: Article) -> str:
        p = art.published
        return f"{day_name(p)}, {p:%d/%m/%Y} - {p:%H:%M} {zone_name(p)}"

    def encoding(self, art: Article) -> str:
        return art.option("enc", "utf-8")

    def dateline_text(self, art: Article) -> str | None:
        return f"{art.dateline.title()} (BenuaEtam) -" if art.dateline else None

    # -- page parts ---------------------------------------------------------------------------

    def head(self, title: str, canonical: str, meta: str, extra: str = "") -> str:
        return (
            f"<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n{meta}\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{txt(title)}</title>\n<link rel=\"canonical\" href=\"{esc(canonical)}\">\n"
            f'<link rel="alternate" type="application/atom+xml" title="{self.name}" '
            f'href="{self.url("/feed/atom")}">\n{extra}</head>\n'
        )

    def masthead(self) -> str:
        return (f'<header><div class="brand"><a href="{self.url("/")}">BenuaEtam.com</a></div>'
                f'<nav><a href="{self.url("/")}">Beranda</a> '
                f'<a href="{self.url("/terkini")}">Terkini</a></nav></header>\n')

    def footer(self) -> str:
        return ('<footer><p>BenuaEtam.com &middot; Balikpapan, Kalimantan Timur</p>'
                "<p>Tentang Kami &middot; Redaksi &middot; Pedoman Siber</p></footer>\n"
                "</body>\n</html>\n")

    def related_box(self, art: Article, snap: Snapshot) -> str:
        if not art.related:
            return ""
        items = "".join(
            f'<li><a href="{esc(self.tracked(snap.get(r), "artikel_terkait", fbclid=i % 2 == 1))}">'
            f"{txt(snap.get(r).title)}</a></li>" for i, r in enumerate(art.related))
        return f'<div class="artikel-terkait"><h4>Artikel Terkait</h4><ul>{items}</ul></div>\n'

    def part_html(self, art: Article, part: int, snap: Snapshot) -> list[str]:
        """The paragraphs of one part (1-based) as HTML, with dateline, inline links, sign-off."""
        offset = sum(len(p) for p in art.pages[:part - 1])
        paragraphs = art.pages[part - 1]
        inline = dict(art.inline)
        last_part = part == len(art.pages)
        out = []
        for n, para in enumerate(paragraphs, start=offset + 1):
            content = txt(para)
            if n == 1 and art.dateline:
                content = f"<b>{txt(self.dateline_text(art) or '')}</b> {content}"
            if last_part and n == offset + len(paragraphs) and art.signoff:
                content += f" ({txt(art.signoff)})"
            out.append(f"<p>{content}</p>")
            if n in inline:
                target = snap.get(inline[n])
                out.append(f'<p class="baca-juga">Baca juga: <a href="'
                           f'{esc(self.tracked(target, "bacajuga"))}">{txt(target.title)}</a></p>')
        return out

    def render_part(self, art: Article, part: int, snap: Snapshot) -> str:
        url = self.article_url(art)
        total = len(art.pages)
        own = url if part == 1 else f"{url}?page={part}"
        _, _, meta_charset = ENCODINGS[self.encoding(art)]
        meta = "\n".join(filter(None, [
            meta_charset,
            f'<meta name="description" content="{esc(art.paragraphs[0][:160])}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(art.title)}">',
            f'<meta property="og:url" content="{own}">',
            '<meta property="og:site_name" content="BenuaEtam.com">',
        ]))
        extra = [f'<link rel="amphtml" href="{self.url(self.amp_path(art))}">']
        if part > 1:
            prev = url if part == 2 else f"{url}?page={part - 1}"
            extra.append(f'<link rel="prev" href="{prev}">')
        if part < total:
            extra.append(f'<link rel="next" href="{url}?page={part + 1}">')
        nav = ""
        if total > 1:
            links = " ".join(
                f"<span>{n}</span>" if n == part else
                f'<a href="{url if n == 1 else f"{url}?page={n}"}">{n}</a>'
                for n in range(1, total + 1))
            if part < total:
                links += f' <a class="next" href="{url}?page={part + 1}">Selanjutnya &raquo;</a>'
            nav = f'<div class="paging">Halaman {links}</div>\n'
        title_suffix = f" (Halaman {part})" if part > 1 else ""
        credits = f"Reporter: {txt(', '.join(art.authors))}"
        if art.editor:
            credits += f" | Editor: {txt(art.editor)}"
        return (
            self.head(f"{art.title}{title_suffix} | BenuaEtam.com", own, meta,
                      "\n".join(extra) + "\n")
            + '<body class="read">\n' + self.masthead()
            + f'<div class="breadcrumb"><a href="{self.url("/")}">Home</a> / '
            f'<a href="{self.url("/kanal/" + slugify(art.section))}">{txt(art.section)}</a></div>\n'
            + '<div class="read-wrap">\n'
            f'<h1 class="read-title">{txt(art.title)}</h1>\n'
            f'<div class="read-info"><span class="author">{credits}</span>'
            f'<span class="date">{self.display_date(art)}</span></div>\n'
            '<div class="read-content">\n' + "\n".join(self.part_html(art, part, snap))
            + "\n</div>\n" + nav + self.related_box(art, snap) + "</div>\n" + self.footer()
        )

    def render_amp(self, art: Article, snap: Snapshot) -> str:
        url = self.article_url(art)
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": art.title, "datePublished": iso(art.published),
            "dateModified": iso(art.updated),
            "author": [{"@type": "Person", "name": a} for a in art.authors],
            "publisher": {"@type": "Organization", "name": "BenuaEtam.com",
                          "logo": {"@type": "ImageObject", "url": self.url("/logo.png")}},
            "articleSection": art.section,
        }
        paragraphs = [p for part in range(1, len(art.pages) + 1)
                      for p in self.part_html(art, part, snap)]
        credits = f"Reporter: {txt(', '.join(art.authors))}"
        if art.editor:
            credits += f" | Editor: {txt(art.editor)}"
        return (
            "<!doctype html>\n<html amp lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{txt(art.title)} | BenuaEtam.com</title>\n"
            f"<link rel=\"canonical\" href=\"{url}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width\">\n"
            + json_ld(data) + "\n<style amp-boilerplate>body{visibility:hidden}</style>\n"
            "</head>\n<body>\n<header><a href=\"/\">BenuaEtam.com</a></header>\n<article>\n"
            f"<h1>{txt(art.title)}</h1>\n<p class=\"meta\">{credits} &middot; "
            f"{self.display_date(art)}</p>\n" + "\n".join(paragraphs) + "\n</article>\n"
            + self.related_box(art, snap) + "</body>\n</html>\n"
        )

    def teasers(self, articles: list[Article] | tuple[Article, ...], source: str) -> str:
        return "<ul class=\"list-news\">\n" + "\n".join(
            f'<li><a href="{esc(self.tracked(a, source))}">{txt(a.title)}</a> '
            f'<span class="date">{self.display_date(a)}</span></li>' for a in articles
        ) + "\n</ul>\n"

    def simple_page(self, title: str, canonical: str, main: str) -> str:
        return (self.head(title, canonical, '<meta charset="utf-8">') + "<body>\n"
                + self.masthead() + f"<main>\n{main}</main>\n" + self.footer())

    def render_feed(self, snap: Snapshot) -> str:
        entries = []
        for i, a in enumerate(snap.articles[:FEED_SIZE]):
            link = (self.url(self.amp_path(a)) if i % AMP_EVERY == AMP_EVERY - 1
                    else self.tracked(a, "feed", "atom"))
            entries.append({"title": a.title, "link": link, "id": f"tag:benuaetam.com,{a.id}",
                            "published": a.published, "updated": a.updated,
                            "summary": a.paragraphs[0], "authors": a.authors})
        updated = max(a.updated for a in snap.articles)
        return atom("BenuaEtam.com", self.url("/"), self.url("/feed/atom"),
                    "tag:benuaetam.com,feed", entries, updated)

    # -- routing ------------------------------------------------------------------------------

    def route(self, request: Request, snap: Snapshot) -> Response | None:
        path = request.path
        if path == "/":
            main = ("<h2>Berita Terkini</h2>\n" + self.teasers(snap.articles[:HOME_SIZE], "home")
                    + f'<p><a href="{self.url("/terkini")}">Indeks berita</a></p>\n')
            return html(self.simple_page("BenuaEtam.com - Kabar Benua Etam", self.url("/"), main))
        if path == "/robots.txt":
            return text("User-agent: *\nDisallow: /login\nDisallow: /search\n")
        if path == "/feed/atom":
            return xml(self.render_feed(snap), "application/atom+xml; charset=utf-8")
        if path == "/terkini":
            return self.listing_page(request, list(snap.articles))
        if path.startswith("/kanal/"):
            chosen = [a for a in snap.articles if "/kanal/" + slugify(a.section) == path]
            return self.listing_page(request, chosen) if chosen else None
        if path.startswith("/amp/"):
            art = snap.by_path.get(path[len("/amp"):])
            return html(self.render_amp(art, snap)) if art else None
        art = snap.by_path.get(path)
        if art is None:
            return None
        if self.layout_changed:
            return html(changed_layout(self.name, art.title, art.paragraphs, art.published,
                                       ", ".join(art.authors)))
        page_param = request.param("page", "1") or "1"
        part = int(page_param) if page_param.isdigit() else 0
        if not 1 <= part <= len(art.pages):
            return None
        codec, content_type, _ = ENCODINGS[self.encoding(art)]
        return Response(body=self.render_part(art, part, snap).encode(codec),
                        content_type=content_type)

    def listing_page(self, request: Request, articles: list[Article]) -> Response | None:
        page_param = request.param("page", "1") or "1"
        page = int(page_param) if page_param.isdigit() else 0
        pages = max(1, math.ceil(len(articles) / LISTING_SIZE))
        if not 1 <= page <= pages:
            return None
        chunk = articles[(page - 1) * LISTING_SIZE:page * LISTING_SIZE]
        path = request.path
        here = self.url(path)
        nav = ""
        if page > 1:
            nav += f'<a class="prev" href="{here}?page={page - 1}">&laquo; Sebelumnya</a> '
        if page < pages:
            nav += f'<a class="next" href="{here}?page={page + 1}">Selanjutnya &raquo;</a>'
        main = (f"<h2>Indeks Berita (halaman {page})</h2>\n" + self.teasers(chunk, "indeks")
                + f'<div class="paging">{nav}</div>\n')
        canonical = self.url(path) + (f"?page={page}" if page > 1 else "")
        return html(self.simple_page(f"Indeks Berita | {self.name}", canonical, main))

    # -- data for tests -----------------------------------------------------------------------

    def profile_hints(self) -> dict[str, Any]:
        snap = self.snapshot()
        return {
            "discovery": {
                "listings": [self.url("/terkini")],
                "pagination": "?page={n}",
                "max_listing_pages": max(1, math.ceil(len(snap.articles) / LISTING_SIZE)),
                "article_pattern": r"/read/\d+/",
            },
        }

    def expected_parts(self, art: Article, snap: Snapshot) -> dict[str, Any]:
        related: list[tuple[str, str]] = [(t, "Baca juga") for _, t in sorted(art.inline)]
        related += [(r, "Artikel Terkait") for r in art.related]
        channels = ["feed"] if snap.rank[art.id] < FEED_SIZE else []
        channels.append("listing")
        codec = ENCODINGS[self.encoding(art)][0]
        return {
            "published_raw": self.display_date(art),
            "published_precision": "minute",
            "dateline_raw": self.dateline_text(art),
            "signoff_raw": f"({art.signoff})" if art.signoff else None,
            "related_ids": related,
            "pages": len(art.pages),
            "channels": channels,
            "encoding": "windows-1252" if codec == "cp1252" else "utf-8",
        }
