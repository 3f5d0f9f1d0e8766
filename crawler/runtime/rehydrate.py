"""`warta rehydrate LIST --db PATH`: crawl exactly the articles of a URL list into an archive.

A team that may not receive the text of a corpus receives its URL list instead (`warta export
--urls-only`, with its dataset card) and rebuilds the articles from the outlets themselves.
The crawl is the normal one: the `news` spider in listed mode (its `urls` argument: no
discovery, no related links), Scrapy's engine with robots.txt, AutoThrottle and retries, the
normalize/validate/dedupe/archive pipelines, a `crawls` record. Then every listed URL is
looked up in the archive and what could not be fetched is reported with its reason.

    LIST   a urls-only export (JSON lines, CSV, Parquet file or partitioned folder; `.gz`
           allowed for JSON lines and CSV), or a plain list: one URL per line (its first
           word), `#` comments and blank lines skipped.

Which profile reads a URL: the outlet named in its `source` column when the profiles
(bundled, `--sites-dir`) have it; for a plain list, the profile that owns the URL's host.
Otherwise a minimal profile is derived from the host (`FALLBACK_TIMEZONE`; name, homepage and
zone taken from the target archive's `sources` when it knows the outlet), and the generic
extraction reads the pages. A profile whose domains do not include a listed URL's host (the
outlet moved) is widened to it for this run.

What could not be fetched is told per URL (`HTTP 404`, `forbidden by robots.txt`,
`connection_refused: ...`, `fetched, but no article was read from the page`, ...): the
`RehydrateLedger` downloader middleware (`crawler/middlewares/rehydrateledger.py`) follows
each listed article's request to its last response or failure, and the items scraped, and
leaves what went wrong in the stats (`rehydrate/failed`). `--failed FILE` writes those URLs as
a list `warta rehydrate` takes again.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from archive import Archive, UsageError, WartaError, article_uid
from crawler.middlewares.rehydrateledger import LEDGER_PRIORITY, RehydrateLedger
from crawler.runtime.runner import CrawlSummary, crawl_settings, run_crawl
from crawler.sites import KEY_RE, SiteProfile, load_profiles, parse_profile
from crawler.urls import canonical_url

FALLBACK_TIMEZONE = "Asia/Jakarta"
"""Zone of a profile derived from a URL's host, used for times a page shows without one:
WIB, the zone of most Indonesian outlets and the one `warta extract` assumes without `--site`.
A WITA or WIT outlet needs its profile (`--sites-dir`) for such times to be right."""

REPORT_MAX_URLS = 20
"""URLs that could not be fetched printed one per line; the rest are counted (`--failed FILE`
lists them all)."""

LIST_COLUMNS = ("uid", "url", "source", "published_at", "published_precision", "title")
"""The columns of a urls-only export, kept in a `--failed` list (with `reason`)."""

NOT_REQUESTED = "not fetched: the crawl ended before it"


# --- the list ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Listed:
    """One URL of the list, with what the list said about it."""

    url: str
    source: str | None
    line: int
    """Where it is in the list: 1-based line (text formats) or row (Parquet)."""
    row: Mapping[str, Any]


def _opener(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def list_format(path: Path) -> str:
    """jsonl, csv, parquet or text, by the name (a folder is a partitioned Parquet export)."""
    if path.is_dir():
        return "parquet"
    name = path.name.lower().removesuffix(".gz")
    for suffix, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"),
                        (".csv", "csv"), (".parquet", "parquet"), (".pq", "parquet")):
        if name.endswith(suffix):
            return fmt
    return "text"


def _rows(path: Path, fmt: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line or row number, row) of every entry of the list."""
    if fmt == "parquet":
        import pyarrow.dataset as ds

        dataset = ds.dataset(path, format="parquet", partitioning="hive")
        missing = "url" not in dataset.schema.names
        if missing:
            raise UsageError(f"{path}: no 'url' column (columns: "
                             f"{', '.join(dataset.schema.names)}); give a urls-only export")
        wanted = [c for c in LIST_COLUMNS if c in dataset.schema.names]
        number = 0
        for batch in dataset.to_batches(columns=wanted):
            for row in batch.to_pylist():
                number += 1
                if row.get("published_at") is not None:
                    row["published_at"] = row["published_at"].isoformat()
                yield number, row
        return
    with _opener(path) as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "url" not in reader.fieldnames:
                shown = ", ".join(reader.fieldnames or []) or "none"
                raise UsageError(f"{path}: no 'url' column in the CSV header (columns: {shown}); "
                                 "give a urls-only export or a plain list of URLs")
            for row in reader:
                yield reader.line_num, row
        elif fmt == "jsonl":
            for number, text in enumerate(handle, 1):
                if not text.strip():
                    continue
                try:
                    row = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise UsageError(f"{path}:{number}: not a JSON object ({exc.msg}); each "
                                     "line of a JSON lines list is one object with a url") from None
                if not isinstance(row, dict):
                    raise UsageError(f"{path}:{number}: not a JSON object with a url")
                yield number, row
        else:
            for number, text in enumerate(handle, 1):
                words = text.split()
                if words and not words[0].startswith("#"):
                    yield number, {"url": words[0]}


