"""Kaltim News (`kaltimnews`): a modern WordPress-like outlet from Samarinda.

Template: JSON-LD `NewsArticle` (every other article inside a Yoast-style `@graph` whose
author is a reference to a `Person` node), OpenGraph and `article:*` meta, `<time datetime>`,
a visible date `Senin, 8 Januari 2024 - 09:30 WITA` (national stories from Jakarta in WIB, with
`+07:00`), `Penulis:` / `Editor:` in the byline, a featured photo with a caption, the dateline
`SAMARINDA, kaltimnews.id –` in bold at the start of the body, inline `Baca Juga:` lines, an
optional sign-off `(rw/hs)`, tags, a "Berita Terkait" box below the article and a "Terpopuler"
sidebar (not related headlines: the five newest articles on every page).

Discovery: robots.txt (`Sitemap:` line, `Disallow: /cari`), a sitemap index pointing to a plain
sitemap (every article, lastmod) and a news sitemap (the ten newest, news:publication_date and
lastmod), an RSS feed (`/feed/`, the fifteen newest) declared by `<link rel="alternate">`, the
home page and section listings (`/politik/`, `/politik/page/2/`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from crawler.demo.model import Article
from crawler.demo.site import Outlet, Request, Response, Snapshot, html, text, xml
from crawler.demo.templates import (
    changed_layout,
    esc,
    iso,
    json_ld,
    long_date,
    rss,
    sitemap_index,
    slugify,
    txt,
    urlset,
    zone_name,
)

SECTIONS = ("Politik", "Daerah", "Ekonomi", "Lingkungan", "Kesehatan", "Nasional")
FEED_SIZE = 15
NEWS_SITEMAP_SIZE = 10
HOME_SIZE = 12
LISTING_SIZE = 6
POPULAR_SIZE = 5
TINY_GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00"
            b"\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


class KaltimNews(Outlet):
    key: ClassVar[str] = "kaltimnews"
    name: ClassVar[str] = "Kaltim News"
    city: ClassVar[str] = "Samarinda"
    generated_prefix: ClassVar[str] = "knx"
    host_label: ClassVar[str] = "kaltimnews.id"

    def article_path(self, art: Article) -> str:
        p = art.published
        return f"/{slugify(art.section)}/{p:%Y/%m/%d}/{art.slug}/"

    # -- shared page parts --------------------------------------------------------------------

    def display_date(self, art: Article) -> str:
        p = art.published
        return f"{long_date(p)} - {p:%H:%M} {zone_name(p)}"

    def head(self, title: str, canonical: str, extra: str = "") -> str:
        feeds = [("application/rss+xml", f"{self.name} &raquo; Feed", self.url("/feed/"))]
        feeds += [(t, esc(n), u) for t, n, u in self.extra_feeds()]
        feed_links = "\n".join(
            f'<link rel="alternate" type="{t}" title="{n}" href="{esc(u)}">' for t, n, u in feeds)
        return (
            "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<link rel=\"canonical\" href=\"{esc(canonical)}\">\n"
            f"{feed_links}\n{extra}</head>\n"
        )

    def header(self) -> str:
        nav = "".join(f'<li><a href="{self.url("/" + slugify(s) + "/")}">{s}</a></li>'
                      for s in SECTIONS)
        return (
            "<header class=\"site-header\">"
            f"<a class=\"logo\" href=\"{self.url('/')}\">{self.name}</a>"
            f"<nav class=\"main-nav\"><ul>{nav}</ul></nav>"
            f"<form class=\"search\" action=\"{self.url('/cari')}\" method=\"get\">"
            "<input type=\"search\" name=\"q\" placeholder=\"Cari berita\"></form>"
            "</header>\n"
        )

    def sidebar(self, snap: Snapshot) -> str:
        items = "".join(f'<li><a href="{self.article_url(a)}">{esc(a.title)}</a></li>'
                        for a in snap.articles[:POPULAR_SIZE])
        return f"<aside class=\"sidebar\"><h3>Terpopuler</h3><ol>{items}</ol></aside>\n"

    def footer(self) -> str:
        return (
            "<footer class=\"site-footer\"><p>&copy; 2024 Kaltim News &middot; "
            "Jl. Juanda, Samarinda, Kalimantan Timur</p>"
            "<p>Redaksi &middot; Pedoman Media Siber &middot; Kontak</p></footer>\n"
            "</body>\n</html>\n"
        )

    # -- article ------------------------------------------------------------------------------

    def jsonld(self, art: Article, index: int) -> str:
        url = self.article_url(art)
        people = [{"@type": "Person", "name": a,
                   "url": self.url(f"/penulis/{slugify(a)}/")} for a in art.authors]
        article: dict[str, Any] = {
            "@type": "NewsArticle",
            "headline": art.title,
            "datePublished": iso(art.published),
            "dateModified": iso(art.updated),
            "articleSection": art.section,
            "keywords": list(art.tags),
            "inLanguage": "id-ID",
            "image": self.url(f"/img/{art.id}.gif"),
            "publisher": {"@type": "NewsMediaOrganization", "name": self.name,
                          "logo": {"@type": "ImageObject", "url": self.url("/img/logo.gif")}},
        }
        style = art.option("jsonld", "graph" if index % 2 else "plain")
        if style == "graph":
            article["@id"] = url + "#article"
            article["mainEntityOfPage"] = {"@id": url}
            article["author"] = [{"@id": self.url(f"/#/schema/person/{slugify(a)}")}
                                 for a in art.authors]
            graph: list[dict[str, Any]] = [
                {"@type": "WebPage", "@id": url, "url": url, "name": art.title,
                 "breadcrumb": {"@id": url + "#breadcrumb"}},
                article,
                {"@type": "BreadcrumbList", "@id": url + "#breadcrumb", "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Beranda", "item": self.url("/")},
                    {"@type": "ListItem", "position": 2, "name": art.section,
                     "item": self.url(f"/{slugify(art.section)}/")},
                ]},
            ]
            for person in people:
                person_id = self.url(f"/#/schema/person/{slugify(person['name'])}")
                graph.append({**person, "@id": person_id})
            return json_ld({"@context": "https://schema.org", "@graph": graph})
        article["mainEntityOfPage"] = {"@type": "WebPage", "@id": url}
        article["author"] = people if len(people) > 1 else people[0]
        return json_ld({"@context": "https://schema.org", **article})

    def body_html(self, art: Article, snap: Snapshot) -> str:
        inline = dict(art.inline)
        paragraphs = list(art.paragraphs)
        out = []
        for n, para in enumerate(paragraphs, start=1):
            content = txt(para)
            if n == 1 and art.dateline:
                content = f"<strong>{esc(art.dateline)}, {self.host_label}</strong> – {content}"
            if n == len(paragraphs) and art.signoff:
                content += f" ({txt(art.signoff)})"
            out.append(f"<p>{content}</p>")
            if n in inline:
                target = snap.get(inline[n])
                out.append(f'<p class="baca-juga"><strong>Baca Juga:</strong> '
                           f'<a href="{self.article_url(target)}">{txt(target.title)}</a></p>')
        return "\n".join(out)

    def render_article(self, art: Article, snap: Snapshot) -> str:
        url = self.article_url(art)
        index = self.bundled_index(art)
        meta = [
            f'<meta name="description" content="{esc(art.paragraphs[0][:150])}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(art.title)} - {self.name}">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="og:site_name" content="{self.name}">',
            f'<meta property="og:image" content="{self.url(f"/img/{art.id}.gif")}">',
            f'<meta property="article:published_time" content="{iso(art.published)}">',
            f'<meta property="article:modified_time" content="{iso(art.updated)}">',
            f'<meta property="article:section" content="{esc(art.section)}">',
            *(f'<meta property="article:tag" content="{esc(t)}">' for t in art.tags),
            f'<meta name="author" content="{esc(", ".join(art.authors))}">',
            self.jsonld(art, index),
        ]
        byline = ", ".join(esc(a) for a in art.authors)
        editor = f' | <span class="editor">Editor: {esc(art.editor)}</span>' if art.editor else ""
        figure = ""
        if art.caption:
            figure = (f'<figure class="featured"><img src="{self.url(f"/img/{art.id}.gif")}" '
                      f'alt="{esc(art.title)}"><figcaption>{txt(art.caption)} '
                      f"(Foto: {self.name})</figcaption></figure>\n")
        tags = "".join(f'<a rel="tag" href="{self.url(f"/tag/{slugify(t)}/")}">{esc(t)}</a> '
                       for t in art.tags)
        related = "".join(
            f'<li><a href="{self.article_url(snap.get(r))}">{esc(snap.get(r).title)}</a></li>'
            for r in art.related)
        related_box = (f'<section class="berita-terkait"><h3>Berita Terkait</h3><ul>{related}'
                       "</ul></section>\n") if related else ""
        section_url = self.url(f"/{slugify(art.section)}/")
        return (
            self.head(f"{art.title} - {self.name}", url, "\n".join(meta) + "\n")
            + "<body class=\"single single-post\">\n" + self.header()
            + f"<div class=\"breadcrumb\"><a href=\"{self.url('/')}\">Beranda</a> &rsaquo; "
            f"<a href=\"{section_url}\">{esc(art.section)}</a></div>\n"
            "<main class=\"content\">\n<article class=\"post\">\n"
            f"<h1 class=\"entry-title\">{txt(art.title)}</h1>\n"
            f"<div class=\"entry-meta\"><span class=\"byline\">Penulis: {byline}</span>{editor}"
            f" | <time class=\"published\" datetime=\"{iso(art.published)}\">"
            f"{self.display_date(art)}</time></div>\n"
            + figure
            + f"<div class=\"entry-content\">\n{self.body_html(art, snap)}\n</div>\n"
            f"<div class=\"tags\">Tag: {tags}</div>\n"
            "<div class=\"share\">Bagikan: <a href=\"#\">Facebook</a> <a href=\"#\">X</a> "
            "<a href=\"#\">WhatsApp</a></div>\n"
            "</article>\n" + related_box + "</main>\n" + self.sidebar(snap) + self.footer()
        )

    def bundled_index(self, art: Article) -> int:
        for i, a in enumerate(self.bundled()):
            if a.id == art.id:
                return i
        return 0

    # -- listings, feeds, sitemaps ------------------------------------------------------------

    def teaser_list(self, articles: list[Article] | tuple[Article, ...]) -> str:
        items = []
        for a in articles:
            items.append(
                f'<li class="teaser"><h2><a href="{self.article_url(a)}">{esc(a.title)}</a></h2>'
                f'<span class="cat">{esc(a.section)}</span> '
                f'<time datetime="{iso(a.published)}">{self.display_date(a)}</time></li>')
        return "<ul class=\"teasers\">" + "\n".join(items) + "</ul>\n"

    def render_home(self, snap: Snapshot) -> str:
        extra = self.extra_links()
        box = ""
        if extra:
            links = "".join(f'<li><a href="{esc(u)}">{esc(t)}</a></li>' for t, u in extra)
            box = f"<section class=\"pilihan\"><h3>Pilihan Redaksi</h3><ul>{links}</ul></section>\n"
        topics = (f"<p class=\"topik\">Topik populer: <a href=\"{self.url('/cari?q=pemilu')}\">"
                  f"pemilu</a> <a href=\"{self.url('/cari?q=banjir')}\">banjir</a></p>\n")
        return (self.head(f"{self.name} - Berita Kalimantan Timur Terkini", self.url("/"))
                + "<body class=\"home\">\n" + self.header() + "<main class=\"content\">\n"
                + "<h2 class=\"section-title\">Berita Terkini</h2>\n"
                + self.teaser_list(snap.articles[:HOME_SIZE]) + topics + box + "</main>\n"
                + self.sidebar(snap) + self.footer())

    def render_listing(self, title: str, base_path: str, articles: list[Article],
                       page: int, snap: Snapshot) -> str | None:
        start = (page - 1) * LISTING_SIZE
        chunk = articles[start:start + LISTING_SIZE]
        if not chunk:
            return None
        nav = []
        if page > 1:
            prev_path = base_path if page == 2 else f"{base_path}page/{page - 1}/"
            nav.append(f'<a class="prev" href="{self.url(prev_path)}">&laquo; Sebelumnya</a>')
        if start + LISTING_SIZE < len(articles):
            nav.append(f'<a class="next" href="{self.url(f"{base_path}page/{page + 1}/")}">'
                       "Berikutnya &raquo;</a>")
        canonical = self.url(base_path if page == 1 else f"{base_path}page/{page}/")
        return (self.head(f"{title} - {self.name}", canonical) + "<body class=\"archive\">\n"
                + self.header() + f"<main class=\"content\">\n<h1>{esc(title)}</h1>\n"
                + self.teaser_list(chunk) + f"<nav class=\"pagination\">{' '.join(nav)}</nav>\n"
                + "</main>\n" + self.sidebar(snap) + self.footer())

    def render_search(self, query: str, snap: Snapshot) -> str:
        """Search results (robots.txt keeps crawlers out: `Disallow: /cari`)."""
        words = query.lower().split()
        found = [a for a in snap.articles
                 if words and all(w in (a.title + " " + a.paragraphs[0]).lower() for w in words)]
        return (self.head(f"Hasil pencarian: {query} - {self.name}", self.url("/cari"))
                + "<body class=\"search\">\n" + self.header()
                + f"<main class=\"content\">\n<h1>Hasil pencarian: {txt(query)}</h1>\n"
                + self.teaser_list(found[:LISTING_SIZE]) + "</main>\n" + self.sidebar(snap)
                + self.footer())

    def render_feed(self, snap: Snapshot) -> str:
        latest = snap.articles[:FEED_SIZE]
        items = [{
            "title": a.title, "link": self.article_url(a), "guid": self.url(f"/?p={a.id}"),
            "published": a.published, "updated": a.updated, "authors": a.authors,
            "categories": (a.section, *a.tags), "description": a.paragraphs[0],
        } for a in latest]
        updated = max((a.updated for a in snap.articles), default=None)
        return rss(self.name, self.url("/"), self.url("/feed/"),
                   "Berita Kalimantan Timur terkini", items, updated)

    def render_news_sitemap(self, snap: Snapshot) -> str:
        parts = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">']
        for a in snap.articles[:NEWS_SITEMAP_SIZE]:
            parts.append(
                f"<url><loc>{self.article_url(a)}</loc><lastmod>{iso(a.updated)}</lastmod>"
                f"<news:news><news:publication><news:name>{self.name}</news:name>"
                "<news:language>id</news:language></news:publication>"
                f"<news:publication_date>{iso(a.published)}</news:publication_date>"
                f"<news:title>{esc(a.title)}</news:title></news:news></url>")
        parts.append("</urlset>\n")
        return "\n".join(parts)

    def robots(self) -> str:
        lines = ["User-agent: *", "Disallow: /cari", "Disallow: /wp-admin/",
                 "Allow: /wp-admin/admin-ajax.php", *self.extra_robots(), "",
                 f"Sitemap: {self.url('/sitemap_index.xml')}"]
        return "\n".join(lines) + "\n"

    # -- routing ------------------------------------------------------------------------------

    def route(self, request: Request, snap: Snapshot) -> Response | None:
        path = request.path
        if path == "/":
            return html(self.render_home(snap))
        if path == "/robots.txt":
            return text(self.robots())
        if path == "/sitemap_index.xml":
            newest = max((a.updated for a in snap.articles), default=None)
            maps: list[tuple[str, Any]] = [(self.url("/post-sitemap.xml"), newest),
                                           (self.url("/news-sitemap.xml"), newest)]
            maps += [(u, None) for u in self.extra_sitemaps()]
            return xml(sitemap_index(maps))
        if path == "/post-sitemap.xml":
            return xml(urlset((self.article_url(a), a.updated) for a in snap.articles))
        if path == "/news-sitemap.xml":
            return xml(self.render_news_sitemap(snap))
        if path in ("/feed/", "/feed"):
            return xml(self.render_feed(snap), "application/rss+xml; charset=utf-8")
        if path == "/cari":
            return html(self.render_search(request.param("q", "") or "", snap))
        if path.startswith("/img/"):
            return Response(body=TINY_GIF, content_type="image/gif")
        art = snap.by_path.get(path)
        if art is not None:
            if self.layout_changed:
                return html(changed_layout(self.name, art.title, art.paragraphs, art.published,
                                           ", ".join(art.authors)))
            return html(self.render_article(art, snap))
        return self.route_listing(path, snap)

    def route_listing(self, path: str, snap: Snapshot) -> Response | None:
        parts = [p for p in path.split("/") if p]
        page = 1
        if len(parts) >= 3 and parts[-2] == "page" and parts[-1].isdigit():
            page = int(parts[-1])
            parts = parts[:-2]
        if page < 1:
            return None
        if len(parts) == 1:
            section = next((s for s in SECTIONS if slugify(s) == parts[0]), None)
            if section is None:
                return None
            chosen = [a for a in snap.articles if a.section == section]
            page_html = self.render_listing(f"Berita {section}", f"/{parts[0]}/", chosen, page,
                                            snap)
        elif len(parts) == 2 and parts[0] == "tag":
            chosen = [a for a in snap.articles if any(slugify(t) == parts[1] for t in a.tags)]
            label = next((t for a in chosen for t in a.tags if slugify(t) == parts[1]), parts[1])
            page_html = self.render_listing(f"Tag: {label}", f"/tag/{parts[1]}/", chosen, page,
                                            snap)
        else:
            return None
        return html(page_html) if page_html else None

    # -- data for tests -----------------------------------------------------------------------

    def expected_parts(self, art: Article, snap: Snapshot) -> dict[str, Any]:
        related: list[tuple[str, str]] = [(t, "Baca Juga") for _, t in sorted(art.inline)]
        related += [(r, "Berita Terkait") for r in art.related]
        channels = ["sitemap"]
        if snap.rank[art.id] < NEWS_SITEMAP_SIZE:
            channels.append("news_sitemap")
        if snap.rank[art.id] < FEED_SIZE:
            channels.append("feed")
        channels.append("listing")
        return {
            "published_raw": self.display_date(art),
            "published_precision": "minute",
            "dateline_raw": f"{art.dateline}, {self.host_label} –" if art.dateline else None,
            "signoff_raw": f"({art.signoff})" if art.signoff else None,
            "related_ids": related,
            "pages": 1,
            "channels": channels,
            "encoding": "utf-8",
        }
