"""`warta extract`: what warta reads from saved pages, as JSON (the command is a thin wrapper
around `cli_extract`).

One page: `warta extract FILE.html --url URL [--site KEY]` prints the result of
`extract_article` as indented JSON. Many pages: `warta extract --batch LIST` reads
`FILE<TAB>URL` lines (`-` for stdin; blank lines and `#` comments skipped; a relative FILE
is looked for in the current folder, then in LIST's folder) and prints one compact JSON
object per page, each with its `file`. In a batch a bad line or an unreadable file is
reported as one `Error: ...` line on stderr naming it, the other pages are still read, and
the exit status is 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from archive import UsageError, WartaError
from crawler.extract.core import extract_article
from crawler.sites import SiteProfile, get_profile

EXIT_SOME_FAILED = 1
"""Exit status of a batch in which at least one page could not be read."""

MAX_PAGE_BYTES = 50 * 1024 * 1024
"""Saved pages larger than this are refused: real article pages are under 2 MB, and a file
this big is a dump or a mistake that would hold the whole batch up."""


def parse_fetched_at(value: str | None) -> datetime | None:
    """`--fetched-at` (ISO 8601; a value without offset is read as UTC)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"--fetched-at {value!r} is not an ISO 8601 time (e.g. 2023-05-24T08:00:00+08:00)"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _read_page(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise WartaError(f"{path}: {size:,} bytes is larger than a saved page can be "
                             f"({MAX_PAGE_BYTES // (1024 * 1024)} MB); check the file")
        return path.read_bytes()
    except FileNotFoundError:
        raise WartaError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise WartaError(f"{path}: is a folder, not a saved page") from None
    except OSError as exc:
        raise WartaError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _check_url(url: str, where: str) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")) or len(url) < len("http://x"):
        raise UsageError(f"{where}: the URL must start with http:// or https://, got {url!r}")
    return url


def _profile(site: str | None, sites_dir: str | None) -> SiteProfile | None:
    if site is None:
        return None
    return get_profile(site, sites_dir)  # its selectors were checked when it loaded


def _batch_lines(batch: str, stdin: TextIO) -> Iterator[tuple[int, str, Path]]:
    """`(line number, line, base folder)` for each non-blank, non-comment LIST line."""
    if batch == "-":
        base = Path.cwd()
        lines: Iterator[str] = iter(stdin)
    else:
        path = Path(batch)
        try:
            handle = path.open(encoding="utf-8")
        except FileNotFoundError:
            raise WartaError(f"{batch}: no such batch list") from None
        except OSError as exc:
            raise WartaError(f"{batch}: cannot be read ({exc.strerror or exc})") from None
        base = path.parent
        lines = iter(handle)
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if text.strip() and not text.lstrip().startswith("#"):
            yield number, text, base


def cli_extract(
    file: str | None,
    url: str | None,
    *,
    site: str | None = None,
    sites_dir: str | None = None,
    batch: str | None = None,
    fetched_at: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run `warta extract` (see module doc); returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    when = parse_fetched_at(fetched_at)
    if batch is not None and file is not None:
        raise UsageError("give either FILE (with --url) or --batch LIST, not both")
    if batch is None:
        if file is None:
            raise UsageError("give a saved page FILE with --url URL, or --batch LIST")
        if url is None:
            raise UsageError("--url is required with FILE: it decides the canonical URL and "
                             "which links belong to the same outlet")
        profile = _profile(site, sites_dir)
        page_url = _check_url(url, "--url")
        result = extract_article(_read_page(Path(file)), page_url, profile=profile,
                                 fetched_at=when)
        out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return 0
    if url is not None:
        raise UsageError("--url goes with FILE; in a batch each LIST line holds FILE<TAB>URL")
    profile = _profile(site, sites_dir)
    failed = 0
    label = "stdin" if batch == "-" else batch
    for number, line, base in _batch_lines(batch, stdin or sys.stdin):
        name, tab, line_url = line.partition("\t")
        try:
            if not tab or not name.strip() or not line_url.strip():
                raise UsageError(f"{label} line {number}: expected FILE<TAB>URL, got {line!r}")
            page_url = _check_url(line_url, f"{label} line {number}")
            path = Path(name.strip())
            if not path.is_absolute() and not path.exists():
                if not (base / path).exists():
                    raise WartaError(f"{label} line {number}: {name.strip()}: no such file")
                path = base / path
            result = extract_article(_read_page(path), page_url, profile=profile,
                                     fetched_at=when)
        except WartaError as exc:
            failed += 1
            err.write(f"Error: {exc}\n")
            err.flush()
            continue
        record: dict[str, Any] = {"file": name.strip(), **result}
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return EXIT_SOME_FAILED if failed else 0
