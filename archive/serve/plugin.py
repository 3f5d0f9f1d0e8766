"""warta's Datasette plugin: the search page, the article page, readable JSON cells, the
`articles` columns in reading order, and no writes. Registered by `archive.serve.build` on
the Datasette it serves (the hooks act only on that Datasette's archive)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from archive.errors import DamagedArchiveError, WartaError
from archive.serve import STATIC_MOUNT, chart, pages

#: The `articles` columns in the order people read them; the others follow in the table's
#: order, the body last.
COLUMN_ORDER = (
    "title", "published_at", "source", "url", "section", "dateline", "authors", "signoff",
    "word_count", "body_status", "published_precision", "published_raw", "modified_at",
    "language", "tags", "editor", "reporter", "signoff_raw", "signoff_codes", "uid",
    "published_date", "published_utc", "fetched_at", "fetched_url", "http_status",
    "body_stage", "date_stage", "provenance", "extra", "content_hash", "first_seen_at",
    "last_seen_at", "changed_at", "crawl_id")
#: Columns holding JSON: lists shown as comma-separated text, objects as `key: value` lines.
JSON_COLUMNS = {"articles": ("authors", "tags", "signoff_codes", "provenance", "extra"),
                "crawls": ("sites",)}


def _ours(datasette: Any, database: str | None) -> bool:
    return database is not None and database == getattr(datasette, "warta_name", None)


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    # Datasette already reads through `mode=ro`; this also covers a write connection any
    # other plugin might ask Datasette for: the archive is never written from the web.
    if _ours(datasette, database):
        conn.execute("PRAGMA query_only = ON")


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [f"/{STATIC_MOUNT}/warta.css"]


def search_path(datasette: Any) -> str:
    return datasette.urls.database(datasette.warta_name) + "/-/search"


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    if getattr(datasette, "warta_name", None) is None:
        return []
    return [{"href": search_path(datasette), "label": "Search the archive"}]


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str | None,
                datasette: Any) -> Markup | None:
    if not _ours(datasette, database) or column not in JSON_COLUMNS.get(table or "", ()):
        return None
    if not isinstance(value, str):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if isinstance(data, list):
        if not data:
            return Markup('<span class="warta-empty">none</span>')
        return Markup(escape(", ".join(str(v) for v in data)))
    if isinstance(data, dict):
        if not data:
            return Markup('<span class="warta-empty">none</span>')
        items = "".join(f"<li><b>{escape(str(k))}</b>: {escape(_text(v))}</li>"
                        for k, v in data.items())
        return Markup(f'<ul class="warta-json">{items}</ul>')
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# --- the articles table in reading order ----------------------------------------------------

def reading_order(columns: Sequence[str]) -> list[str]:
    """`columns` of `articles`, useful ones first, the rest in table order, the body last."""
    first = [c for c in COLUMN_ORDER if c in columns]
    rest = [c for c in columns if c not in first and c not in ("id", "body")]
    return first + rest + (["body"] if "body" in columns else [])


def _ordered_query(query: list[tuple[str, str]], columns: Sequence[str]
                   ) -> list[tuple[str, str]] | None:
    """The table page's query with the columns in reading order (`_col`), those hidden with
    `_nocol` (Datasette's "Hide this column") left out; None to leave the query alone: the
    columns already chosen with `_col`, or a `_nocol` naming a column the table lacks
    (Datasette's own error says which)."""
    if any(k == "_col" for k, _ in query):
        return None
    hidden = {v for k, v in query if k == "_nocol"}
    if not hidden <= set(columns):
        return None
    kept = [(k, v) for k, v in query if k != "_nocol"]
    return kept + [("_col", c) for c in reading_order(columns) if c not in hidden]


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    def wrap(app: Any) -> Any:
        async def ordered(scope: dict[str, Any], receive: Any, send: Any) -> None:
            name = getattr(datasette, "warta_name", None)
            if (scope.get("type") == "http" and name is not None
                    and scope.get("path") == datasette.urls.table(name, "articles")):
                query = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                  keep_blank_values=True)
                columns = await datasette.get_database(name).table_columns("articles")
                ordered = _ordered_query(query, columns)
                if ordered is not None:
                    scope = dict(scope, query_string=urlencode(ordered).encode("latin-1"))
            await app(scope, receive, send)
        return ordered
    return wrap


# --- pages ----------------------------------------------------------------------------------

def _failure(exc: Exception, datasette: Any) -> str:
    if isinstance(exc, sqlite3.DatabaseError):
        if DamagedArchiveError.matches(exc):
            return str(DamagedArchiveError(datasette.warta_path, exc))
        return f"the archive could not be read ({exc}); try again"
    return str(exc)


def web_url(url: Any) -> str | None:
    """`url` when it is an http(s) address a page may link to; None for anything else (a
    `javascript:` or `data:` URL from a hostile page is shown as text, never a link)."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None


def _marked(text: str | None) -> Markup:
    """A snippet with its matched words in <mark>, everything else escaped."""
    safe = str(escape(text or ""))
    return Markup(safe.replace(pages.MARK[0], "<mark>").replace(pages.MARK[1], "</mark>"))


def ops_html(ops: Sequence[tuple[str, str]]) -> Markup:
    """A word diff as HTML: removed words in <del>, added ones in <ins>."""
    parts = []
    for op, text in ops:
        if op == "=":
            parts.append(str(escape(text)))
        else:
            tag = "del" if op == "-" else "ins"
            parts.append(f"<{tag}>{escape(text)}</{tag}>")
    return Markup(" ".join(parts))


async def search_view(datasette: Any, request: Any) -> Response:
    name = tilde_decode(request.url_vars["database"])
    if not _ours(datasette, name):
        raise NotFound(f"no archive {name!r} here")
    args: dict[str, list[str]] = {}
    for key, value in parse_qsl(request.query_string, keep_blank_values=True):
        args.setdefault(key, []).append(value)
    status = 200
    try:
        page = await asyncio.to_thread(pages.search_page, datasette.warta_path, args)
    except (WartaError, sqlite3.DatabaseError) as exc:
        request_, _ = pages.SearchRequest.from_args(args)
        page = pages.SearchPage(request=request_, problems=[_failure(exc, datasette)])
        status = 500
    if page.problems and status == 200:
        status = 400
    base = search_path(datasette)

    def link(**changes: Any) -> str:
        """This search's URL with parameters changed (None drops one); back to page 1."""
        pairs = [(k, v) for k, values in args.items() for v in values
                 if k not in changes and k != "page"]
        for key, value in changes.items():
            if isinstance(value, list | tuple):
                pairs += [(key, v) for v in value]
            elif value is not None:
                pairs.append((key, value))
        return base + ("?" + urlencode(pairs) if pairs else "")

    def facet_link(param: str, value: str) -> str:
        if param == "source":
            chosen = page.request.source
            return link(source=[*chosen, value] if value not in chosen else chosen)
        return link(**{param: value})

    def remove_link(param: str, value: str) -> str:
        if param == "source":
            return link(source=[v for v in page.request.source if v != value])
        return link(**{param: None})

    def label(param: str, value: str) -> str:
        if param == "source":
            return page.sources.get(value, value)
        if param == "marker":
            return pages.MARKERS.get(value, value)
        return value

    request_ = page.request
    pages_total = max(1, -(-page.total // pages.PAGE_SIZE))
    results = [{**r, "snippet_html": _marked(r.get("snippet")),
                "href": datasette.urls.row(name, "articles", str(r["id"])),
                "outlet": page.sources.get(r["source"], r["source"]),
                "published_text": pages.published_text(r)} for r in page.results]
    context = {
        "database": name, "page": page, "request_": request_, "results": results,
        "facet_names": pages.FACETS, "chosen": request_.chosen(),
        "facet_link": facet_link, "remove_link": remove_link, "label": label,
        "chart_svg": Markup(chart.svg(page.series, query=request_.query, by=request_.by))
        if page.series else None,
        "next_url": (link(page=str(request_.page + 1))
                     if request_.page < pages_total else None),
        "prev_url": link(page=str(request_.page - 1)) if request_.page > 1 else None,
        "pages_total": pages_total, "search_url": base, "periods": pages.PERIODS,
        "sorts": ("rank", "newest", "oldest"), "markers": pages.MARKERS,
        "json_url": (datasette.urls.table(name, "articles", format="json")
                     + "?" + urlencode({"_search": request_.query}) if request_.query
                     else None),
    }
    html = await datasette.render_template("warta_search.html", context, request=request)
    return Response.html(html, status=status)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/(?P<database>[^/]+)/-/search$", search_view)]


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None,
                        view_name: str, request: Any, datasette: Any) -> Any:
    """On an article's row page: the article, read for reading (`row.html` shows it)."""
    if view_name != "row" or table != "articles" or not _ours(datasette, database):
        return {}

    async def article() -> dict[str, Any]:
        key = tilde_decode(request.url_vars.get("pks") or "")
        if not key.isdigit():
            return {}
        try:
            found = await asyncio.to_thread(pages.article, datasette.warta_path, int(key))
        except (WartaError, sqlite3.DatabaseError) as exc:
            return {"warta_error": _failure(exc, datasette)}
        if found is None:
            return {}
        for link in found["related"]:
            link["href"] = (datasette.urls.row(database, "articles", str(link["archived_id"]))
                            if link.get("archived_id") else None)
            link["original"] = web_url(link.get("url"))
        found["original"] = web_url(found.get("url"))
        for member in (found["cluster"] or {}).get("others", ()):
            member["href"] = datasette.urls.row(database, "articles", str(member["id"]))
            member["original"] = web_url(member.get("url"))
        return {"warta_article": found, "warta_ops": ops_html,
                "warta_search": search_path(datasette)}

    return article
