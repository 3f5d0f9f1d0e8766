"""Merging archive shards into one archive (`warta merge`, issue 18).

Each node of a cluster writes its own archive (a shard); the main machine merges them. A shard
is attached read-only (`mode=ro`: it is never changed, not even migrated) and copied into the
main archive by SQL, batch by batch, each batch one transaction:

- `sources`, `crawls` (a crawl is the same crawl when it started at the same instant with the
  same sites and options), `crawl_sites`, `links` (by URL), `word_forms` (by word);
- articles by `uid`: an article the main archive lacks is copied whole (its versions, related
  links and re-check schedule with it); one it holds already gets the union of both histories:
  every stored content of both, ordered by the time it was stored, a content equal to the one
  before it folded into it, the newest as the article and the rest as its versions.

Nothing needs a ledger: every step is idempotent (a crawl, a URL, a word, a uid and a content
stored at an instant are each found again), so merging a shard twice changes nothing, and a
merge killed half way (SIGKILL, power) leaves its committed batches whole and the rest to the
next run. The full-text index is kept by the archive's own triggers.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archive.captures import capture_dir
from archive.errors import OlderSchemaError, WartaError
from archive.stems import STEMS_PER_CRAWL, fill_from_index, stem_pending
from archive.store import Archive

#: Shard articles per transaction: a batch of 2,000 3 KB articles commits in well under a
#: second, so a concurrent writer (another merge, a crawl) waits little for the lock.
BATCH = 2000
#: Shard rows per transaction for the small tables (links, word_forms).
SMALL_BATCH = 20_000
#: The largest shard fetched over HTTP: far above any archive a node writes in a day.
MAX_DOWNLOAD = 64 * 1024**3


@dataclass
class MergeResult:
    """What merging one shard did."""

    shard: str
    articles_new: int = 0
    articles_updated: int = 0   # held already, their history changed by the shard's
    articles_same: int = 0      # held already with the same history
    articles_refused: int = 0   # a URL main holds under another uid: left out
    crawls_new: int = 0
    links: int = 0              # links rows the shard holds (upserted)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def _has_table(conn: sqlite3.Connection, schema: str, table: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' "
                        "AND name = ?", (table,)).fetchone() is not None


def source_is_local(source: str) -> bool:
    return not source.startswith(("http://", "https://"))


def check_shard(path: Path) -> None:
    """Refuse, in one line, a shard that is not a warta archive or was made by a newer warta.
    An older shard is read as it is (the columns it lacks take their defaults)."""
    if not path.exists():
        raise WartaError(f"no shard at {path}: give the path of a node's archive file "
                         "(or its http:// URL)")
    try:
        Archive(path, create=False, readonly=True).close()
    except OlderSchemaError:
        pass
    except WartaError as exc:
        raise WartaError(f"cannot merge {path}: {str(exc).replace('--db', 'the shard')}") from None


@contextmanager
def fetched(source: str, timeout: float = 60.0) -> Iterator[Path]:
    """A shard as a local path: a file path as it is, an http(s) URL downloaded to a
    temporary file (removed after)."""
    if not source.startswith(("http://", "https://")):
        yield Path(source).expanduser()
        return
    folder = tempfile.mkdtemp(prefix="warta-shard-")
    target = Path(folder) / "shard.db"
    try:
        try:
            with urllib.request.urlopen(source, timeout=timeout) as response, \
                    open(target, "wb") as out:
                copied = 0
                while chunk := response.read(1 << 20):
                    copied += len(chunk)
                    if copied > MAX_DOWNLOAD:
                        raise WartaError(f"the shard at {source} is over "
                                         f"{MAX_DOWNLOAD // 1024**3} GB; copy it over yourself")
                    out.write(chunk)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise WartaError(f"cannot fetch the shard {source} ({reason}); is the node up and "
                             "the URL right?") from None
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def merge(main: str | os.PathLike[str], shards: list[str], *,
          progress: Callable[[str], None] | None = None, batch: int = BATCH,
          update_clusters: bool = True) -> list[MergeResult]:
    """Merge each shard (a path or an http(s) URL) into the archive `main` (created when
    missing); return what each merge did. Then, unless `update_clusters` is False, the
    near-duplicate clusters and regions of the articles merged are updated, as after a crawl
    (`Archive.update_clusters`): stories several outlets ran are found across the shards,
    which each hold only some outlets."""
    main_path = Path(main).expanduser()
    for source in shards:  # a bad local shard is said before the main archive is created
        if not source.startswith(("http://", "https://")):
            check_shard(Path(source).expanduser())
    Archive(main_path).close()  # create or migrate the main archive, refuse a foreign file
    results = []
    for source in shards:
        with fetched(source) as path:
            check_shard(path)
            if main_path.exists() and path.resolve() == main_path.resolve():
                raise WartaError(f"{source} is the main archive itself; give the nodes' shards")
            results.append(_merge_one(main_path, path, source, progress, batch))
    if update_clusters and hasattr(Archive, "update_clusters"):
        with Archive(main_path) as archive:
            archive.update_clusters()
    return results


def _merge_one(main: Path, shard: Path, name: str, progress: Callable[[str], None] | None,
               batch: int) -> MergeResult:
    result = MergeResult(shard=name)
    archive = Archive(main)
    conn = archive.connection
    try:
        conn.execute("ATTACH DATABASE ? AS shard", (f"{shard.resolve().as_uri()}?mode=ro",))
        try:
            merger = _Merger(archive, result, batch, progress)
            merger.run()
            if source_is_local(name):
                merger.captures(capture_dir(shard), capture_dir(main) / "shards" / shard.stem)
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("DETACH DATABASE shard")
    finally:
        archive.close()
    return result


def _picked(column: str) -> str:
    """A shard article's column as the main archive stores it (its crawl's id mapped)."""
    if column == "crawl_id":
        return "(SELECT main_id FROM temp.crawl_map WHERE shard_id = s.crawl_id)"
    return f"s.{column}"


class _Merger:
    def __init__(self, archive: Archive, result: MergeResult, batch: int,
                 progress: Callable[[str], None] | None) -> None:
        self.archive = archive
        self.conn = archive.connection
        self.result = result
        self.batch = batch
        self.progress = progress or (lambda text: None)
        main_cols = _columns(self.conn, "main", "articles")
        shard_cols = set(_columns(self.conn, "shard", "articles"))
        # every column both hold but the id (and crawl_id, mapped)
        self.article_cols = [c for c in main_cols if c in shard_cols and c not in ("id",)]
        self.has_checks = _has_table(self.conn, "shard", "article_checks")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self.archive._write() as conn:
            yield conn

    def run(self) -> None:
        self._sources()
        self._crawls()
        self._small("links", self._links_batch)
        words = _has_table(self.conn, "shard", "word_forms")
        if words:
            self._small("word_forms", self._words_batch)
        self._articles()
        with self._tx() as conn:
            if not words:  # a shard from before migration 8: its words from the index
                fill_from_index(conn, self.archive.stemmer)
            stem_pending(conn, self.archive.stemmer, STEMS_PER_CRAWL)

    # -- WARC captures ------------------------------------------------------------------------

    def captures(self, source: Path, target: Path) -> None:
        """The shard's captures (migration 9), their WARC files copied first into `target`
        (the main archive's capture folder, `shards/SHARD-NAME/`), so that no row points at
        bytes not on disk. A WARC file only grows: one already copied is copied again when
        the shard's is longer. A capture already merged (same article, content, page, URL,
        instant and payload) is not added twice. Captures whose file the shard's folder
        lacks stay behind (a shard fetched over HTTP comes without its captures)."""
        if not (_has_table(self.conn, "shard", "captures")
                and _has_table(self.conn, "main", "captures")):
            return
        ends = dict(self.conn.execute(
            "SELECT warc_file, max(warc_offset + warc_length) FROM shard.captures "
            "GROUP BY warc_file").fetchall())
        present = []
        for name, end in ends.items():
            origin, copy = source / name, target / name
            if Path(name).is_absolute() or ".." in Path(name).parts:
                continue
            try:
                size = origin.stat().st_size
            except OSError:
                continue
            if size < end:
                continue
            if not copy.exists() or copy.stat().st_size < size:
                copy.parent.mkdir(parents=True, exist_ok=True)
                partial = copy.with_name(f".{copy.name}.part")
                shutil.copyfile(origin, partial)
                with open(partial, "rb") as handle:
                    os.fsync(handle.fileno())
                partial.replace(copy)
            present.append(name)
        if not present:
            return
        prefix = f"shards/{target.name}/"
        with self._tx() as conn:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS warc_present (name TEXT PRIMARY KEY)")
            conn.execute("DELETE FROM temp.warc_present")
            conn.executemany("INSERT OR IGNORE INTO temp.warc_present VALUES (?)",
                             [(n,) for n in present])
            conn.execute(
                "INSERT INTO main.captures (article_id, content_hash, part, url, warc_file, "
                "warc_offset, warc_length, payload_digest, revisit, captured_at, extractor, "
                "provenance, crawl_id) SELECT a.id, c.content_hash, c.part, c.url, "
                "? || c.warc_file, c.warc_offset, c.warc_length, c.payload_digest, c.revisit, "
                "c.captured_at, c.extractor, c.provenance, "
                "(SELECT main_id FROM temp.crawl_map WHERE shard_id = c.crawl_id) "
                "FROM shard.captures c JOIN temp.warc_present w ON w.name = c.warc_file "
                "JOIN shard.articles sa ON sa.id = c.article_id "
                "JOIN main.articles a ON a.uid = sa.uid "
                "WHERE NOT EXISTS (SELECT 1 FROM main.captures m WHERE m.article_id = a.id "
                "AND m.content_hash = c.content_hash AND m.part = c.part AND m.url = c.url "
                "AND m.captured_at = c.captured_at AND m.payload_digest = c.payload_digest) "
                "ORDER BY c.id", (prefix,))

    # -- sources, crawls ----------------------------------------------------------------------

    def _sources(self) -> None:
        cols = [c for c in _columns(self.conn, "main", "sources")
                if c in set(_columns(self.conn, "shard", "sources"))]
        names = ", ".join(cols)
        updates = ", ".join(f"{c} = coalesce(excluded.{c}, sources.{c})" for c in cols
                            if c not in ("key", "added_at"))
        with self._tx() as conn:
            conn.execute(
                f"INSERT INTO sources ({names}) SELECT {names} FROM shard.sources WHERE true "
                f"ON CONFLICT (key) DO UPDATE SET {updates}, "
                "added_at = min(sources.added_at, excluded.added_at) "
                "WHERE coalesce(excluded.updated_at, '') >= coalesce(sources.updated_at, '')")

    def _crawls(self) -> None:
        cols = [c for c in _columns(self.conn, "main", "crawls")
                if c != "id" and c in set(_columns(self.conn, "shard", "crawls"))]
        with self._tx() as conn:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS crawl_map "
                         "(shard_id INTEGER PRIMARY KEY, main_id INTEGER NOT NULL)")
            conn.execute("DELETE FROM temp.crawl_map")
            shard_rows = conn.execute(f"SELECT id, {', '.join(cols)} FROM shard.crawls "
                                      "ORDER BY id").fetchall()
            index = {c: i for i, c in enumerate(cols)}
            for row in shard_rows:
                shard_id, values = row[0], row[1:]
                found = conn.execute(
                    "SELECT id, finished_at FROM main.crawls WHERE started_at = ? AND sites = ? "
                    "AND args = ? AND warta_version = ?",
                    (values[index["started_at"]], values[index["sites"]],
                     values[index["args"]], values[index["warta_version"]])).fetchone()
                if found is None:
                    cursor = conn.execute(
                        f"INSERT INTO main.crawls ({', '.join(cols)}) "
                        f"VALUES ({', '.join('?' * len(cols))})", values)
                    main_id = cursor.lastrowid
                    self.result.crawls_new += 1
                else:
                    main_id = found[0]
                    if found[1] is None and values[index["finished_at"]] is not None:
                        # merged while it ran on its node: its end is known now
                        conn.execute(f"UPDATE main.crawls SET {', '.join(f'{c} = ?' for c in cols)}"
                                     " WHERE id = ?", (*values, main_id))
                conn.execute("INSERT INTO temp.crawl_map VALUES (?, ?)", (shard_id, main_id))
            if _has_table(conn, "shard", "crawl_sites"):
                site_cols = [c for c in _columns(conn, "main", "crawl_sites")
                             if c in set(_columns(conn, "shard", "crawl_sites"))]
                picked = ", ".join("m.main_id" if c == "crawl_id" else f"s.{c}"
                                   for c in site_cols)
                conn.execute(f"INSERT OR REPLACE INTO main.crawl_sites ({', '.join(site_cols)}) "
                             f"SELECT {picked} FROM shard.crawl_sites s "
                             "JOIN temp.crawl_map m ON m.shard_id = s.crawl_id")

    # -- links, words -------------------------------------------------------------------------

    def _small(self, table: str, step: Callable[[sqlite3.Connection, Any, Any], int]) -> None:
        key = "id" if table == "links" else "term"
        last: Any = None
        while True:
            with self._tx() as conn:
                where = f"WHERE {key} > ?" if last is not None else ""
                edge = conn.execute(
                    f"SELECT max({key}) FROM (SELECT {key} FROM shard.{table} {where} "
                    f"ORDER BY {key} LIMIT ?)", (*(() if last is None else (last,)),
                                                 SMALL_BATCH)).fetchone()[0]
                if edge is None:
                    return
                step(conn, last, edge)
            last = edge

    def _links_batch(self, conn: sqlite3.Connection, after: Any, upto: Any) -> int:
        # times_seen: the larger count (a link two nodes both saw is not counted twice)
        cursor = conn.execute(
            "INSERT INTO main.links (url, first_title, last_title, times_seen, first_seen_at, "
            "last_seen_at) SELECT url, first_title, last_title, times_seen, first_seen_at, "
            "last_seen_at FROM shard.links WHERE id > ? AND id <= ? "
            "ON CONFLICT (url) DO UPDATE SET "
            "first_title = CASE WHEN excluded.first_seen_at < links.first_seen_at "
            "THEN excluded.first_title ELSE links.first_title END, "
            "last_title = CASE WHEN excluded.last_seen_at > links.last_seen_at "
            "THEN coalesce(excluded.last_title, links.last_title) ELSE links.last_title END, "
            "times_seen = max(links.times_seen, excluded.times_seen), "
            "first_seen_at = min(links.first_seen_at, excluded.first_seen_at), "
            "last_seen_at = max(links.last_seen_at, excluded.last_seen_at)",
            (after if after is not None else -1, upto))
        self.result.links += max(cursor.rowcount, 0)
        return cursor.rowcount

    def _words_batch(self, conn: sqlite3.Connection, after: Any, upto: Any) -> int:
        cursor = conn.execute(
            "INSERT INTO main.word_forms (term, stem) SELECT term, stem FROM shard.word_forms "
            "WHERE term > ? AND term <= ? ON CONFLICT (term) DO UPDATE SET "
            "stem = coalesce(word_forms.stem, excluded.stem) WHERE word_forms.stem IS NULL",
            (after if after is not None else "", upto))
        return cursor.rowcount

    # -- articles -----------------------------------------------------------------------------

    def _articles(self) -> None:
        total = self.conn.execute("SELECT count(*) FROM shard.articles").fetchone()[0]
        done = 0
        last = 0
        while True:
            with self._tx() as conn:
                edge = conn.execute(
                    "SELECT max(id) FROM (SELECT id FROM shard.articles WHERE id > ? "
                    "ORDER BY id LIMIT ?)", (last, self.batch)).fetchone()[0]
                if edge is None:
                    return
                done += self._article_batch(conn, last, edge)
            last = edge
            self.progress(f"{self.result.shard}: {done:,}/{total:,} articles")

    def _article_batch(self, conn: sqlite3.Connection, after: int, upto: int) -> int:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch_new "
                     "(shard_id INTEGER PRIMARY KEY, uid TEXT NOT NULL)")
        conn.execute("DELETE FROM temp.batch_new")
        conn.execute("INSERT INTO temp.batch_new SELECT s.id, s.uid FROM shard.articles s "
                     "WHERE s.id > ? AND s.id <= ? AND NOT EXISTS "
                     "(SELECT 1 FROM main.articles a WHERE a.uid = s.uid)", (after, upto))
        # a URL the main archive holds under another uid (a shard not written by warta): left
        # out and counted, never a second row for the URL
        clash = conn.execute(
            "DELETE FROM temp.batch_new WHERE shard_id IN (SELECT s.id FROM temp.batch_new n "
            "JOIN shard.articles s ON s.id = n.shard_id JOIN main.articles a ON a.url = s.url)")
        self.result.articles_refused += max(clash.rowcount, 0)
        cols = self.article_cols
        picked = ", ".join(_picked(c) for c in cols)
        cursor = conn.execute(
            f"INSERT INTO main.articles ({', '.join(cols)}) SELECT {picked} "
            "FROM temp.batch_new n JOIN shard.articles s ON s.id = n.shard_id ORDER BY s.id")
        self.result.articles_new += max(cursor.rowcount, 0)
        # the new articles' ids in main, by their shard id
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS id_map "
                     "(shard_id INTEGER PRIMARY KEY, main_id INTEGER NOT NULL)")
        conn.execute("DELETE FROM temp.id_map")
        conn.execute("INSERT INTO temp.id_map SELECT n.shard_id, a.id FROM temp.batch_new n "
                     "JOIN main.articles a ON a.uid = n.uid")
        conn.execute(
            "INSERT INTO main.article_versions (article_id, title, body, content_hash, "
            "published_at, modified_at, fetched_at, stored_at, replaced_at, crawl_id) "
            "SELECT m.main_id, v.title, v.body, v.content_hash, v.published_at, v.modified_at, "
            "v.fetched_at, v.stored_at, v.replaced_at, "
            "(SELECT main_id FROM temp.crawl_map WHERE shard_id = v.crawl_id) "
            "FROM temp.id_map m JOIN shard.article_versions v ON v.article_id = m.shard_id "
            "ORDER BY v.id")
        # links a crawl added to the shard after the links step read it (a shard merged while
        # its node crawls): stored now, so that no article loses one
        conn.execute(
            "INSERT INTO main.links (url, first_title, last_title, times_seen, first_seen_at, "
            "last_seen_at) SELECT DISTINCT sl.url, sl.first_title, sl.last_title, sl.times_seen, "
            "sl.first_seen_at, sl.last_seen_at FROM temp.id_map m "
            "JOIN shard.article_links al ON al.article_id = m.shard_id "
            "JOIN shard.links sl ON sl.id = al.link_id WHERE true ON CONFLICT (url) DO NOTHING")
        conn.execute(
            "INSERT OR REPLACE INTO main.article_links (article_id, ord, link_id, title, block, "
            "position) SELECT m.main_id, al.ord, ml.id, al.title, al.block, al.position "
            "FROM temp.id_map m JOIN shard.article_links al ON al.article_id = m.shard_id "
            "JOIN shard.links sl ON sl.id = al.link_id JOIN main.links ml ON ml.url = sl.url")
        if self.has_checks:
            conn.execute(
                "INSERT OR REPLACE INTO main.article_checks (article_id, etag, last_modified, "
                "next_check_at, checked_at) SELECT m.main_id, c.etag, c.last_modified, "
                "c.next_check_at, c.checked_at FROM temp.id_map m "
                "JOIN shard.article_checks c ON c.article_id = m.shard_id")
        held = conn.execute(
            "SELECT s.id, a.id FROM shard.articles s JOIN main.articles a ON a.uid = s.uid "
            "WHERE s.id > ? AND s.id <= ? AND s.id NOT IN (SELECT shard_id FROM temp.id_map)",
            (after, upto)).fetchall()
        for shard_id, main_id in held:
            self._combine(conn, shard_id, main_id)
        return int(conn.execute("SELECT count(*) FROM shard.articles WHERE id > ? AND id <= ?",
                                (after, upto)).fetchone()[0])

    def _states(self, conn: sqlite3.Connection, schema: str, article_id: int,
                origin: int) -> list[tuple[Any, ...]]:
        """An article's stored contents, oldest first, as (stored_at, origin, content_hash,
        title, body, published_at, modified_at, fetched_at, crawl_id, is_current)."""
        crawl = ("(SELECT main_id FROM temp.crawl_map WHERE shard_id = {t}.crawl_id)"
                 if schema == "shard" else "{t}.crawl_id")
        rows = conn.execute(
            f"SELECT v.stored_at, {origin}, v.content_hash, v.title, v.body, v.published_at, "
            f"v.modified_at, v.fetched_at, {crawl.format(t='v')}, 0 "
            f"FROM {schema}.article_versions v WHERE v.article_id = ? ORDER BY v.id",
            (article_id,)).fetchall()
        rows += conn.execute(
            f"SELECT a.changed_at, {origin}, a.content_hash, a.title, a.body, a.published_at, "
            f"a.modified_at, a.fetched_at, {crawl.format(t='a')}, 1 "
            f"FROM {schema}.articles a WHERE a.id = ?", (article_id,)).fetchall()
        return rows

    def _combine(self, conn: sqlite3.Connection, shard_id: int, main_id: int) -> None:
        """An article both hold: the union of both histories (see the module docstring)."""
        mine = self._states(conn, "main", main_id, 0)
        theirs = self._states(conn, "shard", shard_id, 1)
        history: list[tuple[Any, ...]] = []
        for state in sorted(mine + theirs, key=lambda s: (s[0], s[1])):
            if history and history[-1][2] == state[2]:
                continue  # the same content seen again: it was stored at the first sighting
            history.append(state)
        main_seen = conn.execute("SELECT first_seen_at, last_seen_at FROM main.articles "
                                 "WHERE id = ?", (main_id,)).fetchone()
        shard_seen = conn.execute("SELECT first_seen_at, last_seen_at FROM shard.articles "
                                  "WHERE id = ?", (shard_id,)).fetchone()
        same = [(s[0], s[2]) for s in history] == [(s[0], s[2]) for s in mine]
        if same:
            self.result.articles_same += 1
        else:
            self.result.articles_updated += 1
            newest = history[-1]
            if newest[1] == 1:  # the shard's article is the newest content: take its row
                cols = [c for c in self.article_cols if c not in
                        ("uid", "url", "first_seen_at", "last_seen_at")]
                conn.execute(f"UPDATE main.articles SET ({', '.join(cols)}) = (SELECT "
                             f"{', '.join(_picked(c) for c in cols)} FROM shard.articles s "
                             "WHERE s.id = ?) WHERE id = ?", (shard_id, main_id))
            conn.execute("DELETE FROM main.article_versions WHERE article_id = ?", (main_id,))
            conn.executemany(
                "INSERT INTO main.article_versions (article_id, title, body, content_hash, "
                "published_at, modified_at, fetched_at, stored_at, replaced_at, crawl_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(main_id, s[3], s[4], s[2], s[5], s[6], s[7], s[0], history[i + 1][0], s[8])
                 for i, s in enumerate(history[:-1])])
        conn.execute("UPDATE main.articles SET first_seen_at = min(first_seen_at, ?), "
                     "last_seen_at = max(last_seen_at, ?) WHERE id = ?",
                     (shard_seen[0], shard_seen[1], main_id))
        # the shard read the page last: its related links are the page's latest
        if shard_seen[1] > main_seen[1] and conn.execute(
                "SELECT 1 FROM shard.article_links WHERE article_id = ? LIMIT 1",
                (shard_id,)).fetchone():
            conn.execute("DELETE FROM main.article_links WHERE article_id = ?", (main_id,))
            conn.execute(
                "INSERT OR REPLACE INTO main.article_links (article_id, ord, link_id, title, "
                "block, position) SELECT ?, al.ord, ml.id, al.title, al.block, al.position "
                "FROM shard.article_links al JOIN shard.links sl ON sl.id = al.link_id "
                "JOIN main.links ml ON ml.url = sl.url WHERE al.article_id = ?",
                (main_id, shard_id))
        if self.has_checks:
            conn.execute(
                "INSERT INTO main.article_checks (article_id, etag, last_modified, "
                "next_check_at, checked_at) SELECT ?, etag, last_modified, next_check_at, "
                "checked_at FROM shard.article_checks WHERE article_id = ? AND true "
                "ON CONFLICT (article_id) DO UPDATE SET etag = excluded.etag, "
                "last_modified = excluded.last_modified, next_check_at = excluded.next_check_at, "
                "checked_at = excluded.checked_at WHERE excluded.checked_at > "
                "article_checks.checked_at", (main_id, shard_id))
