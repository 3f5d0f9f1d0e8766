"""The crawl tests' mock server: warta's demo sites plus traps and control endpoints.

`python -m tests.mockserver` serves every demo outlet on its own 127.0.0.1 port (port 0 by
default), prints ONE JSON line `{"kaltimnews": "http://127.0.0.1:PORT", ...}` on stdout, and
serves until it is killed. On top of the demo sites (`crawler.demo`):

- traps on `kaltimnews` (`traps.py`): robots.txt rules, a 301, a redirect loop, a 404, a 500,
  a slow page, a 20 MB page, broken HTML, a wrong charset, an empty body, an XML-bomb sitemap,
  a feed that is HTML;
- control endpoints under `/__` on every origin (`control.py`): the request log, the expected
  data for the current state, and changes between crawls (added articles, edits, a layout
  change);
- a hostile outlet on a port of its own and a decoy origin on 127.0.0.2 (`hostile.py`):
  sitemap children and redirects to the decoy, terminal escapes, a JSON-LD block nested
  200,000 deep, a 1.8 MB title, a gzip bomb. Not in the JSON line (so crawls of "every mock
  outlet" stay the demo's); `GET /__hostile` describes it;
- a legacy portal with no sitemap and a ten-item feed, its older articles reachable only by
  listings, and a second one with bad listings (`portal.py`), each on a port of its own and
  not in the JSON line either; `GET /__portal` describes them;
- a network portal with channel, tag and author pages and multi-page articles, with and
  without a single-page view, one with a part that answers 404 (`network.py`), on a port of
  its own; `GET /__network` describes it.

Tests use it through the `mockserver` fixture of `tests/conftest.py` (a `client.MockServer`).
"""

from __future__ import annotations

from crawler.demo.server import DemoServer, serve
from crawler.demo.site import Addon
from crawler.demo.state import DemoState
from tests.mockserver.control import Control
from tests.mockserver.hostile import serve_hostile
from tests.mockserver.network import serve_network
from tests.mockserver.portal import serve_portals
from tests.mockserver.traps import TRAP_SITE, Traps, TrapSettings


def start(sites: list[str] | None = None, *, host: str = "127.0.0.1",
          ports: dict[str, int] | None = None, state: DemoState | None = None,
          settings: TrapSettings | None = None) -> DemoServer:
    """Start the mock server in this process (threads); `stop()` it when done."""
    settings = settings or TrapSettings()
    control = Control(settings)

    def addons(key: str, state: DemoState) -> list[Addon]:
        result: list[Addon] = [control]
        if key == TRAP_SITE:
            result.append(Traps(settings))
        return result

    demo = serve(sites, host=host, ports=ports, state=state, addons=addons)
    control.demo = demo
    control.hostile = serve_hostile(demo, host=host)
    control.portals = serve_portals(demo, host=host)
    control.network = serve_network(demo, host=host)
    control.initial_delay = demo.state.response_delay
    return demo