def read_list(path: str | Path) -> list[Listed]:
    """The URLs of a list, each once (first occurrence), checked: an http(s) URL with a host,
    and when the list gives a uid, the uid of that URL (a list edited by hand says so)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise UsageError(f"LIST: {path} does not exist; give a urls-only export "
                         "(warta export --urls-only) or a file with one URL per line")
    fmt = list_format(path)
    found: dict[str, Listed] = {}
    try:
        for number, row in _rows(path, fmt):
            url = row.get("url")
            where = f"{path}:{number}"
            if not isinstance(url, str) or not url.strip():
                raise UsageError(f"{where}: no url; every entry needs one")
            url = url.strip()
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise UsageError(f"{where}: {url!r} is not an http(s) URL")
            uid = row.get("uid")
            if uid not in (None, "") and uid != article_uid(url):
                raise UsageError(f"{where}: uid {uid} is not the uid of {url} "
                                 f"({article_uid(url)}); was the list edited? Fix the URL or "
                                 "drop the uid")
            source = row.get("source")
            source = source.strip() if isinstance(source, str) and source.strip() else None
            found.setdefault(url, Listed(url=url, source=source, line=number, row=row))
    except (OSError, UnicodeDecodeError, csv.Error, EOFError, gzip.BadGzipFile) as exc:
        raise UsageError(f"LIST: cannot read {path} as {fmt} ({exc})") from None
    except Exception as exc:  # pyarrow's errors: a file that is not Parquet
        if type(exc).__module__.startswith("pyarrow"):
            raise UsageError(f"LIST: cannot read {path} as Parquet ({exc})") from None
        raise
    if not found:
        raise UsageError(f"LIST: {path} holds no URLs")
    return list(found.values())


# --- which profile reads which URL ------------------------------------------------------------

@dataclass
class Plan:
    """The crawl to run: the profiles, the URLs per outlet, and each listed URL's outlet and
    the canonical URL the spider asks for (the archive's key)."""

    profiles: dict[str, SiteProfile] = field(default_factory=dict)
    urls: dict[str, list[str]] = field(default_factory=dict)
    targets: dict[str, tuple[str, str]] = field(default_factory=dict)
    """listed URL -> (outlet key, canonical URL)."""
    notes: list[str] = field(default_factory=list)


def host_key(url: str) -> str:
    """An outlet key made from a URL's host: `www.niaga.asia` -> `niaga-asia`,
    `127.0.0.1:8080` -> `127-0-0-1-8080`."""
    netloc = urlsplit(url).netloc.lower().removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", netloc).strip("-")[:64] or "unknown"


def fallback_profile(key: str, url: str, known: Mapping[str, Any] | None = None) -> SiteProfile:
    """A minimal profile for an outlet warta has no profile of: its homepage is the URL's
    scheme and host; name, homepage and zone come from the archive's `sources` row `known`
    when there is one."""
    parts = urlsplit(url)
    homepage = f"{parts.scheme}://{parts.netloc}/"
    data: dict[str, Any] = {"name": parts.netloc, "homepage": homepage,
                            "timezone": FALLBACK_TIMEZONE}
    if known:
        data["name"] = known.get("name") or data["name"]
        data["timezone"] = known.get("timezone") or data["timezone"]
        home = known.get("homepage")
        if home and urlsplit(home).netloc == parts.netloc:
            data["homepage"] = home
    profile = parse_profile(key, data, f"<profile derived from {parts.netloc}>")
    if not profile.owns(url):  # a homepage on www. for a URL on another subdomain
        profile = dataclasses.replace(profile, allowed_domains=(parts.netloc,))
    return profile


def plan(listed: Sequence[Listed], *, sites_dir: str | None = None,
         known_sources: Mapping[str, Mapping[str, Any]] | None = None) -> Plan:
    """Choose a profile for every listed URL (see the module docstring)."""
    profiles = load_profiles(sites_dir)
    known = known_sources or {}
    result = Plan()
    derived: set[str] = set()
    widened: set[str] = set()
    for item in listed:
        key = item.source if item.source and KEY_RE.match(item.source) else None
        profile: SiteProfile | None = result.profiles.get(key) if key else None
        if profile is None and key and key in profiles:
            profile = profiles[key]
        if profile is None and key is None:
            owners = sorted((p for p in profiles.values() if p.owns(item.url)),
                            key=lambda p: p.key)
            if owners:
                profile = owners[0]
            else:
                key = host_key(item.url)
                profile = result.profiles.get(key)
        if profile is None:
            assert key is not None
            profile = fallback_profile(key, item.url, known.get(key))
            derived.add(key)
        if not profile.owns(item.url):
            host = urlsplit(item.url).netloc.lower()
            profile = dataclasses.replace(profile, allowed_domains=(*profile.domains, host))
            widened.add(f"{profile.key} ({host})")
        result.profiles[profile.key] = profile
        result.urls.setdefault(profile.key, []).append(item.url)
        target = canonical_url(item.url, owns=profile.owns,
                               home_host=profile.home_host)
        result.targets[item.url] = (profile.key, target)
    if derived:
        result.notes.append("no profile for " + ", ".join(sorted(derived)) + ": read with a "
                            f"profile derived from the URL's host ({FALLBACK_TIMEZONE} for "
                            "times shown without a zone); give --sites-dir for better fields")
    if widened:
        result.notes.append("listed URLs on hosts their profile does not name: "
                            + ", ".join(sorted(widened)))
    return result


# --- following each request -------------------------------------------------------------------

# --- the run ----------------------------------------------------------------------------------

@dataclass
class Outcome:
    listed: Listed
    source: str
    target: str
    archived_as: str | None = None
    reason: str | None = None


@dataclass
class RehydrateReport:
    """What a rehydrate run did: the crawl's summary, every listed URL's outcome."""

    summary: CrawlSummary
    outcomes: list[Outcome]
    already: int
    """Listed URLs that were in the archive before the run."""
    notes: list[str]
    failed_file: Path | None = None

    @property
    def archived(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.reason is None]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.reason is not None]

    def format(self) -> str:
        """The lines `warta rehydrate` prints after the crawl's table."""
        db = self.summary.db
        total = len(self.outcomes)
        already = f" ({self.already:,} were in it already)" if self.already else ""
        if not self.failed:
            lines = [f"Rehydrated all {total:,} listed URLs into {db}{already}."]
        else:
            lines = [f"Rehydrated {len(self.archived):,} of {total:,} listed URLs into "
                     f"{db}{already}; {len(self.failed):,} could not be fetched:"]
            for outcome in self.failed[:REPORT_MAX_URLS]:
                lines.append(f"  {outcome.listed.url}  ({outcome.reason})")
            if len(self.failed) > REPORT_MAX_URLS:
                lines.append(f"  ... and {len(self.failed) - REPORT_MAX_URLS:,} more"
                             + ("" if self.failed_file else " (--failed FILE lists them all)"))
        moved = [o for o in self.archived if o.archived_as]
        if moved:
            lines.append(f"{len(moved):,} listed URL{'' if len(moved) == 1 else 's'} archived "
                         "under the canonical URL the page declares now (e.g. "
                         f"{moved[0].listed.url} -> {moved[0].archived_as}).")
        if self.failed_file is not None:
            lines.append(f"Wrote the {len(self.failed):,} URLs that could not be fetched to "
                         f"{self.failed_file} (`warta rehydrate {self.failed_file}` tries them "
                         "again).")
        return "\n".join(lines)


