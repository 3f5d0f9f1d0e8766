"""The `warta` command's archive half: search, show, stats, export.

`cli` is the click group every warta command hangs from (`crawler/cli.py` adds the crawler's
commands to it); `run()` invokes it and turns every error a user can act on into one line on
stderr and an exit status. Each command parses its options and calls one function; the
printing lives in `archive.formatting`. Options other commands can reuse: `db_option`,
`filter_options`, `archive.instants.DATE`, and `open_archive`.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from archive import formatting
from archive.counts import PERIODS
from archive.errors import DamagedArchiveError, OlderSchemaError, UsageError, WartaError
from archive.export import FORMATS, export
from archive.instants import DATE
from archive.query import RANKINGS, SORTS, Filters
from archive.store import DEFAULT_DB, Archive
from archive.version import __version__

#: Exit status after Ctrl-C, as shells report a process ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130

#: The largest count an option such as --limit takes: far above any archive, far below
#: SQLite's integer limit (2**63 - 1), past which a value cannot even be passed to a query.
MAX_COUNT = 10**12
#: Parameters that are file names: bytes that are not UTF-8 are allowed in those (a Linux
#: file name may hold any byte), not in text that is searched for or compared.
PATH_PARAMETERS = frozenset({"db", "out", "plot_file", "file", "sites_dir", "url_list",
                             "failed_out", "batch", "shards", "plan_file", "data_dir",
                             "project_dir"})
#: Where `open_archive` notes the archive a command opened, so that a damaged file can be
#: named whichever command read it (`click.Context.meta` is shared by a group and its
#: commands).
ARCHIVE_META_KEY = "warta.archive"

F = TypeVar("F", bound=Callable[..., Any])


class Count(click.IntRange):
    """A whole number from `min` up to MAX_COUNT (a larger one is refused in words, before
    it reaches SQLite, which cannot hold it)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> Any:
        number = super().convert(value, param, ctx)
        if number > MAX_COUNT:
            self.fail(f"{number} is too large (at most {MAX_COUNT:,})", param, ctx)
        return number


def count_option(*names: str, default: int | None, min: int = 1, **kwargs: Any
                 ) -> Callable[[F], F]:
    """An integer option of `min` or more, up to MAX_COUNT (--limit, --offset, --runs)."""
    return click.option(*names, type=Count(min=min), default=default, **kwargs)


