"""The `warta` command: the archive's commands (search, show, stats, export, ...) from
`archive.commands`, plus the crawler's own (sites, crawl, extract, demo) added here.

Each command is thin: it parses options and calls one function in `archive/` or `crawler/`.
"""

from __future__ import annotations

import shlex
from typing import Any

import click

from archive import (
    DATE,
    EXIT_INTERRUPTED,
    EXIT_WARNING,
    ArchiveFileError,
    DateBound,
    cli,
    db_option,
    formatting,
    run,
)

# --- sites, crawl, demo (crawler/runtime/runner.py does the work) ----------------------------

EXIT_CRAWL_FAILED = 1
"""`warta crawl` exit status when the crawl did not finish normally (see the summary line)."""


def _archive_failed(summary: Any) -> None:
    """A crawl stopped because its archive could not be written: its one line, as the error
    of the command (`ArchiveFileError`: exit status 74)."""
    if summary.archive_error:
        raise ArchiveFileError(summary.archive_error)


def sites_dir_option(func: Any) -> Any:
    """`--sites-dir DIR` (also $WARTA_SITES_DIR): a folder of extra outlet profiles."""
    return click.option(
        "--sites-dir", "sites_dir", metavar="DIR", envvar="WARTA_SITES_DIR", show_envvar=True,
        type=click.Path(file_okay=False), default=None,
        help="A folder of KEY.toml outlet profiles, read after the bundled ones.")(func)


def _setting(text: str) -> tuple[str, str]:
    name, found, value = text.partition("=")
    if not found or not name.strip():
        raise click.BadParameter(f"expected NAME=VALUE, got {text!r}", param_hint="'-s'")
    return name.strip(), value


@cli.command()
@sites_dir_option
@click.option("--check", "check", metavar="KEY|FILE",
              help="Check one outlet (a profile key, or a profile file) before scheduling it: "
                   "which discovery paths exist and what they reach, and which fields a sample "
                   "of its articles gives.")
@click.option("--sample", type=click.IntRange(min=1, max=100), default=10, show_default=True,
              help="With --check: articles read.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="With --check: a Scrapy or WARTA_ setting; repeatable.")
def sites(sites_dir: str | None, check: str | None, sample: int,
          overrides: tuple[str, ...]) -> int:
    """List the outlet profiles: key, name, homepage, time zone, region, and whether the
    profile has been checked against the live site. With --check, read one outlet for a
    minute (robots.txt obeyed, nothing archived) and say what warta finds there.

    \b
    Examples:
      warta sites --sites-dir ~/warta-sites
      warta sites --check beritabontang --sites-dir ~/warta-sites
      warta sites --check ~/warta-sites/beritabontang.toml
    """
    from crawler.sites import load_profiles

    if check is not None:
        return _check_site(check, sites_dir, sample, overrides)
    profiles = load_profiles(sites_dir)
    rows = [(p.key, p.name, p.homepage, p.timezone, p.region.label() or "",
             "yes" if p.checked else "no") for p in sorted(profiles.values(), key=lambda p: p.key)]
    for line in formatting.table(("key", "name", "homepage", "timezone", "region", "checked"),
                                 rows):
        click.echo(line)
    return 0


def _check_site(check: str, sites_dir: str | None, sample: int,
                overrides: tuple[str, ...]) -> int:
    """`warta sites --check`: a profile key or file, surveyed (crawler/runtime/sitecheck.py)."""
    from pathlib import Path

    from crawler.runtime.sitecheck import check_site
    from crawler.sites import get_profile, load_profile

    path = Path(check).expanduser()
    if check.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise click.UsageError(f"--check: no profile file {check} (give a KEY from "
                                   "`warta sites`, or the path of a KEY.toml file)")
        profile = load_profile(path)
    else:
        profile = get_profile(check, sites_dir)
    settings = dict(_setting(text) for text in overrides)
    report = check_site(profile, sample=sample, settings=settings)
    for line in report.lines():
        click.echo(line)
    return 0


@cli.command()
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@click.option("--all", "all_sites", is_flag=True, help="Crawl every profile.")
@click.option("--since", type=DATE, help="Only articles published from this date: YYYY-MM-DD "
              "(midnight in the outlet's zone) or ISO 8601 with offset.")
@click.option("--max-articles", type=click.IntRange(min=0), default=0, show_default=True,
              help="At most N articles per outlet (0: no limit).")
@db_option
@sites_dir_option
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy or WARTA_ setting for this run; repeatable "
                   "(e.g. -s DOWNLOAD_DELAY=2).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
              default="WARNING", show_default=True,
              help="Log detail on stderr (WARNING: one line per URL that failed).")
