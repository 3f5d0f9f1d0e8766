"""The `Archive`: one SQLite file, opened safely, written in one transaction per batch.

Opening checks what the file is before touching it (not SQLite, not a warta archive, made by a
newer warta, read-only) and says so in one line. The file's header is read by SQLite itself,
never with plain file I/O: on Linux, closing *any* descriptor of a file drops every POSIX lock
the process holds on it, so reading 16 bytes with `open()` while this process had another
connection to the archive (the crawl's writer thread opens its own) silently removed SQLite's
locks, and a second writer then corrupted the file (issue 10). Writes take the write lock up front
(`BEGIN IMMEDIATE`), so a batch either lands whole or not at all, and readers (search, export,
stats) keep working from their own snapshot while a crawl writes (WAL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from archive import query as q
from archive.captures import CaptureRef, capture_dir, check_records, insert_captures, numbered
from archive.db import database
from archive.errors import ArchiveFileError, DamagedArchiveError, OlderSchemaError, WartaError
from archive.instants import now_utc, parse_instant, to_utc
from archive.records import ARTICLE_COLUMNS, Prepared, prepare
from archive.schema import APPLICATION_ID, SCHEMA_VERSION, migrate, user_version
from archive.stats import archive_stats
from archive.stems import (
    STEMS_PER_CRAWL,
    Stemmer,
    add_terms,
    fill_from_index,
    stem_pending,
    terms,
)
from archive.version import __version__

#: How long a writer waits for another writer's lock before giving up. A batch of 500 articles
#: commits in well under a second on a laptop; 30 s rides out a slow disk or a checkpoint
#: without leaving a crawl stuck for long when another process really holds the lock.
BUSY_TIMEOUT_MS = 30_000

#: Pages the write-ahead log holds before a commit copies them into the file (SQLite's
#: `wal_autocheckpoint`; its default, 1,000 pages, is 4 MB). A write of 500 articles changes
#: ~7,000 pages, many of them the same ones write after write (the related links' counters,
#: the full-text index's upper levels, the indexes' busiest leaves): with the default every
#: write copied all of its pages into the file, with 10,000 a page changed by consecutive
#: writes is copied once (bench/ingest.py at 300,000: 0.411 ms an article against 0.436).
#: The log then grows to about 40 MB between copies; 40,000 pages was no faster (0.437).
WAL_CHECKPOINT_PAGES = 10_000

#: SQLite page cache per connection (negative = KiB). 64 MiB keeps the FTS index's hot pages
#: in memory during large ingests (measured: +15% ingest rate over the 2 MiB default at 100k
#: articles) and is released when the archive is closed.
CACHE_KIB = 64 * 1024

#: The archive a command or a crawl uses when neither --db nor WARTA_DB says otherwise.
DEFAULT_DB = "warta.db"

#: Per-outlet figures of a crawl kept in `crawl_sites` (see `archive/schema.py`,
#: migrations 3, 5 and 12).
SITE_FIGURES = ("pages", "found", "skipped", "articles", "with_date", "with_body", "with_author",
                "new", "updated", "unchanged", "dropped", "errors", "body_short",
                "body_missing", "body_incomplete")

#: URLs per `IN (...)` lookup: far below SQLite's variable limit (32766), large enough that a
#: 500-article batch needs one query.
LOOKUP_CHUNK = 900

#: The smallest SQLite database that is not empty: one page of the smallest page size. A
#: shorter file that is not empty is not a SQLite database (SQLite itself would take it for an
#: empty one and write over it).
MIN_SQLITE_BYTES = 512

_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_IOERR,
                      sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN})
"""Primary result codes that are the state of the file, not of the statement."""


def _file_error(exc: sqlite3.DatabaseError) -> bool:
    """Whether a SQLite error is one of the file (damaged, full, ...) rather than of a record:
    a damaged file raises plain `DatabaseError` ("database disk image is malformed", "vtable
    constructor failed" for a damaged full-text index), a bad record `IntegrityError`."""
    return type(exc) is sqlite3.DatabaseError or ((exc.sqlite_errorcode or 0) & 0xFF) in _DAMAGED


MAKE_ONE = "make one with `warta crawl` or `warta demo`, or point --db at an existing archive"

_CONTENT_COLUMNS = ARTICLE_COLUMNS[1:]
_TITLE, _BODY = ARTICLE_COLUMNS.index("title"), ARTICLE_COLUMNS.index("body")
assert _BODY == _TITLE + 1  # everything but uid (a function of url)
#: A write's new and changed articles are staged in temporary tables of the writing
#: connection and moved into `articles` by one statement each (`Archive._write_staged`).
_NEW_TABLE, _CHANGED_TABLE = "warta_new_articles", "warta_changed_articles"
_NEW_COLUMNS = ("id", *ARTICLE_COLUMNS, "first_seen_at", "last_seen_at", "changed_at",
                "crawl_id")
_CHANGED_COLUMNS = (*_CONTENT_COLUMNS, "last_seen_at", "changed_at", "crawl_id", "id")
_MOVE_NEW = (f"INSERT INTO articles ({', '.join(_NEW_COLUMNS)}) "
             f"SELECT {', '.join(_NEW_COLUMNS)} FROM temp.{_NEW_TABLE} ORDER BY id")
#: The text each changed article replaces, kept as a version (in the batch's order).
_SAVE_VERSIONS = (
    "INSERT INTO article_versions (article_id, title, body, content_hash, published_at, "
    "modified_at, fetched_at, stored_at, replaced_at, crawl_id) "
    "SELECT a.id, a.title, a.body, a.content_hash, a.published_at, a.modified_at, "
    f"a.fetched_at, a.changed_at, ?, a.crawl_id FROM temp.{_CHANGED_TABLE} s "
    "JOIN articles a ON a.id = s.id ORDER BY s.rowid"
)
_MOVE_CHANGED = (
    f"UPDATE articles SET {', '.join(f'{c} = s.{c}' for c in _CHANGED_COLUMNS[:-1])} "
    f"FROM temp.{_CHANGED_TABLE} s WHERE articles.id = s.id"
)
#: The largest rowid SQLite stores (beyond it, it would pick unused ids at random).
MAX_ROWID = 2**63 - 1


#: The longest validator (`ETag`, `Last-Modified`) kept: real ones are under 100 characters; a
#: longer one is an outlet's mistake, and sending it back would cost every request that much.
MAX_VALIDATOR = 512


def check_values(url: Any, checks: Any) -> tuple[str | None, str | None, str | None]:
    """A record's `checks` (a mapping of `etag`, `last_modified`, `next_check_at`, each
    optional) as stored: (etag, last_modified, next_check_at in UTC); WartaError when bad."""
    if not isinstance(checks, Mapping):
        raise WartaError(f"article {url!r}: field 'checks' must be a mapping of etag, "
                         "last_modified and next_check_at")
    out: list[str | None] = []
    for key in ("etag", "last_modified"):
        value = checks.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_VALIDATOR):
            value = None  # not a validator warta can send back: none
        out.append(value or None)
    due = checks.get("next_check_at")
    if due is not None:
        try:
            due = to_utc(parse_instant(str(due)))
        except ValueError as exc:
            raise WartaError(f"article {url!r}: field 'checks.next_check_at' {due!r} does not "
                             f"parse ({exc}); give ISO 8601 with an offset") from None
    out.append(due)
    return out[0], out[1], out[2]


