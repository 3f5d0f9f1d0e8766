"""Serve the demo outlets on 127.0.0.1, each on its own port (so each has its own origin and
robots.txt), with threaded stdlib HTTP servers.

As a library::

    with serve() as demo:                      # ports chosen by the system
        demo.urls   # {"kaltimnews": "http://127.0.0.1:40123", ...}
        demo.state.add_articles("kaltimnews", 5)
    # stopped

From a shell, `python -m crawler.demo.server` prints ONE JSON line with the base URLs on
stdout and serves until it is killed (SIGTERM or Ctrl-C)::

    python -m crawler.demo.server --port kaltimnews=8101 --add kaltimnews=50 \\
        --edit mahakampos:mp03 --layout-change benuaetam

Every page carries an `ETag` (an article page a weak one made from the article itself, and a
`Last-Modified`, its last edit) and a conditional request is answered `304 Not Modified` when
the page has not changed (`site.conditional`). `--clock ISO` (`DemoState.set_clock`) sets the
outlets' now, so a simulation publishes and edits by moving the clock.

Restarting with the same `--port` values keeps the URLs (and so the canonical URLs) stable
between two crawls, which is how the flags serve scheduled-crawl experiments.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any

from crawler.demo.outlets import OUTLETS
from crawler.demo.site import Addon, Outlet, Request, Response
from crawler.demo.state import DEFAULT_SPACING_MINUTES, DemoState

LOG_LIMIT = 200_000
"""Requests kept in the in-memory request log: a 2,000-article benchmark crawl with its
listings and re-crawls stays far below it, while a forgotten server cannot grow without end."""

REQUEST_QUEUE_SIZE = 128
"""Listen backlog per outlet: above Scrapy's default of 16 concurrent requests per crawl, with
room for several crawls and benchmarks at once."""

WRITE_CHUNK = 64 * 1024


class RequestLog:
    """Every request the outlets answered (the `/__*` control paths excepted), in order."""

    def __init__(self, limit: int = LOG_LIMIT) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, site: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self._entries)
        return [e for e in items if site is None or e["site"] == site]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = REQUEST_QUEUE_SIZE
    outlet: Outlet
    log: RequestLog
    stopping: threading.Event

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that drops its connection (size limit, timeout, end of crawl) is normal
        here; anything else is a bug in the demo server and is printed."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "warta-demo/1"
    disable_nagle_algorithm = True
    """Headers and body go out in separate writes: with Nagle's algorithm on, a keep-alive
    client's delayed ACK stalls every response by ~40 ms (measured here with 8 keep-alive
    clients: 180 requests/s with Nagle, about 5,000 without)."""
    server: _SiteServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log records requests; stderr stays for real errors."""

    def _handle(self, method: str) -> None:
        outlet = self.server.outlet
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(method=method, target=self.path, headers=dict(self.headers.items()),
                          body=body)
        try:
            response = outlet.respond(request)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = Response(status=500, body=b"internal error in the demo server\n",
                                content_type="text/plain; charset=utf-8", cacheable=False)
        if not request.path.startswith("/__"):
            self.server.log.add({
                "site": outlet.key, "method": method, "path": request.target,
                "status": response.status, "time": time.time(),
                "user_agent": self.headers.get("User-Agent", ""),
            })
        delay = response.delay
        if not request.path.startswith("/__"):
            delay += outlet.state.response_delay
        if delay and self.server.stopping.wait(delay):
            return
        try:
            self.send_response(response.status)
            if response.content_type:
                self.send_header("Content-Type", response.content_type)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(response.size))
            self.end_headers()
            if method == "HEAD":
                return
            if response.chunks is not None:
                for chunk in response.chunks():
                    self.wfile.write(chunk)
            else:
                view = memoryview(response.body)
                for start in range(0, len(view), WRITE_CHUNK):
                    self.wfile.write(view[start:start + WRITE_CHUNK])
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (size limit, timeout): fine


