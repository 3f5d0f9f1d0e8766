"""Start `python -m tests.mockserver` as a child process and talk to it.

The `mockserver` fixture (tests/conftest.py) yields a `MockServer`. It is shared by the whole
test session: a test that changes the sites (`add_articles`, `edit_article`, `set_layout`,
`set_slow`, `set_delay`) must call `reset()` when done, and should `clear_log()` before a
crawl whose requests it inspects. A test that needs its own server (to kill it, or to start it
with flags such as `--delay 0.05`) uses `start_mockserver(args)` directly.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

START_TIMEOUT = 30.0
"""Seconds to wait for the server's address line: it starts in well under a second, but a
loaded CI machine running several test processes can be much slower."""

HTTP_TIMEOUT = 30.0


class MockServerError(RuntimeError):
    pass


class MockServer:
    """A running mock server: base URLs, expected data, request log and controls."""

    def __init__(self, process: subprocess.Popen[bytes], urls: dict[str, str]) -> None:
        self.process = process
        self.urls = urls
        """Base URL per outlet key (`http://127.0.0.1:PORT`, no trailing slash)."""
        data = self._get("/__expected")
        self.articles: list[dict[str, Any]] = data["articles"]
        """Expected fields per bundled article (see `crawler/demo/expected.py`)."""
        self.traps: list[dict[str, Any]] = data["traps"]
        """The bad-input traps (see `tests/mockserver/traps.py`)."""
        self.profiles: dict[str, dict[str, Any]] = data["profiles"]
        """Per outlet, profile data for `crawler.sites.parse_profile(key, data)`."""

    # -- addresses ----------------------------------------------------------------------------

    def url(self, site: str, path: str = "/") -> str:
        return self.urls[site] + path

    def articles_of(self, site: str) -> list[dict[str, Any]]:
        return [a for a in self.articles if a["site"] == site]

    # -- HTTP to the control endpoints --------------------------------------------------------

    def _get(self, path: str) -> Any:
        base = next(iter(self.urls.values()))
        with urllib.request.urlopen(base + path, timeout=HTTP_TIMEOUT) as response:
            return json.loads(response.read())

    def _post(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        base = next(iter(self.urls.values()))
        request = urllib.request.Request(base + path, data=json.dumps(payload or {}).encode(),
                                         headers={"Content-Type": "application/json"},
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise MockServerError(json.loads(exc.read()).get("error", str(exc))) from None

    def requests(self, site: str | None = None) -> list[dict[str, Any]]:
        """The request log (oldest first): `site`, `method`, `path` (with query), `status`,
        `time`, `user_agent`."""
        return self._get("/__log" + (f"?site={site}" if site else ""))

    def requested_paths(self, site: str) -> list[str]:
        return [entry["path"] for entry in self.requests(site)]

    def hostile(self) -> dict[str, Any]:
        """The hostile outlet: `url`, `decoy` (its 127.0.0.2 origin), `profile`, and each
        trap's URL (see tests/mockserver/hostile.py). Its requests are logged under the site
        `hostile`, the decoy's under `offsite`."""
        return self._get("/__hostile")

    def portal(self) -> dict[str, Any]:
        """The legacy portals (see tests/mockserver/portal.py): `plain` and `traps`, each with
        its `site` (the request log's key), `url`, three-line `profile` and `articles`."""
        return self._get("/__portal")

    def network(self) -> dict[str, Any]:
        """The network portal (see tests/mockserver/network.py): its `site`, `url`,
        three-line `profile`, `articles` and `multipage` articles with their parts."""
        return self._get("/__network")

    def clear_log(self) -> None:
        self._post("/__log/clear")

    def expected(self) -> list[dict[str, Any]]:
        """Expected articles for the CURRENT state (after additions and edits)."""
        return self._get("/__expected")["articles"]

    def control(self, action: str, **params: Any) -> dict[str, Any]:
        return self._post("/__control", {"action": action, **params})

    def add_articles(self, site: str, n: int, newest: str | None = None,
                     spacing_minutes: float | None = None) -> dict[str, Any]:
        """Publish `n` generated articles (newest at `newest`, ISO with offset; default now)."""
        params: dict[str, Any] = {"site": site, "n": n}
        if newest is not None:
            params["newest"] = newest
        if spacing_minutes is not None:
            params["spacing_minutes"] = spacing_minutes
        return self.control("add_articles", **params)

    def edit_article(self, site: str, article_id: str, title: str | None = None,
                     paragraph: str | None = None) -> dict[str, Any]:
        """Correct an article (default: one more closing paragraph); sitemaps and feeds show
        the new modification time."""
        return self.control("edit_article", site=site, id=article_id, title=title,
                            paragraph=paragraph)

    def set_layout(self, site: str, changed: bool = True) -> dict[str, Any]:
        return self.control("set_layout", site=site, changed=changed)

    def set_slow(self, seconds: float) -> dict[str, Any]:
        return self.control("set_slow", seconds=seconds)

    def set_delay(self, seconds: float) -> dict[str, Any]:
        """Wait `seconds` before every response (0 to stop): a crawl slow enough to kill."""
        return self.control("set_delay", seconds=seconds)

    def reset(self) -> dict[str, Any]:
        """Back to the bundled content and the start settings (the log is kept)."""
        return self.control("reset")

    # -- life cycle ---------------------------------------------------------------------------

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> MockServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_mockserver(args: Sequence[str] = ()) -> MockServer:
    """Start `python -m tests.mockserver ARGS` and wait for its address line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    process = subprocess.Popen([sys.executable, "-m", "tests.mockserver", *args], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=START_TIMEOUT)
    line = process.stdout.readline() if ready else b""
    if not line:
        process.kill()
        process.wait()
        raise MockServerError(f"the mock server printed no address within {START_TIMEOUT} s "
                              f"(exit status {process.returncode})")
    try:
        return MockServer(process, json.loads(line))
    except Exception:
        process.kill()
        process.wait()
        raise
