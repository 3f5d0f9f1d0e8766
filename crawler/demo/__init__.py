"""warta's demo news sites: invented East Kalimantan outlets served on 127.0.0.1.

They are the offline demo (`warta demo` crawls them) and the fixture sites of the crawl tests
(`tests/mockserver/` serves them with traps added). All text was written for this project.

Outlets (each its own port, so its own origin and robots.txt):

- `kaltimnews`: see `outlets/kaltimnews.py`.

Interfaces:

- `crawler.demo.server.serve(...)` / `python -m crawler.demo.server`: run the sites.
- `expected_articles(base_urls)`: per article, what a correct extraction gives.
- `profiles(base_urls)`: per outlet, the profile data as its TOML file would hold it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.demo.state import DemoState

__all__ = ["DemoState", "build_outlets", "expected_articles", "profiles"]


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