class DemoServer:
    """Running demo outlets: `urls` by key, the shared `state`, the request `log`."""

    def __init__(self, outlets: dict[str, Outlet], servers: dict[str, _SiteServer],
                 state: DemoState, log: RequestLog, stopping: threading.Event) -> None:
        self.outlets = outlets
        self.state = state
        self.log = log
        self._servers = servers
        self._stopping = stopping
        self._threads: list[threading.Thread] = []
        self.urls = {key: outlet.base for key, outlet in outlets.items()}

    def start(self) -> DemoServer:
        for key, server in self._servers.items():
            thread = threading.Thread(target=server.serve_forever, name=f"demo-{key}",
                                      kwargs={"poll_interval": 0.2}, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def add_site(self, name: str, make: Callable[[str], Any], *,
                 host: str = "127.0.0.1") -> Any:
        """Serve one more site beside the outlets on its own port of `host` (the mock server's
        extra outlets): `make(base_url)` builds what answers it (anything with an outlet's
        `key`, `state` and `respond`). It logs into the same request log and stops with the
        outlets. Returns what `make` built."""
        server = _SiteServer((host, 0), _Handler)
        served = make(f"http://{host}:{server.server_address[1]}")
        server.outlet = served
        server.log = self.log
        server.stopping = self._stopping
        self._servers[name] = server
        thread = threading.Thread(target=server.serve_forever, name=f"demo-{name}",
                                  kwargs={"poll_interval": 0.2}, daemon=True)
        thread.start()
        self._threads.append(thread)
        return served

    def stop(self) -> None:
        """Stop serving and close the sockets (idempotent)."""
        self._stopping.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        self._servers = {}
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


AddonFactory = Callable[[str, DemoState], Iterable[Addon]]


def serve(sites: Sequence[str] | None = None, *, host: str = "127.0.0.1",
          ports: Mapping[str, int] | None = None, state: DemoState | None = None,
          addons: AddonFactory | None = None) -> DemoServer:
    """Start the demo outlets in background threads and return the running `DemoServer`.

    `sites`: outlet keys (default: all). `ports`: a fixed port per key (default 0: the system
    picks a free one). `addons(key, state)`: extra behaviour per outlet (the mock server's traps).
    """
    keys = list(sites) if sites else list(OUTLETS)
    unknown = [k for k in keys if k not in OUTLETS]
    if unknown:
        raise ValueError(f"unknown demo site(s) {', '.join(unknown)} (known: {', '.join(OUTLETS)})")
    ports = dict(ports or {})
    state = state or DemoState(keys)
    log = RequestLog()
    stopping = threading.Event()
    servers: dict[str, _SiteServer] = {}
    outlets: dict[str, Outlet] = {}
    try:
        for key in keys:
            server = _SiteServer((host, ports.get(key, 0)), _Handler)
            servers[key] = server
            port = server.server_address[1]
            outlet = OUTLETS[key](f"http://{host}:{port}", state,
                                  addons(key, state) if addons else ())
            server.outlet = outlet
            server.log = log
            server.stopping = stopping
            outlets[key] = outlet
    except OSError:
        for server in servers.values():
            server.server_close()
        raise
    return DemoServer(outlets, servers, state, log, stopping).start()


# -- command line -----------------------------------------------------------------------------

def _key_value(text: str, sep: str = "=") -> tuple[str, str]:
    key, found, value = text.partition(sep)
    if not found or not key or not value:
        raise argparse.ArgumentTypeError(f"expected KEY{sep}VALUE, got {text!r}")
    return key, value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags shared by the demo server and the mock server."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--sites", nargs="+", metavar="KEY", help="outlets to serve (default all)")
    parser.add_argument("--port", action="append", default=[], type=_key_value,
                        metavar="KEY=PORT", help="fixed port for an outlet (default: any free)")
    parser.add_argument("--add", action="append", default=[], type=_key_value, metavar="KEY=N",
                        help="publish N generated articles on an outlet")
    parser.add_argument("--added-newest", type=datetime.fromisoformat, metavar="ISO",
                        help="publication instant of the newest added article, with its offset "
                             "(default: now)")
    parser.add_argument("--added-spacing", type=float, default=DEFAULT_SPACING_MINUTES,
                        metavar="MINUTES", help="minutes between added articles "
                                                f"(default {DEFAULT_SPACING_MINUTES})")
    parser.add_argument("--edit", action="append", default=[],
                        type=lambda t: _key_value(t, ":"), metavar="KEY:ID",
                        help="publish a correction of an article (new closing paragraph)")
    parser.add_argument("--layout-change", action="append", default=[], metavar="KEY",
                        help="serve an outlet's articles in its new, hard to read layout")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS",
                        help="wait before every response (a crawl long enough to interrupt)")
    parser.add_argument("--clock", type=datetime.fromisoformat, metavar="ISO",
                        help="the outlets' now, with its offset: articles published and edits "
                             "made later are not shown yet (default: show everything)")


def build_state(args: argparse.Namespace) -> DemoState:
    keys = args.sites or list(OUTLETS)
    state = DemoState(keys)
    for key, count in args.add:
        state.add_articles(key, int(count), newest=args.added_newest,
                           spacing_minutes=args.added_spacing)
    for key, art_id in args.edit:
        state.edit_article(key, art_id)
    for key in args.layout_change:
        state.set_layout_changed(key)
    state.set_response_delay(args.delay)
    if args.clock is not None:
        state.set_clock(args.clock)
    return state


def run_until_stopped(demo: DemoServer) -> None:
    """Print the URLs as one JSON line, then serve until SIGTERM or SIGINT."""
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sys.stdout.write(json.dumps(demo.urls) + "\n")
    sys.stdout.flush()
    try:
        while not done.wait(1.0):
            pass
    finally:
        demo.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo.server",
                                     description="Serve warta's demo news sites on loopback.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        state = build_state(args)
        demo = serve(args.sites, host=args.host, ports={k: int(v) for k, v in args.port},
                     state=state)
    except (KeyError, ValueError, OSError) as exc:
        parser.exit(2, f"error: {exc}\n")
    run_until_stopped(demo)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
