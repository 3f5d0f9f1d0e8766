"""How the `warta` commands print things: tables for people, JSON lines and CSV for programs.

Pure functions from data to lines of text, so the CLI stays thin and the output is tested
exactly.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import click

from archive.query import HIGHLIGHT

#: Above this many outlets the per-month table shows only the total column, so that it still
#: fits an 80-column terminal (each outlet column is about 12 characters).
MONTH_TABLE_MAX_SOURCES = 5

SEARCH_COLUMNS = ("id", "uid", "url", "source", "title", "published_at", "authors", "section",
                  "language", "word_count", "snippet", "rank")
STATS_COLUMNS = ("kind", "source", "month", "articles", "first_published", "last_published",
                 "share_date", "share_author", "share_dateline", "share_time", "body_missing",
                 "body_short", "body_incomplete")


#: What `terminal_safe` escapes: every control character (C0, DEL, C1: Unicode category Cc),
#: newline and tab aside where they are layout. ESC, BEL and CSI (U+009B) start the sequences
#: that retitle a window, clear the screen or set the clipboard (OSC 52); a carriage return
#: or a backspace can overwrite what was printed before it.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_AND_LAYOUT = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape_control(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def terminal_safe(value: Any, *, multiline: bool = True) -> Any:
    """`value` with every control character written as a visible escape (`\\x1b`), for
    printing archived text (a page's title, body, an outlet's name) on a terminal; lists,
    tuples and mappings are cleaned item by item, other values returned as they are.

    Newline and tab are kept when `multiline` (a body's layout) and escaped too when not (a
    table cell, a title on one line). Every terminal print of archived text goes through this
    before any styling of our own is added; JSON lines and CSV stay the exact data."""
    if isinstance(value, str):
        pattern = _CONTROLS if multiline else _CONTROLS_AND_LAYOUT
        return pattern.sub(_escape_control, value)
    if isinstance(value, Mapping):
        return {k: terminal_safe(v, multiline=multiline) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(terminal_safe(v, multiline=multiline) for v in value)
    return value


def jsonl(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False)


def csv_lines(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    """CSV lines (header first); lists and mappings as JSON, None as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue().removesuffix("\n")

    yield line(columns)
    for row in rows:
        yield line(json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                   for v in (row.get(c) for c in columns))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
          right: Sequence[int] = ()) -> Iterator[str]:
    """A plain aligned table; columns listed in `right` are right-aligned (numbers)."""
    cells = [[("" if v is None else terminal_safe(str(v), multiline=False)) for v in row]
             for row in rows]
    headers = [terminal_safe(h, multiline=False) for h in headers]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def fmt(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if i in right else v.ljust(w)
                 for i, (v, w) in enumerate(zip(values, widths, strict=True))]
        return "  ".join(parts).rstrip()

    yield fmt(headers)
    for row in cells:
        yield fmt(row)


def _bold_matches(text: str) -> str:
    opening, closing = (re.escape(m) for m in HIGHLIGHT)
    return re.sub(f"{opening}(.*?){closing}", lambda m: click.style(m.group(1), bold=True), text)


def search_table(results: Sequence[Mapping[str, Any]], *, color: bool = False,
                 next_offset: int | None = None) -> Iterator[str]:
    """One line per result (id, date, source, title) and its snippet indented below."""
    if not results:
        yield "No articles match."
        return
    results = [{**terminal_safe(r, multiline=False),
                "snippet": terminal_safe(" ".join(r["snippet"].split()))} for r in results]
    id_width = max(len(str(r["id"])) for r in results)
    source_width = max(len(r["source"]) for r in results)
    for r in results:
        date = (r["published_at"] or "")[:10] or "(undated) "
        yield f"{str(r['id']).rjust(id_width)}  {date:<10}  {r['source']:<{source_width}}  " \
              f"{r['title']}"
        snippet = r["snippet"]
        yield " " * (id_width + 2) + (_bold_matches(snippet) if color else snippet)
    if next_offset is not None:
        yield f"(more: --offset {next_offset})"


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def published_line(article: Mapping[str, Any]) -> str:
    """The publication date as `warta show` prints it, saying what it is worth.

    `2023-05-30 (day only; shown as: Selasa (30/5))`: the page gave only the day, so the
    stored midnight is not printed as if it were a time; `... (approximate: relative to the
    fetch time; shown as: 2 jam lalu)`; a time of day (or a precision not recorded, in rows
    archived before warta kept it) prints the instant with its offset."""
    published = article.get("published_at")
    if not published:
        return "(no date)"
    precision = article.get("published_precision")
    notes = []
    if precision == "day":
        published = article.get("published_date") or published[:10]
        notes.append("day only")
    elif precision == "relative":
        notes.append("approximate: relative to the fetch time")
    if article.get("published_raw"):
        notes.append(f"shown as: {article['published_raw']}")
    return published + (f" ({'; '.join(notes)})" if notes else "")


