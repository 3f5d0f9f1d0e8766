"""sqlite-utils' view of an archive connection, for reading.

Reads that return rows as dicts (exports, dataset cards, counts, stats, the source and crawl
listings) go through `database(conn).query(sql, params)`, which streams lazily. Writes stay on
plain `sqlite3` inside `Archive.write`'s one transaction per batch: the content-hash compare,
versions and link upserts are set-based SQL there, and `bench/ingest.py` showed per-row table
helpers costing a large share of the ingest rate.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


def database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """Wrap an open archive connection. No plugins and no `recursive_triggers` pragma: the
    connection is the archive's and must stay as the archive configured it.

    Imported here, not at module level: sqlite-utils imports pandas and numpy when they are
    installed (about 0.3 s), which every `warta` command would otherwise pay at start-up."""
    import sqlite_utils

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
