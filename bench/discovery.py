"""Discovery recall from three-line profiles: what a new user gets from name, homepage, time zone.

    python bench/discovery.py                  # this checkout, and `main` as "before"
    python bench/discovery.py --before HEAD~3  # any git revision as "before"
    python bench/discovery.py --no-before      # this checkout only

Serves every demo outlet (`crawler.demo`), the legacy portal of the mock server
(`tests/mockserver/portal.py`: no sitemap, a ten-item feed, older articles only in listings)
and its network portal (`tests/mockserver/network.py`: channel, tag and author pages only,
multi-page articles) on 127.0.0.1, writes for each a profile of three lines (name, homepage,
timezone: none of the demo profiles' `[discovery]` tables), and crawls each outlet alone into a
new archive with a `warta crawl` child process, once with the code of the "before" revision (a
`git archive` of it in a temporary folder) and once with this checkout. For each it prints the
recall (expected articles archived / expected), the requests the outlet answered, the article
pages (parts and single-page views of multi-page articles included) and listing pages among
them, requests per article, and requests / (article pages + listing pages) (issue 13: at most
1.3; the rest is robots.txt, sitemaps, feeds, AMP variants and errors).

`dates`: on the legacy portal, whose pages print `Jumat (1/3)` only, the share of articles
archived at exactly the time its listings print; `whole`: on the network portal, the share of
multi-page articles archived whole (every part in order; the one whose part answers 404 marked
incomplete).

The last line: `before_recall=... before_requests_ratio=... before_dates_right=...
before_multipage_whole=... after_...` (the lowest recall, share of right dates and of whole
articles, and the highest ratio over the outlets).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from crawl import LOOPBACK  # the same loopback settings as the throughput bench

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

THREE_LINES = ("name", "homepage", "timezone")


def child_env(code: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    return env


def checkout(revision: str, into: Path) -> Path:
    """The files of `revision` in `into` (no .git), to run its code as "before"."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def crawl(code: Path, key: str, sites: Path, db: Path) -> None:
    args = [sys.executable, "-m", "crawler.cli", "crawl", key, "--sites-dir", str(sites),
            "--db", str(db), "--no-progress"]
    for name, value in LOOPBACK.items():
        args += ["-s", f"{name}={value}"]
    subprocess.run(args, check=True, env=child_env(code), cwd=code, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def archived(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT url FROM articles")}


def dates_right(db: Path, published: dict[str, str]) -> float | None:
    """Share of the fixture's articles archived at exactly the time its listings print
    (the legacy portal's pages show `Jumat (1/3)` only); None for an outlet without them."""
    if not published:
        return None
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT url, published_at FROM articles"))
    return sum(1 for url, at in published.items() if stored.get(url) == at) / len(published)


def whole_share(db: Path, multipage: dict[str, Any]) -> float | None:
    """Share of the fixture's multi-page articles archived whole: every part's phrase in the
    body, in order; one with a part the server never gives counts when it is marked
    incomplete. None for an outlet without them."""
    if not multipage:
        return None
    import json

    with sqlite3.connect(db) as conn:
        stored = {url: (body or "", json.loads(prov or "{}")) for url, body, prov in
                  conn.execute("SELECT url, body, provenance FROM articles")}
    whole = 0
    for url, article in multipage.items():
        body, provenance = stored.get(url, ("", {}))
        wanted = [m for n, m in enumerate(article["markers"], 1) if n not in article["missing"]]
        at = [body.find(m) for m in wanted]
        marked = not article["missing"] or str(provenance.get("parts", "")).startswith(
            "incomplete")
        whole += -1 not in at and at == sorted(at) and marked
    return whole / len(multipage)


def is_article_page(path: str, article_paths: set[str]) -> bool:
    """A request for an article page, one of its parts (`?page=2`, `/2`) or its single-page
    view (`?page=all`, `/all`)."""
    bare = path.split("?")[0]
    return bare in article_paths or bare.rstrip("/").rsplit("/", 1)[0] in article_paths


def is_listing(path: str, article_paths: set[str]) -> bool:
    """A request for an HTML page that is not an article page (a homepage, a listing)."""
    bare = path.split("?")[0]
    if is_article_page(path, article_paths) or bare.endswith(
            (".xml", ".txt", "/feed", "/feed/", "/atom")):
        return False
    return not bare.startswith(("/amp/", "/img/", "/css/", "/static/", "/feed/"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="main", help="git revision measured as before")
    parser.add_argument("--no-before", action="store_true", help="measure this checkout only")
    args = parser.parse_args()
    from urllib.parse import urlsplit

    from crawler.demo import expected_articles, profiles
    from crawler.demo.server import RequestLog, serve
    from crawler.demo.state import DemoState
    from crawler.sites import write_profile
    from tests.mockserver.network import serve_network
    from tests.mockserver.portal import serve_portals

    demo = serve()
    portals = serve_portals(demo)
    plain = portals.describe()["plain"]
    network = serve_network(demo).describe()
    outlets: dict[str, dict[str, Any]] = {}
    for key, profile in profiles(demo.urls, demo.state).items():
        outlets[key] = {"profile": profile, "log": demo.log, "articles": {
            a["url"] for a in expected_articles(demo.urls, demo.state) if a["site"] == key}}
    outlets[plain["site"]] = {"profile": plain["profile"], "log": demo.log,
                              "articles": set(plain["articles"]),
                              "published": plain["published"]}
    outlets[network["site"]] = {"profile": network["profile"], "log": demo.log,
                                "articles": set(network["articles"]),
                                "multipage": network["multipage"]}
    assert isinstance(demo.log, RequestLog) and isinstance(demo.state, DemoState)
    rows: list[tuple[str, str, float, int, int, int, int, float | None, float | None]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="warta-discovery-") as tmp:
            work = Path(tmp)
            sites = work / "sites"
            sites.mkdir()
            for key, outlet in outlets.items():
                write_profile(sites, key, {k: outlet["profile"][k] for k in THREE_LINES})
            codes = [("after", ROOT)]
            if not args.no_before:
                codes.insert(0, ("before", checkout(args.before, work / "before")))
            for label, code in codes:
                for key, outlet in outlets.items():
                    demo.log.clear()
                    db = work / f"{label}-{key}.db"
                    crawl(code, key, sites, db)
                    expected: set[str] = outlet["articles"]
                    found = len(expected & archived(db))
                    paths = [e["path"] for e in demo.log.entries(key)]
                    article_paths = {urlsplit(u).path for u in expected}
                    listings = sum(1 for p in paths if is_listing(p, article_paths))
                    pages = sum(1 for p in paths if is_article_page(p, article_paths))
                    rows.append((label, key, found / len(expected), len(expected), len(paths),
                                 listings, pages, dates_right(db, outlet.get("published", {})),
                                 whole_share(db, outlet.get("multipage", {}))))
    finally:
        demo.stop()
    print(f"{'code':7} {'outlet':12} {'recall':>7} {'articles':>8} {'requests':>8} "
          f"{'art_pages':>9} {'listings':>8} {'req/art':>8} {'req/(pages+list)':>16} "
          f"{'dates':>6} {'whole':>6}")

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for label, key, recall, n, requests, listings, pages, dates, whole in rows:
        print(f"{label:7} {key:12} {recall:7.3f} {n:8d} {requests:8d} {pages:9d} {listings:8d} "
              f"{requests / n:8.2f} {requests / (pages + listings):16.2f} {share(dates):>6} "
              f"{share(whole):>6}")
    summary = []
    for label in ("before", "after"):
        mine = [r for r in rows if r[0] == label]
        if mine:
            summary.append(f"{label}_recall={min(r[2] for r in mine):.3f}")
            summary.append(f"{label}_requests_ratio="
                           f"{max(r[4] / (r[6] + r[5]) for r in mine):.2f}")
            dates = [r[7] for r in mine if r[7] is not None]
            whole = [r[8] for r in mine if r[8] is not None]
            if dates:
                summary.append(f"{label}_dates_right={min(dates):.3f}")
            if whole:
                summary.append(f"{label}_multipage_whole={min(whole):.3f}")
    print(" ".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
