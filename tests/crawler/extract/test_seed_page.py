"""The seed page (`../shared/seed/regional-news-page.txt`, or in the folder $WARTA_SEED names):
a legacy regional template with ten related headlines above the title, a `JAKARTA -` dateline,
a date only as `Selasa (23/5)` in the text and a `(*/han)` sign-off. The test builds the page's
HTML from the seed text and checks that every part of it comes out where it belongs."""

from __future__ import annotations

import html
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract_article
from crawler.sites import parse_profile

SEED_ENV = "WARTA_SEED"
SEED = Path(os.environ.get(SEED_ENV) or Path(__file__).resolve().parents[4] / "shared" / "seed")
SEED_FILE = SEED / "regional-news-page.txt"
URL = "https://mahakam.example/berita/2023/05/komitmen-bangun-budaya-digital"

pytestmark = pytest.mark.skipif(
    not SEED_FILE.is_file(),
    reason=f"seed text not found at {SEED_FILE} (set {SEED_ENV} to the folder holding it)",
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _seed() -> tuple[list[str], str, list[str]]:
    lines = [line.strip() for line in SEED_FILE.read_text(encoding="utf-8").splitlines()]
    headlines = [line[2:] for line in lines if line.startswith("- ")]
    rest = [line for line in lines if line and not line.startswith("- ")]
    return headlines, rest[0], rest[1:]


def _page(headlines: list[str], title: str, paragraphs: list[str]) -> str:
    items = "\n".join(
        f'<li><a href="/berita/2023/05/{_slug(h)}">{html.escape(h)}</a></li>' for h in headlines
    )
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<html><head><meta charset="utf-8"><title>Mahakam Pos</title></head><body>
<div id="header"><a href="/">Mahakam Pos</a> | <a href="/indeks">Indeks</a></div>
<div id="content"><ul class="list">{items}</ul>
<h1>{html.escape(title)}</h1>
{body}
</div><div id="footer">Copyright 2023 Mahakam Pos</div></body></html>"""


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    headlines, title, paragraphs = _seed()
    profile = parse_profile(
        "mahakam",
        {
            "name": "Mahakam Pos",
            "homepage": "https://mahakam.example/",
            "timezone": "Asia/Makassar",
        },
    )
    result = extract_article(
        _page(headlines, title, paragraphs).encode("utf-8"),
        URL,
        profile=profile,
        fetched_at=datetime(2023, 6, 1, tzinfo=UTC),
    )
    return {"headlines": headlines, "title": title, "paragraphs": paragraphs, "result": result}


def test_title(seed: dict[str, Any]) -> None:
    assert seed["result"]["title"] == "Komitmen Bangun Budaya Digital"


def test_dateline(seed: dict[str, Any]) -> None:
    assert seed["result"]["dateline"] == "JAKARTA"


def test_date_with_the_outlets_offset_and_the_year_from_the_url(seed: dict[str, Any]) -> None:
    assert seed["result"]["published_at"] == "2023-05-23T00:00:00+08:00"
    assert seed["result"]["published_raw"] == "Selasa (23/5)"


def test_signoff(seed: dict[str, Any]) -> None:
    assert seed["result"]["signoff"] == "*/han"


def test_ten_related_headlines_in_page_order(seed: dict[str, Any]) -> None:
    related = seed["result"]["related"]
    assert [r["title"] for r in related] == seed["headlines"]
    assert len(related) == 10
    assert [r["position"] for r in related] == list(range(10))
    assert related[0]["url"] == "https://mahakam.example/berita/2023/05/" + _slug(
        seed["headlines"][0]
    )


def test_body_is_the_paragraphs_without_headlines_dateline_or_signoff(seed: dict[str, Any]) -> None:
    body = seed["result"]["body"]
    paragraphs = body.split("\n\n")
    assert len(paragraphs) == len(seed["paragraphs"])
    assert paragraphs[0].startswith("Sekretaris Daerah Provinsi Kaltim Sri Wahyuni")
    assert paragraphs[-1].endswith(
        'berarti itu belum membuat kita bertransformasi digital," paparnya.'
    )
    for headline in seed["headlines"]:
        assert headline not in body
