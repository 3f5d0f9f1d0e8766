"""Helpers shared by the outlet templates: escaping, Indonesian dates, feeds, the new layout."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
ZONE_NAMES = {7: "WIB", 8: "WITA", 9: "WIT"}
RFC822_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RFC822_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")


def slugify(value: str) -> str:
    """A URL slug: lower-case words of letters and digits joined by hyphens."""
    return "-".join("".join(c if c.isalnum() else " " for c in value.lower()).split())


def esc(value: str) -> str:
    """Escape text for an HTML attribute (quotes too)."""
    return escape(value, quote=True)


def txt(value: str) -> str:
    """Escape text for HTML element content (quotes stay as typed, as on real pages)."""
    return escape(value, quote=False)


def zone_name(moment: datetime) -> str:
    """WIB / WITA / WIT for the moment's own offset."""
    offset = moment.utcoffset()
    assert offset is not None, "demo instants always carry their offset"
    return ZONE_NAMES[int(offset.total_seconds() // 3600)]


def day_name(moment: datetime) -> str:
    return DAYS[moment.weekday()]


def long_date(moment: datetime) -> str:
    """`Senin, 8 Januari 2024`."""
    return f"{day_name(moment)}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def short_day(moment: datetime) -> str:
    """`Selasa (23/5)`: how Indonesian news text names the day of an event."""
    return f"{day_name(moment)} ({moment.day}/{moment.month})"


def iso(moment: datetime) -> str:
    """ISO 8601 with the offset, to the second (`2024-01-08T09:30:00+08:00`)."""
    return moment.isoformat(timespec="seconds")


def rfc822(moment: datetime) -> str:
    """RSS dates: `Mon, 08 Jan 2024 09:30:00 +0800`."""
    return (f"{RFC822_DAYS[moment.weekday()]}, {moment.day:02d} {RFC822_MONTHS[moment.month - 1]} "
            f"{moment.year} {moment:%H:%M:%S} {moment:%z}")


def json_ld(data: Any) -> str:
    """A JSON-LD script element; `</` is escaped so the text can never close the element."""
    payload = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{payload}\n</script>'


def rss(title: str, link: str, self_url: str, description: str,
        items: Iterable[dict[str, Any]], updated: datetime | None) -> str:
    """An RSS 2.0 feed. Items: title, link, guid, published, updated, description, authors,
    categories. Each item also carries `atom:updated`, so edits show in the feed."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">',
        "<channel>",
        f"<title>{esc(title)}</title>",
        f"<link>{esc(link)}</link>",
        f'<atom:link href="{esc(self_url)}" rel="self" type="application/rss+xml"/>',
        f"<description>{esc(description)}</description>",
        "<language>id</language>",
    ]
    if updated is not None:
        parts.append(f"<lastBuildDate>{rfc822(updated)}</lastBuildDate>")
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{esc(item['title'])}</title>")
        parts.append(f"<link>{esc(item['link'])}</link>")
        parts.append(f'<guid isPermaLink="false">{esc(item["guid"])}</guid>')
        parts.append(f"<pubDate>{rfc822(item['published'])}</pubDate>")
        parts.append(f"<atom:updated>{iso(item['updated'])}</atom:updated>")
        for author in item.get("authors", ()):
            parts.append(f"<dc:creator>{esc(author)}</dc:creator>")
        for category in item.get("categories", ()):
            parts.append(f"<category>{esc(category)}</category>")
        parts.append(f"<description>{esc(item['description'])}</description>")
        parts.append("</item>")
    parts.append("</channel>\n</rss>\n")
    return "\n".join(parts)


def atom(title: str, home: str, self_url: str, feed_id: str,
         entries: Iterable[dict[str, Any]], updated: datetime) -> str:
    """An Atom 1.0 feed. Entries: title, link, id, published, updated, summary, authors."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="id">',
        f"<title>{esc(title)}</title>",
        f'<link rel="alternate" type="text/html" href="{esc(home)}"/>',
        f'<link rel="self" type="application/atom+xml" href="{esc(self_url)}"/>',
        f"<id>{esc(feed_id)}</id>",
        f"<updated>{iso(updated)}</updated>",
    ]
    for entry in entries:
        parts.append("<entry>")
        parts.append(f"<title>{esc(entry['title'])}</title>")
        parts.append(f'<link rel="alternate" type="text/html" href="{esc(entry["link"])}"/>')
        parts.append(f"<id>{esc(entry['id'])}</id>")
        parts.append(f"<published>{iso(entry['published'])}</published>")
        parts.append(f"<updated>{iso(entry['updated'])}</updated>")
        for author in entry.get("authors", ()):
            parts.append(f"<author><name>{esc(author)}</name></author>")
        parts.append(f'<summary type="text">{esc(entry["summary"])}</summary>')
        parts.append("</entry>")
    parts.append("</feed>\n")
    return "\n".join(parts)


def urlset(entries: Iterable[tuple[str, datetime]]) -> str:
    """A plain sitemap: (loc, lastmod) pairs."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in entries:
        parts.append(f"<url><loc>{esc(loc)}</loc><lastmod>{iso(lastmod)}</lastmod></url>")
    parts.append("</urlset>\n")
    return "\n".join(parts)


def sitemap_index(entries: Iterable[tuple[str, datetime | None]]) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in entries:
        mod = f"<lastmod>{iso(lastmod)}</lastmod>" if lastmod else ""
        parts.append(f"<sitemap><loc>{esc(loc)}</loc>{mod}</sitemap>")
    parts.append("</sitemapindex>\n")
    return "\n".join(parts)


UTC = timezone(timedelta(0))


def changed_layout(site_name: str, title: str, paragraphs: Iterable[str],
                   published: datetime, author: str) -> str:
    """An article page after the outlet "moved to a new front end".

    The server sends only a shell: the title is in `<title>`, while the body and the date sit in
    an application-state JSON blob under short keys (the date as epoch milliseconds), meant for a
    script to render. A generic extractor finds no body text and no date in the markup, which is
    exactly what a real layout change does to a crawler, and what `warta health` must notice.
    """
    state = {"a": {"h": title, "c": list(paragraphs),
                   "t": int(published.astimezone(UTC).timestamp() * 1000), "w": author}}
    payload = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    return (
        "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">"
        f"<title>{esc(title)} | {esc(site_name)}</title>"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<link rel=\"stylesheet\" href=\"/static/app.css\"></head>\n"
        "<body><div id=\"app\"><noscript>Aktifkan JavaScript untuk membaca berita ini."
        "</noscript></div>\n"
        f"<script id=\"__APP_STATE__\" type=\"application/json\">{payload}</script>\n"
        "<script src=\"/static/app.js\" defer></script></body></html>\n"
    )
