"""`published_precision`: what a publication instant is worth, as `warta extract` reports it.

A researcher must be able to tell a time the page showed from a midnight warta put in as a
placeholder for "that day", and from a time worked out from `2 jam lalu`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.extract import extract_article
from crawler.sites import SiteProfile, parse_profile

LEGACY_URL = "https://mahakam.example/berita/2023/05/30/40107/banjir-rendam-samarinda.html"
PLAIN_URL = "https://mahakam.example/berita/banjir-rendam-samarinda"
FETCHED = datetime(2023, 5, 31, 2, 0, tzinfo=UTC)  # 10:00 WITA on Wednesday 31 May 2023
LEDE = ("SAMARINDA - Banjir kembali merendam lima kecamatan di Samarinda, Selasa (30/5), setelah "
        "hujan deras mengguyur kota sejak pagi hari tanpa henti.")


def profile() -> SiteProfile:
    return parse_profile("mahakam", {"name": "Mahakam Pos", "timezone": "Asia/Makassar",
                                     "homepage": "https://mahakam.example/"})


def page(date_line: str = "", head: str = "") -> str:
    """A legacy article page: a title, an optional date line, two paragraphs."""
    line = f'<div class="tanggal">{date_line}</div>' if date_line else ""
    return f"""<html><head><meta charset="utf-8"><title>Banjir Rendam Samarinda</title>{head}
</head><body><h1>Mahakam Pos</h1><h2 class="judul">Banjir Rendam Lima Kecamatan</h2>{line}
<div class="isi"><p>{LEDE}</p><p>Ratusan warga mengungsi ke masjid terdekat dan dapur umum
dibuka di tiga titik oleh relawan dari berbagai kelurahan.(*/han)</p></div></body></html>"""


def extract(html: str, url: str = LEGACY_URL) -> dict[str, Any]:
    return extract_article(html, url, profile=profile(), fetched_at=FETCHED)


def test_a_page_showing_only_the_day_is_day_precision() -> None:
    result = extract(page())
    assert (result["published_at"], result["published_raw"], result["published_precision"]) == (
        "2023-05-30T00:00:00+08:00", "Selasa (30/5)", "day")


def test_a_page_showing_a_time_is_time_precision() -> None:
    result = extract(page("Selasa, 30 Mei 2023 | 14:05 WITA"))
    assert (result["published_at"], result["published_precision"]) == (
        "2023-05-30T14:05:00+08:00", "time")


def test_a_relative_date_is_relative_precision() -> None:
    result = extract(page("2 jam lalu"), url=PLAIN_URL)
    assert (result["published_at"], result["published_raw"], result["published_precision"]) == (
        "2023-05-31T08:00:00+08:00", "2 jam lalu", "relative")


def test_yesterday_with_a_time_is_still_relative() -> None:
    # the day itself comes from the fetch time, so the instant is only as good as that
    result = extract(page("kemarin 10:15"), url=PLAIN_URL)
    assert (result["published_at"], result["published_precision"]) == (
        "2023-05-30T10:15:00+08:00", "relative")


def test_a_shown_date_without_a_time_is_day_precision() -> None:
    result = extract(page("Selasa, 30 Mei 2023"), url=PLAIN_URL)
    assert (result["published_at"], result["published_precision"]) == (
        "2023-05-30T00:00:00+08:00", "day")


@pytest.mark.parametrize(("value", "precision"), [
    ("2023-05-30", "day"),                 # a date-only datePublished
    ("2023-05-30T14:05:00+08:00", "time"),
])
def test_structured_data_gives_the_precision_it_carries(value: str, precision: str) -> None:
    head = f'<meta property="article:published_time" content="{value}">'
    assert extract(page(head=head), url=PLAIN_URL)["published_precision"] == precision


def test_a_metadata_midnight_beside_a_day_only_date_line_is_a_placeholder() -> None:
    head = '<meta property="article:published_time" content="2023-05-30T00:00:00+08:00">'
    result = extract(page("Selasa, 30 Mei 2023", head=head), url=PLAIN_URL)
    assert (result["published_at"], result["published_precision"]) == (
        "2023-05-30T00:00:00+08:00", "day")


def test_a_metadata_midnight_without_a_date_line_is_taken_as_a_time() -> None:
    # nothing on the page says otherwise: 00:00 may be a real time (a midnight news flash)
    head = '<meta property="article:published_time" content="2023-05-30T00:00:00+08:00">'
    lede_without_day = page(head=head).replace(", Selasa (30/5),", "")
    assert extract(lede_without_day, url=PLAIN_URL)["published_precision"] == "time"


def test_no_date_has_no_precision() -> None:
    result = extract(page().replace(", Selasa (30/5),", ""), url=PLAIN_URL)
    assert (result["published_at"], result["published_precision"]) == (None, None)


def test_warta_extract_prints_the_precision_after_the_raw_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "banjir.html"
    saved.write_text(page(), encoding="utf-8")
    code = main(["extract", str(saved), "--url", LEGACY_URL, "--fetched-at",
                 FETCHED.isoformat()])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    result = json.loads(out)
    keys = list(result)
    assert keys[keys.index("published_raw") + 1] == "published_precision"
    assert result["published_precision"] == "day"
