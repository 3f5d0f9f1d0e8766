"""The extraction quality floor, pinned: the same scoring as `bench/extraction_eval.py` on the
real pages, failing when a metric drops below its floor (skipped when the pages are absent)."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.scoring import REALPAGES_ENV, evaluate, realpages_dir, realpages_path

FLOORS = {
    "title": 0.95,
    "date": 0.90,
    "author": 0.90,
    "body_f1": 0.95,
    "first": 0.90,
    "last": 0.90,
}
"""The issue's targets (title 0.95, date 0.90, body F1 0.90), raised where warta already does
better on these pages (measured: title 1.00, date 1.00, author 1.00, body F1 0.99, first and
last sentence 1.00): a drop below a floor is a regression, not noise, since extraction is
deterministic."""


pytestmark = pytest.mark.skipif(
    realpages_dir() is None,
    reason=f"real pages not found: no truth.json in {realpages_path()} (set {REALPAGES_ENV})",
)


@pytest.fixture(scope="module")
def summary() -> dict[str, float]:
    folder = realpages_dir()
    assert folder is not None
    return evaluate(folder, lambda data, url: extract_article(data, url))[1]


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_extraction_stays_above_its_floor(metric: str, summary: dict[str, float]) -> None:
    assert summary[metric] >= FLOORS[metric]
