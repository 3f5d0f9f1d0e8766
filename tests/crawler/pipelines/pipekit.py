"""What the pipeline tests share: a test crawler with warta's settings and a `news` spider
for two outlets, and article items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawler import settings as settings_module
from crawler.items import ArticleItem
from crawler.runtime.runner import crawl_settings
from crawler.sites import SiteProfile, parse_profile
from crawler.spiders.news import NewsSpider

HOME = "https://kaltimcontoh.example/"
PROFILE = parse_profile("contoh", {
    "name": "Kaltim Contoh", "homepage": HOME, "timezone": "Asia/Makassar",
    "region": {"province": "Kalimantan Timur", "city": "Samarinda"},
})
OTHER = parse_profile("lain", {"name": "Lain", "homepage": "https://lain.example/",
                               "timezone": "Asia/Jakarta"})


def make_crawler(db: Path, profiles: list[SiteProfile] | None = None,
                 **settings: Any) -> Crawler:
    """A crawler with warta's settings and a `news` spider for the profiles (not started)."""
    project = crawl_settings({"WARTA_DB": str(db), **settings})
    values = {name: project[name] for name in dir(settings_module) if name.isupper()}
    values.update({"WARTA_DB": str(db), **settings})
    crawler = get_crawler(NewsSpider, values)
    crawler.spider = NewsSpider.from_crawler(crawler, profiles=profiles or [PROFILE, OTHER])
    return crawler


def article(n: int = 1, source: str = "contoh", **fields: Any) -> ArticleItem:
    data: dict[str, Any] = {
        "url": f"{HOME}samarinda/2024/01/{n:02d}/banjir-rendam-kelurahan-{n}/",
        "source": source,
        "title": f"Banjir Rendam Kelurahan {n}",
        "body": f"Air setinggi lutut merendam rumah warga {n}.\n\nWarga mengungsi ke masjid.",
        "published_at": f"2024-01-{n:02d}T08:00:00+08:00",
        "fetched_url": f"{HOME}samarinda/2024/01/{n:02d}/banjir-rendam-kelurahan-{n}/",
        "fetched_at": "2024-02-01T00:00:00+00:00",
        "http_status": 200,
    }
    data.update(fields)
    return ArticleItem(**data)


def stat(crawler: Crawler, key: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(key)
