"""Shared fixtures: the mock news server, started once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