def _not_utf8(value: str) -> str | None:
    """A description of the first byte of `value` that is not UTF-8 (`\\xff`: the byte as
    Python keeps it from argv, a lone surrogate), or None when the text is clean."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raw = exc.object[exc.start:exc.end].encode("utf-8", "surrogateescape")
        return f"{raw!r} at character {exc.start + 1}"
    return None


class WartaCommand(click.Command):
    """A warta command: text arguments must be UTF-8 (a query, an id, a source key), since
    SQLite, JSON and the terminal take nothing else; file names may hold any byte."""

    def invoke(self, ctx: click.Context) -> Any:
        for param in self.params:
            if param.name is None or param.name in PATH_PARAMETERS:
                continue
            value = ctx.params.get(param.name)
            for item in value if isinstance(value, tuple | list) else [value]:
                bad = _not_utf8(item) if isinstance(item, str) else None
                if bad:
                    raise click.BadParameter(f"not UTF-8 text: byte {bad}; give the text in "
                                             "UTF-8", ctx=ctx, param=param)
        return super().invoke(ctx)


class WartaGroup(click.Group):
    """The `warta` group: its commands are WartaCommands, and a damaged archive, found by
    whichever query of whichever command, is one error naming the file (DamagedArchiveError),
    not a traceback; any other database error is one line too."""

    command_class = WartaCommand

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            path = ctx.meta.get(ARCHIVE_META_KEY)
            if DamagedArchiveError.matches(exc):
                raise DamagedArchiveError(path or "the archive", exc) from None
            where = f"the archive {path}" if path else "the archive"
            raise WartaError(f"{where} could not be read ({exc}); is another program changing "
                             "it? try again, or check it with "
                             f"sqlite3 {DamagedArchiveError.quoted(path)} "
                             "'PRAGMA integrity_check'") from None


def db_option(func: F) -> F:
    """`--db PATH`, defaulting to $WARTA_DB, else ./warta.db."""
    return click.option(
        "--db", "db", metavar="PATH", envvar="WARTA_DB", default=DEFAULT_DB, show_default=True,
        show_envvar=True, help="Archive file (also set by the WARTA_DB environment variable).",
    )(func)


def filter_options(func: F) -> F:
    """The filters shared by search and export (passed on as keyword arguments)."""
    options = [
        click.option("--source", "source", metavar="KEY", multiple=True,
                     help="Only this outlet; repeat or comma-separate for several."),
        click.option("--since", type=DATE, help="From this date: YYYY-MM-DD (the local date "
                     "as published) or ISO 8601 with offset."),
        click.option("--until", type=DATE, help="Up to this date, inclusive (same forms)."),
        click.option("--region", metavar="TEXT", help="Outlets whose region contains TEXT."),
        click.option("--author", metavar="TEXT", help="Articles with an author containing TEXT."),
        click.option("--section", metavar="NAME", help="Articles in this section (any case)."),
        click.option("--language", metavar="CODE", help="Articles in this language, e.g. id."),
        click.option("--body-stage", "body_stage", metavar="STAGE", multiple=True,
                     help="Articles whose body came from this extraction stage (generic, "
                          "profile, jsonld); repeat or comma-separate for several."),
        click.option("--date-stage", "date_stage", metavar="STAGE", multiple=True,
                     help="Articles whose date came from this stage (jsonld, opengraph, "
                          "meta, time, microdata, profile, text, url); repeat or "
                          "comma-separate for several."),
        click.option("--exact", is_flag=True,
                     help="Match words only as written: banjir without kebanjiran or "
                          "banjirnya (by default a word matches its Indonesian word forms)."),
        click.option("--date-precision", "precision", metavar="PRECISION", multiple=True,
                     help="Articles whose date is worth this: time (a time of day was shown), "
                          "day (only the date), relative ('2 jam lalu'); comma-separate for "
                          "several."),
        click.option("--original", "syndication", flag_value="original",
                     help="Only articles that copy no earlier article (`warta clusters`)."),
        click.option("--syndicated", "syndication", flag_value="syndicated",
                     help="Only copies of an earlier article run elsewhere (`warta clusters`)."),
        click.option("--about", metavar="PLACE",
                     help="Articles about a regency, city or province containing PLACE "
                          "(dateline, then places in title and body)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def open_archive(path: str | os.PathLike[str], *, write: bool = False) -> Archive:
    """Open the archive for a command. Read commands never create a file and read through a
    read-only connection; the one change they make is upgrading an archive made by an older
    warta (migrations are safe and quick), said on stderr."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[ARCHIVE_META_KEY] = os.fspath(path)
    try:
        return Archive(path, create=write, readonly=not write)
    except OlderSchemaError:
        if not os.access(path, os.W_OK):
            raise
        with Archive(path, create=False) as upgraded:
            version = upgraded.schema_version
        click.echo(f"Upgraded {path} to archive schema {version}.", err=True)
        return Archive(path, create=False, readonly=True)


def _filters(options: dict[str, Any]) -> dict[str, Any]:
    keys = ("source", "since", "until", "region", "author", "section", "language",
            "body_stage", "date_stage", "precision", "exact", "syndication", "about")
    filters = {k: options.get(k) for k in keys}
    for name in ("source", "body_stage", "date_stage", "precision"):
        filters[name] = list(filters[name] or []) or None
    return filters


def _echo_lines(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)


@click.group(name="warta", cls=WartaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="warta", message="%(prog)s %(version)s")
def cli() -> None:
    """warta: crawl regional Indonesian news into a searchable SQLite archive.

    Every command takes --db PATH (default: $WARTA_DB, else ./warta.db).
    """


