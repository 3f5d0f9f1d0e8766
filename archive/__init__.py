"""warta's archive: a searchable SQLite store of news articles, usable without Scrapy.

    from archive import Archive
    with Archive("warta.db") as archive:
        archive.write([{"url": ..., "source": "kaltimpost", "title": ..., "body": ...}])
        archive.search("stunting sanitasi", source="kaltimpost", since="2023-01-01")

See `archive.store.Archive` for the API and `docs/architecture.md` for the design.

The names below are the whole of what the crawler (`crawler/`) uses: it imports nothing else
from `archive`. The command line (`archive.commands`: `cli`, `db_option`, `run`,
`EXIT_INTERRUPTED`), which the crawler extends with its own commands, is imported on first
use, so that `import archive` (every extraction worker pays it) does not load every command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archive import formatting
from archive.errors import ArchiveFileError, UsageError, WartaError
from archive.health import (
    ARCHIVE_ERROR,
    EXIT_WARNING,
    UNJUDGED_REASONS,
    site_health,
    warnings_of,
)
from archive.instants import DATE, DateBound, now_utc, parse_date_bound
from archive.records import PUBLISHED_PRECISIONS, article_uid, content_hash
from archive.store import DEFAULT_DB, SITE_FIGURES, Archive, WriteResult
from archive.version import __version__

if TYPE_CHECKING:
    from archive.commands import EXIT_INTERRUPTED, cli, db_option, run

#: Names of `archive.commands`, imported when first asked for.
_COMMAND_LINE = frozenset({"EXIT_INTERRUPTED", "cli", "db_option", "run"})


def __getattr__(name: str) -> Any:
    if name in _COMMAND_LINE:
        import importlib

        return getattr(importlib.import_module("archive.commands"), name)
    raise AttributeError(f"module 'archive' has no attribute {name!r}")


__all__ = [
    "ARCHIVE_ERROR",
    "DATE",
    "DEFAULT_DB",
    "EXIT_INTERRUPTED",
    "EXIT_WARNING",
    "PUBLISHED_PRECISIONS",
    "SITE_FIGURES",
    "UNJUDGED_REASONS",
    "Archive",
    "ArchiveFileError",
    "DateBound",
    "UsageError",
    "WartaError",
    "WriteResult",
    "__version__",
    "article_uid",
    "cli",
    "content_hash",
    "db_option",
    "formatting",
    "now_utc",
    "parse_date_bound",
    "run",
    "site_health",
    "warnings_of",
]