@click.option("--progress/--no-progress", default=None,
              help="The live progress line (default: on when stderr is a terminal).")
@click.option("--refresh", type=click.Choice(["due", "all", "none"]), default=None,
              help="Which archived articles to check again for edits, conditionally: due "
                   "(default: 1 h, 6 h, 24 h and 72 h after publication, see "
                   "WARTA_REFRESH_HOURS), all, or none (only those a sitemap or feed says "
                   "changed).")
@click.option("--refresh-days", type=click.FloatRange(min=0), default=None, metavar="N",
              help="Also check again, every run, archived articles published in the last N "
                   "days (default 0: the schedule alone).")
@click.option("--fresh", is_flag=True,
              help="Start over instead of resuming an unfinished crawl of the same sites.")
@click.option("--wait", is_flag=True,
              help="When another crawl holds the archive's lock, wait for it instead of "
                   "exiting with status 75.")
@click.option("--fail-on-warning", is_flag=True,
              help="Exit with status 3 when an outlet has a health warning (see `warta "
                   "health`).")
@click.option("--capture/--no-capture", default=None,
              help="Keep every article page as fetched in WARC files beside the archive "
                   "(default: on; WARTA_CAPTURE).")
def crawl(keys: tuple[str, ...], all_sites: bool, since: DateBound | None, max_articles: int,
          db: str, sites_dir: str | None, overrides: tuple[str, ...], log_level: str,
          progress: bool | None, refresh: str | None, refresh_days: float | None, fresh: bool,
          wait: bool, fail_on_warning: bool, capture: bool | None) -> int:
    """Crawl outlets into the archive: robots.txt, sitemaps, feeds, listings and related
    links, politely (robots.txt obeyed, AutoThrottle, a few requests at a time per site).
    A live line shows progress on a terminal; a table per outlet closes the run.

    Made to run from cron or a systemd timer: archived articles are not fetched again (except
    changed ones and those due for a check, asked for conditionally); an interrupted crawl is
    resumed by the same command; one crawl at a time per archive (exit status 75 when another
    holds the lock); every run is recorded (`warta crawls`) and each outlet checked (`warta
    health`).

    \b
    Examples:
      warta crawl kaltimpost tribunkaltim --since 2024-01-01
      warta crawl --all --max-articles 200 --db kaltim.db
      warta crawl --all --db /srv/warta/kaltim.db --wait --fail-on-warning
      warta crawl --all --db kaltim.db --refresh all
    """
    from crawler.runtime.runner import run_crawl
    from crawler.sites import select_profiles

    profiles = select_profiles(keys, all_sites=all_sites, sites_dir=sites_dir)
    settings: dict[str, Any] = {"LOG_LEVEL": log_level}
    if sites_dir:
        settings["WARTA_SITES_DIR"] = sites_dir
    settings.update(_setting(text) for text in overrides)
    if refresh is not None:
        settings["WARTA_REFRESH"] = refresh
    if capture is not None:
        settings["WARTA_CAPTURE"] = capture
    summary = run_crawl(profiles, db=db, since=since, max_articles=max_articles,
                        settings=settings, progress=progress, refresh_days=refresh_days,
                        fresh=fresh, wait=wait)
    click.echo(summary.format())
    for message in summary.warnings:
        click.echo(f"Warning: {message}", err=True)
    _archive_failed(summary)
    if summary.finish_reason == "shutdown":  # Ctrl-C: Scrapy stopped the crawl cleanly
        return EXIT_INTERRUPTED
    if not summary.ok:
        return EXIT_CRAWL_FAILED
    return EXIT_WARNING if fail_on_warning and summary.warnings else 0


