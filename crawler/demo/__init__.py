"""warta's demo news sites: invented East Kalimantan outlets served on 127.0.0.1.

They are the offline demo (`warta demo` crawls them) and the fixture sites of the crawl tests
(`tests/mockserver/` serves them with traps added). Every text was written for this project
(people quoted are fictional); content lives in `content/<key>.txt` (format in `model.py`),
one template per outlet in `outlets/<key>.py`. Each outlet runs on its own port, so it has
its own origin and robots.txt. 75 articles in all:

- `kaltimnews` (Kaltim News, Samarinda, 25 articles): modern WordPress-like template. JSON-LD
  `NewsArticle` (half in a Yoast-style `@graph`), OpenGraph and `article:*` meta, `<time>`;
  robots.txt with `Sitemap:` and `Disallow: /cari`; a sitemap index -> plain sitemap (lastmod)
  + news sitemap (publication_date, lastmod); RSS declared by `<link rel="alternate">`; WITA
  times with `+08:00` (two Jakarta stories in WIB, `+07:00`); bold dateline `SAMARINDA,
  kaltimnews.id –`; `Baca Juga:` lines in the body, a "Berita Terkait" box below it (one
  inline link repeats a box link, so related links must be collapsed per page), a
  "Terpopuler" sidebar that is not related headlines; captions, tags, sections.
- `mahakampos` (Mahakam Pos, Samarinda, 27 articles): legacy template, no structured data.
  Ten related headlines in a bare list ABOVE the title (as in the seed page), site name in
  `<h1>`, title in `<h2>`; `KOTA - ` datelines; `(*/abc)` sign-offs glued to the last
  sentence; `Pewarta:` / `Editor:` lines; `<br><br>` paragraphs on half the pages; dates as
  text only (`Rabu, 24 Mei 2023 | 10:15 WITA`), four pages with no date line but
  `Selasa (23/5)` in the text (year: from the URL `/berita/2023/05/23/...` and the listing's
  `23/05/2023`); paginated listings `/indeks?page=N`, no sitemap, no feed; two 2022 articles
  reachable only through related headlines.
- `benuaetam` (Benua Etam, Balikpapan, 23 articles): multi-page articles (`?page=2`, `?page=3`,
  next/prev links, each part canonical to itself), AMP variants (`<link rel="amphtml">`, the
  AMP page canonical back, some feed entries link the AMP page), `utm_*` and `fbclid` on
  internal links, numeric WITA dates (`Selasa, 05/03/2024 - 10:20 WITA`), three pages in
  windows-1252 (declared in the HTTP header / only as `iso-8859-1` in a meta / nowhere), an
  Atom feed found only through `<link rel="alternate">`, paginated `/terkini?page=N`.

Stories several outlets ran (issue 17; `story:` and `region:` in the content files give the
truth): a Kaltim News story copied by Benua Etam (a paragraph cut) and Mahakam Pos (five days
later, a paragraph added), each under its own headline; a press release of Kutai Barat run by
all three the same day; and near-misses that must stay apart: two different stories on one
market fire, the same day, naming the same officials (Benua Etam, Kaltim News), and Mahakam
Pos's weekly column, whose two opening paragraphs are the same every week.

Changes between crawls (`DemoState`, see `state.py`): generated articles added to an outlet
(they appear in its sitemaps, feeds and listings), edits (new title and/or paragraph; lastmod,
`dateModified` and feed dates follow), and a layout change (article pages become a script
shell with the body and date in a JSON blob, so health checks must notice).

The crawl tests' traps (robots rules, redirects, 404, 500, slow, 20 MB, broken HTML, wrong
charset, empty body, XML-bomb sitemap, HTML feed) are added on top by `tests/mockserver/`.

Interfaces:

- `crawler.demo.server.serve(...)` / `python -m crawler.demo.server`: run the sites.
- `expected_articles(base_urls)`: per article, what a correct extraction gives
  (conventions in `expected.py`).
- `profiles(base_urls)`: per outlet, the profile data as its TOML file would hold it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.demo.state import DemoState

__all__ = ["SAMPLE_QUERY", "DemoState", "build_outlets", "expected_articles", "profiles"]

SAMPLE_QUERY = "banjir samarinda"
"""The search `warta demo` runs at the end: words several demo articles share."""


def build_outlets(base_urls: Mapping[str, str], state: DemoState | None = None) -> dict[str, Any]:
    """Outlet objects (no server) for the given base URLs, to render pages or compute data."""
    from crawler.demo.outlets import OUTLETS

    keys = [k for k in OUTLETS if k in base_urls]
    state = state or DemoState(keys)
    return {key: OUTLETS[key](base_urls[key], state) for key in keys}


def expected_articles(base_urls: Mapping[str, str],
                      state: DemoState | None = None) -> list[dict[str, Any]]:
    """Per article of every outlet in `base_urls`, the canonical URL and the fields a correct
    extraction must give (conventions in `crawler/demo/expected.py`), newest first per outlet.

    `state`: the server's `DemoState` when articles were added or edited (default: as bundled).
    """
    from crawler.demo.expected import expected_article

    result: list[dict[str, Any]] = []
    for outlet in build_outlets(base_urls, state).values():
        snap = outlet.snapshot()
        result.extend(expected_article(outlet, art, snap) for art in snap.articles)
    return result


def profiles(base_urls: Mapping[str, str],
             state: DemoState | None = None) -> dict[str, dict[str, Any]]:
    """Per outlet key, its profile as the TOML would hold it (`crawler.sites.parse_profile`)."""
    return {key: outlet.profile() for key, outlet in build_outlets(base_urls, state).items()}
