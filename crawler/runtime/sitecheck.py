"""`warta sites --check`: a minute to know whether an outlet works, before it goes on a schedule.

`check_site` runs the `news` spider once in survey mode (`OutletSpider.survey`), through
Scrapy's engine with warta's settings, so robots.txt is obeyed and the address guard and the
outlet scope apply exactly as in a crawl; nothing is written to an archive and nothing is
skipped as archived. It reads robots.txt, the sitemaps (a few children of an index, the rest
counted), the feeds, the homepage and up to `SURVEY_LISTING_PAGES` listing pages, and reads a
sample of `SAMPLE` articles. `SiteCheck.lines` prints:

- the discovery paths that exist, each with the article URLs it showed and an estimate of how
  many it reaches (a sitemap index: the articles of the children read, scaled to all of them;
  a listing whose page numbers show its length, `1 2 3 ... 7`: its articles a page times its
  pages; a listing that only links its next page: at least what its pages read showed, `54+`);
- for the sample, the share of articles with a title, a dated body, an author, a dateline and
  a sign-off, with the extraction stages that gave each (`jsonld 8, text 2`);
- a warning for each field missing on most pages (more than `MOSTLY_MISSING` of the sample),
  and when no article could be read at all.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from crawler.sites import SiteProfile

SAMPLE = 10
"""Articles read by default: enough to see which fields a template gives, in seconds."""

MOSTLY_MISSING = 0.5
"""A field missing on more than this share of the sample is warned about: a template that
gives a field gives it on nearly every page, so a field missing on most is missing."""

FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("dated body", "published_at"),
    ("author", "authors"),
    ("dateline", "dateline"),
    ("sign-off", "signoff"),
)
"""What the sample is judged on: the label printed and the provenance key of its stage."""

PATH_LABELS = {"sitemap": "sitemaps", "feed": "feeds", "related": "related links"}


@dataclass
class PathEstimate:
    name: str
    found: int
    """Article URLs (canonical, each once) the path showed in the survey."""
    estimate: int
    """Articles it reaches by the estimate (at least `found`)."""
    at_least: bool
    """Whether the estimate is a lower bound (a listing with pages left unread)."""
    note: str


@dataclass
class SiteCheck:
    profile: SiteProfile
    stats: dict[str, Any]
    paths: list[PathEstimate]
    sample: list[dict[str, Any]]
    finish_reason: str = "finished"
    robots: str = ""
    """What robots.txt answered, in words."""
    fields: list[tuple[str, int, Counter[str]]] = field(default_factory=list)
    """Per `FIELDS` label: articles of the sample that have it, and the stages that gave it."""

    def __post_init__(self) -> None:
        self.fields = [_field_share(self.sample, label, key) for label, key in FIELDS]

    def warnings(self) -> list[str]:
        found = []
        n = len(self.sample)
        if not self.paths:
            found.append(f"{self.profile.key}: no discovery path found any article (robots.txt, "
                         "sitemaps, feeds, the homepage and its listings were read)")
        if n == 0:
            found.append(f"{self.profile.key}: no article could be read: check the homepage "
                         "in a browser, and `warta extract` on a saved article page")
            return found
        for label, have, _ in self.fields:
            missing = n - have
            if missing > MOSTLY_MISSING * n:
                found.append(f"{self.profile.key}: {label} missing on {missing} of {n} "
                             "articles read")
        forbidden = int(self.stats.get("robotstxt/forbidden", 0))
        if forbidden:
            found.append(f"{self.profile.key}: robots.txt forbade {forbidden} request(s)")
        return found

    def lines(self) -> Iterator[str]:
        from archive.formatting import table, terminal_safe

        p = self.profile
        yield f"{p.key}: {terminal_safe(p.name, multiline=False)} ({p.homepage}, {p.timezone})"
        yield f"robots.txt: {self.robots}"
        yield ""
        yield "Discovery paths (article URLs seen in this check; estimate of what each reaches):"
        if self.paths:
            rows = [[path.name, path.found,
                     f"{path.estimate:,}{'+' if path.at_least else ''}", path.note]
                    for path in self.paths]
            yield from table(["PATH", "SEEN", "ESTIMATE", "READ"], rows, right=(1, 2))
        else:
            yield "  none"
        yield ""
        n = len(self.sample)
        yield f"Sample: {n} article(s) read"
        if n:
            rows = [[label, f"{have}/{n}", f"{have / n * 100:.0f}%",
                     ", ".join(f"{stage} {count}" for stage, count in stages.most_common())]
                    for label, have, stages in self.fields]
            yield from table(["FIELD", "HAVE", "SHARE", "STAGES"], rows, right=(1, 2))
        warnings = self.warnings()
        if warnings:
            yield ""
            for warning in warnings:
                yield f"warning: {terminal_safe(warning, multiline=False)}"


def _has(item: Mapping[str, Any], label: str) -> bool:
    if label == "dated body":
        return bool(item.get("published_at")) and bool(item.get("body")) and (
            item.get("body_status") in (None, "ok"))
    key = dict(FIELDS)[label]
    return bool(item.get(key))


def _field_share(sample: list[dict[str, Any]], label: str, key: str
                 ) -> tuple[str, int, Counter[str]]:
    stages: Counter[str] = Counter()
    have = 0
    for item in sample:
        if not _has(item, label):
            continue
        have += 1
        provenance = item.get("provenance") or {}
        if label == "dated body":
            stage = (f"date {provenance.get('published_at', '?')}, "
                     f"body {provenance.get('body', '?')}")
            if provenance.get("published_hint"):
                stage += f" (+{provenance['published_hint'].split(':')[0]})"
        else:
            stage = str(provenance.get(key, "?"))
        stages[stage] += 1
    return label, have, stages


def _robots(stats: Mapping[str, Any]) -> str:
    statuses = sorted(k.rsplit("/", 1)[1] for k in stats
                      if k.startswith("robotstxt/response_status_count/"))
    if not statuses:
        return "not read (the request failed)" if stats.get("robotstxt/request_count") else \
            "not read"
    lines = int(stats.get("discovery/robots_sitemaps", 0))
    answered = ", ".join(f"HTTP {s}" for s in statuses)
    if "200" in statuses:
        return f"{answered}; obeyed; {lines} Sitemap: line(s)"
    return f"{answered}: everything allowed"


def estimate_paths(spider: Any, stats: Mapping[str, Any]) -> list[PathEstimate]:
    """What each discovery path showed in a survey, and how much it reaches."""
    surveyed: dict[str, set[str]] = spider.surveyed
    pages: Counter[str] = spider.survey_pages
    found: list[PathEstimate] = []
    sitemap = surveyed.get("sitemap", set())
    if pages.get("sitemap") or sitemap:
        children, read = pages.get("sitemap_children", 0), pages.get("sitemap_children_read", 0)
        estimate = len(sitemap)
        note = f"{pages.get('sitemap', 0)} sitemap(s)"
        if children > read > 0:
            estimate = round(len(sitemap) * children / read)
            note += f" ({read} of {children} in the index)"
        found.append(PathEstimate("sitemaps", len(sitemap), estimate, False, note))
    feed = surveyed.get("feed", set())
    feeds = int(stats.get("discovery/feeds", 0))
    if feeds or feed:
        found.append(PathEstimate("feeds", len(feed), len(feed), False, f"{feeds} feed(s)"))
    kinds = sorted({k.split(":", 1)[1] for k in surveyed if k.startswith("listing:")},
                   key=lambda k: (k != "homepage", k))
    for kind in kinds:
        urls = surveyed[f"listing:{kind}"]
        read = pages.get(kind, 0)
        listings = int(stats.get(f"discovery/listings_found/{kind}", 0)) or 1
        numbered = pages.get(f"{kind}:numbered", 0)
        # pages whose numbers show the listing's length give articles a page x pages; a
        # listing that only says `Next` gives at least what was read
        more = pages.get(f"{kind}:more", 0) > 0 and numbered < listings
        estimate = max(len(urls), pages.get(f"{kind}:estimate", 0))
        note = f"{read} page(s)" + (f" of {listings} listing(s)" if kind != "homepage" else "")
        if numbered:
            note += f", {numbered} numbered"
        if more:
            note += ", paginated further"
        found.append(PathEstimate(f"{kind} pages" if kind != "homepage" else "homepage",
                                  len(urls), estimate, more, note))
    related = surveyed.get("related", set())
    if related:
        found.append(PathEstimate("related links", len(related), len(related), True,
                                  "on the articles read"))
    every = set().union(*surveyed.values()) if surveyed else set()
    if found:
        # at least the largest path's reach (the paths overlap: not their sum)
        reach = max(len(every), *(p.estimate for p in found))
        found.append(PathEstimate("all paths", len(every), reach,
                                  any(p.at_least for p in found), "each article once"))
    return found


def check_site(profile: SiteProfile, *, sample: int = SAMPLE,
               settings: Mapping[str, Any] | None = None,
               stderr: TextIO | None = None) -> SiteCheck:
    """Survey one outlet (see the module doc) and return what was found."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.runtime.logs import install_logging
    from crawler.runtime.runner import crawl_settings
    from crawler.settings import check_settings
    from crawler.spiders.news import NewsSpider

    overrides: dict[str, Any] = {
        "WARTA_ARCHIVE_ENABLED": False,  # a check writes nothing
        "WARTA_INCREMENTAL": False,  # and reads the articles whether archived or not
        "WARTA_PROGRESS": False,
        "WARTA_EXTRACT_PROCESSES": 0,
        "LOG_LEVEL": "ERROR",
        "LOG_INSTALL_ROOT_HANDLER": False,
    }
    overrides.update(settings or {})
    crawl = crawl_settings(overrides)
    check_settings(crawl)
    handler = install_logging(crawl, stderr or sys.stderr)
    items: list[dict[str, Any]] = []

    def on_item(item: Any, response: Any, spider: Any) -> None:
        from itemadapter import ItemAdapter

        items.append(dict(ItemAdapter(item).items()))

    try:
        process = CrawlerProcess(crawl)
        logging.getLogger("scrapy").setLevel(handler.level)
        crawler = process.create_crawler(NewsSpider)
        crawler.signals.connect(on_item, signal=signals.item_scraped)
        process.crawl(crawler, profiles=[profile], max_articles=max(1, sample), survey=True)
        process.start()
    finally:
        logging.getLogger().removeHandler(handler)
    stats = dict(crawler.stats.get_stats()) if crawler.stats is not None else {}
    spider = crawler.spider
    return SiteCheck(profile=profile, stats=stats, paths=estimate_paths(spider, stats),
                     sample=items[:max(1, sample)],
                     finish_reason=str(stats.get("finish_reason", "finished")),
                     robots=_robots(stats))