@cli.command()
@click.option("--db", "db", metavar="PATH", default="warta-demo.db", show_default=True,
              help="Archive file to crawl the demo sites into.")
@click.option("--query", metavar="TEXT", default=None,
              help="The sample search to run at the end (default: a word from the demo).")
@click.option("--progress/--no-progress", default=None,
              help="The live progress line (default: on when stderr is a terminal).")
def demo(db: str, query: str | None, progress: bool | None) -> int:
    """Serve the bundled demo news sites on 127.0.0.1, crawl them all into an archive, print
    its stats and a sample search, then stop the server. Offline, in well under a minute.

    \b
    Example:
      warta demo && warta search "banjir samarinda" --db warta-demo.db
    """
    from crawler.demo.crawl import run_demo

    result = run_demo(db, query=query, progress=progress)
    if result.note:
        click.echo(f"Note: {result.note}", err=True)
    click.echo(result.summary.format())
    click.echo("")
    for line in formatting.stats_table(result.stats):
        click.echo(line)
    click.echo("")
    click.echo(f"Sample search: warta search {result.query!r} --db {db}")
    for line in formatting.search_table(result.results):
        click.echo(line)
    click.echo("")
    click.echo(f"Read it in a browser: warta serve --db {shlex.quote(db)}  "
               "(then open http://127.0.0.1:8001/)")
    return 0 if result.summary.ok else EXIT_CRAWL_FAILED

# --- end of sites, crawl, demo ------------------------------------------------------------------

# --- extract (crawler/extract/batch.py does the work) ----------------------------------------


@cli.command()
@click.argument("file", required=False, metavar="[FILE.html]", type=click.Path(dir_okay=False))
@click.option("--url", metavar="URL", help="The URL the page was fetched from (required with "
              "FILE): it decides the canonical URL and which links are the same outlet.")
@click.option("--site", metavar="KEY", help="Read the page with this outlet profile (time zone, "
              "selectors, domains).")
@sites_dir_option
@click.option("--batch", metavar="LIST", help="Read many pages: LIST holds FILE<TAB>URL lines "
              "('-' for stdin); prints one JSON object per line, each with its 'file'.")
@click.option("--fetched-at", "fetched_at", metavar="TIME", help="When the page was fetched "
              "(ISO 8601): anchors relative dates ('2 jam lalu') and missing years. "
              "Default: now.")
def extract(file: str | None, url: str | None, site: str | None, sites_dir: str | None,
            batch: str | None, fetched_at: str | None) -> int:
    """Print, as JSON, every field warta reads from saved article pages: title, dates (ISO
    8601 with offset, and as shown), authors, editor, dateline, sign-off, body, related
    headlines, and which extraction stage gave each field (provenance).

    \b
    Examples:
      warta extract page.html --url https://kaltimpost.jawapos.com/samarinda/2023/05/23/x
      warta extract page.html --url https://example.co.id/berita/1 --site kaltimpost
      printf 'a.html\\thttps://example.co.id/a\\n' | warta extract --batch -
    """
    from crawler.extract.batch import cli_extract

    return cli_extract(file, url, site=site, sites_dir=sites_dir, batch=batch,
                       fetched_at=fetched_at)

# --- end of extract ---------------------------------------------------------------------------

# --- rehydrate (crawler/runtime/rehydrate.py does the work) -----------------------------------


@cli.command()
@click.argument("url_list", metavar="LIST", type=click.Path(dir_okay=True))
@db_option
@sites_dir_option
@click.option("--failed", "failed_out", metavar="FILE",
              help="Also write the URLs that could not be fetched, with the reason, to FILE "
                   "(.jsonl, .csv, or one URL per line), to try them again later.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy or WARTA_ setting for this run; repeatable.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
              default="WARNING", show_default=True,
              help="Log detail on stderr (WARNING: one line per URL that failed).")
@click.option("--progress/--no-progress", default=None,
              help="The live progress line (default: on when stderr is a terminal).")
