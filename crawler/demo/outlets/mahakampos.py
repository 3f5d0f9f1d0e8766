"""Mahakam Pos (`mahakampos`): a legacy regional portal from Samarinda, like the seed page.

Template: HTML 4 tables, NO structured data (no JSON-LD, no OpenGraph, no `<time>`); the site
name is the page's `<h1>` and the article title an `<h2 class="judul">`; TEN related headlines
in a bare list ABOVE the title (as in `../shared/seed/regional-news-page.txt`), linked with
relative URLs; the body starts with a `KOTA - ` dateline (`SAMARINDA - `) and ends with a
sign-off glued to the last sentence (`paparnya.(*/han)`), then `Pewarta:` and `Editor:` lines;
paragraphs are `<p>` on some pages and `<br><br>`-separated text on others. Dates are text only:
`Rabu, 24 Mei 2023 | 10:15 WITA` under the title, or, on pages marked `date=none`, no date line
at all: only the day named in the text, `Selasa (23/5)`.

Year of a day-only date: the article URL carries the publication date
(`/berita/2023/05/23/40107/slug.html`) and the listing pages show `23/05/2023` beside each
headline; the expected value is that day at midnight WITA with `published_precision = "day"`.

Discovery: no sitemap and no feed (both 404); the home page, the index `/indeks?page=N` and
section pages `/kanal/samarinda?page=N` (pagination links `?page=N`); robots.txt has only a
`Disallow: /admin/`. Two old articles (2022) are in no listing: only related headlines lead
to them.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from crawler.demo.model import Article
from crawler.demo.site import Outlet, Request, Response, Snapshot, html, text
from crawler.demo.templates import changed_layout, long_date, short_day, slugify, txt, zone_name

LISTING_SIZE = 8
HOME_SIZE = 10
ID_BASE = 40100
"""Numeric article ids in URLs: the position in the content file plus this base."""
GENERATED_ID_BASE = 90000
SECTIONS = ("Samarinda", "Balikpapan", "Daerah", "Politik", "Pendidikan", "Kesehatan")


class MahakamPos(Outlet):
    key: ClassVar[str] = "mahakampos"
    name: ClassVar[str] = "Mahakam Pos"
    city: ClassVar[str] = "Samarinda"
    id_base: ClassVar[int] = ID_BASE
    generated_id_base: ClassVar[int] = GENERATED_ID_BASE
    generated_prefix: ClassVar[str] = "mpx"
    generated_signoff: ClassVar[str | None] = "*/red"

    def article_path(self, art: Article) -> str:
        return f"/berita/{art.published:%Y/%m/%d}/{self.numeric_id(art)}/{art.slug}.html"

    def rel(self, art: Article) -> str:
        """Legacy pages link with root-relative URLs."""
        return self.article_path(art)

    def listed(self, art: Article) -> bool:
        return art.option("listed", "yes") != "no"

    def shows_time(self, art: Article) -> bool:
        return art.option("date", "full") != "none"

    def display_date(self, art: Article) -> str:
        p = art.published
        return f"{long_date(p)} | {p:%H:%M} {zone_name(p)}"

    # -- page parts ---------------------------------------------------------------------------

    def page(self, title: str, main: str, snap: Snapshot) -> str:
        menu = " | ".join(f'<a href="/kanal/{slugify(s)}">{s}</a>' for s in SECTIONS)
        popular = "".join(f'<li><a href="{self.rel(a)}">{txt(a.title)}</a></li>'
                          for a in self.listing(snap)[:5])
        return (
            '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            f"<title>{txt(title)}</title>\n"
            '<link rel="stylesheet" type="text/css" href="/css/style.css">\n</head>\n'
            '<body bgcolor="#ffffff">\n<table width="980" align="center" border="0" '
            'cellpadding="0" cellspacing="0">\n<tr><td colspan="2" id="header">'
            f'<h1 id="logo"><a href="/">{self.name}</a></h1>'
            '<span class="slogan">Koran Rakyat Kalimantan Timur</span></td></tr>\n'
            f'<tr><td colspan="2" id="menu"><a href="/">Home</a> | {menu} | '
            '<a href="/indeks">Indeks Berita</a></td></tr>\n'
            f'<tr><td valign="top" width="680" id="kiri">\n{main}</td>\n'
            '<td valign="top" width="300" id="kanan"><div class="box"><b>BERITA POPULER</b>'
            f"<ol>{popular}</ol></div>"
            '<div class="box"><b>PENGUMUMAN</b><p>Redaksi menerima tulisan opini warga.</p>'
            "</div></td></tr>\n"
            '<tr><td colspan="2" id="footer">Copyright &copy; 2023 Mahakam Pos. '
            "Jl. Pahlawan, Samarinda. All rights reserved.</td></tr>\n</table>\n</body>\n</html>\n"
        )

    def render_article(self, art: Article, snap: Snapshot) -> str:
        headlines = "\n".join(
            f'<li><a href="{self.rel(snap.get(r))}">{txt(snap.get(r).title)}</a></li>'
            for r in art.related)
        paragraphs = list(art.paragraphs)
        if art.dateline:
            paragraphs[0] = f"{art.dateline} - {paragraphs[0]}"
        if art.signoff:
            paragraphs[-1] = f"{paragraphs[-1]}({art.signoff})"
        index = [a.id for a in self.bundled()].index(art.id) if not art.generated else 0
        style = art.option("body", "br" if index % 2 else "p")
        if style == "br":
            body = "<br><br>\n".join(txt(p) for p in paragraphs)
        else:
            body = "\n".join(f"<p>{txt(p)}</p>" for p in paragraphs)
        credits = []
        if art.authors:
            credits.append(f"Pewarta: {txt(', '.join(art.authors))}")
        if art.editor:
            credits.append(f"Editor: {txt(art.editor)}")
        date_line = (f'<div class="tgl">{self.display_date(art)}</div>\n'
                     if self.shows_time(art) else "")
        main = (
            f'<div class="berita-lain">\n<ul>\n{headlines}\n</ul>\n</div>\n<br><br>\n'
            f'<h2 class="judul">{txt(art.title)}</h2>\n{date_line}'
            f'<div id="isi">\n{body}\n</div>\n'
            f'<div class="kredit">{"<br>".join(credits)}</div>\n'
            f'<div class="kanal">Kanal: <a href="/kanal/{slugify(art.section)}">'
            f"{txt(art.section)}</a></div>\n"
        )
        return self.page(f"{art.title} - {self.name}", main, snap)

    def listing(self, snap: Snapshot, section: str | None = None) -> list[Article]:
        return [a for a in snap.articles if self.listed(a)
                and (section is None or a.section == section)]

    def render_list(self, articles: list[Article]) -> str:
        return "<ul class=\"indeks\">\n" + "\n".join(
            f'<li><a href="{self.rel(a)}">{txt(a.title)}</a> '
            f'<span class="tgl">{a.published:%d/%m/%Y}</span></li>' for a in articles) + "\n</ul>\n"

    def render_listing(self, title: str, path: str, articles: list[Article], page: int,
                       snap: Snapshot) -> str | None:
        pages = max(1, math.ceil(len(articles) / LISTING_SIZE))
        if not 1 <= page <= pages:
            return None
        chunk = articles[(page - 1) * LISTING_SIZE:page * LISTING_SIZE]
        links = " ".join(f"<b>{n}</b>" if n == page else f'<a href="{path}?page={n}">{n}</a>'
                         for n in range(1, pages + 1))
        if page < pages:
            links += f' <a href="{path}?page={page + 1}">Berikutnya &raquo;</a>'
        main = (f'<div class="judul-kanal">{txt(title)}</div>\n' + self.render_list(chunk)
                + f'<div class="halaman">Halaman: {links}</div>\n')
        return self.page(f"{title} - {self.name}", main, snap)

    # -- routing ------------------------------------------------------------------------------

    def route(self, request: Request, snap: Snapshot) -> Response | None:
        path = request.path
        page_param = request.param("page", "1") or "1"
        page = int(page_param) if page_param.isdigit() else 0
        if path == "/":
            main = ('<div class="judul-kanal">BERITA TERKINI</div>\n'
                    + self.render_list(self.listing(snap)[:HOME_SIZE])
                    + '<p><a href="/indeks">Indeks berita &raquo;</a></p>\n')
            return html(self.page(f"{self.name} - Koran Rakyat Kalimantan Timur", main, snap))
        if path == "/robots.txt":
            return text("User-agent: *\nDisallow: /admin/\n")
        if path == "/indeks":
            page_html = self.render_listing("INDEKS BERITA", "/indeks", self.listing(snap), page,
                                            snap)
            return html(page_html) if page_html else None
        if path.startswith("/kanal/"):
            sections = dict.fromkeys((*SECTIONS, *(a.section for a in snap.articles)))
            section = next((s for s in sections if f"/kanal/{slugify(s)}" == path), None)
            if section is None:
                return None
            page_html = self.render_listing(f"KANAL {section.upper()}", path,
                                            self.listing(snap, section), page, snap)
            return html(page_html) if page_html else None
        art = snap.by_path.get(path)
        if art is None:
            return None
        if self.layout_changed:
            return html(changed_layout(self.name, art.title, art.paragraphs, art.published,
                                       ", ".join(art.authors)))
        return html(self.render_article(art, snap))

    # -- data for tests -----------------------------------------------------------------------

    def profile_hints(self) -> dict[str, Any]:
        snap = self.snapshot()
        return {
            "discovery": {
                "listings": [self.url("/indeks")],
                "pagination": "?page={n}",
                "max_listing_pages": max(1, math.ceil(len(self.listing(snap)) / LISTING_SIZE)),
                "article_pattern": r"/berita/\d{4}/\d{2}/\d{2}/\d+/",
            },
            # the section is only in a "Kanal: <a>..</a>" line no generic rule can know
            "selectors": {"section": "div.kanal a"},
        }

    def expected_parts(self, art: Article, snap: Snapshot) -> dict[str, Any]:
        shows_time = self.shows_time(art)
        return {
            "published_raw": self.display_date(art) if shows_time else short_day(art.published),
            "published_precision": "minute" if shows_time else "day",
            "dateline_raw": f"{art.dateline} -" if art.dateline else None,
            "signoff_raw": f"({art.signoff})" if art.signoff else None,
            "related_ids": [(r, None) for r in art.related],  # the list shows no label
            "pages": 1,
            "channels": ["listing"] if self.listed(art) else ["related"],
            "encoding": "utf-8",
        }
