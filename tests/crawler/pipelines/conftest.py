"""The `crawler` fixture of the pipeline tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.crawler import Crawler

from tests.crawler.pipelines.pipekit import make_crawler


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    return make_crawler(tmp_path / "warta.db")
