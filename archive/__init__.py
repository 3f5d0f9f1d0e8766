"""warta's archive: a searchable SQLite store of news articles, usable without Scrapy.

    from archive import Archive
    with Archive("warta.db") as archive:
        archive.write([{"url": ..., "source": "kaltimpost", "title": ..., "body": ...}])
        archive.search("stunting sanitasi", source="kaltimpost", since="2023-01-01")

See `archive.store.Archive` for the API and `docs/architecture.md` for the design.

The names below are the whole of what the crawler (`crawler/`) uses: it imports nothing else
from `archive`. The command line (`archive.commands`: `cli`, `db_option`, `run`,
`EXIT_INTERRUPTED`), which the crawler extends with its own commands, the health checks and
`formatting` are imported on first use, and so are the store (`Archive`, `WriteResult`) and
the captures' helpers: `import archive` (every extraction worker pays it, for `canonical_url`
and `signoff_codes`) then loads neither `archive.store` nor `archive.query` nor
`archive.captures` (~50 ms of a worker's ~0.2 s start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveFileError, UsageError, WartaError
from archive.instants import DATE, DateBound, now_utc, parse_date_bound
from archive.records import PUBLISHED_PRECISIONS, article_uid, content_hash, signoff_codes
from archive.urls import (
    AMP_PARAMS,
    PAGE_PARAMS,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    canonical_url,
    fold_variants,
    normalize_url,
    page_number,
    strip_tracking,
)
from archive.version import __version__

if TYPE_CHECKING:
    from archive import formatting
    from archive.captures import (
        COMPARED_FIELDS,
        CapturedArticle,
        CaptureRef,
        capture_dir,
        captured_articles,
        captured_sources,
        changed_fields,
        iter_captured_articles,
        last_capture,
        note_reads,
    )
    from archive.commands import EXIT_INTERRUPTED, cli, db_option, run
    from archive.health import (
        ARCHIVE_ERROR,
        EXIT_WARNING,
        UNJUDGED_REASONS,
        site_health,
        warnings_of,
    )
    from archive.store import DEFAULT_DB, SITE_FIGURES, Archive, WriteResult

#: Names imported when first asked for, by module: the store and the captures, the command
#: line, and the health checks and output formatting the crawl and the commands use (none of
#: them an extraction worker's).
_LAZY = {name: module for module, names in (
    ("archive.store", ("Archive", "WriteResult", "DEFAULT_DB", "SITE_FIGURES")),
    ("archive.captures", ("COMPARED_FIELDS", "CapturedArticle", "CaptureRef", "capture_dir",
                          "captured_articles", "captured_sources", "changed_fields",
                          "iter_captured_articles", "last_capture", "note_reads")),
    ("archive.commands", ("EXIT_INTERRUPTED", "cli", "db_option", "run")),
    ("archive.health", ("ARCHIVE_ERROR", "EXIT_WARNING", "UNJUDGED_REASONS", "site_health",
                        "warnings_of")),
) for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(module), name)
    if name == "formatting":
        import importlib

        return importlib.import_module("archive.formatting")
    raise AttributeError(f"module 'archive' has no attribute {name!r}")


__all__ = [
    "AMP_PARAMS",
    "ARCHIVE_ERROR",
    "COMPARED_FIELDS",
    "DATE",
    "DEFAULT_DB",
    "EXIT_INTERRUPTED",
    "EXIT_WARNING",
    "PAGE_PARAMS",
    "PUBLISHED_PRECISIONS",
    "SITE_FIGURES",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "UNJUDGED_REASONS",
    "Archive",
    "ArchiveFileError",
    "CaptureRef",
    "CapturedArticle",
    "DateBound",
    "UsageError",
    "WartaError",
    "WriteResult",
    "__version__",
    "article_uid",
    "canonical_url",
    "capture_dir",
    "captured_articles",
    "captured_sources",
    "changed_fields",
    "cli",
    "content_hash",
    "db_option",
    "fold_variants",
    "formatting",
    "iter_captured_articles",
    "last_capture",
    "normalize_url",
    "note_reads",
    "now_utc",
    "page_number",
    "parse_date_bound",
    "run",
    "signoff_codes",
    "site_health",
    "strip_tracking",
    "warnings_of",
]