_SAVE_CHECKS = ("INSERT OR REPLACE INTO article_checks (article_id, etag, last_modified, "
                "next_check_at, checked_at) VALUES (?, ?, ?, ?, ?)")


@dataclass
class WriteResult:
    """What one `write` call did.

    new/updated/unchanged count articles (updated: title or body changed, the old text kept
    in `article_versions`); links_new counts related-link URLs stored for the first time,
    links_seen every related headline recorded (one per article page and link).
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    links_new: int = 0
    links_seen: int = 0

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                              for f in fields(self)})

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


class Archive:
    """A warta archive file. `Archive(path)` opens it, creating it unless `create=False`;
    `readonly=True` never writes (and never migrates). Use as a context manager or `close()`."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 readonly: bool = False) -> None:
        self.path = Path(path).expanduser() if str(path) != ":memory:" else Path(":memory:")
        self.readonly = readonly
        self.stemmer = Stemmer()
        # words this process saw stored in word_forms, and the pieces of text they came
        # from (`archive.stems.terms`); both emptied when a write is rolled back
        self._known_terms: set[str] = set()
        self._known_pieces: set[str] = set()
        self._conn = self._open(create=create)

    # -- opening ------------------------------------------------------------------------------

    def _open(self, *, create: bool) -> sqlite3.Connection:
        path = self.path
        memory = str(path) == ":memory:"
        if not memory:
            if path.is_dir():
                raise WartaError(f"{path} is a folder, not an archive file; "
                                 f"give a file path such as {path / DEFAULT_DB}")
            if not path.exists():
                if not create or self.readonly:
                    raise WartaError(f"no archive at {path}: {MAKE_ONE}")
                parent = path.parent
                if not parent.is_dir():
                    raise WartaError(f"cannot create an archive at {path}: "
                                     f"the folder {parent} does not exist")
                if not os.access(parent, os.W_OK):
                    raise WartaError(f"cannot create an archive at {path}: the folder {parent} "
                                     "is read-only; choose a writable --db path")
            else:
                self._check_size(path)
                if not self.readonly and not os.access(path, os.W_OK):
                    raise WartaError(f"cannot write to {path}: the file is read-only; "
                                     "fix its permissions or copy it somewhere writable")
        try:
            conn = self._connect()
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            needs_migration = self._check_identity(conn, create=create)
            self._configure(conn)  # only now: a file that is not ours is never changed
            if needs_migration:
                migrate(conn)
        except sqlite3.DatabaseError as exc:
            if exc.sqlite_errorcode == sqlite3.SQLITE_NOTADB:  # SQLite read the header
                raise self._not_sqlite(path) from None
            if DamagedArchiveError.matches(exc):
                raise DamagedArchiveError(path, exc) from None
            raise WartaError(f"{path} is not a usable SQLite database ({exc}); "
                             "is --db the right file?") from None
        return conn

    @staticmethod
    def _not_sqlite(path: Path) -> WartaError:
        return WartaError(f"{path} is not a SQLite database, so not a warta archive; "
                          "is --db the right file?")

    def _check_size(self, path: Path) -> None:
        """What can be told of an existing file without opening it (see the module docstring:
        no descriptor of the archive may be opened and closed beside SQLite's). Its header is
        checked by SQLite on the first statement (`SQLITE_NOTADB`)."""
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise WartaError(f"cannot read {path}: {exc.strerror}") from None
        if not os.access(path, os.R_OK):
            raise WartaError(f"cannot read {path}: Permission denied")
        if 0 < size < MIN_SQLITE_BYTES:
            raise self._not_sqlite(path)

    def _connect(self) -> sqlite3.Connection:
        if str(self.path) == ":memory:":
            return sqlite3.connect(":memory:", isolation_level=None)
        if not self.readonly:
            return sqlite3.connect(self.path, isolation_level=None)
        uri = self.path.resolve().as_uri()
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            if os.access(self.path.parent, os.W_OK):
                raise
            # A WAL archive in a read-only folder (a mounted dataset, a CD): nobody can be
            # writing to it, so it can be read as immutable.
            return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # Foreign keys are declared (for readers and tools like datasette) but not enforced:
        # every row is written by `write` in one code path, and enforcement cost 20% of the
        # ingest rate (bench/ingest.py).
        if not self.readonly:
            self._use_wal(conn)
            # In WAL mode NORMAL is still atomic and consistent after a crash of the process
            # or the machine; a power cut may lose the last commits, never corrupt.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")

    @staticmethod
    def _use_wal(conn: sqlite3.Connection) -> None:
        """Put the file in WAL mode (it stays so). The switch needs the file to itself and
        SQLite does not wait for it (no busy handler): a second process opening a new
        archive while the first one creates it would fail with "database is locked", so the
        switch is retried for as long as a write would wait."""
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _check_identity(self, conn: sqlite3.Connection, *, create: bool) -> bool:
        """Refuse what is not a warta archive we can use; say whether it needs migrating.

        The three reads are one read transaction: another process creating the archive at
        the same moment commits its tables and its application id together, and reads in
        separate statements could see the tables without the id ("not a warta archive")."""
        conn.execute("BEGIN")
        try:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = user_version(conn)
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        finally:
            conn.execute("COMMIT")
        if app_id != APPLICATION_ID:
            if app_id or tables:
                shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
                raise WartaError(f"{self.path} is a SQLite database but not a warta archive "
                                 f"(tables: {shown or 'none'}); choose another --db path")
            if self.readonly or not create:
                raise WartaError(f"{self.path} is an empty database, not a warta archive: "
                                 f"{MAKE_ONE}")
            return True
        if version > SCHEMA_VERSION:
            raise WartaError(f"{self.path} was made by a newer warta (archive schema {version}; "
                             f"this warta {__version__} reads up to {SCHEMA_VERSION}); "
                             "upgrade warta: pip install -U warta")
        if version < SCHEMA_VERSION and self.readonly:
            raise OlderSchemaError(f"{self.path} uses archive schema {version}, older than this "
                             f"warta's {SCHEMA_VERSION}; open it once for writing (any write "
                             "command, e.g. `warta crawl`) to upgrade it")
        return version < SCHEMA_VERSION

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r}{', readonly=True' if self.readonly else ''})"

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection, for read-only SQL of your own (datasette users know
        the tables). Write through `write`, `set_source` and the crawl methods."""
        return self._conn

    @property
    def schema_version(self) -> int:
        return user_version(self._conn)

    # -- transactions -------------------------------------------------------------------------

    def _translate(self, exc: sqlite3.Error) -> WartaError:
        """A failed write as one line: busy (try again later), or the file refused it
        (`ArchiveFileError`: read-only, disk full, damaged, I/O error)."""
        text = str(exc)
        code = (exc.sqlite_errorcode or 0) & 0xFF
        if "locked" in text or "busy" in text:
            return WartaError(f"the archive {self.path} is busy: another process held its write "
                              f"lock for over {BUSY_TIMEOUT_MS // 1000} s; try again later")
        if code == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
            return ArchiveFileError(f"cannot write to {self.path}: it is read-only")
        if code == sqlite3.SQLITE_FULL or "full" in text:
            return ArchiveFileError(f"cannot write to {self.path}: the disk is full; free some "
                                     "space and try again")
        if isinstance(exc, sqlite3.OperationalError) and code not in _DAMAGED:
            return ArchiveFileError(f"the archive {self.path} refused the write ({text})")
        return self.damaged(exc, "written")

    def damaged(self, exc: sqlite3.Error, action: str = "read") -> ArchiveFileError:
        """The one line for an archive file that failed to be read (or `written`): what
        SQLite said, how to check the file, and what to do when it is damaged."""
        return ArchiveFileError(
            f"the archive {self.path} could not be {action} ({exc}): check it with `sqlite3 "
            f"{self.path} 'PRAGMA integrity_check'`; if it is damaged, restore it from a backup "
            f"(or recover what is readable with `sqlite3 {self.path} .recover`)")

    @staticmethod
    def is_file_error(exc: BaseException) -> bool:
        """Whether `exc` is a failure of the archive file (damaged, full, I/O), not of a
        statement or a record."""
        return isinstance(exc, sqlite3.DatabaseError) and _file_error(exc)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, lock taken up front; rolled back on any error. An error of
        the file itself (damaged, full, read-only, I/O) is `ArchiveFileError`."""
        if self.readonly:
            raise WartaError(f"{self.path} was opened read-only; open it without "
                             "readonly=True to write")
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # a damaged file may refuse it too
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) or (
                    isinstance(exc, sqlite3.DatabaseError) and _file_error(exc)):
                raise self._translate(exc) from None
            raise

    # -- sources ------------------------------------------------------------------------------

    def set_source(self, key: str, *, name: str | None = None, homepage: str | None = None,
                   timezone: str | None = None, region: str | None = None) -> None:
        """Add an outlet or update the fields given (None leaves a field as it is)."""
        if not isinstance(key, str) or not key.strip():
            raise WartaError("a source key must be non-empty text, e.g. 'kaltimpost'")
        given = {k: v for k, v in (("name", name), ("homepage", homepage),
                                   ("timezone", timezone), ("region", region)) if v is not None}
        now = now_utc()
        with self._write() as conn:
            conn.execute("INSERT OR IGNORE INTO sources (key, added_at) VALUES (?, ?)", (key, now))
            if given:
                sets = ", ".join(f"{k} = ?" for k in given)
                conn.execute(f"UPDATE sources SET {sets}, updated_at = ? WHERE key = ?",
                             (*given.values(), now, key))

    def sources(self) -> list[dict[str, Any]]:
        """Every outlet with its article count, by key."""
        return list(database(self._conn).query(
            "SELECT s.key, s.name, s.homepage, s.timezone, s.region, s.added_at, "
            "(SELECT count(*) FROM articles a WHERE a.source = s.key) AS articles "
            "FROM sources s ORDER BY s.key"))

    # -- crawls -------------------------------------------------------------------------------

    def begin_crawl(self, sites: list[str], args: Mapping[str, Any] | None = None, *,
                    now: str | None = None) -> int:
        """Record the start of a crawl (at `now`, default the clock's); return its id for
        `write(..., crawl_id=)`."""
        started = self._now(now)
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO crawls (started_at, sites, args, warta_version) VALUES (?, ?, ?, ?)",
                (started, _dumps(list(sites)), _dumps(dict(args or {})), __version__))
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def finish_crawl(self, crawl_id: int, *, finish_reason: str, counts: Mapping[str, Any],
                     stats: Mapping[str, Any],
                     sites: Iterable[Mapping[str, Any]] = (), now: str | None = None) -> None:
        """Record the end of a crawl: why it stopped, its counts, Scrapy's stats, and per
        outlet its figures (`sites`: mappings with `source` and any of `SITE_FIGURES`, kept in
        `crawl_sites` for `warta health`); `now`: the end's time, default the clock's."""
        rows = []
        for site in sites:
            source = site.get("source")
            if not isinstance(source, str) or not source:
                raise WartaError("each site figure needs its 'source' key")
            rows.append((crawl_id, source, *(int(site.get(name) or 0) for name in SITE_FIGURES)))
        finished = self._now(now)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE crawls SET finished_at = ?, finish_reason = ?, new = ?, updated = ?, "
                "unchanged = ?, counts = ?, stats = ? WHERE id = ?",
                (finished, finish_reason, counts.get("new"), counts.get("updated"),
                 counts.get("unchanged"), _dumps(dict(counts)), _dumps(dict(stats)), crawl_id))
            if cursor.rowcount == 0:
                raise WartaError(f"no crawl {crawl_id} in {self.path}; start one with begin_crawl")
            # the words the crawl's writes left pending (archive/stems.py, STEMS_PER_WRITE)
            stem_pending(conn, self.stemmer, STEMS_PER_CRAWL)
            if rows:
                marks = ", ".join("?" * (len(SITE_FIGURES) + 2))
                conn.executemany(
                    f"INSERT OR REPLACE INTO crawl_sites (crawl_id, source, "
                    f"{', '.join(SITE_FIGURES)}) VALUES ({marks})", rows)
        if finish_reason != "archive_error":
            # The crawl's writes are done: place its new articles in clusters (issue 17). The
            # crawl is recorded already; if another process holds the write lock too long
            # (busy), its articles wait for the next update (`warta clusters` says how many).
            # A failing file (ArchiveFileError) is said as for any write.
            try:
                self.update_clusters()
            except ArchiveFileError:
                raise
            except WartaError:
                pass

    def abandon_crawl(self, crawl_id: int, reason: str = "killed") -> bool:
        """Mark a crawl that never finished (its process died: SIGKILL, out of memory, power
        loss) with `reason`; its end time stays unknown. False when it had finished after all."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE crawls SET finish_reason = ? WHERE id = ? AND finished_at IS NULL "
                "AND finish_reason IS NULL", (reason, crawl_id))
            return cursor.rowcount > 0

    def crawls(self, limit: int = 20) -> list[dict[str, Any]]:
        """The last `limit` crawls, newest first, JSON fields decoded."""
        out = []
        for item in database(self._conn).query(
                "SELECT * FROM crawls ORDER BY id DESC LIMIT ?", (limit,)):
            for key in ("sites", "args", "counts", "stats"):
                if item[key] is not None:
                    item[key] = json.loads(item[key])
            out.append(item)
        return out

    # -- writing articles ---------------------------------------------------------------------

    def write(self, batch: Iterable[Mapping[str, Any]], *, crawl_id: int | None = None,
              now: str | None = None, force: bool = False,
              provenance: str = "crawl") -> WriteResult:
        """Store a batch of article records in one transaction and say what changed.

        Every record is checked first; a bad one raises WartaError and nothing is written.
        New URLs are inserted; a known URL with the same content hash only has its
        `last_seen_at` moved; a changed one has its old title and body saved as a version and
        its row replaced. Related links are stored once per URL in `links`; each article's
        current list is in `article_links`. A record's `checks` (`etag`, `last_modified`,
        `next_check_at`: see `touch`) go to `article_checks`. `now` (ISO 8601, UTC) is the
        instant recorded as the write's time (default: the clock's; a crawl with a simulated
        clock gives its own). A record's `captures` (the WARC records its pages were read
        from, `archive.captures`) are recorded with `provenance`, once the records are whole on
        disk. `force` replaces a known row even when its title and body are the same (`warta
        reextract`: other fields changed), keeping the old text as a version.
        """
        records = list(batch)
        prepared = [prepare(record) for record in records]
        checks = [check_values(p.url, r["checks"]) if isinstance(r, Mapping) and
                  r.get("checks") is not None else None for p, r in zip(prepared, records,
                                                                         strict=True)]
        pages = [[CaptureRef.of(ref) for ref in record.get("captures") or ()]
                 for record in records]
        if any(pages):
            check_records(capture_dir(self.path), (ref for refs in pages for ref in refs))
        result = WriteResult()
        if not prepared:
            return result
        now = self._now(now)
        try:
            return self._write_batch(prepared, checks, pages, crawl_id=crawl_id, now=now,
                                     force=force, provenance=provenance)
        except BaseException:
            # the words of a batch rolled back are not in word_forms: forget them
            self._known_terms.clear()
            self._known_pieces.clear()
            raise

    def _write_batch(self, prepared: list[Prepared], checks: list[Any], pages: list[Any], *,
                     crawl_id: int | None, now: str, force: bool,
                     provenance: str) -> WriteResult:
        result = WriteResult()
        with self._write() as conn:
            if crawl_id is not None and conn.execute(
                    "SELECT 1 FROM crawls WHERE id = ?", (crawl_id,)).fetchone() is None:
                raise WartaError(f"no crawl {crawl_id} in {self.path}; "
                                 "get an id from begin_crawl first")
            conn.executemany("INSERT OR IGNORE INTO sources (key, added_at) VALUES (?, ?)",
                             [(key, now) for key in dict.fromkeys(p.source for p in prepared)])
            known = self._lookup(conn, "SELECT url, id, content_hash FROM articles WHERE url IN",
                                 [p.url for p in prepared])
            known_before = {row[0] for row in known.values()}
            state: dict[str, tuple[int, str]] = {url: (row[0], row[1]) for url, row in
                                                 known.items()}
            unchanged: list[tuple[str, int]] = []
            related: list[tuple[int, Prepared]] = []
            captured: list[tuple[int, str, int, CaptureRef]] = []
            texts: list[str] = []  # of new and changed articles: their words to stem
            checked: list[tuple[Any, ...]] = []
            # new and changed articles, not yet in the table (`_write_staged`)
            new: list[tuple[Any, ...]] = []
            changed: dict[int, tuple[Any, ...]] = {}  # by article id, in batch order
            next_id: int | None = None
            for item, check, refs in zip(prepared, checks, pages, strict=True):
                seen = state.get(item.url)
                values = item.row
                if seen is None:
                    if next_id is None:  # the highest + 1, as SQLite gives (lock held)
                        next_id = conn.execute(
                            "SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
                    if next_id > MAX_ROWID:
                        raise WartaError(f"{self.path} has no article id left after "
                                         f"{MAX_ROWID:,}; write into a new archive")
                    article_id = next_id
                    next_id += 1
                    new.append((article_id, *values, now, now, now, crawl_id))
                    result.new += 1
                    texts += values[_TITLE:_BODY + 1]
                elif seen[1] == item.content_hash and not force:
                    article_id = seen[0]
                    unchanged.append((now, article_id))
                    result.unchanged += 1
                else:
                    article_id = seen[0]
                    if article_id in changed or (new and article_id >= new[0][0]):
                        # changed again, or new in this batch: what it replaces goes first
                        self._write_staged(conn, new, changed, now)
                    changed[article_id] = (*values[1:], now, now, crawl_id, article_id)
                    result.updated += 1
                    texts += values[_TITLE:_BODY + 1]
                state[item.url] = (article_id, item.content_hash)
                if check is not None:
                    checked.append((article_id, *check, now))
                captured.extend((article_id, item.content_hash, part, ref)
                                for part, ref in numbered(refs))
                if item.related is not None:
                    related.append((article_id, item))
            self._write_staged(conn, new, changed, now)
            conn.executemany("UPDATE articles SET last_seen_at = ? WHERE id = ?", unchanged)
            conn.executemany(_SAVE_CHECKS, checked)
            if texts:
                add_terms(conn, self.stemmer, terms(texts, self._known_pieces),
                          self._known_terms)
            if related:
                self._write_links(conn, related, known_before, now, result)
            if captured:
                insert_captures(conn, captured, crawl_id=crawl_id, provenance=provenance)
        return result

    def _write_staged(self, conn: sqlite3.Connection, new: list[tuple[Any, ...]],
                      changed: dict[int, tuple[Any, ...]], now: str) -> None:
        """Insert the new articles and replace the changed ones (each list is emptied), one
        statement each, a changed article's old text saved as a version first.

        The full-text index is kept by triggers, and FTS5 writes the words it holds in
        memory to a new segment of the index at the end of every statement that changes
        it: one statement a row gave every article a segment of its own, and the index
        spent its time merging them (bench/ingest.py --n 20000: 1.04 ms of CPU an article
        against 0.74 ms). So the rows go into temporary tables of this connection first (no
        index, no trigger), and from them into `articles` at once; the triggers stay for
        every other writer. `changed` holds each changed article once, by id."""
        for table, columns, rows in ((_NEW_TABLE, _NEW_COLUMNS, new),
                                     (_CHANGED_TABLE, _CHANGED_COLUMNS, list(changed.values()))):
            if rows:
                # made in the write's transaction: gone again when the write is rolled back
                conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({', '.join(columns)})")
                conn.executemany(f"INSERT INTO temp.{table} VALUES "
                                 f"({', '.join('?' * len(columns))})", rows)
        if new:
            conn.execute(_MOVE_NEW)
            conn.execute(f"DELETE FROM temp.{_NEW_TABLE}")
            new.clear()
        if changed:
            conn.execute(_SAVE_VERSIONS, (now,))
            conn.execute(_MOVE_CHANGED)
            conn.execute(f"DELETE FROM temp.{_CHANGED_TABLE}")
            changed.clear()

    @staticmethod
    def _now(now: str | None) -> str:
        if now is None:
            return now_utc()
        try:
            return to_utc(parse_instant(now))
        except ValueError as exc:
            raise WartaError(f"the write time {now!r} does not parse ({exc}); give ISO 8601 "
                             "with an offset") from None

    def touch(self, entries: Iterable[tuple[str, Mapping[str, Any] | None]], *,
              now: str | None = None) -> int:
        """Record that archived articles were read again and found unchanged without their
        content (an HTTP 304 to a conditional request): `last_seen_at` moves to `now` and
        each one's `checks` (`etag`, `last_modified`: the validators the outlet sent, kept
        as sent; `next_check_at`: the next scheduled re-check, ISO 8601 with an offset, or
        None when none is left) are stored; nothing else changes. `entries`: (canonical
        URL, checks or None). Returns how many archived articles it touched (URLs the
        archive does not hold are ignored)."""
        rows = [(url, check_values(url, checks) if checks is not None else None)
                for url, checks in entries]
        if not rows:
            return 0
        now = self._now(now)
        with self._write() as conn:
            ids = self._lookup(conn, "SELECT url, id FROM articles WHERE url IN",
                               [url for url, _ in rows])
            touched = [(now, ids[url][0]) for url, _ in rows if url in ids]
            conn.executemany("UPDATE articles SET last_seen_at = ? WHERE id = ?", touched)
            conn.executemany(_SAVE_CHECKS, [(ids[url][0], *check, now) for url, check in rows
                                            if url in ids and check is not None])
        return len(touched)

    @staticmethod
    def _lookup(conn: sqlite3.Connection, sql: str, keys: Sequence[Any]
                ) -> dict[Any, tuple[Any, ...]]:
        """Run `sql (?, ?, ...)` over `keys` in chunks; map each row's first column to the rest."""
        found: dict[Any, tuple[Any, ...]] = {}
        distinct = list(dict.fromkeys(keys))
        for chunk in _chunks(distinct):
            marks = ", ".join("?" * len(chunk))
            for row in conn.execute(f"{sql} ({marks})", chunk):
                found[row[0]] = tuple(row[1:])
        return found

    def _write_links(self, conn: sqlite3.Connection, related: list[tuple[int, Prepared]],
                     existing_articles: set[int], now: str, result: WriteResult) -> None:
        """Store related headlines: `links` once per URL (upserted), each article's list in
        `article_links` replaced by the one just seen. `times_seen` grows by the articles
        that show a link they did not show before."""
        # The links each article showed before this batch, to count only new sightings.
        shown: dict[int, set[str]] = {}
        earlier = list(dict.fromkeys(aid for aid, _ in related if aid in existing_articles))
        for chunk in _chunks(earlier):
            marks = ", ".join("?" * len(chunk))
            for article_id, url in conn.execute(
                    "SELECT al.article_id, l.url FROM article_links al "
                    f"JOIN links l ON l.id = al.link_id WHERE al.article_id IN ({marks})", chunk):
                shown.setdefault(article_id, set()).add(url)
        first_title: dict[str, str | None] = {}
        last_title: dict[str, str | None] = {}
        times: Counter[str] = Counter()
        final: dict[int, list[Any]] = {}
        for article_id, item in related:
            assert item.related is not None
            before = shown.get(article_id, set())
            urls = set()
            for link in item.related:
                url = link.url
                urls.add(url)
                if url not in first_title:
                    first_title[url] = last_title[url] = link.title
                elif link.title is not None:
                    last_title[url] = link.title
                if url not in before:
                    times[url] += 1
            shown[article_id] = urls
            final[article_id] = item.related
            result.links_seen += len(item.related)

        newest = conn.execute("SELECT coalesce(max(id), 0) FROM links").fetchone()[0]
        conn.executemany(
            "INSERT INTO links (url, first_title, last_title, times_seen, first_seen_at, "
            "last_seen_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "last_title = coalesce(excluded.last_title, links.last_title), "
            "times_seen = links.times_seen + excluded.times_seen, "
            "last_seen_at = excluded.last_seen_at",
            [(url, title, last_title[url], times[url], now, now)
             for url, title in first_title.items()])
        result.links_new += conn.execute(
            "SELECT count(*) FROM links WHERE id > ?", (newest,)).fetchone()[0]
        link_ids = {url: row[0] for url, row in self._lookup(
            conn, "SELECT url, id FROM links WHERE url IN", list(first_title)).items()}
        conn.executemany("DELETE FROM article_links WHERE article_id = ?",
                         [(aid,) for aid in final if aid in existing_articles])
        conn.executemany(
            "INSERT OR REPLACE INTO article_links (article_id, ord, link_id, title, block, "
            "position) VALUES (?, ?, ?, ?, ?, ?)",
            [(article_id, ord_, link_ids[link.url], link.title, link.block, link.position)
             for article_id, links in final.items() for ord_, link in enumerate(links)])

    # -- reading ------------------------------------------------------------------------------

    def has_url(self, url: str) -> bool:
        """Whether an article with this canonical URL is archived."""
        return self._conn.execute(
            "SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone() is not None

    def article_dates(self, urls: Iterable[str]) -> dict[str, str | None]:
        """canonical url -> published_at (None when undated) for the URLs that are archived;
        URLs not in the archive are absent from the result."""
        return {url: row[0] for url, row in self._lookup(
            self._conn, "SELECT url, published_at FROM articles WHERE url IN", list(urls)).items()}

    def seen_articles(self, source: str, urls: Sequence[str] | None = None
                      ) -> Iterator[tuple[Any, ...]]:
        """Every archived article of an outlet (or those of `urls`, whatever their outlet) as
        `(url, published_utc, first_seen_at, last_seen_at, changed_at, fetched_at,
        modified_at, complete, etag, last_modified, next_check_at, scheduled)`, from a cursor
        (incremental crawls load an outlet's once); `scheduled` is False for an article with
        no `article_checks` row (archived before the schedule, migration 7).
        `complete` is False for a `short` or `missing` body (`body_status`), found through
        the partial index `articles_incomplete`: the column itself sits after the body, and
        reading it for every row would walk each long row's overflow pages."""
        columns = ("SELECT url, published_utc, first_seen_at, last_seen_at, changed_at, "
                   "fetched_at, modified_at, c.etag, c.last_modified, c.next_check_at, "
                   "c.article_id IS NOT NULL FROM articles "
                   "LEFT JOIN article_checks c ON c.article_id = articles.id")
        incomplete_sql = "SELECT url FROM articles WHERE body_status <> 'ok' AND "
        if urls is None:
            incomplete = {row[0] for row in self._conn.execute(
                f"{incomplete_sql} source = ?", (source,))}
            for row in self._conn.execute(f"{columns} WHERE source = ?", (source,)):
                yield (*row[:7], row[0] not in incomplete, *row[7:])
            return
        for chunk in _chunks(list(urls)):
            marks = ", ".join("?" * len(chunk))
            incomplete = {row[0] for row in self._conn.execute(
                f"{incomplete_sql} url IN ({marks})", chunk)}
            for row in self._conn.execute(f"{columns} WHERE url IN ({marks})", chunk):
                yield (*row[:7], row[0] not in incomplete, *row[7:])

    def related_urls(self, url: str) -> list[str]:
        """The related-headline targets the archived article at `url` showed, in page order."""
        return [row[0] for row in self._conn.execute(
            "SELECT l.url FROM articles a JOIN article_links al ON al.article_id = a.id "
            "JOIN links l ON l.id = al.link_id WHERE a.url = ? ORDER BY al.ord", (url,))]

    def last_complete_crawl(self, source: str) -> str | None:
        """When the newest crawl of `source` that read it completely started: it finished
        normally, had no error at that outlet, and was bounded by neither `since` nor
        `max_articles`. Every URL the outlet listed before then was asked for by that crawl."""
        for started_at, args in self._conn.execute(
                "SELECT c.started_at, c.args FROM crawl_sites s JOIN crawls c ON c.id = s.crawl_id "
                "WHERE s.source = ? AND s.errors = 0 AND c.finish_reason = 'finished' "
                "ORDER BY c.id DESC LIMIT 50", (source,)):
            given = json.loads(args or "{}")
            if not given.get("since") and not given.get("max_articles"):
                return str(started_at)
        return None

    def refresh_word_forms(self) -> int:
        """Add to the stemmed index the words of articles another program wrote (sqlite-utils,
        the sqlite3 shell: the triggers keep the exact index, not the stems), read from the
        exact index's own vocabulary (about 1 s per 20,000 articles); return how many were
        new. They are stored pending: `stem_pending` stems them."""
        with self._write() as conn:
            return fill_from_index(conn, self.stemmer)

    def stem_pending(self) -> int:
        """Stem every word of the stemmed index still pending (writes stem a few at a time;
        `finish_crawl` the rest); return how many."""
        with self._write() as conn:
            return stem_pending(conn, self.stemmer)
    # -- clusters and regions (archive/clusters.py, archive/regions.py) -----------------------

    def update_clusters(self) -> Any:
        """Sketch the articles new or changed since the last update, place each in a cluster
        of near-duplicates (or none) and tag its region, in one transaction; return what was
        done (`archive.clusters.UpdateResult`). `finish_crawl` runs it after every crawl."""
        from archive import clusters, regions

        with self._write() as conn:
            result = clusters.update(conn)
            regions.update(conn)
        return result

    def clusters(self, *, min_outlets: int = 2, source: str | Sequence[str] | None = None,
                 since: Any = None, press_only: bool = False) -> Iterator[dict[str, Any]]:
        """Clusters of near-duplicates over at least `min_outlets` outlets, newest first, each
        with its members (original first). See `archive.clusters.list_clusters`."""
        from archive import clusters

        sources = q._known_values(self._conn, source, "sources", "key", "--source",
                                  "source") if source else ()
        since_utc = None
        if since is not None:
            bound = q.parse_date_bound(since, "--since")
            since_utc = q.to_utc(bound.start())
        return clusters.list_clusters(self._conn, min_outlets=min_outlets, sources=sources,
                                      since_utc=since_utc, press_only=press_only)

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def get(self, id_or_url: int | str) -> dict[str, Any] | None:
        """One article whole, by id, uid or canonical URL: every field, the source's name and
        region, `related` (each with `archived_id`, the id of the linked article when it is in
        the archive too) and `versions` (earlier title/body, oldest first)."""
        found = q.get_article(self._conn, id_or_url)
        if found is not None:  # its copies and the region it is about (issue 17)
            from archive import clusters

            found["copies"] = clusters.copies_of(self._conn, found["id"])
            found["about"] = clusters.region_of(self._conn, found["id"])
        return found

    def search(self, query: str | None = None, *, raw: bool = False, exact: bool = False,
               source: str | Sequence[str] | None = None, since: Any = None, until: Any = None,
               region: str | None = None, author: str | None = None,
               section: str | None = None, language: str | None = None,
               body_stage: str | Sequence[str] | None = None,
               date_stage: str | Sequence[str] | None = None,
               precision: str | Sequence[str] | None = None, sort: str = "rank",
               limit: int = 20, offset: int = 0, rank: str = "auto",
               highlight: tuple[str, str] = q.HIGHLIGHT,
               syndication: str | None = None, about: str | None = None) -> q.SearchResults:
        """Ranked full-text search. See `archive.query.search` for the fields returned.

        Plain words match their Indonesian word forms too (`perintah` finds `pemerintah`)
        unless `exact`; see `archive.search_text` for what a query may hold. A broad query
        is ranked over its newest matches unless `rank="all"`: the results' `ranking` says
        how (see `archive.query.search`). `syndication`: `original` or `syndicated`, `about`:
        a place the articles are about (archive/clusters.py, archive/regions.py)."""
        filters = q.Filters.build(self._conn, query=query, raw=raw, exact=exact,
                                  stemmer=self.stemmer, source=source, since=since,
                                  until=until, region=region, author=author, section=section,
                                  language=language, body_stage=body_stage,
                                  date_stage=date_stage, precision=precision,
                                  syndication=syndication, about=about)
        return q.search(self._conn, filters, sort=sort, limit=limit, offset=offset,
                        highlight=highlight, rank=rank)

    def match_query(self, query: str, *, exact: bool = False) -> str | None:
        """The FTS5 MATCH expression `search` runs for `query` against `articles_fts` (word
        forms added unless `exact`; None when the text has nothing to search for): for a tool
        that queries the index itself, e.g. Datasette's `?_search=...&_searchmode=raw`."""
        return q.Filters.build(self._conn, query=query, exact=exact,
                               stemmer=self.stemmer).match

    def iter_articles(self, query: str | None = None, *, raw: bool = False, exact: bool = False,
                      source: str | Sequence[str] | None = None, since: Any = None,
                      until: Any = None, region: str | None = None, author: str | None = None,
                      section: str | None = None, language: str | None = None,
                      body_stage: str | Sequence[str] | None = None,
                      date_stage: str | Sequence[str] | None = None,
                      precision: str | Sequence[str] | None = None,
                      sort: str = "oldest", syndication: str | None = None,
                      about: str | None = None) -> Iterator[dict[str, Any]]:
        """Stream every matching article whole (with `related`), one dict at a time, from a
        cursor: memory stays flat however large the archive."""
        filters = q.Filters.build(self._conn, query=query, raw=raw, exact=exact,
                                  stemmer=self.stemmer, source=source, since=since,
                                  until=until, region=region, author=author, section=section,
                                  language=language, body_stage=body_stage,
                                  date_stage=date_stage, precision=precision,
                                  syndication=syndication, about=about)
        return q.iter_articles(self._conn, filters, sort=sort)

    def count_matching(self, query: str | None = None, **filters: Any) -> int:
        """How many articles `iter_articles` with the same arguments would yield."""
        built = q.Filters.build(self._conn, query=query, stemmer=self.stemmer, **filters)
        return q.count(self._conn, built)

    def stats(self) -> dict[str, Any]:
        """Per source and in total: counts, date range, per-month counts, field coverage; and
        the last crawls. See `archive.stats`."""
        return archive_stats(self)
