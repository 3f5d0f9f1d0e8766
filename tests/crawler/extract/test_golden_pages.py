"""Golden tests on pages written for this project (`tests/crawler/extract/pages/`): one case
per page.

Each `NAME.html` is a page authored to look like one family of Indonesian and regional news
templates (WordPress news themes, Tribun, Kompas, detik, ANTARA, IDN Times, CNN/Tempo-like,
Okezone/Sindonews-like, JawaPos-group regionals, React portals, government and regency
portals, Blogspot, legacy PHP and table layouts), with made-up East Kalimantan news text; its
`NAME.json` sidecar holds the fields a careful reader takes from that page, and says which
template family it imitates (`family`) and what on it is a trap (`traps`).

Sidecar keys, all checked when present:

- `url`, `fetched_at` (anchors relative dates), `profile` (`name`, `homepage`, `timezone`,
  optionally `allowed_domains`: the outlet profile the crawl would use);
- `title`, `canonical` (default: `url`), `published_at` (exact, offset included),
  `published_raw`, `published_precision`, `modified_at`, `language`;
- `authors`, `editor`, `reporter`, `dateline`, `signoff`, `section`;
- `body_first` / `body_last`: the first paragraph starts with the first sentence (dateline
  cut), the last paragraph ends with the last sentence (sign-off cut); `paragraphs`: how many;
  `must_contain` / `must_not_contain`: snippets that must (not) be in the body;
- `captions`: the photo captions taken out of the body, in page order;
- `related_count`, `related_first_url`, `related_must_not_contain` (URL pieces of site-wide
  lists such as `Terpopuler` / `Terkini` that must not be counted as related headlines);
  `related_urls` and `related_titles` (every headline's URL, and its text as a reader sees it,
  in page order: required on a page with related headlines);
- `next_pages`; `parts` (further pages of the article, each `file` and `url`),
  `merged_body_last`, `merged_paragraphs`, `merged_signoff`: the article stitched by
  `merge_parts`.

Nothing here is tuned to these files: the rules they exercise are generic (see
`crawler/extract/`); a page that fails says which family of templates warta misreads.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract_article, merge_parts
from crawler.sites import SiteProfile, parse_profile

PAGES = Path(__file__).with_name("pages")
SIDECARS = sorted(PAGES.glob("*.json"))

REQUIRED_KEYS = (
    "family", "traps", "url", "fetched_at", "profile", "title", "published_at",
    "published_raw", "published_precision", "authors", "editor", "dateline", "signoff",
    "section", "related_count", "related_first_url", "body_first", "body_last",
    "must_not_contain",
)  # fmt: skip
"""What every sidecar must say (the brief's list of fields a page is checked on)."""


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _profile(data: dict[str, Any]) -> SiteProfile | None:
    if not data.get("profile"):
        return None
    key = "".join(ch for ch in data["profile"]["name"].lower() if ch.isalnum()) or "outlet"
    return parse_profile(key, data["profile"])


def _extract(path: Path, url: str, data: dict[str, Any]) -> dict[str, Any]:
    return extract_article(
        path.read_bytes(),
        url,
        profile=_profile(data),
        fetched_at=datetime.fromisoformat(data["fetched_at"]),
    )


CASES = [pytest.param(path, id=path.stem) for path in SIDECARS]

_cache: dict[Path, tuple[dict[str, Any], dict[str, Any]]] = {}


@pytest.fixture
def page(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """`(expected, result)` for the case's page, extracted once per test session."""
    path: Path = request.param
    if path not in _cache:
        data = _load(path)
        _cache[path] = (data, _extract(path.with_suffix(".html"), data["url"], data))
    return _cache[path]


def _paragraphs(result: dict[str, Any]) -> list[str]:
    body = result["body"] or ""
    return body.split("\n\n") if body else []


def test_every_page_has_a_complete_sidecar_and_every_sidecar_a_page() -> None:
    htmls = {p.stem for p in PAGES.glob("*.html")}
    jsons = {p.stem for p in SIDECARS}
    assert htmls == jsons
    assert len(htmls) >= 12
    for path in SIDECARS:
        data = _load(path)
        required = [*REQUIRED_KEYS, *(("related_urls", "related_titles")
                                      if data["related_count"] else ())]
        missing = [k for k in required if k not in data]
        assert not missing, f"{path.name}: missing {missing}"


@pytest.mark.parametrize("page", CASES, indirect=True)
def test_title_and_canonical_url(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    want, got = page
    assert got["title"] == want["title"]
    assert got["url"] == want.get("canonical", want["url"])


@pytest.mark.parametrize("page", CASES, indirect=True)
def test_publication_date(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    want, got = page
    assert (got["published_at"], got["published_raw"], got["published_precision"]) == (
        want["published_at"],
        want["published_raw"],
        want["published_precision"],
    )
    if "modified_at" in want:
        assert got["modified_at"] == want["modified_at"]


@pytest.mark.parametrize("page", CASES, indirect=True)
def test_people(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    want, got = page
    assert got["authors"] == want["authors"]
    assert got["editor"] == want["editor"]
    if "reporter" in want:
        assert got["reporter"] == want["reporter"]


@pytest.mark.parametrize("page", CASES, indirect=True)
def test_dateline_signoff_section_language(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    want, got = page
    assert (got["dateline"], got["signoff"], got["section"]) == (
        want["dateline"],
        want["signoff"],
        want["section"],
    )
    assert got["language"] == want.get("language", "id")


@pytest.mark.parametrize("page", CASES, indirect=True)
def test_body_runs_from_first_to_last_sentence(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    want, got = page
    paragraphs = _paragraphs(got)
    assert paragraphs, "no body"
    assert paragraphs[0].startswith(want["body_first"]), paragraphs[0]
    assert paragraphs[-1].endswith(want["body_last"]), paragraphs[-1]
    if "paragraphs" in want:
        assert len(paragraphs) == want["paragraphs"], paragraphs
    for snippet in want.get("must_contain", ()):
        assert snippet in got["body"]


@pytest.mark.parametrize("page", CASES, indirect=True)
def test_body_leaves_out_what_is_not_the_article(
    page: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    want, got = page
    found = [s for s in want["must_not_contain"] if s in (got["body"] or "")]
    assert not found


CAPTION_CASES = [pytest.param(p, id=p.stem) for p in SIDECARS if "captions" in _load(p)]
"""The pages whose sidecar lists the captions a reader sees (others were written before the
key existed)."""


@pytest.mark.parametrize("page", CAPTION_CASES, indirect=True)
def test_captions(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    want, got = page
    assert got["captions"] == want["captions"]


@pytest.mark.parametrize("page", CASES, indirect=True)
def test_related_headlines(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    want, got = page
    related = got["related"]
    urls = [r["url"] for r in related]
    assert len(related) == want["related_count"], [r["title"] for r in related]
    assert (urls[0] if urls else None) == want["related_first_url"]
    wrong = [u for u in urls for piece in want.get("related_must_not_contain", ()) if piece in u]
    assert not wrong
    assert [r["position"] for r in related] == list(range(len(related)))
    assert urls == want.get("related_urls", [])
    assert [r["title"] for r in related] == want.get("related_titles", [])


@pytest.mark.parametrize("page", CASES, indirect=True)
def test_multi_page_articles(page: tuple[dict[str, Any], dict[str, Any]]) -> None:
    want, got = page
    if "next_pages" in want:
        assert got["next_pages"] == want["next_pages"]
    if not want.get("parts"):
        assert got["next_pages"] == want.get("next_pages", [])
        return
    parts = [_extract(PAGES / p["file"], p["url"], want) for p in want["parts"]]
    merged = merge_parts(got, parts)
    paragraphs = _paragraphs(merged)
    assert paragraphs[0].startswith(want["body_first"])
    assert paragraphs[-1].endswith(want["merged_body_last"])
    assert len(paragraphs) == want["merged_paragraphs"]
    assert merged["signoff"] == want["merged_signoff"]
    assert merged["url"] == got["url"] and merged["next_pages"] == []
