"""warta's archive: a searchable SQLite store of news articles, usable without Scrapy.

    from archive import Archive
    with Archive("warta.db") as archive:
        archive.write([{"url": ..., "source": "kaltimpost", "title": ..., "body": ...}])
        archive.search("stunting sanitasi", source="kaltimpost", since="2023-01-01")

See `archive.store.Archive` for the API and `docs/architecture.md` for the design.
"""

from archive.errors import UsageError, WartaError
from archive.records import article_uid, content_hash
from archive.store import Archive, WriteResult
from archive.version import __version__

__all__ = [
    "Archive",
    "UsageError",
    "WartaError",
    "WriteResult",
    "__version__",
    "article_uid",
    "content_hash",
]