def ledger_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """warta's downloader middlewares with the ledger added (a DOWNLOADER_MIDDLEWARES
    override replaces the whole dict, so the project's own are carried over)."""
    middlewares = dict(crawl_settings(overrides).getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares[f"{RehydrateLedger.__module__}.RehydrateLedger"] = LEDGER_PRIORITY
    return {"DOWNLOADER_MIDDLEWARES": middlewares}


def _archived(db: str, urls: Sequence[str]) -> set[str]:
    path = Path(db).expanduser()
    if not path.exists():
        return set()
    with Archive(path, create=False) as archive:
        return set(archive.article_dates(urls))


def _known_sources(db: str) -> dict[str, dict[str, Any]]:
    path = Path(db).expanduser()
    if not path.exists():
        return {}
    with Archive(path, create=False) as archive:
        return {row["key"]: row for row in archive.sources()}


def check_failed_path(path: str | Path) -> Path:
    """Refuse a --failed path that cannot be written before crawling anything."""
    out = Path(path).expanduser()
    if out.is_dir():
        raise UsageError(f"--failed: {out} is a folder; give a file name such as "
                         f"{out / 'failed.csv'}")
    if not out.parent.is_dir():
        raise UsageError(f"--failed: the folder {out.parent} does not exist; create it first")
    return out


def write_failed(path: Path, failed: Sequence[Outcome]) -> None:
    """The URLs that could not be fetched, as a list `warta rehydrate` reads: JSON lines or
    CSV (the urls-only columns and `reason`) by the name, else `URL<TAB>reason` lines."""
    fmt = list_format(path)
    rows = [{**{c: o.listed.row.get(c) for c in LIST_COLUMNS}, "url": o.listed.url,
             "source": o.listed.source or o.source, "reason": o.reason} for o in failed]
    part = path.with_name(f".{path.name}.part")
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(part, "wt", encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer = csv.DictWriter(handle, fieldnames=[*LIST_COLUMNS, "reason"])
            writer.writeheader()
            writer.writerows(rows)
        elif fmt == "text":
            for row in rows:
                handle.write(f"{row['url']}\t{row['reason']}\n")
        else:
            raise UsageError(f"--failed: write the list as .jsonl, .csv or .txt, not {fmt}")
    part.replace(path)


def rehydrate(url_list: str | Path, *, db: str | Path, sites_dir: str | None = None,
              settings: Mapping[str, Any] | None = None, progress: bool | None = None,
              failed_out: str | Path | None = None) -> RehydrateReport:
    """Crawl the articles of `url_list` into the archive at `db`; see the module docstring.
    Raises UsageError/WartaError before crawling for a bad list, path or option."""
    failed_path = check_failed_path(failed_out) if failed_out is not None else None
    if failed_path is not None and list_format(failed_path) == "parquet":
        raise UsageError("--failed: write the list as .jsonl, .csv or .txt, not Parquet")
    listed = read_list(url_list)
    db_path = str(Path(db).expanduser())
    work = plan(listed, sites_dir=sites_dir, known_sources=_known_sources(db_path))
    targets = [target for _, target in work.targets.values()]
    before = _archived(db_path, targets)
    overrides = dict(settings or {})
    if sites_dir:
        overrides.setdefault("WARTA_SITES_DIR", sites_dir)
    overrides.update(ledger_settings(overrides))
    summary = run_crawl(list(work.profiles.values()), db=db_path, settings=overrides,
                        progress=progress, urls=work.urls, resume=False)
    failed_stat = summary.stats.get("rehydrate/failed") or {}
    moved_stat = summary.stats.get("rehydrate/archived_as") or {}
    after = _archived(db_path, [*targets, *moved_stat.values()])
    outcomes: list[Outcome] = []
    for item in listed:
        key, target = work.targets[item.url]
        outcome = Outcome(listed=item, source=key, target=target)
        if target in after:
            pass
        elif moved_stat.get(target) in after:
            outcome.archived_as = moved_stat[target]
        else:
            outcome.reason = failed_stat.get(target, NOT_REQUESTED)
        outcomes.append(outcome)
    report = RehydrateReport(summary=summary, outcomes=outcomes,
                             already=sum(1 for t in set(targets) if t in before),
                             notes=work.notes)
    if failed_path is not None:
        try:
            write_failed(failed_path, report.failed)
        except OSError as exc:
            raise WartaError(f"--failed: cannot write {failed_path} ({exc.strerror})") from None
        report.failed_file = failed_path
    return report
