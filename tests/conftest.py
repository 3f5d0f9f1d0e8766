"""Shared fixtures: the mock news server, started once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.warta_run import run_warta
from tests.mockserver.client import MockServer, start_mockserver


@pytest.fixture(scope="session")
def mockserver() -> Iterator[MockServer]:
    """`python -m tests.mockserver` on port 0: `.urls`, `.articles`, `.traps`, `.profiles`,
    the request log and the controls (see tests/mockserver/client.py). Shared by the session:
    a test that changes the sites calls `mockserver.reset()` when done."""
    server = start_mockserver()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive `warta demo` writes, crawled once per session: tests only read it."""
    folder = tmp_path_factory.mktemp("demo")
    result = run_warta("demo", "--no-progress", cwd=folder, real=True)  # the real executable
    assert result.returncode == 0, result.stderr
    return folder / "warta-demo.db"