@cli.command()
@click.argument("words", nargs=-1, metavar="[QUERY]")
@click.option("--raw", is_flag=True,
              help="QUERY is FTS5 syntax: AND/OR/NOT, \"phrases\", prefix*, NEAR(), title:word.")
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default="rank", show_default=True,
              help="Best match first, or by publication time.")
@click.option("--rank", type=click.Choice(RANKINGS), default="auto", show_default=True,
              help="auto: a query matching over 2,000 articles is ranked over its newest "
                   "2,000, a query of common words over its newest 200-500 (or those in "
                   "the newest articles, when few) once `warta maintain` has counted the "
                   "words (said under the results); all: rank every match.")
@count_option("--limit", default=20, show_default=True)
@count_option("--offset", default=0, min=0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table",
              show_default=True)
@click.option("--collapse-copies", "collapse", is_flag=True,
              help="One row per story run by several outlets (`warta clusters`): the first "
                   "of a cluster's results on the page stays, marked 'also in N outlets'.")
@db_option
def search(words: tuple[str, ...], raw: bool, sort: str, rank: str, limit: int, offset: int,
           fmt: str, collapse: bool, db: str, **options: Any) -> None:
    """Full-text search, ranked by bm25 (title above body), with highlighted snippets.

    Every word must match, in any of its Indonesian forms (perintah finds pemerintah;
    --exact: only as written); "quoted words" match as that exact phrase; banjir OR longsor,
    banjir NOT rob, banj* (a prefix) and title:banjir work as typed. Without QUERY, lists
    the articles matching the filters, newest first.

    \b
    Example:
      warta search "stunting sanitasi" --source kaltimpost --since 2023-01-01 --until 2023-12-31
      warta search banjir OR longsor --since 2024-01-01
    """
    query = " ".join(words) if words else None  # unquoted words are one query
    with open_archive(db) as archive:
        results = archive.search(query, raw=raw, sort=sort, limit=limit, offset=offset,
                                 rank=rank, **_filters(options))
        if not results and query and offset == 0 and fmt == "table":
            built = Filters.build(archive.connection, query=query, raw=raw,
                                  stemmer=archive.stemmer, **_filters(options))
            if built.empty:
                click.echo("No articles match: the search text has no letters or digits to "
                           "search for.")
                return
            click.echo(f"No articles match {formatting.terminal_safe(built.searched())}.")
            hints = built.hints() or (["the words without --raw"] if raw else [])
            if hints:
                click.echo(f"Try {'; '.join(hints)}.")
            return
        shown: list[dict[str, Any]] = list(results)
        if collapse:
            from archive.clusters import collapse_copies

            shown = collapse_copies(archive.connection, shown, mark=fmt == "table")
    if fmt == "jsonl":
        _echo_lines(formatting.jsonl(shown))
    elif fmt == "csv":
        _echo_lines(formatting.csv_lines(shown, formatting.SEARCH_COLUMNS))
    else:
        more = offset + limit if len(results) == limit else None
        _echo_lines(formatting.search_table(shown, color=sys.stdout.isatty(),
                                            next_offset=more))
        if results.bounded:
            click.echo(f"Ranked by {results.ranking}.")


@cli.command()
@click.argument("article")
@click.option("--versions", is_flag=True, help="Print the earlier versions' full text too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@db_option
def show(article: str, versions: bool, fmt: str, db: str) -> None:
    """Print one article whole: metadata, body, related headlines, earlier versions.

    ARTICLE is an id (from `warta search`), a uid (from an export) or the canonical URL.

    \b
    Example:
      warta show 1234
    """
    with open_archive(db) as archive:
        found = archive.get(article)
    if found is None:
        raise WartaError(f"no article {article!r} in {db}; find ids with `warta search`")
    if fmt == "json":
        _echo_lines(formatting.jsonl([found]))
    else:
        _echo_lines(formatting.article_text(found, full_versions=versions))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table",
              show_default=True,
              help="jsonl: records of kind source/total/month/crawl; csv: the same without "
                   "crawls.")