def article_text(article: Mapping[str, Any], *, full_versions: bool = False) -> Iterator[str]:
    """An article whole, for reading: title, metadata, body, related headlines, versions.
    Every value is printed through `terminal_safe` (bodies keep their line breaks)."""
    bodies = [article["body"], *(v["body"] for v in article.get("versions") or [])]
    body, *version_bodies = (terminal_safe(b) for b in bodies)
    article = terminal_safe(article, multiline=False)
    yield article["title"]
    source = article["source"]
    about = ", ".join(v for v in (article.get("source_name"), article.get("region")) if v)
    yield f"id {article['id']} · uid {article['uid']} · {source}" + (f" ({about})" if about else "")
    yield ""
    fields: list[tuple[str, Any]] = [
        ("url", article["url"]),
        ("published", published_line(article)),
        ("modified", article.get("modified_at")),
        ("dateline", article.get("dateline")),
        ("authors", ", ".join(article.get("authors") or [])),
        ("editor", article.get("editor")),
        ("reporter", article.get("reporter")),
        ("sign-off", article.get("signoff")),
        ("section", article.get("section")),
        ("tags", ", ".join(article.get("tags") or [])),
        ("language", article.get("language")),
        ("words", article.get("word_count")),
        ("about", _about(article.get("about"))),
        ("body", body_status_line(article)),
        ("fetched", " ".join(str(v) for v in (
            article.get("fetched_at"), article.get("fetched_url"),
            f"HTTP {article['http_status']}" if article.get("http_status") else None) if v)),
        ("seen", f"first {article['first_seen_at']}, last {article['last_seen_at']}"),
        ("stages", ", ".join(f"{k}: {v}" for k, v in sorted(
            (article.get("provenance") or {}).items()))),
    ]
    for label, value in fields:
        if value not in (None, ""):
            yield f"{label:<10} {value}"
    yield ""
    yield from body.splitlines()
    related = article.get("related") or []
    if related:
        archived = sum(1 for link in related if link["archived_id"] is not None)
        yield ""
        yield f"Related headlines ({len(related)}, {archived} archived)"
        width = len(str(len(related)))
        for number, link in enumerate(related, 1):
            block = f"[{link['block']}] " if link.get("block") else ""
            yield f"{str(number).rjust(width)}. {block}{link['title'] or '(no anchor text)'}"
            mark = f"  (archived: id {link['archived_id']})" if link["archived_id"] else ""
            yield f"{' ' * width}  {link['url']}{mark}"
    yield from _copies(article)
    versions = article.get("versions") or []
    if versions:
        yield ""
        yield f"Earlier versions ({len(versions)}, oldest first)"
        for number, version in enumerate(versions, 1):
            yield (f"v{number}  stored {version['stored_at']}, replaced "
                   f"{version['replaced_at']}: {version['title']}")
            if full_versions:
                yield ""
                yield from version_bodies[number - 1].splitlines()
                yield ""


def _about(about: Mapping[str, Any] | None) -> str | None:
    """`Kutai Kartanegara, Kalimantan Timur (from the dateline)`: archive/regions.py."""
    if not about:
        return None
    place = ", ".join(v for v in (about.get("region"), about.get("province")) if v)
    return f"{place} (from the {about['stage']})" if about.get("stage") else place


def _copies(article: Mapping[str, Any]) -> Iterator[str]:
    """The other articles of the article's cluster of near-duplicates (archive/clusters.py)."""
    cluster = article.get("copies")
    if not cluster:
        return
    others = [m for m in cluster["members"] if m["id"] != article["id"]]
    press = f"; likely press release ({cluster['press_reason']})" if cluster.get(
        "press_release") else ""
    yield ""
    yield (f"Copies ({len(others)} other articles, {cluster['outlets']} outlets; "
           f"cluster {cluster['cluster_id']}{press})")
    for member in others:
        shown = terminal_safe(member, multiline=False)
        mark = "original" if member["is_original"] else f"similarity {member['similarity']:.2f}"
        when = shown["published_at"] or "undated"
        yield f"  id {shown['id']} · {shown['source']} · {when} · {mark}"
        yield f"    {shown['title']}"
        yield f"    {shown['url']}"


