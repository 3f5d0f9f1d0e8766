"""The search page's reading of the archive, in-process (archive/serve/pages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive
from archive.serve import pages
from tests.archive.conftest import make_record


def test_facets_too_slow_to_count_are_left_out_and_the_results_still_shown(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Archive(db_path) as archive:
        archive.write([make_record(n, section=f"Bagian {n % 7}", dateline="SAMARINDA")
                       for n in range(1, 3001)])
    monkeypatch.setattr(pages, "FACET_SECONDS", 600.0)  # time enough for every facet
    counted = pages.search_page(db_path, {"q": ["berita"]})
    assert not counted.skipped_facets and len(counted.facets["section"]) == 7
    monkeypatch.setattr(pages, "FACET_SECONDS", 0.0)  # no time: every facet is over it
    page = pages.search_page(db_path, {"q": ["berita"]})
    assert not page.problems
    assert page.total == 3000 and len(page.results) == pages.PAGE_SIZE
    assert set(page.skipped_facets) == {name for name, _ in pages.FACETS}
    assert all(values == [] for values in page.facets.values())
    assert page.series  # the chart is still drawn


def test_the_date_reads_with_its_indonesian_zone() -> None:
    assert pages.published_text({"published_at": "2023-12-12T07:40:00+08:00",
                                 "published_precision": "time"}) \
        == "Tuesday 12 December 2023, 07:40 WITA (UTC+08:00)"
    assert pages.published_text({"published_at": "2023-05-30T00:00:00+07:00",
                                 "published_precision": "day"}) == "Tuesday 30 May 2023 (day only)"
    assert pages.published_text({"published_at": "2024-01-02T09:00:00+09:00",
                                 "published_precision": "relative"}) \
        == "Tuesday 2 January 2024, 09:00 WIT (UTC+09:00) (approximate: read from a relative date)"
    assert pages.published_text({"published_at": None}) is None