@click.option("--syndication", is_flag=True,
              help="Instead: per outlet, its articles, originals of a story other outlets "
                   "ran, copies of another's, and articles in likely press releases "
                   "(`warta clusters`).")
@db_option
def stats(fmt: str, db: str, syndication: bool) -> None:
    """What the archive holds, per outlet and in total: articles, first and last publication
    date, articles per month, the share with a date, a time of day, an author, a dateline;
    the last crawls.

    \b
    Example:
      warta stats --format csv > coverage.csv
    """
    if syndication:
        from archive.clustercommands import syndication_output

        with open_archive(db) as archive:
            _echo_lines(syndication_output(archive, fmt))
        return
    with open_archive(db) as archive:
        data = archive.stats()
    if fmt == "jsonl":
        _echo_lines(formatting.jsonl(formatting.stats_records(data)))
    elif fmt == "csv":
        records = (r for r in formatting.stats_records(data) if r["kind"] != "crawl")
        _echo_lines(formatting.csv_lines(records, formatting.STATS_COLUMNS))
    else:
        _echo_lines(formatting.stats_table(data))


@cli.command("export")
@click.option("--out", "out", metavar="FILE", required=True,
              help="File to write (.jsonl, .csv, .parquet; add .gz to compress JSONL/CSV), "
                   "or - for standard output. Never the archive, a link or a device.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Format (default: from the file name's suffix; JSON lines for -). A "
                   "format the suffix contradicts is refused.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--query", metavar="TEXT", help="Only articles matching this search text.")
@click.option("--raw", is_flag=True, help="--query is FTS5 syntax (as `warta search --raw`).")
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default="oldest", show_default=True,
              help="Row order (ties by id, so the same archive gives the same file).")
@click.option("--urls-only", is_flag=True,
              help="Only uid, url, source, published_at, published_precision and title: a list "
                   "to share where the "
                   "text may not be shared (`warta rehydrate` rebuilds it).")
@click.option("--partition", is_flag=True,
              help="Parquet only: FILE is a folder of source=KEY/year=YYYY/ partitions.")
@click.option("--card", is_flag=True,
              help="Also write FILE.card.md, a dataset card (outlets, dates, counts, "
                   "coverage, crawl runs, checksums, copyright note).")
@click.option("--include-incomplete", is_flag=True,
              help="Also export the articles whose body could not be read whole "
                   "(body_status short, missing or incomplete); left out by default.")
@db_option
def export_command(out: str, fmt: str | None, force: bool, query: str | None, raw: bool,
                   sort: str, urls_only: bool, partition: bool, card: bool,
                   include_incomplete: bool, db: str, **options: Any) -> None:
    """Export matching articles with every field to JSONL, CSV or Parquet, streaming, and
    write FILE.manifest.json beside it (filters, row count, sha256, fields and types, counts
    per outlet, date range, warta version).

    \b
    Example:
      warta export --out kaltim-2023.parquet --source kaltimpost --since 2023-01-01 --card
      warta export --out kaltim-urls.csv --urls-only --card
      warta export --out kaltim-parquet --partition
      warta export --out - --format csv --source sapos | head
    """
    to_stdout = out == "-"
    with open_archive(db) as archive:
        manifest = export(archive, out if to_stdout else Path(out), fmt=fmt, query=query,
                          raw=raw, sort=sort, progress=sys.stderr.isatty() and not to_stdout,
                          urls_only=urls_only, partition=partition, card=card, force=force,
                          include_incomplete=include_incomplete, **_filters(options))
    what = "URLs of " if urls_only else ""
    left_out = manifest["body_status"]["left_out"]
    note = (f"; {left_out:,} with a short, missing or incomplete body left out "
            "(--include-incomplete exports them)" if left_out else "")
    if to_stdout:
        click.echo(f"Exported {what}{manifest['rows']:,} articles to standard output "
                   f"({manifest['format']}, sha256 {manifest['sha256'][:12]}…){note}",
                   err=True)
        return
    if partition:
        where = f"{len(manifest['files'])} partition files under {out}/"
    else:
        where = f"{out} ({manifest['format']}, sha256 {manifest['sha256'][:12]}…)"
    extra = (f"; card: {out}.card.md" if card else "") + note
    click.echo(f"Exported {what}{manifest['rows']:,} articles to {where}; manifest: "
               f"{out}.manifest.json{extra}")