def body_status_line(article: Mapping[str, Any]) -> str | None:
    """`missing: why` or `short: N words (under 30)` for a body that could not be read whole
    (`body_status`, with the reason the crawler wrote in `provenance`); for a multi-page
    article with a part that could not be read, `incomplete: 2 of 3 parts; missing ...`
    (`provenance` `parts`); None when the body is whole."""
    status = article.get("body_status") or "ok"
    provenance = article.get("provenance") or {}
    if not isinstance(provenance, Mapping):
        provenance = {}
    if status in ("ok", "incomplete"):  # `ok`: archived before migration 11 said so
        parts = provenance.get("parts")
        if isinstance(parts, str) and parts.startswith("incomplete:"):
            return parts
        return None if status == "ok" else status
    reason = provenance.get("body") if status == "missing" else provenance.get("body_status")
    if isinstance(reason, str) and reason.startswith(f"{status}:"):
        return reason
    return status


def stats_records(stats: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The stats as flat records: kind = source | total | month | crawl."""
    keys = STATS_COLUMNS[3:]
    for row in stats["sources"]:
        yield {"kind": "source", "source": row["source"], "name": row["name"],
               "region": row["region"], **{k: row[k] for k in keys}}
    yield {"kind": "total", "source": None, **{k: stats["total"][k] for k in keys},
           "sources": stats["total"]["sources"], "versions": stats["total"]["versions"],
           "links": stats["total"]["links"]}
    for row in stats["sources"]:
        for month, n in row["months"].items():
            yield {"kind": "month", "source": row["source"], "month": month, "articles": n}
    for month, n in stats["total"]["months"].items():
        yield {"kind": "month", "source": None, "month": month, "articles": n}
    for crawl in stats["crawls"]:
        yield {"kind": "crawl", **crawl}


def stats_table(stats: Mapping[str, Any]) -> Iterator[str]:
    """Per-source coverage, articles per month, last crawls (archived text is printed
    through `table`, which makes it terminal-safe)."""
    total = stats["total"]
    # NO BODY / SHORT / PARTS MISSING only for an archive that holds such articles (issues 12
    # and 13)
    incomplete = bool(total["body_missing"] or total["body_short"]
                      or total["body_incomplete"])

    def counted(row: Mapping[str, Any]) -> list[str]:
        return [f"{row['body_missing']:,}", f"{row['body_short']:,}",
                f"{row['body_incomplete']:,}"] if incomplete else []

    rows = [[r["source"], f"{r['articles']:,}", r["first_published"], r["last_published"],
             _percent(r["share_date"]), _percent(r["share_time"]), _percent(r["share_author"]),
             _percent(r["share_dateline"]), *counted(r), r["region"]] for r in stats["sources"]]
    rows.append(["total", f"{total['articles']:,}", total["first_published"],
                 total["last_published"], _percent(total["share_date"]),
                 _percent(total["share_time"]), _percent(total["share_author"]),
                 _percent(total["share_dateline"]), *counted(total), ""])
    extra = ["NO BODY", "SHORT", "PARTIAL"] if incomplete else []
    yield from table(["SOURCE", "ARTICLES", "FIRST", "LAST", "DATED", "TIME", "AUTHOR",
                      "DATELINE", *extra, "REGION"], rows,
                     right=(1, 4, 5, 6, 7, *((8, 9, 10) if incomplete else ())))
    yield "TIME: the page gave a time of day, not only the day or a relative date."
    if incomplete:
        yield ("NO BODY / SHORT / PARTIAL: articles archived without their body, with a short "
               "one, or with a part of a multi-page article missing (body_status missing / "
               "short / incomplete); exports leave them out unless --include-incomplete.")
    yield (f"Earlier versions kept: {total['versions']:,}. Related-link URLs: "
           f"{total['links']:,}.")
    if total["months"]:
        sources = [r for r in stats["sources"] if r["months"]]
        shown = sources if len(sources) <= MONTH_TABLE_MAX_SOURCES else []
        yield ""
        yield "Articles per month (local publication date)"
        headers = ["MONTH", *(r["source"] for r in shown), "TOTAL"]
        month_rows = [[month, *(f"{r['months'].get(month, 0):,}" for r in shown), f"{n:,}"]
                      for month, n in total["months"].items()]
        yield from table(headers, month_rows, right=range(1, len(headers)))
    yield ""
    if not stats["crawls"]:
        yield "No crawls recorded yet."
        return
    yield "Last crawls"
    crawl_rows = [[c["id"], c["started_at"], c["finished_at"] or "(running or killed)",
                   c["finish_reason"] or "", ",".join(c["sites"]), c["new"], c["updated"],
                   c["unchanged"]] for c in stats["crawls"]]
    yield from table(["ID", "STARTED", "FINISHED", "REASON", "SITES", "NEW", "UPDATED",
                      "UNCHANGED"], crawl_rows, right=(0, 5, 6, 7))
