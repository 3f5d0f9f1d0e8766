"""`warta demo`: serve the demo outlets on 127.0.0.1 and crawl them all into an archive."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import Archive
from crawler.runtime.runner import CrawlSummary, run_crawl

DEMO_SETTINGS: dict[str, Any] = {
    # The demo sites run in this process on loopback: no need to spare them.
    "LOG_LEVEL": "WARNING",
    # Every demo reads every page: a second demo shows each article unchanged.
    "WARTA_INCREMENTAL": False,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 10,
}

DEMO_BASE_PORT = 48471
"""The demo outlets listen on this port and the next ones, so their URLs (the archive's keys)
are the same from one `warta demo` to the next and a second run finds every article unchanged.
When a port is taken, free ports are used instead and the run says so."""

DEFAULT_DEMO_QUERY = "Samarinda"
"""The demo's sample search when `crawler.demo` names none (`SAMPLE_QUERY`)."""

DEMO_RESULTS = 5


@dataclass
class DemoResult:
    summary: CrawlSummary
    stats: dict[str, Any]
    query: str
    results: list[dict[str, Any]]
    note: str | None = None


def run_demo(db: str | Path, *, query: str | None = None, progress: bool | None = None,
             settings: Mapping[str, Any] | None = None) -> DemoResult:
    """Serve the demo sites on 127.0.0.1 (threads in this process), crawl them all into `db`,
    stop the server, and return the crawl summary, the archive's stats and a sample search."""
    from crawler import demo
    from crawler.demo.outlets import OUTLETS
    from crawler.demo.server import serve
    from crawler.sites import parse_profile

    note = None
    try:
        server = serve(ports={key: DEMO_BASE_PORT + i for i, key in enumerate(OUTLETS)})
    except OSError:
        server = serve()
        note = (f"ports {DEMO_BASE_PORT}+ are taken, so the demo sites ran on other ports: "
                "their articles are new URLs for an archive that earlier demos filled")
    try:
        profiles = [parse_profile(key, data, f"<demo site {key}>")
                    for key, data in demo.profiles(server.urls).items()]
        summary = run_crawl(profiles, db=db, settings={**DEMO_SETTINGS, **(settings or {})},
                            progress=progress, resume=False)
    finally:
        server.stop()
    text = query or getattr(demo, "SAMPLE_QUERY", None) or DEFAULT_DEMO_QUERY
    with Archive(db) as archive:
        stats = archive.stats()
        results = archive.search(text, limit=DEMO_RESULTS)
    return DemoResult(summary=summary, stats=stats, query=text, results=results, note=note)