@cli.command("counts")
@click.argument("query", required=False, metavar="QUERY")
@click.option("--raw", is_flag=True, help="QUERY is FTS5 syntax (as `warta search --raw`).")
@click.option("--by", type=click.Choice((*PERIODS, "region")), default="month",
              show_default=True,
              help="Period: a day, an ISO week (Monday to Sunday) or a month of local "
                   "publication dates; or region: the regency or city the articles are "
                   "about (QUERY optional), East Kalimantan's first.")
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table",
              show_default=True)
@click.option("--plot", "plot_file", metavar="FILE.png|FILE.svg",
              help="Also draw the shares, one line per outlet, into this PNG or SVG "
                   "(1000 x 500 px; SVG 720 x 360 pt).")
@db_option
def counts_command(query: str, raw: bool, by: str, fmt: str, plot_file: str | None, db: str,
                   **options: Any) -> None:
    """Per period and outlet: the articles matching QUERY, all articles, and the share.

    QUERY is matched as in `warta search`; the filters narrow both numbers. Every period
    from the first to the last dated article is listed, empty ones too.

    \b
    Example:
      warta counts stunting --by month --source kaltimpost,sapos --since 2020-01-01
      warta counts "ibu kota negara" --by week --format csv --plot ikn.png
    """
    from archive.counts import COLUMNS, counts, plot, table_rows

    if by == "region":
        _region_counts(query, raw, fmt, plot_file, db, options)
        return
    with open_archive(db) as archive:
        result = counts(archive, query, by=by, raw=raw, **_filters(options))
    if plot_file:
        plot(result, plot_file)
    note = result.undated_note()
    if fmt == "jsonl":
        _echo_lines(formatting.jsonl(result.rows))
    elif fmt == "csv":
        _echo_lines(formatting.csv_lines(result.rows, COLUMNS))
    elif result.rows:
        _echo_lines(formatting.table([c.upper() for c in COLUMNS], table_rows(result),
                                     right=(2, 3, 4)))
    else:
        click.echo("No dated articles match the filters.")
    if note:
        click.echo(note, err=fmt != "table")
    if plot_file:
        click.echo(f"Plot: {plot_file}", err=True)


def _region_counts(query: str | None, raw: bool, fmt: str, plot_file: str | None, db: str,
                   options: dict[str, Any]) -> None:
    """`warta counts [QUERY] --by region` (archive/regions.py)."""
    from archive.regions import COLUMNS, plot_regions, region_counts

    with open_archive(db) as archive:
        rows = region_counts(archive, query, raw=raw, **_filters(options))
    if plot_file:
        what = f"Articles matching \u201c{query}\u201d" if query else "Articles"
        plot_regions(rows, plot_file, f"{what} by the regency or city they are about")
    if fmt == "jsonl":
        _echo_lines(formatting.jsonl(rows))
    elif fmt == "csv":
        _echo_lines(formatting.csv_lines(rows, COLUMNS))
    else:
        _echo_lines(formatting.table(
            [c.upper() for c in COLUMNS],
            [[r["region"], r["province"], f"{r['matching']:,}", f"{r['all']:,}",
              "" if r["share"] is None else f"{r['share'] * 100:.2f}%"] for r in rows],
            right=(2, 3, 4)))
    if plot_file:
        click.echo(f"Plot: {plot_file}", err=True)


# --- crawls, health, diff (scheduled crawls: archive/health.py, archive/diff.py) -------------