def rehydrate(url_list: str, db: str, sites_dir: str | None, failed_out: str | None,
              overrides: tuple[str, ...], log_level: str, progress: bool | None) -> int:
    """Crawl exactly the articles of a URL list into an archive, through the normal crawler
    (robots.txt, politeness, pipelines), and report what could not be fetched.

    LIST is a urls-only export (warta export --urls-only: JSON lines, CSV or Parquet) or a
    file with one URL per line. Each URL is read with its outlet's profile (the list's
    `source`, else the profile owning its host, else one derived from the host).

    \b
    Example:
      warta rehydrate kaltim-urls.csv --db rebuilt.db --sites-dir ~/warta-sites --failed gone.csv
    """
    from crawler.runtime.rehydrate import rehydrate as run_rehydrate

    settings: dict[str, Any] = {"LOG_LEVEL": log_level}
    settings.update(_setting(text) for text in overrides)
    report = run_rehydrate(url_list, db=db, sites_dir=sites_dir, settings=settings,
                           progress=progress, failed_out=failed_out)
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    click.echo(report.summary.format())
    click.echo(report.format())
    _archive_failed(report.summary)
    if report.summary.finish_reason == "shutdown":
        return EXIT_INTERRUPTED
    return 0 if report.summary.ok else EXIT_CRAWL_FAILED

# --- end of rehydrate -------------------------------------------------------------------------

# --- reextract (crawler/capture/reextract.py does the work) ---------------------------------


@cli.command()
@db_option
@click.option("--source", "sources", multiple=True, metavar="KEY",
              help="Only this outlet's articles (repeat or comma-separate).")
@click.option("--since", type=DATE, help="Only articles published from this date: "
              "YYYY-MM-DD or ISO 8601 with offset.")
@click.option("--changed-only", is_flag=True,
              help="Skip articles already read by this extractor (at their crawl or by an "
                   "earlier reextract).")
@click.option("--dry-run", is_flag=True, help="Only report what would change; store nothing.")
@click.option("--list", "list_changes", is_flag=True,
              help="Also print each changed article's URL and fields.")
@sites_dir_option
@click.option("--processes", type=click.IntRange(min=0), default=None, metavar="N",
              help="Worker processes reading pages (default: one per CPU, at most 4; 0: read "
                   "them in this process).")
def reextract(db: str, sources: tuple[str, ...], since: DateBound | None, changed_only: bool,
              dry_run: bool, list_changes: bool, sites_dir: str | None,
              processes: int | None) -> int:
    """Read the archive's WARC captures again through the current extractor, and store what
    changed as new versions (provenance `reextract` with the extractor version; the old
    text is kept as a version). Prints what changed by field.

    \b
    Examples:
      warta reextract --db kaltim.db --dry-run
      warta reextract --db kaltim.db --source kaltimpost --since 2024-01-01 --changed-only
    """
    from crawler.capture.reextract import reextract as run_reextract
    from crawler.sites import load_profiles

    profiles = load_profiles(sites_dir)
    keys = [key.strip() for text in sources for key in text.split(",") if key.strip()]
    report = run_reextract(db, profiles, sources=keys, since=since, changed_only=changed_only,
                           dry_run=dry_run, processes=processes)
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    for name, why in sorted(report.bad_files.items()):
        click.echo(f"Warning: capture {name} skipped: {why}", err=True)
    for name, reasons in sorted(report.bad_records.items()):
        click.echo(f"Warning: capture {name}: {len(reasons)} record(s) unreadable, skipped "
                   f"(first: {reasons[0]})", err=True)
    if list_changes:
        for url, fields in report.changes:
            click.echo(f"{url}\t{', '.join(fields)}")
    click.echo(report.format())
    return 0

# --- end of reextract -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point (`warta`)."""
    status = run(cli, argv)
    if argv is None:  # the process ends now (the `warta` program, not a call from Python)
        # The interpreter's last garbage collections would search every object Scrapy,
        # Twisted and lxml left for cycles: 80-140 ms, a tenth of an unchanged re-crawl.
        # Frozen objects are still freed; atexit handlers and stream flushes still run.
        import gc

        gc.freeze()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
