"""The mock server's control endpoints, answered on every outlet's origin under `/__`.

- `GET /__log[?site=KEY]`: the request log as JSON (`site`, `method`, `path`, `status`, `time`,
  `user_agent`), oldest first; control requests themselves are not logged.
- `POST /__log/clear`: empty the log.
- `GET /__expected`: `{"urls", "articles", "traps", "profiles", "state"}` for the current state.
- `GET /__hostile`: the hostile outlet and its decoy origin (`hostile.py`, `describe()`).
- `GET /__portal`: the legacy portals, plain and with bad listings (`portal.py`, `describe()`).
- `GET /__network`: the network portal with multi-page articles (`network.py`, `describe()`).
- `POST /__control` with a JSON object:
  `{"action": "add_articles", "site": K, "n": N, "newest": ISO?, "spacing_minutes": M?}`,
  `{"action": "edit_article", "site": K, "id": ID, "title": T?, "paragraph": P?, "when": ISO?}`,
  `{"action": "set_clock", "when": ISO|null}` (the outlets' now: later articles and edits are
  not shown yet; null shows everything),
  `{"action": "set_layout", "site": K, "changed": true|false}`,
  `{"action": "set_slow", "seconds": S}` (the slow trap), `{"action": "set_bodiless",
  "state": "off"|"missing"|"gained"}` (the late-body article: `traps.BODILESS_PATH`),
  `{"action": "set_delay", "seconds": S}` (before every response), `{"action": "reset"}`
  (state, slow delay and late-body article back to the start values; the log is kept).
  Answers `{"ok": true, "state": ...}` or a 400 with `{"ok": false, "error": ...}`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crawler.demo import expected_articles, profiles
from crawler.demo.site import Addon, Outlet, Request, Response
from crawler.demo.state import DEFAULT_SPACING_MINUTES
from tests.mockserver.traps import BODILESS_STATES, TRAP_SITE, TrapSettings, trap_list

if TYPE_CHECKING:
    from crawler.demo.server import DemoServer
    from tests.mockserver.hostile import HostileSites
    from tests.mockserver.network import NetworkPortal
    from tests.mockserver.portal import PortalSites


def _json(data: Any, status: int = 200) -> Response:
    return Response(status=status, body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
                    content_type="application/json; charset=utf-8", cacheable=False)


class Control(Addon):
    """Control endpoints; `demo` is set once the server is running."""

    def __init__(self, settings: TrapSettings) -> None:
        self.settings = settings
        self.initial_slow = settings.slow_seconds
        self.initial_delay: float | None = None
        self.demo: DemoServer | None = None
        self.hostile: HostileSites | None = None
        self.portals: PortalSites | None = None
        self.network: NetworkPortal | None = None

    def respond(self, outlet: Outlet, request: Request) -> Response | None:
        if not request.path.startswith("/__"):
            return None
        demo = self.demo
        if demo is None:
            return _json({"ok": False, "error": "server starting"}, 503)
        if request.path == "/__log" and request.method == "GET":
            return _json(demo.log.entries(request.param("site")))
        if request.path == "/__log/clear" and request.method == "POST":
            demo.log.clear()
            return _json({"ok": True})
        if request.path == "/__expected" and request.method == "GET":
            return _json(self.expected(demo))
        if request.path == "/__hostile" and request.method == "GET" and self.hostile:
            return _json(self.hostile.describe())
        if request.path == "/__portal" and request.method == "GET" and self.portals:
            return _json(self.portals.describe())
        if request.path == "/__network" and request.method == "GET" and self.network:
            return _json(self.network.describe())
        if request.path == "/__control" and request.method == "POST":
            try:
                command = json.loads(request.body or b"{}")
                self.apply(demo, command)
            except (ValueError, KeyError, TypeError) as exc:
                return _json({"ok": False, "error": str(exc)}, 400)
            return _json({"ok": True, "state": demo.state.snapshot()})
        return _json({"ok": False, "error": f"no control endpoint {request.method} "
                                            f"{request.path}"}, 404)

    def expected(self, demo: DemoServer) -> dict[str, Any]:
        traps = []
        if TRAP_SITE in demo.outlets:
            traps = trap_list(demo.outlets[TRAP_SITE], self.settings)
        return {
            "urls": demo.urls,
            "articles": expected_articles(demo.urls, demo.state),
            "traps": traps,
            "profiles": profiles(demo.urls, demo.state),
            "state": demo.state.snapshot(),
        }

    def apply(self, demo: DemoServer, command: dict[str, Any]) -> None:
        action = command.get("action")
        state = demo.state
        if action == "add_articles":
            newest = command.get("newest")
            state.add_articles(command["site"], int(command["n"]),
                               newest=datetime.fromisoformat(newest) if newest else None,
                               spacing_minutes=float(command.get("spacing_minutes",
                                                                 DEFAULT_SPACING_MINUTES)))
        elif action == "edit_article":
            site = command["site"]
            art_id = command["id"]
            if art_id not in demo.outlets[site].snapshot().by_id:
                raise KeyError(f"no article {art_id!r} on {site}")
            when = command.get("when")
            state.edit_article(site, art_id, title=command.get("title"),
                               paragraph=command.get("paragraph"),
                               when=datetime.fromisoformat(when) if when else None)
        elif action == "set_clock":
            when = command.get("when")
            state.set_clock(datetime.fromisoformat(when) if when else None)
        elif action == "set_layout":
            state.set_layout_changed(command["site"], bool(command.get("changed", True)))
        elif action == "set_delay":
            state.set_response_delay(float(command["seconds"]))
        elif action == "set_slow":
            self.settings.slow_seconds = float(command["seconds"])
        elif action == "set_bodiless":
            if command["state"] not in BODILESS_STATES:
                raise ValueError(f"state must be one of {', '.join(BODILESS_STATES)}")
            self.settings.bodiless = command["state"]
        elif action == "reset":
            start_delay = self.initial_delay or 0.0
            state.reset()
            state.set_response_delay(start_delay)
            self.settings.slow_seconds = self.initial_slow
            self.settings.bodiless = "off"
        else:
            raise ValueError(f"unknown action {action!r}")