@cli.command()
@count_option("--limit", default=20, show_default=True, help="How many crawls, newest first.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="jsonl: one record per crawl, with its Scrapy stats.")
@db_option
def crawls(limit: int, fmt: str, db: str) -> None:
    """List the recorded crawls, newest first: start, duration, finish reason, sites, articles
    new/updated/unchanged, archived articles skipped, requests, errors by kind. A crawl whose
    process died shows `running` until the next crawl of the same sites finds it `killed`.

    \b
    Example:
      warta crawls --limit 5
    """
    from archive.health import check_intact, crawl_record, crawls_lines

    with open_archive(db) as archive:
        check_intact(archive)
        rows = archive.crawls(limit)
    if fmt == "jsonl":
        _echo_lines(formatting.jsonl({**crawl_record(c), "stats": c.get("stats")} for c in rows))
    else:
        _echo_lines(crawls_lines(rows))


@cli.command()
@click.option("--source", "source", metavar="KEY", multiple=True,
              help="Only this outlet; repeat or comma-separate for several.")
@count_option("--runs", default=None,
              help="Earlier runs each outlet is compared with (default 10).")
@click.option("--fail-on-warning", is_flag=True,
              help="Exit with status 3 when an outlet has a warning (for monitoring).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True)
@db_option
def health(source: tuple[str, ...], runs: int | None, fail_on_warning: bool, fmt: str,
           db: str) -> int:
    """Per outlet, its latest crawl against its own recent ones: article URLs found, archived
    ones skipped, articles read, and the share of those with a date, a body, an author. Warns
    when an outlet yields nothing, or its date or body share falls below half its usual one
    (the usual sign that the outlet changed its layout).

    \b
    Example:
      warta health --source kaltimpost --fail-on-warning
    """
    from archive.health import (
        EXIT_WARNING,
        RECENT_RUNS,
        check_intact,
        health_lines,
        site_health,
        warnings_of,
    )

    keys = [k.strip() for value in source for k in value.split(",") if k.strip()] or None
    with open_archive(db) as archive:
        check_intact(archive)
        report = site_health(archive, sources=keys, runs=runs or RECENT_RUNS)
    if fmt == "jsonl":
        _echo_lines(formatting.jsonl(site.as_dict() for site in report))
    else:
        _echo_lines(health_lines(report))
    return EXIT_WARNING if fail_on_warning and warnings_of(report) else 0


@cli.command()
@click.argument("article")
@count_option("--edit", "number", default=None,
              help="Show edit N only (1 = the first; default: the last).")
@click.option("--all", "show_all", is_flag=True, help="Show every edit, oldest first.")
@db_option
def diff(article: str, number: int | None, show_all: bool, db: str) -> None:
    """Show what the edits of an article changed, word by word: removed words [-like this-],
    added ones {+like this+} (red and green on a terminal), paragraph by paragraph.

    ARTICLE is an id, a uid or the canonical URL, as for `warta show`.

    \b
    Example:
      warta diff 1234 --all
    """
    from archive.diff import article_edits, edit_lines

    with open_archive(db) as archive:
        found = archive.get(article)
    if found is None:
        raise WartaError(f"no article {article!r} in {db}; find ids with `warta search`")
    edits = article_edits(found)
    if not edits:
        click.echo(f"Article {found['id']} has not changed since it was first archived "
                   f"({found['first_seen_at']}).")
        return
    if number is not None and number > len(edits):
        raise UsageError(f"article {found['id']} has {len(edits)} edit(s); give --edit 1 to "
                         f"{len(edits)}")
    chosen = edits if show_all else [edits[(number or len(edits)) - 1]]
    shown = formatting.terminal_safe(found, multiline=False)
    click.echo(f"{shown['title']}")
    click.echo(f"id {shown['id']} · {shown['source']} · {shown['url']} · "
               f"{len(edits)} edit(s)")
    color = sys.stdout.isatty()
    for edit in chosen:
        click.echo("")
        _echo_lines(edit_lines(edit, color=color))


@cli.command()
@click.option("--vacuum", is_flag=True,
              help="Also rewrite the file without its free pages (VACUUM; needs free disk "
                   "space about the archive's size).")
@db_option
def maintain(vacuum: bool, db: str) -> None:
    """Tidy the archive after large crawls: merge the full-text index (FTS optimize), count
    the articles of each common word (for ranking), update SQLite's planner statistics
    (PRAGMA optimize), empty the write-ahead log; --vacuum also
    gives free pages back to the disk. Changes no article. Refused while a crawl runs.

    \b
    Example:
      warta maintain --db warta.db --vacuum
    """
    from archive.maintain import maintain as run_maintain

    ctx = click.get_current_context()
    ctx.meta[ARCHIVE_META_KEY] = db
    if not Path(db).expanduser().exists():
        raise WartaError(f"no archive at {db}; point --db at an existing archive")
    report = run_maintain(db, vacuum=vacuum, echo=click.echo)
    click.echo(report.lines()[-1])


# --- serve (archive/serve/: Datasette with warta's plugin) ------------------------------------

@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the default serves this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port to listen on (0: any free port, printed at start).")
def serve(db: str, host: str, port: int) -> int:
    """Open the archive in a browser, read-only, on Datasette: a search page with facets
    and a chart over time, each article as it reads (with its versions' diff), every table
    and query as Datasette shows them (with their JSON and CSV). A crawl may write the
    archive meanwhile: the pages show what it has committed, and neither waits for the other.

    \b
    Example:
      warta serve --db warta-demo.db      # then open http://127.0.0.1:8001/
    """
    from archive.health import check_intact
    from archive.serve import check_path
    from archive.serve import serve as run_server

    check_path(db)
    with open_archive(db) as archive:
        check_intact(archive)
    try:
        run_server(db, host=host, port=port, echo=lambda line: click.echo(line, err=
                   line.startswith("Warning")))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return 0


@cli.command()
@click.argument("shards", nargs=-1, required=True, metavar="SHARD...")
@count_option("--batch", default=2000, show_default=True,
              help="Shard articles per transaction (an interrupted merge keeps every batch "
                   "it committed).")
@db_option
def merge(shards: tuple[str, ...], batch: int, db: str) -> None:
    """Merge archive shards (the archives each node of a cluster wrote) into the archive at
    --db (created when missing). A SHARD is a file path or an http(s):// URL it is fetched
    from; it is read only, never changed. The same article (its uid) is kept once, with the
    versions of both archives in the order they were stored; merging a shard again changes
    nothing, and a merge that was killed is finished by running it again.

    \b
    Example:
      warta merge shards/node1.db shards/node2.db --db warta.db
    """
    from archive.merge import merge as merge_shards

    ctx = click.get_current_context()
    ctx.meta[ARCHIVE_META_KEY] = db
    for result in merge_shards(db, list(shards), batch=batch,
                               progress=lambda line: click.echo(line, err=True)):
        click.echo(f"{result.shard}: {result.articles_new:,} new, {result.articles_updated:,} "
                   f"updated, {result.articles_same:,} unchanged articles; "
                   f"{result.crawls_new:,} new crawls"
                   + (f"; {result.articles_refused:,} left out (their URL is archived under "
                      "another uid: not written by warta?)" if result.articles_refused else ""))


def run(group: click.Group, argv: list[str] | None = None) -> int:
    """Run the `warta` command and return its exit status; every error a user can act on
    becomes one `Error: ...` line on stderr, never a traceback.

    Exit statuses: 0 success, 1 a WartaError, 2 a usage error (bad option or value), 74 the
    archive file could not be read or written (`ArchiveFileError`: damaged, full), 130
    interrupted (Ctrl-C). When the reader of the output goes away (`warta search x | head -1`),
    click itself ends quietly with status 1.
    """
    try:
        result = group.main(args=argv, prog_name="warta", standalone_mode=False)
    except WartaError as exc:
        click.echo(f"Error: {formatting.terminal_safe(str(exc), multiline=False)}", err=True)
        return exc.exit_code
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        click.echo(f"Error: {exc.format_message()}{hint}", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("Error: interrupted", err=True)
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    raise SystemExit(run(cli, None))


# `warta clusters` lives beside its printing; importing it registers it on `cli`.
from archive import clustercommands as _clustercommands  # noqa: E402, F401
