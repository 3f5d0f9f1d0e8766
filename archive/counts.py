"""Counts over time: per period and outlet, the articles matching a query, all articles, the share.

    from archive import Archive
    from archive.counts import counts
    with Archive("warta.db", readonly=True) as archive:
        result = counts(archive, "stunting", by="month", source=["kaltimpost", "sapos"])
    for row in result.rows:            # period, source, matching, all, share
        ...

Periods come from the local publication date as the outlet printed it (`published_date`), as
in `warta stats` and the `--since/--until` day filters: a WITA article of 1 January 00:30 is
in January. `day` is `2023-05-23`, `week` the ISO week `2023-W21` (Monday to Sunday), `month`
`2023-05`. Every outlet gets a row for every period from the first to the last period that
holds an article, so a series has no silent gaps: a period with no article at all has
`all` 0 and `share` None. Undated articles belong to no period; `Counts.undated` says how many
there are, per outlet.

The filters (`source`, `since`, `until`, `region`, `author`, `section`, `language`) narrow both
numbers; the query only the first. Both are one GROUP BY each: "all" is read from the
`articles_source_date` index alone, "matching" is driven by the full-text index.

`plot(result, path)` draws the counts (bars stacked by outlet) above the shares (one line per
outlet) (matplotlib, Agg, no pyplot state) into a PNG or SVG of `PLOT_SIZE_INCHES` at `PLOT_DPI`.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from archive.db import database
from archive.errors import UsageError
from archive.query import Filters, fts_error

if TYPE_CHECKING:
    from archive.store import Archive

PERIODS = ("day", "week", "month")
COLUMNS = ("period", "source", "matching", "all", "share")

#: Decimal places of a share: 0.01 % steps. A query a researcher tracks is often in well under
#: 1 % of an outlet's articles, where `warta stats`' three places would round it to 0.
SHARE_DIGITS = 4

#: Plot size: 10 x 5 inches, at 100 dots per inch a 1000 x 500 pixel PNG; an SVG is
#: 720 x 360 pt. Wide enough for a few years of months with readable tick labels, and the
#: shape of a figure in a paper.
PLOT_SIZE_INCHES = (10.0, 5.0)
PLOT_DPI = 100
PLOT_FORMATS = ("png", "svg")
#: Periods beyond which the plot draws plain lines: markers on every point of a long daily
#: series would blot the lines out.
PLOT_MARKERS_MAX_POINTS = 60



def selection(f: Filters) -> tuple[str, list[Any]]:
    """`FROM ... WHERE ...` over the articles matching `f` (aliased `a`) and its parameters,
    for aggregates and light row streams. With a query the full-text index drives, as in
    `archive.query` (see `Filters.join`). Callers check `f.empty` first."""
    if f.match is None:
        return f"FROM articles a WHERE {f.where()}", list(f.params)
    return (f"FROM articles_fts {f.join()} WHERE articles_fts MATCH ? AND {f.where()}",
            [f.match, *f.params])


def query_rows(conn: sqlite3.Connection, f: Filters, sql: str,
               params: Sequence[Any]) -> Iterator[dict[str, Any]]:
    """Run `sql` through sqlite-utils and stream its rows as dicts; a bad full-text query
    becomes the same one-line usage error as in `warta search`."""
    try:
        return database(conn).query(sql, list(params))
    except sqlite3.OperationalError as exc:
        raise fts_error(exc, f) from None


@dataclass
class Counts:
    """What `counts` found. `rows`: dicts with COLUMNS, by period then outlet. `undated`:
    outlet -> (matching, all) articles with no date (in no period)."""

    query: str
    by: str
    sources: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    undated: dict[str, tuple[int, int]] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)

    def undated_note(self) -> str | None:
        """One line about the articles left out for want of a date, or None."""
        parts = [f"{source} {m:,} of {n:,}" for source, (m, n) in sorted(self.undated.items())
                 if n]
        if not parts:
            return None
        return ("Undated articles are in no period (matching of all): " + ", ".join(parts))


def _period_sql(by: str) -> str:
    # Weeks are folded from days in Python: SQLite's %W is not the ISO week and %V is newer
    # than the SQLite many Pythons ship.
    return "substr(a.published_date, 1, 7)" if by == "month" else "a.published_date"


def _week(day: str) -> str:
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def period_start(period: str, by: str) -> dt.date:
    """The first day of a period label."""
    if by == "month":
        return dt.date.fromisoformat(period + "-01")
    if by == "week":
        year, week = period.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    return dt.date.fromisoformat(period)


def _periods(first: str, last: str, by: str) -> list[str]:
    """Every period label from `first` to `last`, inclusive."""
    start, end = period_start(first, by), period_start(last, by)
    out: list[str] = []
    day = start
    while day <= end:
        if by == "day":
            out.append(day.isoformat())
            day += dt.timedelta(days=1)
        elif by == "week":
            out.append(_week(day.isoformat()))
            day += dt.timedelta(days=7)
        else:
            out.append(day.isoformat()[:7])
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _grouped(conn: sqlite3.Connection, f: Filters, sql: str, params: list[Any], by: str
             ) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """(source, period) -> count and source -> undated count, from rows of source, period, n."""
    counted: dict[tuple[str, str], int] = defaultdict(int)
    undated: dict[str, int] = defaultdict(int)
    for row in query_rows(conn, f, sql, params):
        period = row["period"]
        if period is None:
            undated[row["source"]] += row["n"]
        else:
            counted[(row["source"], _week(period) if by == "week" else period)] += row["n"]
    return counted, undated


def counts(archive: Archive, query: str, *, by: str = "month", raw: bool = False,
           exact: bool = False,
           source: str | Sequence[str] | None = None, since: Any = None, until: Any = None,
           region: str | None = None, author: str | None = None, section: str | None = None,
           language: str | None = None, body_stage: str | Sequence[str] | None = None,
           date_stage: str | Sequence[str] | None = None,
           precision: str | Sequence[str] | None = None,
           syndication: str | None = None, about: str | None = None) -> Counts:
    """Per period (`by`: day, week or month) and outlet: the articles matching `query` (as
    `warta search` matches it: words ANDed, "phrases", `raw` for FTS5 syntax), all articles
    passing the filters, and the share (matching / all, None when there are none)."""
    if by not in PERIODS:
        raise UsageError(f"--by: {by!r} is not one of {', '.join(PERIODS)}")
    if query is None or not query.strip():
        raise UsageError("give the search text to count, e.g. warta counts stunting")
    conn = archive.connection
    f = Filters.build(conn, query=query, raw=raw, exact=exact, stemmer=archive.stemmer,
                      source=source, since=since, until=until,
                      region=region, author=author, section=section, language=language,
                      body_stage=body_stage, date_stage=date_stage, precision=precision,
                      syndication=syndication, about=about)
    period = _period_sql(by)
    group = f"SELECT a.source AS source, {period} AS period, count(*) AS n"
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: the matching are a subset of the counted
    try:
        every, every_undated = _grouped(
            conn, f, f"{group} FROM articles a WHERE {f.where()} GROUP BY 1, 2", f.params, by)
        matched: dict[tuple[str, str], int] = {}
        matched_undated: dict[str, int] = {}
        if not f.empty:
            from_where, params = selection(f)
            matched, matched_undated = _grouped(conn, f, f"{group} {from_where} GROUP BY 1, 2",
                                                params, by)
    finally:
        if own:
            conn.execute("COMMIT")
    sources = sorted({s for s, _ in every} | set(every_undated) | set(f.sources))
    result = Counts(query=query, by=by, sources=sources, filters=f.describe())
    result.undated = {s: (matched_undated.get(s, 0), n) for s, n in every_undated.items()}
    if not every:
        return result
    labels = sorted({p for _, p in every})
    for label in _periods(labels[0], labels[-1], by):
        for key in sources:
            total = every.get((key, label), 0)
            hits = matched.get((key, label), 0)
            share = round(hits / total, SHARE_DIGITS) if total else None
            result.rows.append({"period": label, "source": key, "matching": hits, "all": total,
                                "share": share})
    return result


def table_rows(result: Counts) -> list[list[str]]:
    """The rows as the table prints them: counts with thousands separators, shares in %."""
    return [[r["period"], r["source"], f"{r['matching']:,}", f"{r['all']:,}",
             "" if r["share"] is None else f"{r['share'] * 100:.2f}%"] for r in result.rows]


#: Width of a period's bar in the counts panel, in days (a little under the period).
_BAR_DAYS = {"day": 0.8, "week": 6.0, "month": 26.0}


def plot_file(path: str | Path) -> tuple[Path, str]:
    """The file a `--plot` draws into and its format (by its extension); a one-line error for
    a format we cannot draw or a folder that does not exist."""
    out = Path(path).expanduser()
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        raise UsageError(f"--plot: cannot draw {out.name!r}; end the file name in .png or .svg")
    if not out.parent.is_dir():
        raise UsageError(f"--plot: the folder {out.parent} does not exist; create it first")
    return out, fmt


def save_plot(figure: Any, out: Path, fmt: str) -> None:
    """Write `figure` to `out` whole or not at all (a temporary file renamed), the same bytes
    for the same figure (no date in SVG metadata)."""
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
    tmp = out.with_name(f".{out.name}.part")
    try:
        figure.savefig(tmp, format=fmt, metadata=metadata)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def plot(result: Counts, path: str | Path) -> Path:
    """Draw, one line per outlet, the matching articles per period (above) and their share of
    the outlet's articles (below) into a PNG or SVG (by the file's extension) of
    PLOT_SIZE_INCHES at PLOT_DPI. The file is the same for the same counts: no date in the
    SVG metadata, a fixed seed for its element ids."""
    out, fmt = plot_file(path)
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.hashsalt": "warta", "svg.fonttype": "path"}):
        figure = Figure(figsize=PLOT_SIZE_INCHES, dpi=PLOT_DPI)
        FigureCanvasAgg(figure)
        # Counts above, shares below, on one time axis: a 33% spike of one article in three
        # is told from one of thirty in ninety at a glance.
        counted, axes = figure.subplots(2, 1, sharex=True, height_ratios=(2, 3))
        series: dict[str, tuple[list[dt.date], list[float], list[int]]] = {}
        for row in result.rows:
            xs, ys, ns = series.setdefault(row["source"], ([], [], []))
            xs.append(period_start(row["period"], result.by))
            ys.append(math.nan if row["share"] is None else row["share"] * 100)
            ns.append(row["matching"])
        stacked: dict[dt.date, int] = {}
        width = _BAR_DAYS[result.by]
        for key in result.sources:
            if key in series:
                xs, ys, ns = series[key]
                marker = "o" if len(xs) <= PLOT_MARKERS_MAX_POINTS else None
                line = axes.plot(cast(Any, xs), ys, label=key, marker=marker, markersize=3,
                                 linewidth=1.5)[0]
                # bars stacked by outlet: the height is the period's count over all outlets
                bottoms = [stacked.get(x, 0) for x in xs]
                counted.bar(cast(Any, xs), ns, width=width, bottom=bottoms, align="edge",
                            color=line.get_color())
                for x, n in zip(xs, ns, strict=True):
                    stacked[x] = stacked.get(x, 0) + n
        counted.set_title(f"Articles matching \u201c{result.query}\u201d per {result.by}, "
                          "by outlet")
        counted.set_ylabel("Matching articles")
        counted.set_ylim(bottom=0)
        counted.yaxis.get_major_locator().set_params(integer=True)
        counted.grid(True, alpha=0.3)
        axes.set_xlabel(f"Publication {result.by} (local date as published)")
        axes.set_ylabel("Share of the outlet's articles (%)")
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
        if series:
            axes.legend(title="Outlet", fontsize="small")
        else:
            axes.text(0.5, 0.5, "No dated articles", ha="center", va="center",
                      transform=axes.transAxes)
        figure.autofmt_xdate()
        save_plot(figure, out, fmt)
    return out
