"""`warta serve`: the archive in a browser, on Datasette, read-only.

    from archive.serve import serve
    serve("warta-demo.db", host="127.0.0.1", port=8001)

Datasette shows every table and query with its own JSON and CSV at its own URLs (the database
is named by the file's stem: `/warta-demo/articles.json?_search=banjir`,
`/warta-demo/articles/17`); warta adds a plugin (`archive.serve.plugin`), templates and a
style sheet:

- `/DB/-/search`: full-text search with facets (outlet, month, section, dateline place,
  author, sign-off marker) and a chart of the matches over time (count and share);
- `/DB/articles/ID`: the article as it reads (title, date with its zone, dateline, authors,
  sign-off, body, related headlines linking to their archived rows, versions with their
  diff), the row's raw fields below it;
- the `articles` table with the useful columns first and its JSON lists shown as text.

Read-only in every way a browser could try: Datasette opens the file with `mode=ro` (not
`immutable`, so a crawl writing the archive is seen, and neither blocks the other: WAL
readers), every connection it makes is `PRAGMA query_only`, and its SQL page takes only
SELECT. Nothing is loaded from the internet: the page's only style sheet and chart are
warta's own.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from archive.errors import UsageError, WartaError

#: Datasette's own default port.
DEFAULT_PORT = 8001
DEFAULT_HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
#: Where the style sheet is served (a Datasette static mount).
STATIC_MOUNT = "warta-static"

#: Characters SQLite reads as URI syntax in `file:PATH?mode=ro` (Datasette passes the path
#: as it is): a file name holding one would open another file or fail.
_URI_SPECIAL = ("?", "#", "%")


def database_name(path: str | os.PathLike[str]) -> str:
    """The name Datasette gives the database: the file's stem (`warta-demo.db` ->
    `warta-demo`)."""
    return Path(path).stem


def metadata(name: str, fts_table: str | None) -> dict[str, Any]:
    """Datasette metadata: titles, descriptions, the full-text table of `articles` (so
    `?_search=` works whether or not Datasette recognises the index by itself), default
    facets and label columns."""
    from datasette.utils import tilde_encode

    search_url = f"/{tilde_encode(name)}/-/search"
    articles: dict[str, Any] = {
        "title": "articles",
        "description_html": (
            f'Every archived article, one row each. <a href="{search_url}">Search and read '
            "the articles</a> (facets, a chart over time); a row's page reads as the "
            "article."),
        "label_column": "title",
        "facets": ["source", "section", {"array": "authors"}],
        "sort_desc": "published_utc",
    }
    if fts_table:
        articles.update({"fts_table": fts_table, "fts_pk": "id"})
    return {
        "title": f"warta archive: {name}",
        "description_html": (
            f'Regional Indonesian news archived by warta. <a href="{search_url}">Search the '
            "articles</a>, or browse the tables below (every table and query also as JSON "
            "and CSV)."),
        "databases": {name: {"tables": {
            "articles": articles,
            "sources": {"label_column": "name", "description": "The outlets crawled."},
            "crawls": {"description": "Every crawl run: sites, options, counts, Scrapy stats."},
            "article_versions": {"description": "Earlier text of articles that changed."},
            "links": {"label_column": "url", "description": "Related headlines' targets."},
        }}},
    }


def check_path(path: str | os.PathLike[str]) -> None:
    text = os.fspath(path)
    bad = [c for c in _URI_SPECIAL if c in text]
    if bad:
        raise UsageError(f"--db: the path {text!r} holds {bad[0]!r}, which SQLite reads as "
                         "part of a URI; rename the file or serve a symbolic link to it "
                         "with a plain name")


def find_fts_table(path: str | os.PathLike[str]) -> str | None:
    """The exact (unstemmed) full-text index of `articles`, by its name."""
    from archive.store import Archive

    with Archive(path, create=False, readonly=True) as archive:
        row = archive.connection.execute(
            "SELECT name FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
    return row[0] if row else None


def build(path: str | os.PathLike[str]) -> Any:
    """The Datasette instance serving the archive at `path` (read-only), with warta's plugin
    registered."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from archive.serve import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="warta")
    resolved = Path(path).expanduser().resolve()
    name = database_name(resolved)
    settings = {
        "truncate_cells_html": 240,     # bodies: a line in the table, whole on the row page
        "allow_download": False,        # a live WAL file copied alone is not the archive
        "default_page_size": 50,
        "sql_time_limit_ms": 3000,
        "default_cache_ttl": 0,         # a crawl may be adding articles: never a stale page
    }
    # A WAL archive in a read-only folder (a mounted dataset) cannot be opened mode=ro (its
    # -shm cannot be made); nobody can be writing it, so it is read as immutable, as
    # `Archive` does.
    writable = os.access(resolved.parent, os.W_OK)
    ds = Datasette(files=[str(resolved)] if writable else [],
                   immutables=[] if writable else [str(resolved)],
                   metadata=metadata(name, find_fts_table(resolved)),
                   template_dir=str(TEMPLATES), static_mounts=[(STATIC_MOUNT, str(STATIC))],
                   settings=settings)
    ds.warta_path = resolved
    ds.warta_name = name
    return ds


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one), or a one-line error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host: cannot resolve {host!r} ({exc.strerror}); give an address "
                         "such as 127.0.0.1") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise WartaError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another "
                         "--port, or stop the program using it") from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(path: str | os.PathLike[str], *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          echo: Any = print) -> None:
    """Serve the archive until interrupted. `echo` prints the address lines."""
    import asyncio

    import uvicorn

    check_path(path)
    ds = build(path)
    sock = listen(host, port)
    base = url_of(sock)
    echo(f"Serving {path} read-only at {base}/ (Ctrl-C to stop)")
    echo(f"Search: {base}{ds.urls.database(ds.warta_name)}/-/search")
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo(f"Warning: --host {host} makes the archive readable by anyone who can reach "
             "this machine")
    config = uvicorn.Config(ds.app(), log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    finally:
        sock.close()
